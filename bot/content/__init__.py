"""Curated answers: the single source of truth for what visitors are told.

This package owns everything done with answers: reading them (files, store),
checking them (check, review), rendering them as visitors get them (render,
preview) and writing them from the staff console (edits, training_examples,
yaml_io). The console's pages (bot/staff/web) only do HTTP and call in here;
nothing here imports bot.staff (tests/content/test_layout.py).
"""
from bot.content.model import TOPICS, Answer, ContentLibrary, Source
from bot.content.store import ContentStore

__all__ = ["TOPICS", "Answer", "ContentLibrary", "Source", "ContentStore"]
