"""The checks Loki makes after a query parses (pkg/logql/syntax: validation and the
constructors that panic with a ParseError). Each raises :class:`LogQLSemanticError`
pointing at the offending node."""

from __future__ import annotations

import functools
import math
import re

import re2

from nl2logql.errors import LogQLSemanticError
from nl2logql.logql import ast

# Range aggregations that read sample values (``| unwrap``) rather than count lines.
UNWRAP_RANGE_OPS = {"avg_over_time", "sum_over_time", "max_over_time", "min_over_time",
                    "stddev_over_time", "stdvar_over_time", "quantile_over_time", "rate",
                    "rate_counter", "absent_over_time", "first_over_time", "last_over_time"}
LOG_RANGE_OPS = {"count_over_time", "rate", "bytes_over_time", "bytes_rate", "absent_over_time"}
# Range aggregations Loki lets you group (`by`/`without` after the parentheses).
GROUPABLE_RANGE_OPS = {"avg_over_time", "stddev_over_time", "stdvar_over_time",
                       "quantile_over_time", "max_over_time", "min_over_time",
                       "first_over_time", "last_over_time"}
PARAM_VECTOR_OPS = {"topk", "bottomk", "approx_topk"}

EMPTY_MATCHER_HINT = ("queries require at least one regexp or equality matcher that does not "
                      "have an empty-compatible value. For instance, app=~\".*\" does not meet "
                      "this requirement, but app=~\".+\" will")


_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
QUIET_RE2 = re2.Options()
QUIET_RE2.log_errors = False  # RE2 would print every bad pattern to stderr


@functools.lru_cache(maxsize=4096)
def compile_regex(pattern: str, anchored: bool = False):
    """RE2 (Go semantics); ``ValueError`` with RE2's reason if invalid. Cached per process."""
    # Label regexes match the whole value and "." matches newlines (Prometheus semantics).
    text = f"^(?s:{pattern})$" if anchored else pattern
    try:
        return re2.compile(text, options=QUIET_RE2)
    except re2.error as error:
        raise ValueError(f"error parsing regexp: {error}") from None


def check_query(expr: ast.Expr, text: str = "") -> None:
    """Raise the first semantic error in ``expr`` (already parsed from ``text``)."""
    checker = _Checker(text)
    for node in expr.walk():
        method = getattr(checker, "check_" + type(node).__name__, None)
        if method:
            method(node)


class _Checker:
    def __init__(self, text: str):
        self.text = text

    def fail(self, node: ast.Node, message: str):
        from nl2logql.logql.parser import error_at

        start, end = (node.span.start, node.span.end) if node.span else (0, None)
        raise error_at(LogQLSemanticError, message, self.text, start, end)

    def regex(self, node: ast.Node, pattern: str, what: str, anchored: bool = False):
        try:
            return compile_regex(pattern, anchored)
        except ValueError as error:
            self.fail(node, f"invalid {what}: {error}")

    # -- selectors and filters
    def check_Selector(self, node: ast.Selector):
        for matcher in node.matchers:
            if matcher.op in ("=~", "!~"):
                self.regex(matcher, matcher.value, "regexp in label matcher", anchored=True)
        if not any(_selects_something(m) for m in node.matchers):
            self.fail(node, EMPTY_MATCHER_HINT)

    def check_StringFilter(self, node: ast.StringFilter):
        if node.matcher.op in ("=~", "!~"):
            self.regex(node, node.matcher.value, "regexp in label filter", anchored=True)

    # Loki's parser leaves line-filter regexps and ip() patterns to query time; so do we
    # (the engine reports them), since Loki is the reference for what parses.

    def check_LineFilter(self, node: ast.LineFilter):
        for term in node.terms:
            if node.op in ("|>", "!>") and not term.ip:
                self.pattern(term, term.value, line_filter=True)

    # -- parsers
    def check_RegexpParser(self, node: ast.RegexpParser):
        compiled = self.regex(node, node.pattern, "regexp parser")
        names = [n for n in compiled.groupindex]
        if not names:
            self.fail(node, "invalid regexp parser: at least one named capture must be supplied, "
                            "such as (?P<status>\\d+)")
        for name in names:
            if not is_label_name(name):
                self.fail(node, f"invalid regexp parser: capture name {name!r} is not a valid label name")

    def check_PatternParser(self, node: ast.PatternParser):
        self.pattern(node, node.pattern, line_filter=False)

    def pattern(self, node: ast.Node, pattern: str, line_filter: bool):
        from nl2logql.logql.pattern import PatternError, parse_pattern

        try:
            parse_pattern(pattern, require_capture=not line_filter)
        except PatternError as error:
            what = "pattern line filter" if line_filter else "pattern parser"
            self.fail(node, f"invalid {what}: {error}")

    # -- metric queries
    def check_RangeAggregation(self, node: ast.RangeAggregation):
        op, unwrap = node.op, node.range.unwrap
        if node.grouping is not None and op not in GROUPABLE_RANGE_OPS:
            self.fail(node, f"grouping not allowed for {op} aggregation")
        if unwrap is not None and op not in UNWRAP_RANGE_OPS:
            self.fail(node, f"invalid aggregation {op} with unwrap")
        if unwrap is None and op not in LOG_RANGE_OPS:
            self.fail(node, f"invalid aggregation {op} without unwrap: add "
                            f"| unwrap <label> before the range")
        if op == "quantile_over_time" and node.param is None:
            self.fail(node, "parameter required for operation quantile_over_time")
        if op != "quantile_over_time" and node.param is not None:
            self.fail(node, f"parameter {_number(node.param)} not supported for operation {op}")

    def check_VectorAggregation(self, node: ast.VectorAggregation):
        op = node.op
        if op in PARAM_VECTOR_OPS:
            if node.param is None:
                self.fail(node, f"parameter required for operation {op}")
            if not _is_whole(node.param) or node.param <= 0:
                self.fail(node, f"invalid parameter {op}({_number(node.param)},: "
                                "must be a positive integer")
        elif node.param is not None:
            self.fail(node, f"unsupported parameter for operation {op}({_number(node.param)},")
        if node.grouping is not None and op in ("sort", "sort_desc"):
            self.fail(node, "sort and sort_desc doesn't allow grouping by")
        if node.grouping is not None and op == "approx_topk":
            self.fail(node, "grouping not allowed for approx_topk aggregation")

    def check_BinaryOp(self, node: ast.BinaryOp):
        for side, leg in (("left", node.left), ("right", node.right)):
            if isinstance(leg, ast.LogQuery):
                self.fail(leg, f"unexpected log query for {side} leg of binary operation "
                               f"({node.op}): both sides must be metric queries or numbers")
            if node.op in ast.SET_OPS and _is_literal(leg):
                self.fail(leg, f"unexpected literal for {side} leg of logical/set binary "
                               f"operation ({node.op}): {_number(_literal_value(leg))}")
        if node.bool and node.op not in ast.COMPARISON_OPS:
            self.fail(node, f"bool modifier can only be used on comparison operators, not {node.op}")
        if node.matching and node.matching.card != "one-to-one" and node.op in ast.SET_OPS:
            self.fail(node, f"no grouping allowed for {node.op!r} operation")

    def check_LabelReplace(self, node: ast.LabelReplace):
        if isinstance(node.expr, ast.LogQuery):
            self.fail(node.expr, "label_replace() needs a metric expression such as "
                                 "count_over_time(... [5m]), not a log query")
        self.regex(node, node.regex, "regex in label_replace", anchored=True)
        if not is_label_name(node.dst):
            self.fail(node, f"invalid destination label name in label_replace: {node.dst!r}")


def _selects_something(matcher: ast.Matcher) -> bool:
    """Loki needs one matcher that cannot match the empty value (or a missing label)."""
    if matcher.op == "=":
        return matcher.value != ""
    if matcher.op == "=~":
        try:
            return compile_regex(matcher.value, True).match("") is None
        except ValueError:
            return True  # reported as a bad regexp instead
    return False


def is_label_name(name: str) -> bool:
    """A Prometheus label name: ``[a-zA-Z_][a-zA-Z0-9_]*``."""
    return _LABEL_NAME.fullmatch(name) is not None


def _is_literal(expr) -> bool:
    if isinstance(expr, ast.Literal):
        return True
    return isinstance(expr, ast.BinaryOp) and _is_literal(expr.left) and _is_literal(expr.right)


def _literal_value(expr) -> float:
    if isinstance(expr, ast.Literal):
        return expr.value
    from nl2logql.logql.arith import apply_binary

    return apply_binary(expr.op, _literal_value(expr.left), _literal_value(expr.right), expr.bool)


def _number(value: float) -> str:
    return str(int(value)) if _is_whole(value) else repr(value)


def _is_whole(value: float) -> bool:
    return math.isfinite(value) and value == int(value)
