"""Ask the data small questions about a log query: how many lines it leaves, which labels
they carry, whether a metric has samples.

Every question is LogQL run through the :class:`~nl2logql.engine.backend.Backend`, so the
checks work on the embedded store and on a Loki alike. Answers are cached per probe (one
probe serves one question's candidates), and a failure or a time-out answers ``None``:
no evidence, so no warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nl2logql.engine.backend import Backend, with_timeout
from nl2logql.errors import Nl2LogQLError
from nl2logql.logql import ast
from nl2logql.logql.printer import format_ast
from nl2logql.logql.units import format_duration

# A probe only times out on a stalled backend: on a busy machine (a start cache being
# written beside it) a shorter bound dropped evidence, and so changed the answer.
PROBE_TIMEOUT_S = 20.0
LABEL_SAMPLE_LINES = 200  # lines read to list a query's labels, or its lines' texts


@dataclass(frozen=True)
class Scope:
    """The time a log query covers: ``range`` nanoseconds ending ``offset`` before ``at``."""

    at: int
    range: int
    offset: int = 0
    name: str = field(default="", compare=False)  # how a reason names it


    @property
    def end(self) -> int:
        return self.at - self.offset

    @property
    def start(self) -> int:
        return self.end - self.range


def log_scope(backend: Backend) -> Scope:
    """What a log query covers when run without times: the backend's default range."""
    start, end = backend.default_range()
    return Scope(end, end - start, name="the time range searched")


def range_scope(backend: Backend, log_range: ast.LogRange) -> Scope:
    """What one log range of a metric query covers, evaluated at the default time."""
    text = format_duration(log_range.range)
    if log_range.offset:
        text += f" offset {format_duration(log_range.offset)}"
    return Scope(backend.default_time(), log_range.range, log_range.offset,
                 name=f"the query's range [{text}]")


def with_stage(query: ast.LogQuery, *stages: ast.Node) -> ast.LogQuery:
    return query.replace(stages=query.stages + tuple(stages))


def has_label(name: str) -> ast.LabelFilter:
    """``| name != ""``: keeps the lines that carry ``name``."""
    return ast.LabelFilter(ast.StringFilter(ast.Matcher(name, "!=", "")))


def no_error() -> ast.LabelFilter:
    return ast.LabelFilter(ast.StringFilter(ast.Matcher("__error__", "=", "")))


class Probe:
    def __init__(self, backend: Backend, timeout: float = PROBE_TIMEOUT_S):
        self.backend, self.timeout = backend, timeout
        self._answers: dict[tuple, object] = {}

    def count(self, query: ast.LogQuery, scope: Scope) -> int | None:
        """Lines ``query`` leaves in ``scope``."""
        total = ast.VectorAggregation("sum", ast.RangeAggregation(
            "count_over_time", ast.LogRange(query, scope.range, scope.offset)))
        data = self._ask(("count", format_ast(total), scope.at),
                         lambda text: self.backend.query(text, time=scope.at))
        if data is None:
            return None
        return int(sum(float(item["value"][1]) for item in data.get("result", [])))

    def has_samples(self, expr: ast.Expr, scope: Scope) -> bool | None:
        """Whether the metric ``expr`` has a sample at the scope's time."""
        data = self._instant(expr, scope)
        return None if data is None else bool(data.get("result"))

    def answer_labels(self, expr: ast.Expr, scope: Scope) -> list[dict[str, str]] | None:
        """The label sets of the series the metric ``expr`` answers at the scope's time."""
        data = self._instant(expr, scope)
        if data is None or data.get("resultType") != "vector":
            return None
        return [item.get("metric", {}) for item in data.get("result", [])]

    def _instant(self, expr: ast.Expr, scope: Scope):
        return self._ask(("samples", format_ast(expr), scope.at),
                         lambda text: self.backend.query(text, time=scope.at))

    def labels(self, query: ast.LogQuery, scope: Scope) -> set[str] | None:
        """Label names on (a sample of) the lines ``query`` leaves in ``scope``."""
        data = self._sample(query, scope)
        if data is None:
            return None
        return {name for item in data.get("result", []) for name in item.get("stream", {})}

    def lines(self, query: ast.LogQuery, scope: Scope) -> list[str] | None:
        """(A sample of) the lines ``query`` leaves in ``scope``."""
        data = self._sample(query, scope)
        if data is None:
            return None
        return [value[1] for item in data.get("result", []) for value in item.get("values", [])]

    def _sample(self, query: ast.LogQuery, scope: Scope):
        """Up to :data:`LABEL_SAMPLE_LINES` of the lines ``query`` leaves in ``scope``, as
        the backend returns them (one query serves their labels and their texts)."""
        return self._ask(("sample", format_ast(query), scope),
                         lambda text: self.backend.query_range(
                             text, start=scope.start, end=scope.end, limit=LABEL_SAMPLE_LINES))

    def series(self, selector: ast.Selector, scope: Scope) -> list[dict[str, str]] | None:
        """The label sets of the streams ``selector`` selects."""
        return self._ask(("series", format_ast(ast.LogQuery(selector)), scope),
                         lambda text: self.backend.series([text], start=scope.start,
                                                          end=scope.end))

    def streams(self, selector: ast.Selector, scope: Scope) -> int | None:
        """How many streams ``selector`` selects."""
        found = self.series(selector, scope)
        return None if found is None else len(found)

    def _ask(self, key: tuple, call):
        if key not in self._answers:
            try:
                self._answers[key] = with_timeout(lambda: call(key[1]), self.timeout,
                                                  "a check's query")
            except Nl2LogQLError:
                self._answers[key] = None
        return self._answers[key]
