"""Clinic hours for live chat: is the clinic open now, and when does it open next.

The hours are in clinic.yml (`live_chat_hours`, `live_chat_timezone`), read
again when the file changes. "Now" comes from LIVE_CHAT_NOW when it is set,
so tests decide "inside hours" and "outside hours" without the wall clock.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.file_watch import file_signature

logger = logging.getLogger(__name__)
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class ClinicHours:
    timezone: str
    # Monday = 0: (opens, closes) or None when closed.
    days: tuple[tuple[dt.time, dt.time] | None, ...]

    def local_now(self, fixed: str = "") -> dt.datetime:
        """Now in the clinic's time zone (naive), or the fixed time tests set."""
        if fixed:
            return dt.datetime.fromisoformat(fixed).replace(tzinfo=None)
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = dt.timezone.utc
        return dt.datetime.now(zone).replace(tzinfo=None)

    def is_open(self, now: dt.datetime) -> bool:
        hours = self.days[now.weekday()]
        return hours is not None and hours[0] <= now.time() < hours[1]

    def next_opening(self, now: dt.datetime) -> dt.datetime | None:
        """When live chat opens next after now (now itself if it is open)."""
        for offset in range(8):
            day = (now + dt.timedelta(days=offset)).date()
            hours = self.days[day.weekday()]
            if hours is None:
                continue
            opens = dt.datetime.combine(day, hours[0])
            closes = dt.datetime.combine(day, hours[1])
            if now < closes:
                return max(opens, now)
        return None


def describe_opening(opening: dt.datetime | None, now: dt.datetime) -> str:
    """'today at 8 am', 'tomorrow at 8 am', 'Monday at 8:30 am' for visitors."""
    if opening is None:
        return ""
    clock = opening.strftime("%-I:%M %p").replace(":00", "").replace("AM", "am").replace("PM", "pm")
    days = (opening.date() - now.date()).days
    day = "today" if days == 0 else "tomorrow" if days == 1 else opening.strftime("%A")
    return f"{day} at {clock}"


def parse_hours(data: dict) -> ClinicHours:
    """ClinicHours from clinic.yml's mapping; bad or missing days count as closed."""
    given = data.get("live_chat_hours") or {}
    days: list[tuple[dt.time, dt.time] | None] = []
    for name in DAYS:
        match = _RANGE.match(str(given.get(name) or "")) if isinstance(given, dict) else None
        if match is None:
            days.append(None)
            continue
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            opens, closes = dt.time(h1, m1), dt.time(h2, m2)
        except ValueError:
            logger.error("clinic.yml: live_chat_hours %s is not a time range", name)
            days.append(None)
            continue
        days.append((opens, closes) if opens < closes else None)
    return ClinicHours(str(data.get("live_chat_timezone") or "UTC"), tuple(days))


class HoursFile:
    """clinic.yml's live chat hours, re-read when the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._signature: tuple = ()
        self._hours = ClinicHours("UTC", (None,) * 7)

    def hours(self) -> ClinicHours:
        signature = file_signature(self.path)
        if signature[1] and signature != self._signature:
            with self._lock:
                try:
                    data = yaml.safe_load(self.path.read_text(encoding="utf-8")) or {}
                    self._hours = parse_hours(data if isinstance(data, dict) else {})
                except (OSError, yaml.YAMLError) as error:
                    logger.error("clinic.yml live chat hours not reloaded: %s", error)
                self._signature = signature
        return self._hours
