"""clinic.yml, re-read when it changes, as placeholder values."""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from bot.clinic import ClinicConfigError, load_clinic, placeholder_values
from bot.file_watch import file_signature

logger = logging.getLogger(__name__)


class ClinicFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._signature: tuple = ()
        self._values: dict[str, str] = {}
        self.values()

    def values(self) -> dict[str, str]:
        """Placeholder values; a broken edit keeps the last good values in use."""
        signature = file_signature(self.path)
        if not signature[1]:
            return self._values
        if signature != self._signature:
            with self._lock:
                try:
                    self._values = placeholder_values(load_clinic(self.path))
                except (ClinicConfigError, OSError, ValueError) as error:
                    logger.error("clinic.yml not reloaded: %s", error)
                self._signature = signature
        return self._values
