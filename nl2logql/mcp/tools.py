"""The MCP tools as plain functions over one backend and one lazily loaded assistant.

Every method takes and returns plain JSON values (dicts, lists, strings), raises a
one-line :class:`~nl2logql.errors.Nl2LogQLError` for anything the caller can fix (a
query error adds the query's line with a caret), and works without any transport: :mod:`nl2logql.mcp.server` only registers them.

One model serves every session. It is not thread-safe, and a half-answered question
must not see another's prompt, so generate calls take turns (:class:`Turns`) in the
order they arrive; the other tools never wait for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from nl2logql.engine.backend import Backend, with_timeout
from nl2logql.errors import ArgumentError, QueryError
from nl2logql.logql import ast
from nl2logql.logql.parser import parse
from nl2logql.logql.printer import format_ast
from nl2logql.logql.units import parse_duration
from nl2logql.mcp import limits
from nl2logql.mcp.limits import checked_label_name, checked_range, checked_text
from nl2logql.timeutil import parse_time

if TYPE_CHECKING:
    from nl2logql.generation.pipeline import Assistant, Generation

RUN_TIMEOUT_S = 15.0        # one query, or its trace
DEFAULT_TOP = 10            # patterns shown per application
MAX_TOP = 50

AssistantFactory = Callable[[Backend], "Assistant"]


class Turns:
    """A lock that lets waiters in the order they came (``threading.Lock`` promises no
    order, so under load one agent could wait behind many later ones)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._issued = 0
        self._serving = 0

    @property
    def issued(self) -> int:
        """Turns asked for so far (taken, being taken, or waited for)."""
        return self._issued

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._changed:
            ticket = self._issued
            self._issued += 1
            self._changed.wait_for(lambda: self._serving == ticket)
        try:
            yield
        finally:
            with self._changed:
                self._serving += 1
                self._changed.notify_all()


class Tools:
    """generate, validate, explain, run, labels and patterns over ``backend``."""

    def __init__(self, backend: Backend, assistant_factory: AssistantFactory,
                 source: str = "the sample store") -> None:
        self.backend = backend
        self.source = source
        self._factory = assistant_factory
        self._assistant: Assistant | None = None
        self.turns = Turns()

    # ---- generate --------------------------------------------------------------------

    def generate(self, question: str, run: bool = False, n: int = 1) -> dict:
        question = checked_text(question, "question", limits.MAX_QUESTION_CHARS)
        n = checked_range(n, "n", 1, limits.MAX_CANDIDATES)
        with self.turns.turn():
            if self._assistant is None:  # the first question loads the model (seconds)
                self._assistant = self._factory(self.backend)
            answer = self._assistant.ask(question, run=run, n=n)
        return self._generation(answer, run)

    def _generation(self, answer: Generation, run: bool) -> dict:
        best = answer.candidates[0] if answer.valid else None
        warnings = [answer.message] if answer.message else []
        warnings += [f"{w.check}: {w.reason}" for w in answer.warnings]
        warnings += [f"candidate {limits.cut_line(c.text)[0]!r} is not valid: {c.error}"
                     for c in answer.candidates if not c.valid]
        from nl2logql.generation.pipeline import LOG_LINES_SHOWN

        result = None
        if run and best is not None and answer.result is not None:
            result = self._shaped(parse(best.query), answer.result, LOG_LINES_SHOWN, None, None)
        return {
            "question": answer.question, "valid": answer.valid, "query": answer.query,
            "pretty": answer.pretty, "kind": answer.kind,
            "explanation": [step.to_dict() for step in answer.explanation],
            "alternatives": [{"query": c.query, "kind": c.kind, "unknown_labels": c.unknown_labels}
                             for c in answer.candidates if c.valid and c is not best],
            "level": answer.level, "warnings": warnings, "repairs": answer.repairs,
            "result": result,
            "seconds": round(answer.timings.get("total", 0.0), 3),
        }

    # ---- the language ----------------------------------------------------------------

    def validate(self, query: str) -> dict:
        query = checked_text(query, "query", limits.MAX_QUERY_CHARS)
        try:
            expr = parse(query)
        except QueryError as error:
            return {"valid": False, "kind": None, "formatted": None, "text": str(error),
                    "error": {**error.to_dict(), "caret": error.snippet()}}
        kind, formatted = ast.kind(expr), format_ast(expr)
        return {"valid": True, "kind": kind, "formatted": formatted,
                "text": f"ok  {kind}  {formatted}", "error": None}

    def explain(self, query: str) -> dict:
        from nl2logql.logql.explain import explain, explain_text

        expr = parse(checked_text(query, "query", limits.MAX_QUERY_CHARS))
        return {"query": format_ast(expr), "kind": ast.kind(expr),
                "steps": [step.to_dict() for step in explain(expr)], "text": explain_text(expr)}

    # ---- running ---------------------------------------------------------------------

    def run(self, query: str, start: str | None = None, end: str | None = None,
            since: str | None = None, limit: int | None = None) -> dict:
        query = checked_text(query, "query", limits.MAX_QUERY_CHARS)
        expr = parse(query)
        kind = ast.kind(expr)
        limit = checked_range(limits.DEFAULT_LINES if limit is None else limit, "limit", 1,
                              limits.MAX_LINES)
        now = self.backend.default_time()
        end_ns = _time(end, now, "end")
        start_ns = _time(start, now, "start")
        if since is not None:
            if start is not None:
                raise ArgumentError("give start or since, not both")
            start_ns = (now if end_ns is None else end_ns) - _duration(since)
        if start_ns is not None and end_ns is not None and start_ns > end_ns:
            raise ArgumentError("start is after end")
        if kind == "log":
            call = lambda: self.backend.query_range(query, start=start_ns, end=end_ns,  # noqa: E731
                                                    limit=limit)
        elif start_ns is not None:
            call = lambda: self.backend.query_range(query, start=start_ns, end=end_ns)  # noqa: E731
        else:
            call = lambda: self.backend.query(query, time=end_ns)  # noqa: E731
        data = with_timeout(call, RUN_TIMEOUT_S, "the query")
        return self._shaped(expr, data, limit, start_ns, end_ns)

    def _shaped(self, expr: ast.Expr, data: dict, limit: int, start: int | None,
                end: int | None) -> dict:
        """A run's answer: the bounded data, a summary, the caps, and for an empty result
        the lines left after each stage."""
        from nl2logql.ui.render import is_empty, result_summary

        query = format_ast(expr)
        kept, notes = limits.bounded(data, limit)
        out = {"query": query, "kind": ast.kind(expr), "data": kept,
               "summary": result_summary(data), "caps": limits.caps_text(limit),
               "truncated": notes, "trace": None, "empty_at": None, "notes": []}
        if is_empty(data):
            self._add_trace(out, query, start, end)
        return out

    def _add_trace(self, out: dict, query: str, start: int | None, end: int | None) -> None:
        trace = getattr(self.backend, "trace", None)
        if trace is None:
            out["notes"].append("no results; Loki does not report the lines left after each "
                                "stage (the embedded store does)")
            return
        steps = with_timeout(lambda: trace(query, start=start, end=end), RUN_TIMEOUT_S,
                             "the trace")
        out["trace"] = [{"stage": stage, "lines_left": int(count)} for stage, count in steps]
        out["empty_at"] = next((stage for stage, count in steps if count == 0), None)
        where = f"; the lines ran out at {out['empty_at']}" if out["empty_at"] else ""
        out["notes"].append(f"no results: trace has the lines left after each stage{where}")

    # ---- what the data holds ---------------------------------------------------------

    def labels(self) -> dict:
        names = with_timeout(self.backend.labels, RUN_TIMEOUT_S, "listing labels")
        return {"source": self.source, "labels": [n for n in names if not n.startswith("__")]}

    def label_values(self, name: str) -> dict:
        name = checked_label_name(name)
        values = with_timeout(lambda: self.backend.label_values(name), RUN_TIMEOUT_S,
                              "listing label values")
        note = None
        if not values:
            note = f"no stream has the label {name}; list_labels names those that exist"
        elif len(values) > limits.MAX_VALUES:
            note = f"the first {limits.MAX_VALUES:,} of {len(values):,} values"
        return {"name": name, "values": values[:limits.MAX_VALUES], "total": len(values),
                "note": note}

    def patterns(self, selector: str | None = None, top: int = DEFAULT_TOP) -> dict:
        from nl2logql.patterns.sources import group_identical

        if selector is not None:
            from nl2logql.engine.store import selector_matchers

            selector = checked_text(selector, "selector", limits.MAX_QUERY_CHARS)
            selector_matchers(selector)  # a bare stream selector, or a QueryError
        top = checked_range(top, "top", 1, MAX_TOP)
        groups = self.pattern_groups(selector)
        return {"source": self.source, "selector": selector,
                "groups": [_group(selectors, group, top)
                           for selectors, group in group_identical(groups)],
                "caps": f"the {top} most frequent patterns per group (top), example lines cut "
                        f"at {limits.MAX_LINE_CHARS:,} characters"}

    def pattern_groups(self, selector: str | None = None) -> list:
        """The patterns as the UI finds them (:func:`nl2logql.ui.runner.find_patterns`)."""
        from nl2logql.ui.runner import find_patterns

        return find_patterns(self.backend, selector)


def _group(selectors: list[str], group, top: int) -> dict:
    return {"selectors": selectors, "lines": group.lines, "header": group.header,
            "source": group.source, "labels": group.labels, "unmatched": group.unmatched,
            "patterns": [_pattern(p, selectors[0]) for p in group.patterns[:top]],
            "more_patterns": max(0, len(group.patterns) - top)}


def _pattern(pattern, selector: str) -> dict:
    return {"template": pattern.template, "count": pattern.count,
            "example": limits.cut_line(pattern.example)[0],
            "fields": [{"name": f.name, "type": f.type} for f in pattern.fields],
            "line_filter": pattern.line_filter, "extraction": pattern.extraction,
            "query": pattern.query(selector)}


def _time(value: str | None, now: int, what: str) -> int | None:
    if value is None:
        return None
    text = checked_text(value, what, 100)
    try:
        return parse_time(text.strip(), now=now)
    except ValueError as error:
        raise ArgumentError(f"{what}: {error}") from None


def _duration(value: str) -> int:
    text = checked_text(value, "since", 100)
    try:
        return parse_duration(text.strip())
    except ValueError as error:
        raise ArgumentError(f"since: {error}") from None
