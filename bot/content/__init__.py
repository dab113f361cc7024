"""Curated answers: the single source of truth for what visitors are told."""
from bot.content.model import TOPICS, Answer, ContentLibrary, Source
from bot.content.store import ContentStore

__all__ = ["TOPICS", "Answer", "ContentLibrary", "Source", "ContentStore"]
