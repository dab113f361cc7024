"""The callback queue: urgent first, contact details only on the request's own page."""
from __future__ import annotations

import json

from bot.handoff import store
from bot.staff import audit
from staff_helpers import callback, csrf_token


def test_queue_lists_urgent_first_and_masks_contact_details(console):
    calm = callback(console.database_url, name="Dana")
    urgent = callback(console.database_url, urgent=True, name="Robin", contact="robin@mail.example")
    client = console.signed_in("desk@clinic.example", "front_desk")
    page = client.get("/callbacks").text
    assert page.index(urgent) < page.index(calm)
    assert "555-0199" not in page and "robin@mail.example" not in page
    assert "Dana" not in page and "Robin" not in page  # names only where the call is made
    assert "phone on file" in page


def test_the_queue_masks_contact_details_typed_as_the_best_time(console):
    callback(console.database_url, preferred_time="after 3, or text 202 555 0143 / kim@mail.example")
    page = console.signed_in("desk@clinic.example", "front_desk").get("/callbacks").text
    assert "after 3" in page
    assert "555 0143" not in page and "kim@mail.example" not in page


def test_the_request_page_shows_contact_details_and_logs_the_look(console):
    reference = callback(console.database_url)
    client = console.signed_in("desk@clinic.example", "front_desk")
    page = client.get(f"/callbacks/{reference}").text
    assert "(555) 555-0199" in page and "Dana" in page and "please call me at [phone]" in page
    entries = audit.recent(console.database_url, action="callback.viewed")
    assert entries[0]["target"] == reference and "desk@clinic.example" in entries[0]["actor"]


def test_closing_a_request_with_a_note(console):
    reference = callback(console.database_url)
    client = console.signed_in("desk@clinic.example", "front_desk")
    token = csrf_token(client, f"/callbacks/{reference}")
    response = client.post(f"/callbacks/{reference}", data={
        "csrf_token": token, "status": "closed", "note": "Called back, booked. Her cell 555-201-7788"})
    assert response.status_code == 302
    handoff = store.get(console.database_url, reference)
    assert handoff.status == "closed" and handoff.closed_by.startswith("desk")
    assert "Called back, booked" in handoff.staff_note
    assert f"Request {reference} marked closed." in client.get("/callbacks").text  # the flash
    assert f"/callbacks/{reference}" not in client.get("/callbacks").text
    assert reference in client.get("/callbacks?show=all").text
    entry = audit.recent(console.database_url, action="callback.status_changed")[0]
    assert entry["details"]["after"] == "closed"
    assert "555-201-7788" not in json.dumps(entry, default=str)  # masked in the audit log


def test_an_unknown_status_is_refused(console):
    reference = callback(console.database_url)
    client = console.signed_in("desk@clinic.example", "front_desk")
    token = csrf_token(client, f"/callbacks/{reference}")
    client.post(f"/callbacks/{reference}", data={"csrf_token": token, "status": "deleted"})
    assert store.get(console.database_url, reference).status == "open"
