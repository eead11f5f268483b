"""What the page does with a data source: open it, list its labels, run a query on it.

Every call that touches a backend runs under a time limit, and every failure comes back
as one line for the page (a :class:`~nl2logql.errors.Nl2LogQLError` message), never as
an exception a handler has to catch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from nl2logql.engine.backend import Backend, with_timeout
from nl2logql.errors import BackendError, DataError, Nl2LogQLError, QueryError
from nl2logql.logql import ast
from nl2logql.logql.parser import parse
from nl2logql.ui import render

LOG_LIMIT = 100            # log lines a Run shows
RUN_TIMEOUT_S = 15.0       # a query (table and chart together) gets this long
LOKI_TIMEOUT_S = 10.0      # one HTTP request to Loki
MAX_QUERY_CHARS = 200_000  # longer text is not checked at all
MAX_LABEL_NAMES = 40
MAX_LABEL_VALUES = 8


def check(text: str) -> tuple[str | None, QueryError | None]:
    """``(kind, None)`` for a valid query, ``(None, error)`` for an invalid one,
    ``(None, None)`` for empty text."""
    if not text or not text.strip():
        return None, None
    if len(text) > MAX_QUERY_CHARS:
        return None, QueryError(f"the text is {len(text):,} characters long; a query this long "
                                f"is not checked (at most {MAX_QUERY_CHARS:,})", "")
    try:
        return ast.kind(parse(text)), None
    except QueryError as error:
        return None, error


# ---- running -----------------------------------------------------------------------------


@dataclass
class RunResult:
    """What one Run shows. ``failure`` is a one-line reason it could not run."""

    kind: str | None = None
    summary: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    chart: list[list] | None = None       # [time (s), value, series]
    trace: list[list] | None = None       # [stage, lines left]
    notes: list[str] = field(default_factory=list)
    error: QueryError | None = None
    failure: str | None = None


def chart_window(backend: Backend) -> tuple[int, int, int]:
    """``(start, end, step)`` of a metric query's chart: the data's span on the embedded
    store (its default range cut to where entries are), the default range elsewhere,
    with Loki's default resolution (about 250 points)."""
    from nl2logql.engine.evaluator import default_step

    start, end = backend.default_range()
    first = getattr(backend, "start", None)
    if isinstance(first, int) and start < first < end:
        start = first
    return start, end, default_step(start, end)


def run_query(backend: Backend, text: str, *, timeout: float = RUN_TIMEOUT_S,
              limit: int = LOG_LIMIT) -> RunResult:
    """Run ``text`` on ``backend``: log lines for a log query; the instant result and a
    range query for the chart for a metric query; the per-stage trace when empty."""
    kind, error = check(text)
    if error is not None or kind is None:
        return RunResult(error=error, failure=None if error else "there is no query to run")
    result = RunResult(kind=kind)
    try:
        if kind == "log":
            data = with_timeout(lambda: backend.query_range(text, limit=limit), timeout, "the query")
            result.headers, result.rows = ["time", "labels", "line"], render.log_rows(data)
            result.summary = render.result_summary(data, limit)
        else:
            data = with_timeout(lambda: backend.query(text), timeout, "the query")
            result.headers, result.rows = render.metric_rows(data)
            result.summary = render.result_summary(data)
    except Nl2LogQLError as failure:
        result.failure = _one_line(failure)
        return result
    if kind == "metric" and data.get("resultType") != "scalar":
        _add_chart(result, backend, text, timeout)
    if render.is_empty(data):
        _add_trace(result, backend, text, timeout)
    return result


def _add_chart(result: RunResult, backend: Backend, text: str, timeout: float) -> None:
    start, end, step = chart_window(backend)
    try:
        series = with_timeout(lambda: backend.query_range(text, start=start, end=end, step=step),
                              timeout, "the chart's range query")
    except Nl2LogQLError as failure:
        result.notes.append(f"no chart: {_one_line(failure)}")
        return
    rows, left_out = render.chart_rows(series)
    result.chart = rows
    if left_out:
        result.notes.append(f"the chart shows the {len(set(r[2] for r in rows))} largest "
                            f"series; {left_out} more are in the data")


def _add_trace(result: RunResult, backend: Backend, text: str, timeout: float) -> None:
    trace = getattr(backend, "trace", None)
    if trace is None:
        result.notes.append("no results. The per-stage trace (lines left after each stage) "
                            "needs the embedded store (sample store or uploaded files); "
                            "Loki does not report it.")
        return
    try:
        steps = with_timeout(lambda: trace(text), timeout, "the trace")
    except Nl2LogQLError as failure:
        result.notes.append(f"no results, and no trace: {_one_line(failure)}")
        return
    result.trace = render.trace_rows(steps)
    empty_at = render.first_empty_stage(steps)
    where = f" The lines ran out at: {empty_at}" if empty_at else ""
    result.notes.append(f"no results. Lines left after each stage are below.{where}")


# ---- data sources ------------------------------------------------------------------------


def parse_labels(text: str) -> dict[str, str]:
    """``app=api, env="prod"`` (commas or new lines) → ``{"app": "api", "env": "prod"}``."""
    labels = {}
    for part in (text or "").replace("\n", ",").split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise DataError(f"labels take NAME=VALUE, got {part.strip()!r}")
        labels[name.strip()] = value.strip().strip('"')
    return labels


def open_files(paths: Sequence[str], labels_text: str, time_format: str | None) -> Backend:
    from nl2logql.engine.loaders import load_paths

    if not paths:
        raise DataError("choose one or more log files first")
    return load_paths(list(paths), parse_labels(labels_text), (time_format or "").strip() or None)


def open_loki(url: str, tenant: str = "", username: str = "", password: str = "",
              token: str = "") -> Backend:
    from nl2logql.engine.loki import LokiBackend

    url = (url or "").strip()
    if not url:
        raise BackendError("enter the Loki address, e.g. http://localhost:3100")
    return LokiBackend(url, org_id=tenant.strip() or None, username=username.strip() or None,
                       password=password or None, bearer_token=token.strip() or None,
                       timeout=LOKI_TIMEOUT_S, retries=2, backoff=0.2)


def test_connection(backend: Backend, timeout: float = LOKI_TIMEOUT_S * 2) -> str:
    """One line: what the backend holds, or raises a one-line ``Nl2LogQLError``."""
    probe = getattr(backend, "test_connection", None)
    if probe is not None:
        return with_timeout(probe, timeout, "connecting")
    names = with_timeout(backend.labels, timeout, "listing labels")
    return f"ready: {len(names)} label names"


def discover_labels(backend: Backend, *, timeout: float = LOKI_TIMEOUT_S * 2,
                    max_names: int = MAX_LABEL_NAMES, max_values: int = MAX_LABEL_VALUES
                    ) -> dict[str, tuple[list[str], int]]:
    """``{name: (first values, number of values)}`` for the labels over the default range."""

    def discover():
        start, end = backend.default_range()
        names = [n for n in backend.labels(start=start, end=end) if not n.startswith("__")]
        found = {}
        for name in names[:max_names]:
            values = backend.label_values(name, start=start, end=end)
            found[name] = (values[:max_values], len(values))
        return found

    return with_timeout(discover, timeout, "listing labels")


PATTERNS_TIMEOUT_S = 60.0  # mining the sample store once takes about a second; a Loki longer
PATTERNS_FROM_LOKI = 8     # patterns asked of a Loki per application (each costs a query)


def find_patterns(backend: Backend, selector: str | None = None, *,
                  timeout: float = PATTERNS_TIMEOUT_S) -> list:
    """The log patterns of each application ``selector`` selects (all when None;
    :func:`nl2logql.patterns.patterns`), under a time limit; a failure is a one-line
    :class:`~nl2logql.errors.Nl2LogQLError`. The embedded store is mined in full (cached
    by content, shared with the command line); elsewhere only the first few patterns per
    application are described, as each costs queries."""
    from nl2logql.engine.store import LogStore
    from nl2logql.patterns import patterns

    options = {} if isinstance(backend, LogStore) else {"max_patterns": PATTERNS_FROM_LOKI}
    return with_timeout(lambda: patterns(backend, selector, **options), timeout,
                        "finding the log patterns")


def _one_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.split("\n", 1)[0] if text else type(error).__name__
