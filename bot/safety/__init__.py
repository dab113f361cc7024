"""The deterministic safety net: crisis detection, personal-question detection
and input checks that run on every message, whatever the ML model says."""
