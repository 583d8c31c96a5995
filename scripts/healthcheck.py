"""The container's health check: GET /healthz where gunicorn listens, exit 0 when it answers 200.

/healthz answers 200 only when the database does (zhijiao/views.py). Where gunicorn listens is
ZHIJIAO_BIND, as in the image's CMD: host:port (a wildcard address is asked on loopback) or
unix:/path/to/socket. The Host header is one that ALLOWED_HOSTS accepts (localhost when it may),
so the check passes whatever host names the site serves. Standard library only: the image has no
curl. Used by the Dockerfile's HEALTHCHECK and by scripts/image-test.sh.
"""

from __future__ import annotations

import http.client
import os
import socket
import sys

TIMEOUT = 4.0


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str, host: str) -> None:
        super().__init__(host, timeout=TIMEOUT)
        self.socket_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(TIMEOUT)
        sock.connect(self.socket_path)
        self.sock = sock


def host_header() -> str:
    """localhost if ALLOWED_HOSTS accepts it (as by default), else its first concrete name."""
    allowed = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    if not allowed or "localhost" in allowed or "*" in allowed:
        return "localhost"
    for name in allowed:
        if "*" not in name:
            return name.lstrip(".")
    return "localhost"


def connection(bind: str, host: str) -> http.client.HTTPConnection:
    if bind.startswith("unix:"):
        return UnixHTTPConnection(bind[len("unix:") :], host)
    if bind.startswith("["):  # [::1]:8000, [::]:8000 or [::1]
        address, _, rest = bind[1:].partition("]")
        port = rest.lstrip(":") or "8000"
    elif ":" in bind:
        address, _, port = bind.rpartition(":")
    elif bind.isdigit():  # a port alone
        address, port = "", bind
    else:  # a host alone: gunicorn's default port
        address, port = bind, "8000"
    if address in ("", "0.0.0.0", "*"):
        address = "127.0.0.1"
    elif address == "::":
        address = "::1"
    return http.client.HTTPConnection(address, int(port), timeout=TIMEOUT)


def main() -> int:
    bind = os.environ.get("ZHIJIAO_BIND", "127.0.0.1:8000")
    host = host_header()
    try:
        conn = connection(bind, host)
        conn.request("GET", "/healthz", headers={"Host": host, "User-Agent": "healthcheck"})
        response = conn.getresponse()
        body = response.read(300).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException, ValueError) as exc:
        print(f"unhealthy: {bind}: {exc}", file=sys.stderr)
        return 1
    if response.status != 200:
        print(f"unhealthy: {bind}: HTTP {response.status} {body}", file=sys.stderr)
        return 1
    print(f"healthy: {bind}: {body}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
