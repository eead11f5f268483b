"""A real Grafana Loki, over its HTTP API, behind the same interface as the embedded store.

Parameter names and defaults follow Loki's API reference and logcli: times go out as
integer nanoseconds, ``step`` as float seconds, series selectors as ``match[]``.
Configuration follows logcli's environment variables (see :meth:`LokiBackend.from_env`).
Every failure becomes one :class:`~nl2logql.errors.BackendError` line that quotes Loki's
own reason, e.g. ``Loki at http://host:3100 answered 400: parse error at line 1, col 1:
syntax error: unexpected IDENTIFIER``.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Mapping

from nl2logql.engine.backend import Backend, Data, register_backend
from nl2logql.errors import BackendError, PatternsUnavailable
from nl2logql.logql.units import HOUR, SECOND
from nl2logql.timeutil import now_ns

DEFAULT_ADDR = "http://localhost:3100"  # logcli's default
USER_AGENT = "nl2logql"
MAX_ERROR_CHARS = 400  # keep a huge HTML error page from flooding one line
MAX_RETRY_AFTER_S = 30.0
PATTERNS_PATH = "/loki/api/v1/patterns"
# How a Loki without a pattern ingester words it, when it says more than 404.
_PATTERNS_OFF = re.compile(r"\bpattern(s|[ _-]ingester|[ _-]querier)\b.*"
                           r"\b(disabled|not enabled|not configured|not found)\b", re.I)

_sleep = time.sleep  # tests replace this to make backoff instant


def _is_retryable(status: int) -> bool:
    return status == 429 or status >= 500


@register_backend("loki")
class LokiBackend(Backend):
    """Runs LogQL on a Loki server at ``url``.

    ``retries`` is the number of tries in all (not extra ones); between tries the wait
    doubles from ``backoff`` seconds, or follows Loki's ``Retry-After``. Tries happen on
    429, 5xx and refused or reset connections; a timeout is final, since a query that
    ran out of time once will again.
    """

    def __init__(self, url: str = DEFAULT_ADDR, *, username: str | None = None,
                 password: str | None = None, bearer_token: str | None = None,
                 org_id: str | None = None, ca_cert: str | None = None,
                 client_cert: str | None = None, client_key: str | None = None,
                 tls_skip_verify: bool = False, timeout: float = 30.0, retries: int = 3,
                 backoff: float = 0.5) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise BackendError(f"not a Loki address: {url!r} (expected http://host:port)")
        if (username or password) and bearer_token:
            raise BackendError("use either basic auth (username/password) or a bearer token "
                               "for Loki, not both")
        if client_key and not client_cert:
            raise BackendError("a Loki client key needs a client certificate too")
        if retries < 1:
            raise BackendError(f"retries must be at least 1, not {retries}")
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if username or password:
            token = base64.b64encode(f"{username or ''}:{password or ''}".encode()).decode()
            self._headers["Authorization"] = f"Basic {token}"
        elif bearer_token:
            self._headers["Authorization"] = f"Bearer {bearer_token}"
        if org_id:
            self._headers["X-Scope-OrgID"] = org_id
        self._ssl = self._ssl_context(ca_cert, client_cert, client_key, tls_skip_verify)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **explicit) -> "LokiBackend":
        """Build from logcli's variables; ``explicit`` arguments that are not ``None`` win.

        ``LOKI_ADDR``, ``LOKI_USERNAME``, ``LOKI_PASSWORD``, ``LOKI_BEARER_TOKEN``
        (or ``LOKI_BEARER_TOKEN_FILE``), ``LOKI_ORG_ID``, ``LOKI_CA_CERT_PATH``,
        ``LOKI_CLIENT_CERT_PATH``, ``LOKI_CLIENT_KEY_PATH``, ``LOKI_TLS_SKIP_VERIFY``.
        """
        env = os.environ if env is None else env
        options = {
            "url": env.get("LOKI_ADDR") or DEFAULT_ADDR,
            "username": env.get("LOKI_USERNAME"),
            "password": env.get("LOKI_PASSWORD"),
            "bearer_token": env.get("LOKI_BEARER_TOKEN") or _read_token_file(
                env.get("LOKI_BEARER_TOKEN_FILE")),
            "org_id": env.get("LOKI_ORG_ID"),
            "ca_cert": env.get("LOKI_CA_CERT_PATH"),
            "client_cert": env.get("LOKI_CLIENT_CERT_PATH"),
            "client_key": env.get("LOKI_CLIENT_KEY_PATH"),
            "tls_skip_verify": env.get("LOKI_TLS_SKIP_VERIFY", "").lower() in ("1", "true", "yes"),
        }
        options.update({key: value for key, value in explicit.items() if value is not None})
        return cls(**options)

    # -- the Backend interface ------------------------------------------------------

    def query(self, logql: str, *, time: int | None = None, limit: int | None = None,
              direction: str = "backward") -> Data:
        params = {"query": logql, "time": self.default_time() if time is None else time,
                  "limit": limit, "direction": direction}
        return self._get_data("/loki/api/v1/query", params, dict)

    def query_range(self, logql: str, *, start: int | None = None, end: int | None = None,
                    step: int | None = None, limit: int | None = None,
                    direction: str = "backward") -> Data:
        start, end = self._range(start, end)
        params = {"query": logql, "start": start, "end": end, "limit": limit,
                  "direction": direction, "step": None if step is None else _seconds(step)}
        return self._get_data("/loki/api/v1/query_range", params, dict)

    def labels(self, *, start: int | None = None, end: int | None = None) -> list[str]:
        start, end = self._range(start, end)
        names = self._get_data("/loki/api/v1/labels", {"start": start, "end": end}, list)
        return sorted(names)

    def label_values(self, name: str, *, start: int | None = None,
                     end: int | None = None) -> list[str]:
        start, end = self._range(start, end)
        path = f"/loki/api/v1/label/{urllib.parse.quote(name, safe='')}/values"
        return sorted(self._get_data(path, {"start": start, "end": end}, list))

    def series(self, match: list[str], *, start: int | None = None,
               end: int | None = None) -> list[dict[str, str]]:
        if not match:
            raise BackendError("series needs at least one stream selector to match")
        start, end = self._range(start, end)
        params = {"match[]": list(match), "start": start, "end": end}
        return self._get_data("/loki/api/v1/series", params, list)

    def default_time(self) -> int:
        return now_ns()

    def default_range(self) -> tuple[int, int]:
        end = now_ns()
        return end - HOUR, end  # Loki's and logcli's default: the last hour

    # -- Loki-only extras -----------------------------------------------------------

    def volume(self, selector: str, *, start: int | None = None, end: int | None = None,
               limit: int | None = None, target_labels: list[str] | None = None,
               aggregate_by: str | None = None) -> Data:
        """Bytes ingested per label set (a ``vector``), largest first: what is worth asking.

        ``selector`` must match something, e.g. ``{service_name=~".+"}``. Loki needs
        ``volume_enabled: true``; ``aggregate_by`` is ``series`` (default) or ``labels``.
        """
        start, end = self._range(start, end)
        params = {"query": selector, "start": start, "end": end, "limit": limit,
                  "targetLabels": ",".join(target_labels) if target_labels else None,
                  "aggregateBy": aggregate_by}
        return self._get_data("/loki/api/v1/index/volume", params, dict)

    def patterns(self, selector: str, *, start: int | None = None, end: int | None = None,
                 step: str | None = None) -> list[dict]:
        """The line patterns Loki's pattern ingester found for ``selector``, in Loki's order.

        Each is ``{"pattern", "level", "count", "samples"}``: variable tokens read ``<_>``,
        ``level`` is ``None`` before Loki 3.3, ``samples`` are ``[unix seconds, count]``
        and ``count`` is their sum. ``step`` goes out as given (``"1m"``, ``"60"``).
        Raises :class:`PatternsUnavailable` when Loki has no pattern ingester.
        """
        start, end = self._range(start, end)
        params = {"query": selector, "start": start, "end": end, "step": step}
        try:
            items = self._get_data(PATTERNS_PATH, params, list)
        except _StatusError as error:
            if error.status != 404 and not _PATTERNS_OFF.search(error.text):
                raise
            raise PatternsUnavailable(
                f"Loki at {self.url} does not serve patterns ({error.status}: "
                f"{error.text or 'not found'}); they need Loki 3.0 or later with the pattern "
                "ingester enabled (pattern_ingester: enabled: true)") from None
        return [self._pattern(item) for item in items]

    def _pattern(self, item) -> dict:
        try:
            pattern, level = item["pattern"], item.get("level") or None
            if not isinstance(pattern, str) or not isinstance(level, (str, type(None))):
                raise TypeError("pattern and level must be strings")
            samples = [[int(ts), int(count)] for ts, count in item.get("samples") or []]
        except (KeyError, TypeError, ValueError):
            raise BackendError(f"Loki at {self.url} answered {PATTERNS_PATH} with a malformed "
                               f"pattern: {_one_line(json.dumps(item))!r}") from None
        return {"pattern": pattern, "level": level,
                "count": sum(count for _, count in samples), "samples": samples}

    def test_connection(self) -> str:
        """One line saying that Loki answers and what it holds, or a BackendError."""
        start, end = self.default_range()
        names = self.labels(start=start, end=end)
        return f"connected to Loki at {self.url}: {len(names)} label names in the last hour"

    # -- HTTP -----------------------------------------------------------------------

    def _range(self, start: int | None, end: int | None) -> tuple[int, int]:
        default_start, default_end = self.default_range()
        end = default_end if end is None else end
        start = (end - (default_end - default_start)) if start is None else start
        return start, end

    def _get_data(self, path: str, params: dict, expected: type):
        """GET ``path`` and return the ``data`` member of Loki's JSON answer."""
        body = self._get(path, params)
        try:
            document = json.loads(body)
        except ValueError as error:
            raise BackendError(f"Loki at {self.url} answered {path} with malformed JSON "
                               f"({error}): {_one_line(body)!r}") from None
        if not isinstance(document, dict):
            raise BackendError(f"Loki at {self.url} answered {path} with unexpected JSON: "
                               f"{_one_line(body)!r}")
        if document.get("status", "success") != "success":
            raise BackendError(f"Loki at {self.url} answered: {_error_text(body)}")
        data = document.get("data")
        if data is None and expected is list:
            return []  # Loki omits ``data`` when no labels or series match
        if not isinstance(data, expected):
            raise BackendError(f"Loki at {self.url} answered {path} without a "
                               f"{expected.__name__} in 'data': {_one_line(body)!r}")
        return data

    def _get(self, path: str, params: dict) -> str:
        query = urllib.parse.urlencode(
            {key: value for key, value in params.items() if value is not None}, doseq=True)
        request = urllib.request.Request(f"{self.url}{path}?{query}", headers=self._headers)
        for attempt in range(1, self.retries + 1):
            last = attempt == self.retries
            try:
                with urllib.request.urlopen(request, timeout=self.timeout,
                                            context=self._ssl) as response:
                    return response.read().decode("utf-8", errors="replace")
            except urllib.error.HTTPError as error:
                text = _error_text(error.read().decode("utf-8", errors="replace"))
                if last or not _is_retryable(error.code):
                    raise _StatusError(f"Loki at {self.url} answered {error.code}: "
                                       f"{text or error.reason}", error.code, text) from None
                _sleep(self._wait(attempt, error.headers.get("Retry-After")))
            except (OSError, http.client.HTTPException) as error:
                # urlopen wraps failures while connecting in URLError; later ones come bare.
                reason = error.reason if isinstance(error, urllib.error.URLError) else error
                if isinstance(reason, TimeoutError):
                    raise self._timeout_error() from None
                if isinstance(reason, ssl.SSLError):  # a retry would fail the same way
                    raise BackendError(f"cannot reach Loki at {self.url}: TLS: "
                                       f"{_one_line(str(reason))}") from None
                if last:
                    raise BackendError(f"cannot reach Loki at {self.url}: "
                                       f"{_reason_text(reason)}") from None
                _sleep(self._wait(attempt, None))
        raise AssertionError("unreachable: the last try returns or raises")

    def _wait(self, attempt: int, retry_after: str | None) -> float:
        try:
            return min(max(float(retry_after), 0.0), MAX_RETRY_AFTER_S)
        except (TypeError, ValueError):  # absent, or an HTTP date: back off ourselves
            return self.backoff * 2 ** (attempt - 1)

    def _timeout_error(self) -> BackendError:
        return BackendError(f"Loki at {self.url} did not answer within {self.timeout:g} s "
                            "(timeout); narrow the time range or the selector, or raise "
                            "the timeout")

    @staticmethod
    def _ssl_context(ca_cert, client_cert, client_key, skip_verify) -> ssl.SSLContext | None:
        if not (ca_cert or client_cert or skip_verify):
            return None  # urllib's default: system CAs, verified
        try:
            context = ssl.create_default_context(cafile=ca_cert or None)
            if client_cert:
                context.load_cert_chain(client_cert, client_key or None)
        except (OSError, ssl.SSLError) as error:
            raise BackendError(f"cannot load Loki TLS files: {_one_line(str(error))}") from None
        if skip_verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context


class _StatusError(BackendError):
    """Loki answered an HTTP error ``status``; ``text`` is its reason (may be empty)."""

    def __init__(self, message: str, status: int, text: str) -> None:
        super().__init__(message)
        self.status, self.text = status, text


def _seconds(ns: int) -> str:
    """A step in Loki's float-seconds form (``60``, ``0.5``), as logcli sends it."""
    return f"{ns / SECOND:g}" if ns % SECOND else str(ns // SECOND)


def _read_token_file(path: str | None) -> str | None:
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError as error:
        raise BackendError(f"cannot read LOKI_BEARER_TOKEN_FILE {path}: "
                           f"{error.strerror}") from None


def _error_text(body: str) -> str:
    """Loki's reason from an error body: plain text, or JSON with ``error``/``message``."""
    try:
        document = json.loads(body)
    except ValueError:
        return _one_line(body)
    if isinstance(document, dict):
        for key in ("error", "message"):
            if isinstance(document.get(key), str) and document[key]:
                return _one_line(document[key])
    return _one_line(body)


def _reason_text(reason) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, socket.gaierror):
        return f"unknown host ({reason.strerror})"
    return _one_line(getattr(reason, "strerror", None) or str(reason))


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_ERROR_CHARS else line[: MAX_ERROR_CHARS - 1] + "…"
