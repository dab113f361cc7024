"""Start-up details: the secret key file and the health check."""
from __future__ import annotations

import stat

from bot.settings import Settings
from bot.staff.app import secret_key


def test_the_generated_secret_is_kept_private_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("STAFF_SECRET_KEY", raising=False)
    monkeypatch.setenv("KETAMINE_BOT_ROOT", str(tmp_path))
    settings = Settings.from_env()
    first = secret_key(settings)
    path = tmp_path / "var" / "staff_secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32 and secret_key(settings) == first
    monkeypatch.setenv("STAFF_SECRET_KEY", "from-the-environment")
    assert secret_key(settings) == "from-the-environment"


def test_health_needs_no_sign_in(console):
    response = console.client().get("/health")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_a_hand_edit_shows_on_the_very_next_page(console):
    # The console checks the files on every request: with the assistant's one-second
    # check, an edit made right after a page view was missed (a flaky browser test).
    client = console.signed_in("editor@clinic.example", "editor")
    assert "A hand edit" not in client.get("/answers/about_history").text
    path = console.paths.content_dir / "about.yml"
    text = path.read_text()
    assert text.count("Ketamine was created in the 1960s") == 1
    path.write_text(text.replace("Ketamine was created", "A hand edit: Ketamine was created"))
    assert "A hand edit: Ketamine" in client.get("/answers/about_history").text
