"""Rasa NLU components of ours, loaded by module path from config.yml."""
