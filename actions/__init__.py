"""Rasa SDK custom actions. Each module is one concern and stays thin: the
work happens in the bot package, which is tested on its own."""
from actions import callback, crisis, session  # noqa: F401  (registers the actions)
