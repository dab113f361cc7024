"""Dialogue pieces Rasa loads by module path: the safety policy and the NLG."""
