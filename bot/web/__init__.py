"""The visitor-facing web layer: the widget's channel, files and demo page."""
