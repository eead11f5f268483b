"""A small stand-in for Loki's HTTP API, on 127.0.0.1, for tests of the Loki backend.

It answers from recorded responses in ``tests/fixtures/loki/``, records every request
(path, query parameters, headers), and can be scripted to misbehave for the next
requests: wait, fail with a status and Loki's error text, throttle, or send bad JSON.
``/loki/api/v1/patterns`` answers :data:`PATTERNS` (or ``patterns=``) whatever the
selector and range; ``patterns=None`` is a Loki without a pattern ingester (404).
"""

from __future__ import annotations

import json
import re
import ssl
import threading
from collections import deque
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "loki"
INSTANT_LOG_QUERY_ERROR = ("log queries are not supported as an instant query type, "
                           "please change your query to a range query type")
_LABEL_VALUES = re.compile(r"^/loki/api/v1/label/([^/]+)/values$")
_EQUALITY = re.compile(r'(\w+)\s*=\s*"([^"]*)"')


def _hourly(*counts: int) -> list[list[int]]:
    """Samples as Loki's pattern ingester sends them: [unix seconds, count], step-aligned."""
    return [[1_735_675_200 + hour * 3600, count] for hour, count in enumerate(counts) if count]


# OpenSSH (Loghub's LabSZ) patterns on 2024-12-31 20:00-23:00 UTC, as Loki 3.3+ answers
# (with "level"; Loki finds none in these lines). "Failed to receive identification string"
# covers the lines of query_range_streams.json.
PATTERNS = [
    {"pattern": "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 "
                "tty=ssh ruser= rhost=<_> user=root",
     "level": "unknown", "samples": _hourly(96, 131, 88, 41)},
    {"pattern": "Failed password for <_> from <_> port <_> ssh2",
     "level": "unknown", "samples": _hourly(104, 142, 97, 52)},
    {"pattern": "Received disconnect from <_> 11: Bye Bye [preauth]",
     "level": "unknown", "samples": _hourly(47, 63, 40, 19)},
    {"pattern": "Invalid user <_> from <_>",
     "level": "unknown", "samples": _hourly(12, 30, 9, 4)},
    {"pattern": "Failed to receive identification string from <_>",
     "level": "unknown", "samples": _hourly(3, 7, 11, 2)},
    {"pattern": "Accepted password for fztu from <_> port <_> ssh2",
     "level": "unknown", "samples": _hourly(1, 0, 2, 1)},
]


@dataclass
class RecordedRequest:
    path: str
    params: dict[str, list[str]]
    headers: Message  # case-insensitive, as HTTP header names are

    def param(self, name: str) -> str | None:
        """The single value of one query parameter, or ``None`` if absent."""
        values = self.params.get(name)
        return values[0] if values else None


@dataclass
class Scripted:
    """What to do for one request instead of (or before) answering from fixtures."""

    delay: float = 0.0
    status: int | None = None  # None: answer from the fixtures; 0: hang up
    body: str = ""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class FakeLoki:
    """Start with :meth:`start` (or as a context manager); ``url`` is its address."""

    def __init__(self, fixtures: Path = FIXTURES, *, tls_cert: str | None = None,
                 tls_key: str | None = None, client_ca: str | None = None,
                 patterns: list[dict] | None = PATTERNS) -> None:
        """``tls_cert``/``tls_key`` serve HTTPS; ``client_ca`` also demands a client cert.

        ``patterns`` is the ``data`` of ``/loki/api/v1/patterns`` (``{"pattern",
        "samples"}``, ``"level"`` optional); ``None``: no pattern ingester, 404.
        """
        self.fixtures = fixtures
        self.patterns = None if patterns is None else list(patterns)
        self._tls = (tls_cert, tls_key, client_ca)
        self.requests: list[RecordedRequest] = []
        self._script: deque[Scripted] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> "FakeLoki":
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        cert, key, client_ca = self._tls
        if cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            if client_ca:
                context.load_verify_locations(client_ca)
                context.verify_mode = ssl.CERT_REQUIRED
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers that are scripted to wait
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> "FakeLoki":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        scheme = "https" if self._tls[0] else "http"
        return f"{scheme}://{host}:{port}"

    @property
    def last(self) -> RecordedRequest:
        return self.requests[-1]

    # -- scripting the next requests -------------------------------------------------

    def script(self, action: Scripted, times: int = 1) -> None:
        with self._lock:
            self._script.extend([action] * times)

    def delay(self, seconds: float, times: int = 1) -> None:
        """Wait ``seconds`` before answering normally."""
        self.script(Scripted(delay=seconds), times)

    def fail(self, status: int, text: str = "internal error", times: int = 1,
             as_json: bool = False, headers: dict[str, str] | None = None) -> None:
        """Answer ``status`` with Loki's error text: plain (Loki's way) or JSON."""
        if as_json:
            body = json.dumps({"status": "error", "errorType": "bad_data", "error": text})
            action = Scripted(status=status, body=body, content_type="application/json",
                              headers=headers or {})
        else:
            action = Scripted(status=status, body=text + "\n", headers=headers or {})
        self.script(action, times)

    def throttle(self, times: int = 1, retry_after: str | None = None) -> None:
        """Answer 429 as Loki's rate limiter does, then normally."""
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        self.fail(429, "too many outstanding requests", times, headers=headers)

    def malformed(self, times: int = 1) -> None:
        """Answer 200 with a body that is not JSON (as a broken proxy might)."""
        self.script(Scripted(status=200, body='{"status":"success","data":{"resul',
                             content_type="application/json"), times)

    def drop(self, times: int = 1) -> None:
        """Close the connection without answering (a restarting Loki, a flaky proxy)."""
        self.script(Scripted(status=0), times)

    # -- answering ----------------------------------------------------------------------

    def _next_action(self) -> Scripted | None:
        with self._lock:
            return self._script.popleft() if self._script else None

    def answer(self, path: str, params: dict[str, list[str]]) -> tuple[int, str, str]:
        """(status, content type, body) for a request, from the fixtures."""
        query = (params.get("query") or [""])[0].strip()
        if path == "/ready":
            return 200, "text/plain; charset=utf-8", "ready\n"
        if path == "/loki/api/v1/query":
            if query.startswith("{"):
                return 400, "text/plain; charset=utf-8", INSTANT_LOG_QUERY_ERROR
            return self._fixture("query_vector.json")
        if path == "/loki/api/v1/query_range":
            # Loki picks the result type from the query: a bare selector is a log query.
            kind = "streams" if query.startswith("{") else "matrix"
            return self._fixture(f"query_range_{kind}.json")
        if path == "/loki/api/v1/labels":
            return self._fixture("labels.json")
        if path == "/loki/api/v1/series":
            return self._series(params.get("match[]", []) + params.get("match", []))
        if path == "/loki/api/v1/index/volume":
            return self._fixture("volume.json")
        if path == "/loki/api/v1/patterns" and self.patterns is not None:
            return _json_answer({"status": "success", "data": self.patterns})
        label = _LABEL_VALUES.match(path)
        if label:
            values = self._load("label_values.json").get(unquote(label.group(1)), [])
            return _json_answer({"status": "success", "data": values})
        return 404, "text/plain; charset=utf-8", "404 page not found\n"

    def _series(self, selectors: list[str]) -> tuple[int, str, str]:
        if not selectors:
            return 400, "text/plain; charset=utf-8", "0 matcher groups supplied"
        everything = self._load("series.json")["data"]
        # Enough LogQL for tests: a selector's equality matchers, all of which must hold.
        wanted = [dict(_EQUALITY.findall(selector)) for selector in selectors]
        found = [labels for labels in everything
                 if any(all(labels.get(k) == v for k, v in group.items()) for group in wanted)]
        return _json_answer({"status": "success", "data": found})

    def _fixture(self, name: str) -> tuple[int, str, str]:
        return 200, "application/json", (self.fixtures / name).read_text(encoding="utf-8")

    def _load(self, name: str):
        return json.loads((self.fixtures / name).read_text(encoding="utf-8"))


def _json_answer(document) -> tuple[int, str, str]:
    return 200, "application/json", json.dumps(document)


def _handler_for(fake: FakeLoki):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            split = urlsplit(self.path)
            params = parse_qs(split.query, keep_blank_values=True)
            fake.requests.append(RecordedRequest(split.path, params, self.headers))
            action = fake._next_action() or Scripted()
            if action.delay and fake._stopping.wait(action.delay):
                return  # the server is stopping: give up on this request
            if action.status == 0:
                self.close_connection = True
                return
            if action.status is None:
                status, content_type, body = fake.answer(split.path, params)
            else:
                status, content_type, body = action.status, action.content_type, action.body
            self._send(status, content_type, body, action.headers)

        def _send(self, status, content_type, body, headers) -> None:
            payload = body.encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to tell it

        def log_message(self, *args) -> None:
            pass  # keep test output quiet

    return Handler
