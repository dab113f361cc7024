"""The project's own spaCy pipeline, built from files in this repository."""
