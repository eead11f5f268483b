"""Check a query against its question and the data: each finding is a named warning with a
one-line reason and, where one exists, a fix (:mod:`nl2logql.verify.findings`).

From the two texts alone (no data needed):

- ``loop``: one stage repeated back to back, or both sides of an operator the same query;
- ``range``, ``grouping``: the window and the breakdown the question asks for
  (:mod:`nl2logql.verify.agreement`);
- ``unit``, ``order``, ``threshold``, ``share``, ``combined``, ``function``: the answer's
  shape the question's words ask for (:mod:`nl2logql.verify.shape`);

and with the data: ``application`` (the applications the question names are the ones
selected) and the checks of :mod:`nl2logql.verify.data`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from nl2logql.engine.backend import Backend
from nl2logql.errors import Nl2LogQLError
from nl2logql.logql import ast
from nl2logql.logql.checks import is_label_name
from nl2logql.logql.parser import parse
from nl2logql.logql.printer import format_ast
from nl2logql.timephrases import earlier_window, find_windows
from nl2logql.verify import agreement, rewrite
from nl2logql.verify.data import DataChecks
from nl2logql.verify.findings import HEAVY, LIGHT, MEDIUM, Fix, QueryWarning
from nl2logql.verify.probe import Probe, range_scope
from nl2logql.verify.shape import ASKS_PART, asks_share, shape_warnings

class Checker:
    """Checks queries for one backend (None: only the checks that need no data). Its data
    probes are cached, so one checker serves one question's candidates and repairs."""

    def __init__(self, backend: Backend | None = None):
        self.backend = backend
        self.probe = Probe(backend) if backend is not None else None
        self._applications: tuple[str | None, list[str]] | None = None

    def check(self, question: str, query: str | ast.Expr) -> list[QueryWarning]:
        """The warnings for ``query`` as an answer to ``question``, heaviest first."""
        expr = parse(query) if isinstance(query, str) else query
        found = list(_loops(expr, earlier_window(question) is not None,
                            ASKS_PART.search(question) is not None))
        found += _agreement(question, expr)
        if self.backend is not None:
            probe = self.probe
            found += self._application(question, expr)
            found += DataChecks(self.backend, probe, expr, question).run()
            grouping = next((w for w in found if w.check == "grouping"), None)
            if grouping is not None:
                found[found.index(grouping)] = _with_grouping_fix(grouping, question, expr,
                                                                  self.backend, probe)
        return sorted(found, key=lambda w: -w.severity)

    # ---- the applications the question names ----------------------------------------------

    def applications(self) -> tuple[str | None, list[str]]:
        """The label that names applications and its values (read once)."""
        if self._applications is None:
            from nl2logql.patterns.sources import group_label

            try:
                label = group_label(self.backend.labels())
                values = self.backend.label_values(label) if label else []
            except Nl2LogQLError:
                label, values = None, []
            self._applications = (label, values)
        return self._applications

    def _application(self, question: str, expr: ast.Expr) -> list[QueryWarning]:
        label, values = self.applications()
        if label is None:
            return []
        reason = agreement.application_reason(question, expr, values, label)
        if reason is None:
            return []
        named = agreement.named_applications(question, values)
        system = agreement.every_application(question, values)
        fix = None
        if system is not None:
            every = ast.Matcher(label, "=~", f"{system}.*")
            fixed = expr
            for matcher in agreement.app_matchers(expr, label):
                fixed = rewrite.replace_node(fixed, matcher, every)
            fix = Fix(format_ast(fixed), f'select {label}=~"{system}.*"')
        elif len(named) == 1:
            fixed = expr
            for matcher in agreement.app_matchers(expr, label):
                if matcher.value != named[0]:
                    fixed = rewrite.replace_node(fixed, matcher, ast.Matcher(label, "=", named[0]))
            fix = Fix(format_ast(fixed), f'select {label}="{named[0]}"')
        return [QueryWarning("application", reason, HEAVY, fix)]


# ---- from the texts alone ---------------------------------------------------------------------

def _loops(expr: ast.Expr, two_windows: bool, part: bool) -> Iterator[QueryWarning]:
    """Stages repeated back to back; a selector's matcher repeated; both sides of an
    operator the same query (unless the question compares two windows: the shape's
    ``period`` rule offsets one side), kept alone where the question asks a part of
    something (``A / A``: the data checks narrow the part or widen the whole)."""
    for selector in expr.find_all(ast.Selector):
        once = tuple(dict.fromkeys(selector.matchers))
        if once != selector.matchers:
            yield QueryWarning("loop", f"`{format_ast(selector)}` repeats a matcher", LIGHT,
                               Fix(format_ast(rewrite.replace_node(
                                   expr, selector, selector.replace(matchers=once))),
                                   "keep each matcher once"))
            break
    for query in expr.find_all(ast.LogQuery):
        for a, b in zip(query.stages, query.stages[1:]):
            if a == b:
                yield QueryWarning("loop", f"`{format_ast(a)}` is repeated back to back", LIGHT,
                                   Fix(format_ast(rewrite.drop_repeats(expr)), "drop the repeat"))
                break
    if two_windows:
        return
    for node in expr.find_all(ast.BinaryOp):
        if rewrite.same_sides(node):
            one = Fix(format_ast(rewrite.replace_node(expr, node, node.left)), "keep one side")
            yield QueryWarning("loop", f"both sides of `{node.op}` are the same query", MEDIUM,
                               None if part and node.op == "/" else one)


def _agreement(question: str, expr: ast.Expr) -> list[QueryWarning]:
    found = []
    reason = agreement.range_reason(question, expr)
    if reason:
        found.append(QueryWarning("range", reason, MEDIUM, _range_fix(question, expr)))
    reason = agreement.grouping_reason(question, expr)
    if reason:
        found.append(QueryWarning("grouping", reason, MEDIUM))  # the fix needs the data
    dropped = agreement.dropped_breakdown(question, expr)
    if dropped:
        reason, fixed, label = dropped
        found.append(QueryWarning("grouping", reason, MEDIUM,
                                  Fix(format_ast(fixed), f"break it down by {label}")))
    return found + shape_warnings(question, expr)


def _range_fix(question: str, expr: ast.Expr) -> Fix | None:
    """Every range set to the one window the question states, when the query has one
    range (a query comparing two windows is not guessed at)."""
    windows = find_windows(question)
    ranges = set(agreement.ranges_of(expr))
    # a share's two counts take the one window stated, whatever ranges the query gave them
    if len(windows) != 1 or len(ranges) != 1 and (
            not asks_share(question) or any(r.offset for r in expr.find_all(ast.LogRange))):
        return None
    window = windows[0]
    # a window put before now that is read without an offset: keep the query's then
    offset = None if agreement.offsets_loose(question) and not window.offset else window.offset
    fixed = rewrite.set_ranges(expr, window.seconds, offset)
    text = agreement.window_text(window.seconds, window.offset if offset is not None else 0,
                                 brackets=True)
    return Fix(format_ast(fixed), f"set the range to {text}")


# Nouns that end a compound naming what a breakdown is by ("per client IP", "source port").
_HEAD_NOUNS = frozenset({"ip", "id", "address", "port", "code", "name"})


def _with_grouping_fix(warning: QueryWarning, question: str, expr: ast.Expr, backend: Backend,
                       probe: Probe) -> QueryWarning:
    """The grouping warning with its fix: ``by`` the label the breakdown names, when the
    lines carry one that fits."""
    match = agreement.asked_breakdown(question)
    if match is None:
        return warning
    available: set[str] = set()
    for log_range in expr.find_all(ast.LogRange):
        available |= probe.labels(log_range.query, range_scope(backend, log_range)) or set()
    # "each bgl node": the application's name says whose nodes, not the breakdown
    streams = {m.value.lower() for s in expr.find_all(ast.Selector) for m in s.matchers}
    words = [w for w in agreement.dimension_words(question, match) if w.lower() not in streams]
    if not words:
        return warning
    label = agreement.label_for(words, available)
    # no label fits: the word itself, for the label check to extract as a pattern has it;
    # of "client IP", the IP
    head = [w for w in words[1:2] if agreement.singular_of(w).lower() in _HEAD_NOUNS]
    word = agreement.singular_of((head or words)[0]).lower()
    label = label or (word if is_label_name(word) else None)
    fixed = rewrite.group_by(expr, label) if label else None
    if fixed is None:
        return warning
    return QueryWarning(warning.check, warning.reason, warning.severity,
                        Fix(format_ast(fixed), f"break it down by {label}"))
