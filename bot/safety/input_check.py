"""What kind of problem, if any, a raw visitor message has.

Empty, emoji-only, markup-only and non-English messages get a clear reply
instead of a guess from a classifier that was never trained on them.
"""
from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser

import emoji

from bot.safety.language import confidences

# The classifiers were trained on messages of up to about 60 words; a longer
# message is cut to its last part, where the question usually is.
MAX_NLU_CHARACTERS = 400
EMPTY, EMOJI_ONLY, MARKUP_ONLY, OTHER_LANGUAGE, NO_WORDS = (
    "empty", "emoji_only", "markup_only", "other_language", "no_words",
)
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_ENGLISH_HINTS = re.compile(
    r"\b(the|is|are|do|does|what|how|can|i|my|you|ketamine|spravato|and|of|to|it|"
    r"for|with|about|cost|side|effects?|hi|hello|thanks?|yes|no|ok|okay)\b",
    re.IGNORECASE,
)


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs) -> None:  # noqa: ANN001
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def strip_markup(text: str) -> str:
    """The visible words of a message that contains HTML, without the tags."""
    if "<" not in text and "&" not in text:
        return text
    parser = _TextOnly()
    parser.feed(text)
    parser.close()
    return html.unescape(" ".join(parser.parts))


def text_for_nlu(text: str) -> str:
    """What the classifier sees: visible words, one space between, capped in length.

    A long message keeps its end: people tell their story first and ask
    their question last.
    """
    visible = " ".join(strip_markup(text or "").split())
    visible = "".join(ch for ch in visible if unicodedata.category(ch) != "Cc")
    if len(visible) <= MAX_NLU_CHARACTERS:
        return visible
    tail = visible[-MAX_NLU_CHARACTERS:]
    return tail.split(" ", 1)[-1] if " " in tail else tail


def input_problem(text: str) -> str | None:
    """None for a normal message, else one of the problem names above."""
    raw = (text or "").strip()
    if not raw:
        return EMPTY
    visible = text_for_nlu(raw)
    if not visible:
        return MARKUP_ONLY
    without_emoji = emoji.replace_emoji(visible, "").strip()
    if not without_emoji:
        return EMOJI_ONLY
    if not _WORD.search(without_emoji):
        return NO_WORDS
    if _is_other_language(without_emoji):
        return OTHER_LANGUAGE
    return None


def _is_other_language(text: str) -> bool:
    """True only when confident: a wrong guess would refuse an English visitor."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    non_latin = sum(1 for ch in letters if not unicodedata.name(ch, "").startswith("LATIN"))
    if non_latin / len(letters) > 0.5:
        return True
    words = _WORD.findall(text)
    if len(words) < 3 or _ENGLISH_HINTS.search(text):
        return False
    english, best_other = _detect(text)
    return english < 0.05 and best_other >= 0.5


def _detect(text: str) -> tuple[float, float]:
    """Confidence that text is English, and the best confidence for another language."""
    values = confidences(text)
    english = values.pop("ENGLISH", 0.0)
    return english, max(values.values(), default=0.0)
