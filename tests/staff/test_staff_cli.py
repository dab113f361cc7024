"""`python -m bot staff ...` and `python -m bot handoffs ...`."""
from __future__ import annotations

import io

from bot.__main__ import main as bot_main
from bot.handoff import store
from bot.staff import accounts, audit
from staff_helpers import PASSWORD, callback


def test_add_user_reads_the_password_from_stdin(console, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert bot_main(["staff", "add-user", "Admin@Clinic.example", "--role", "admin", "--role",
                     "reviewer", "--title", "Dr. Rivera, medical director", "--password-stdin"]) == 0
    member = accounts.sign_in(console.database_url, "admin@clinic.example", PASSWORD)
    assert member.roles == {"admin", "reviewer"} and member.title == "Dr. Rivera, medical director"
    assert audit.recent(console.database_url, action="staff.user_added")[0]["target"] == "admin@clinic.example"
    assert bot_main(["staff", "list"]) == 0
    assert "admin,reviewer" in capsys.readouterr().out


def test_add_user_prompts_twice_without_echo(console, monkeypatch):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda _prompt="": next(answers))
    assert bot_main(["staff", "add-user", "desk@clinic.example", "--role", "front_desk",
                     "--title", "Front desk"]) == 0
    assert accounts.sign_in(console.database_url, "desk@clinic.example", PASSWORD)


def test_a_weak_password_or_unknown_role_adds_nobody(console, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert bot_main(["staff", "add-user", "a@clinic.example", "--role", "admin", "--title", "A",
                     "--password-stdin"]) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert bot_main(["staff", "add-user", "a@clinic.example", "--role", "boss", "--title", "A",
                     "--password-stdin"]) == 1
    assert accounts.list_users(console.database_url) == []


def test_handoff_commands(console, capsys):
    reference = callback(console.database_url, urgent=True)
    assert bot_main(["handoffs", "list"]) == 0
    listing = capsys.readouterr().out
    assert reference in listing and "URGENT" in listing and "555-0199" not in listing
    assert bot_main(["handoffs", "show", reference.lower()]) == 0
    assert "(555) 555-0199" in capsys.readouterr().out
    assert bot_main(["handoffs", "close", reference, "--note", "called back"]) == 0
    handoff = store.get(console.database_url, reference)
    assert handoff.status == "closed" and "called back" in handoff.staff_note
    assert bot_main(["handoffs", "show", "NOSUCH"]) == 1


def test_handoffs_show_prints_control_characters_as_codes(console, capsys):
    reference = callback(console.database_url, name="Jo\x1b[2J\x1b]0;owned\x07",
                         preferred_time="after 3\u202eevil")
    assert bot_main(["handoffs", "show", reference]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "Jo\\x1b[2J" in out and "after 3\\u202eevil" in out
