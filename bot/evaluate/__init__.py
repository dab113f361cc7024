"""Behaviour evaluation: run visitor messages through the real assistant."""
