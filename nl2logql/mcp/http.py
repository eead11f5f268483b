"""The MCP server over streamable HTTP, on 127.0.0.1 unless told otherwise, behind an
optional bearer token: a request without ``Authorization: Bearer <token>`` gets 401."""

from __future__ import annotations

import hmac
import ipaddress

from nl2logql.errors import ArgumentError

DEFAULT_HOST = "127.0.0.1"
PATH = "/mcp"


def parse_address(text: str) -> tuple[str, int]:
    """``PORT``, ``:PORT``, ``HOST:PORT`` or ``[IPv6]:PORT`` → ``(host, port)``."""
    host, sep, port = text.strip().rpartition(":")
    if not sep:
        host, port = "", text.strip()
    host = host.strip("[]") or DEFAULT_HOST
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ArgumentError(f"--http takes [HOST:]PORT with a port from 1 to 65535, got {text!r}")
    return host, int(port)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_token(app, token: str):
    """``app`` (ASGI) answering 401 to any HTTP request without the bearer ``token``."""
    from starlette.responses import JSONResponse

    expected = f"Bearer {token}".encode()

    async def guarded(scope, receive, send):
        if scope["type"] == "http":
            given = dict(scope.get("headers") or []).get(b"authorization", b"")
            if not hmac.compare_digest(given, expected):
                response = JSONResponse(
                    {"error": "invalid_token",
                     "error_description": "send the header Authorization: Bearer <token>"},
                    status_code=401, headers={"WWW-Authenticate": 'Bearer realm="nl2logql"'})
                await response(scope, receive, send)
                return
        await app(scope, receive, send)

    return guarded


def http_app(server, host: str, token: str | None = None):
    """The ASGI app serving ``server`` at :data:`PATH`. On a loopback host the SDK also
    refuses other Host and Origin headers (DNS rebinding)."""
    app = server.streamable_http_app(streamable_http_path=PATH, host=host)
    return require_token(app, token) if token else app


def serve(server, host: str, port: int, token: str | None = None) -> None:
    """Serve until interrupted."""
    import uvicorn

    uvicorn.run(http_app(server, host, token), host=host, port=port, log_level="warning")
