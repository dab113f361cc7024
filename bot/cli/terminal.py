"""Text from visitors, made safe to print on a staff member's terminal."""
from __future__ import annotations


def terminal_safe(text: object) -> str:
    """Control and formatting characters shown as escape codes, never obeyed.

    A visitor could type an ANSI escape sequence (rewrite the screen, set the
    window title, hide the rest of a line) or a right-to-left override into a
    name or a message; `python -m bot handoffs show` prints those.
    str.isprintable() is False exactly for Unicode's "Other" and "Separator"
    characters (ASCII space aside), which covers all of them.
    """
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                   for ch in str(text))
