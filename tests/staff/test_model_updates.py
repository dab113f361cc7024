"""Gated model updates without training: publish rules, pruning, the model server."""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from bot import model_updates
from staff_helpers import csrf_token

TOKEN = "test-model-server-token"


@pytest.fixture()
def models_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "root"
    (root / "models").mkdir(parents=True)
    monkeypatch.setenv("KETAMINE_BOT_ROOT", str(root))
    monkeypatch.setenv("MODEL_SERVER_TOKEN", TOKEN)
    return root


def fake_model(root: Path, name: str, age: int = 0, passed: bool | None = True) -> str:
    path = root / "models" / f"model-{hashlib.sha256(name.encode()).hexdigest()[:16]}.tar.gz"
    path.write_bytes(f"model {name}".encode())
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    if passed is not None:
        model_updates._write_json(model_updates.report_path(path.name), {
            "model": path.name, "gates_passed": passed,
            "files": {"visitor_questions": {"gates": [{"figure": "accuracy", "value": {"value": 0.96}}],
                                            "outcomes": {"how much": "cost", "hi": "greet"},
                                            "failures": []}}})
    return path.name


def test_only_a_model_that_passed_its_gates_can_be_published(models_root: Path) -> None:
    good, bad, unknown = (fake_model(models_root, "good"), fake_model(models_root, "bad", passed=False),
                          fake_model(models_root, "unknown", passed=None))
    assert model_updates.publish(good, "Dr. Rivera")["model"] == good
    (models_root / "escaped.tar.gz").write_bytes(b"x")
    for refused in (bad, unknown, "model-0000000000000000.tar.gz", "../escaped.tar.gz",
                    "model-" + good[6:22] + ".tar.gz/../" + good):
        with pytest.raises(ValueError):
            model_updates.publish(refused, "Dr. Rivera")
    assert model_updates.live_model().name == good


def test_rollback_is_publishing_an_older_model_and_the_live_one_is_never_pruned(models_root: Path) -> None:
    names = [fake_model(models_root, f"m{i}", age=100 - i) for i in range(8)]
    model_updates.publish(names[0], "Dr. Rivera")  # the oldest
    kept = {p.name for p in (models_root / "models").glob("*.tar.gz")}
    assert names[0] in kept and len(kept) == model_updates.KEEP + 1
    model_updates.publish(names[-1], "Dr. Rivera")
    assert model_updates.live_model().name == names[-1]
    model_updates.publish(names[-2], "Dr. Rivera")  # roll back one
    assert model_updates.live_model().name == names[-2]


def test_a_missing_live_model_is_never_replaced_by_a_guess(models_root: Path) -> None:
    name = fake_model(models_root, "live")
    fake_model(models_root, "newer-but-failed", passed=False)
    model_updates.publish(name, "Dr. Rivera")
    (models_root / "models" / name).unlink()
    assert model_updates.live_model() is None


def test_a_dead_job_does_not_block_retraining(models_root: Path) -> None:
    job = model_updates.Job("abc123", "Dr. Rivera", "2026-12-01T00:00:00", state="training", pid=2 ** 22 + 7)
    model_updates.save_job(job)
    assert not model_updates.load_job("abc123").running


def test_comparison_lists_every_changed_case() -> None:
    live = {"files": {"v": {"outcomes": {"a": "cost", "b": "greet", "c": "crisis"}}}}
    candidate = {"files": {"v": {"outcomes": {"a": "cost", "b": "fallback", "c": "crisis", "new": "x"}}}}
    assert model_updates.compare(candidate, live) == [
        {"file": "v", "text": "b", "live": "greet", "candidate": "fallback"}]


def test_model_server_needs_the_token_and_honours_the_etag(console, models_root: Path) -> None:
    name = fake_model(models_root, "served")
    model_updates.publish(name, "Dr. Rivera")
    client = console.app.test_client()
    assert client.get("/model-server/live.tar.gz").status_code == 403
    assert client.get("/model-server/live.tar.gz?token=wrong").status_code == 403
    reply = client.get(f"/model-server/live.tar.gz?token={TOKEN}")
    assert reply.status_code == 200 and reply.headers["ETag"] == name and reply.data == b"model served"
    assert client.get("/model-server/live.tar.gz?token=\u00e9").status_code == 403
    again = client.get(f"/model-server/live.tar.gz?token={TOKEN}", headers={"If-None-Match": name})
    assert again.status_code == 304


def test_models_page_is_for_reviewers_and_publishing_is_audited(console, models_root: Path) -> None:
    first, second = fake_model(models_root, "first", age=10), fake_model(models_root, "second")
    model_updates.publish(first, "make run", require_report=False)
    editor = console.signed_in("ed@clinic.example", "editor")
    assert editor.get("/models").status_code == 403
    reviewer = console.signed_in("doc@clinic.example", "reviewer")
    page = reviewer.get("/models").text
    assert first in page and second in page and "Make live again" in page
    reply = reviewer.post("/models/publish", data={"model": second, "rollback": "1",
                                                   "csrf_token": csrf_token(reviewer, "/models")})
    assert reply.status_code == 302 and model_updates.live_model().name == second
    from bot.staff import audit

    entry = audit.recent(console.database_url, limit=1)[0]
    assert entry["action"] == "model.rolled_back" and entry["details"]["after"] == second
