"""Issue #11: every server we start listens on loopback only."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

LISTEN = "0A"


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on port, from /proc/net/tcp{,6}."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].split(":")
            if fields[3] == LISTEN and int(port_hex, 16) == port:
                found.add(address)
    return found


def test_the_rasa_server_and_the_action_server_listen_on_loopback_only(stack) -> None:
    loopback = {"0100007F", "00000000000000000000000001000000"}
    for url in (stack.base_url, stack.action_url):
        port = urlsplit(url).port
        addresses = listening_addresses(port)
        assert addresses, f"nothing listens on {port}"
        assert addresses <= loopback, f"port {port} listens on {addresses}"
