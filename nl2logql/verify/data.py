"""The checks that ask the data (every probe is LogQL run on the backend, so a Loki is
checked as the embedded store is), each log query of a query over its own time range:

- ``selector``: the matchers select a stream together (the fix drops the one that does not);
- ``line_filter``: each line filter's text occurs in some line of the selected streams in
  the query's range (the fix: the nearest fixed text of the streams' patterns);
- ``parser``: each parser extracts its fields from some of the lines before it;
- ``label``: each label a ``by``, a label filter or an ``unwrap`` names is on the lines
  there, and an ``unwrap``ped one is a number (the fixes: the closest label there, or the
  extraction of the pattern of those lines that has the field);
- ``empty``: when none of the above explains why no line is left, the stage where they
  run out;
- ``unfiltered``: a query that takes every line of its streams while the question's words
  match one of their patterns (the fix, when one pattern shares at least two of the
  question's content words and no other shares as many: that pattern's line filter).
"""

from __future__ import annotations

import difflib

from nl2logql.engine.backend import Backend
from nl2logql.errors import Nl2LogQLError
from nl2logql.logql import ast
from nl2logql.logql.explain import parser_fields
from nl2logql.logql.parser import parse, quote
from nl2logql.logql.printer import format_ast
from nl2logql.patterns.describe import regex_literal
from nl2logql.verify import rewrite
from nl2logql.verify.findings import HEAVY, LIGHT, MEDIUM, Fix, QueryWarning
from nl2logql.verify.nearest import nearest, words_of
from nl2logql.verify.probe import (Probe, Scope, has_label, log_scope, no_error, range_scope,
                                   with_stage)

MAX_NAMES_SHOWN = 8  # labels listed in a "labels there:" reason
MIN_SHARED_WORDS = 2  # question words a pattern must share for its filter to be a fix


class DataChecks:
    """The data checks of one query, each log query over its own scope."""

    def __init__(self, backend: Backend, probe: Probe, expr: ast.Expr, question: str = ""):
        self.backend, self.probe, self.expr, self.question = backend, probe, expr, question
        self.found: list[QueryWarning] = []

    def run(self) -> list[QueryWarning]:
        absent = {r.range.query for r in self.expr.find_all(ast.RangeAggregation)
                  if r.op == "absent_over_time"}
        for query, scope in self._log_queries():
            if query in absent:  # no line is the answer it looks for: only streams must exist
                self._selects_streams(query, scope)
                continue
            count = self.probe.count(query, scope)  # None: it failed to run
            if not count and not self._selects_lines(query, scope):
                continue
            before = len(self.found)
            if not count:  # each filter alone, as the whole query says nothing
                self._line_filters(query, scope)
            self._parsers(query, scope)
            self._label_filters(query, scope)
            if count == 0 and len(self.found) == before:
                self._empty(query, scope)
            if not any(q.stages for q in self.expr.find_all(ast.LogQuery)):
                self._unfiltered(query)  # (a ratio's denominator may take every line)
        self._groupings()
        self._unwraps()
        return self.found

    def _log_queries(self) -> list[tuple[ast.LogQuery, Scope]]:
        if isinstance(self.expr, ast.LogQuery):
            return [(self.expr, log_scope(self.backend))]
        found = {(r.query, range_scope(self.backend, r)): None
                 for r in self.expr.find_all(ast.LogRange)}
        return list(found)

    def _warn(self, check: str, reason: str, severity: int, fix: Fix | None = None) -> None:
        warning = QueryWarning(check, reason, severity, fix)
        if warning not in self.found:
            self.found.append(warning)

    # -- nothing left --------------------------------------------------------------------------

    def _selects_streams(self, query: ast.LogQuery, scope: Scope) -> bool:
        """Whether the selector selects a stream; a warning when it selects none."""
        if self.probe.streams(query.selector, _widest(scope, log_scope(self.backend))) == 0:
            self._selector(query)
            return False
        return True

    def _selects_lines(self, query: ast.LogQuery, scope: Scope) -> bool:
        """Whether the selector has lines in ``scope``; a warning when it has none."""
        selector = query.selector
        if not self._selects_streams(query, scope):
            return False
        if self.probe.count(ast.LogQuery(selector), scope) == 0:
            self._warn("selector", f"{format_ast(selector)} has no lines in {scope.name}", LIGHT)
            return False
        return True

    def _unfiltered(self, query: ast.LogQuery) -> None:
        """Every line of the streams is taken, yet the question names what it is about."""
        from nl2logql.generation.schema import content_words

        named = set(content_words(" ".join(m.value for m in query.selector.matchers)))
        asked = set(content_words(self.question)) - named
        asked = {w for w in asked if not w.isdigit()}
        shared = sorted(((len(asked & set(content_words(p.template))), p.count, p)
                         for p in self._patterns(query.selector) if p.line_filter),
                        key=lambda item: item[:2], reverse=True)
        if not shared or shared[0][0] == 0:
            return
        best, pattern = shared[0][0], shared[0][2]
        words = ", ".join(sorted(asked & set(content_words(pattern.template))))
        fix = None
        if best >= MIN_SHARED_WORDS and (len(shared) == 1 or shared[1][0] < best):
            filtered = query.replace(stages=(_stage(pattern.line_filter),))
            fix = Fix(format_ast(rewrite.replace_node(self.expr, query, filtered)),
                      f"keep the lines of the pattern {quote(pattern.template)}")
        self._warn("unfiltered", f"the query takes every line of {_selector_name(query.selector)}"
                   f", but the question is about {words}", MEDIUM, fix)

    def _line_filters(self, query: ast.LogQuery, scope: Scope) -> None:
        for index, stage in enumerate(query.stages):
            if isinstance(stage, ast.LineFilter) and stage.op in ("|=", "|~"):
                self._line_filter(query, index, stage, scope)

    def _empty(self, query: ast.LogQuery, scope: Scope) -> None:
        """Where the lines run out, when no other check said why."""
        for index, stage in enumerate(query.stages):
            if self.probe.count(query.replace(stages=query.stages[:index + 1]), scope) == 0:
                self._warn("empty", f"no line is left after `{format_ast(stage)}` in "
                           f"{scope.name}", MEDIUM)
                return

    def _selector(self, query: ast.LogQuery) -> None:
        """The matchers select no stream together: the fix drops the one matcher (not the
        application's) whose absence selects some."""
        selector, fix = query.selector, None
        scope = log_scope(self.backend)
        for matcher in reversed(selector.matchers):
            kept = selector.replace(matchers=tuple(m for m in selector.matchers if m != matcher))
            if kept.matchers and self.probe.streams(kept, scope):
                fix = Fix(format_ast(rewrite.replace_node(self.expr, selector, kept)),
                          f"drop {format_ast(matcher)}")
                break
        self._warn("selector", f"the matchers of {format_ast(selector)} select no stream "
                   "together", HEAVY, fix)

    def _line_filter(self, query: ast.LogQuery, index: int, stage: ast.LineFilter,
                     scope: Scope) -> None:
        # After a line_format the filter sees the new line: test it where it stands.
        earlier = query.stages[:index]
        base = earlier if any(isinstance(s, ast.LineFormat) for s in earlier) else ()
        for term in stage.terms:
            if term.ip:
                continue
            alone = stage.replace(terms=(term,))
            test = ast.LogQuery(query.selector, base + (alone,))
            if self.probe.count(test, scope) != 0:
                continue
            wide = log_scope(self.backend)
            if wide.range > scope.range and self.probe.count(test, wide):
                self._warn("line_filter", f"no line in {scope.name} contains "
                           f"{quote(term.value)} (earlier lines do)", LIGHT)
                continue
            self._missing_text(query, stage, term)

    def _missing_text(self, query: ast.LogQuery, stage: ast.LineFilter,
                      term: ast.FilterTerm) -> None:
        where = _selector_name(query.selector)
        regex = stage.op == "|~"
        found = nearest(words_of(term.value, regex), self._patterns(query.selector),
                        self._occurs(query.selector))
        what = f"matches {quote(term.value)}" if regex else f"contains {quote(term.value)}"
        reason = f"no line of {where} {what}"
        fix = None
        if found is not None:
            reason += f"; nearest pattern: {quote(found.pattern.template)}"
            replacement = self._replacement(stage, term, found.fragment, query.selector)
            fix = Fix(format_ast(rewrite.replace_node(self.expr, stage, replacement)),
                      f"filter on {format_ast(replacement).split(' ', 1)[1]} instead of "
                      f"{quote(term.value)}")
        self._warn("line_filter", reason, HEAVY, fix)

    def _occurs(self, selector: ast.Selector):
        """A test: whether some line of ``selector``'s streams holds a text."""
        scope = log_scope(self.backend)

        def occurs(text: str) -> bool:
            found = ast.LogQuery(selector, (ast.LineFilter("|=", (ast.FilterTerm(text),)),))
            return bool(self.probe.count(found, scope))

        return occurs

    def _replacement(self, stage: ast.LineFilter, term: ast.FilterTerm, fragment: str,
                     selector: ast.Selector) -> ast.LineFilter:
        """The filter with ``term`` swapped for ``fragment``. A regex of alternatives
        (``a|b``) keeps each alternative that has a nearest fragment of its own."""
        op, value = "|=", fragment
        alternatives = term.value.split("|") if stage.op == "|~" and "(" not in term.value else []
        if len(alternatives) > 1:
            patterns = self._patterns(selector)
            occurs = self._occurs(selector)
            found = [nearest(words_of(a, regex=True), patterns, occurs) for a in alternatives]
            texts = list(dict.fromkeys(f.fragment for f in found if f is not None))
            if len(texts) > 1:
                op, value = "|~", "|".join(regex_literal(text) for text in texts)
        if len(stage.terms) == 1:
            return ast.LineFilter(op, (ast.FilterTerm(value),))
        if op != stage.op:  # the other terms stay regexes
            value = regex_literal(fragment)
        return stage.replace(terms=tuple(ast.FilterTerm(value) if t == term else t
                                         for t in stage.terms))

    def _patterns(self, selector: ast.Selector) -> list:
        """The patterns of the applications ``selector`` may select (of all, when it
        names none)."""
        from nl2logql.engine.store import matches
        from nl2logql.engine.store import selector_matchers
        from nl2logql.patterns import sources

        try:
            groups = sources.patterns(self.backend)
        except Nl2LogQLError:
            return []
        out = []
        for group in groups:
            labels = {m.name: m.value for m in selector_matchers(group.selector)}
            relevant = [m for m in selector.matchers if m.name in labels]
            if matches(labels, relevant):
                out.extend(group.patterns)
        return out

    # -- parsers and labels --------------------------------------------------------------------

    def _parsers(self, query: ast.LogQuery, scope: Scope) -> None:
        for index, stage in enumerate(query.stages):
            if not isinstance(stage, ast.PARSER_STAGES):
                continue
            before = self.probe.count(query.replace(stages=query.stages[:index]), scope)
            if not before:
                return
            upto = query.replace(stages=query.stages[:index + 1])
            fields = parser_fields(stage)
            if isinstance(stage, (ast.RegexpParser, ast.PatternParser)):
                if fields and self.probe.count(with_stage(upto, has_label(fields[0])), scope) == 0:
                    self._warn("parser", f"`{_short(stage)}` extracts {fields[0]} from none of "
                               f"the {before:,} lines before it", MEDIUM)
            elif self.probe.count(with_stage(upto, no_error()), scope) == 0:
                self._warn("parser", f"`{_short(stage)}` fails on all {before:,} lines before it",
                           MEDIUM)

    def _label_filters(self, query: ast.LogQuery, scope: Scope) -> None:
        for index, stage in enumerate(query.stages):
            if not isinstance(stage, ast.LabelFilter):
                continue
            upto = query.replace(stages=query.stages[:index])
            for name in _filter_labels(stage.expr):
                self._label_exists(name, [(upto, scope)], f"`{format_ast(stage)}`")

    def _groupings(self) -> None:
        for node in self.expr.find_all(ast.VectorAggregation, ast.RangeAggregation):
            if node.grouping is None or node.grouping.without:
                continue
            made = {r.dst for r in node.find_all(ast.LabelReplace)}
            places = [(r.query, range_scope(self.backend, r)) for r in node.find_all(ast.LogRange)]
            for name in node.grouping.labels:
                if name not in made:
                    self._label_exists(name, places, f"`by ({name})`")

    def _unwraps(self) -> None:
        for log_range in self.expr.find_all(ast.LogRange):
            unwrap = log_range.unwrap
            if unwrap is None:
                continue
            scope = range_scope(self.backend, log_range)
            if not self._label_exists(unwrap.label, [(log_range.query, scope)],
                                      f"`unwrap {unwrap.label}`"):
                continue
            numeric = log_range.replace(unwrap=ast.Unwrap(
                unwrap.label, unwrap.conversion,
                (ast.StringFilter(ast.Matcher("__error__", "=", "")),)))
            samples = self.probe.has_samples(ast.VectorAggregation(
                "sum", ast.RangeAggregation("sum_over_time", numeric)), scope)
            if samples is False:
                self._warn("label", f"`unwrap {unwrap.label}` is not a number on any line in "
                           f"{scope.name}", MEDIUM,
                           self._extraction_fix(unwrap.label, [(log_range.query, scope)], True))

    def _label_exists(self, name: str, places: list[tuple[ast.LogQuery, Scope]],
                      where: str) -> bool:
        """Whether some line at one of ``places`` carries ``name``; False with a warning
        (and a rename to the closest label there) when none does, True when unknown or
        when no line reaches there at all."""
        if name.startswith("__"):
            return True
        counts = []
        for query, scope in places:
            if not self.probe.count(query, scope):
                continue  # no line reaches here: the emptiness is reported where it starts
            counts.append(self.probe.count(with_stage(query, has_label(name)), scope))
        if not counts or any(c != 0 for c in counts):
            return True
        there = set()
        for query, scope in places:
            there |= self.probe.labels(query, scope) or set()
        shown = sorted(n for n in there if not n.startswith("__"))
        reason = f"no line carries {name} at {where}"
        if shown:
            listed = ", ".join(shown[:MAX_NAMES_SHOWN]) + (", …" if len(shown) > MAX_NAMES_SHOWN else "")
            reason += f"; labels there: {listed}"
        close = difflib.get_close_matches(name, shown, n=1, cutoff=0.6)
        fix = None
        if close:
            fix = Fix(format_ast(rewrite.rename_label(self.expr, name, close[0])),
                      f"use {close[0]} instead of {name}")
        self._warn("label", reason, MEDIUM, fix or self._extraction_fix(name, places))
        return False

    def _extraction_fix(self, name: str, places: list[tuple[ast.LogQuery, Scope]],
                        numeric: bool = False) -> Fix | None:
        """Extract ``name`` (or the field of a pattern that fits it) with the extraction of
        the pattern that has the most of the query's lines; the parsers that claimed it go.
        Only for a query whose line filters say which lines it means: without them, which
        pattern is meant would be a guess."""
        best: tuple[int, ast.LogQuery, ast.LogQuery, str, str] | None = None
        for query, scope in places:
            if not _filters_lines(query.stages):
                continue
            for pattern in self._patterns(query.selector):
                field = _field_for(name, pattern.fields, numeric)
                if field is None or not pattern.extraction or not pattern.line_filter:
                    continue
                fixed = _with_extraction(query, name, pattern)
                own_lines = with_stage(fixed, _stage(pattern.line_filter), has_label(field))
                lines = self.probe.count(own_lines, scope)
                if lines and (best is None or lines > best[0]):
                    best = (lines, query, fixed, field, pattern.template)
        if best is None:
            return None
        _, query, fixed, field, template = best
        expr = rewrite.replace_node(self.expr, query, fixed)
        if field != name:
            expr = rewrite.rename_label(expr, name, field)
        return Fix(format_ast(expr), f"extract {field} as the pattern {quote(template)} does")


def _field_for(name: str, fields, numeric: bool) -> str | None:
    """The pattern field that ``name`` means: the same name, one sharing a ``_``-part
    (``src_ip``: ``ip``), or a close spelling; a number when it is to be unwrapped."""
    usable = [f.name for f in fields if f.numeric or not numeric]
    parts = set(name.lower().split("_"))
    for test in (lambda f: f == name, lambda f: parts & set(f.lower().split("_"))):
        found = [f for f in usable if test(f)]
        if found:
            return found[0]
    close = difflib.get_close_matches(name, usable, n=1, cutoff=0.7)
    return close[0] if close else None


def _with_extraction(query: ast.LogQuery, name: str, pattern) -> ast.LogQuery:
    """``query`` extracting with ``pattern`` where the parser that claimed ``name`` stood
    (else before the first stage that reads labels, else last)."""
    stage = _stage(pattern.extraction)
    claimed = [i for i, s in enumerate(query.stages) if name in parser_fields(s)]
    readers = [i for i, s in enumerate(query.stages)
               if isinstance(s, (ast.LabelFilter, ast.LineFormat, ast.LabelFormat))]
    at = (claimed or readers or [len(query.stages)])[0]
    stages = [s for i, s in enumerate(query.stages) if i not in claimed]
    stages.insert(at, stage)
    return query.replace(stages=tuple(stages))


def _filters_lines(stages) -> bool:
    return any(isinstance(s, ast.LineFilter) and s.op in ("|=", "|~") for s in stages)


def _stage(text: str) -> ast.Node:
    """One pipeline stage from its text (``| pattern "..."``)."""
    return parse("{x=\"y\"} " + text).stages[0]


def _widest(a: Scope, b: Scope) -> Scope:
    return a if a.start <= b.start else b


def _filter_labels(expr) -> list[str]:
    if isinstance(expr, ast.BinaryLabelFilter):
        return _filter_labels(expr.left) + _filter_labels(expr.right)
    if isinstance(expr, ast.StringFilter):
        return [expr.matcher.name]
    return [expr.name]


def _selector_name(selector: ast.Selector) -> str:
    """``openssh-eu-west`` for ``{application="openssh-eu-west"}``, else the selector."""
    equal = [m.value for m in selector.matchers if m.op == "="]
    return equal[0] if len(selector.matchers) == 1 and equal else format_ast(selector)


def _short(stage: ast.Node, limit: int = 60) -> str:
    text = format_ast(stage)
    return text if len(text) <= limit else text[:limit - 1] + "…"
