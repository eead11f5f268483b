"""A breakdown by values the question lists ("by the receiving server's state ('LOOKING (my
state)' / 'LEADING (my state)' / ...)", "per component (KERNEL, APP, ...)", "the wake
reasons ('Wake reason: RTC (Alarm)', 'ARPT (Network)' and so on)"), which the query does
not split its lines by (a model keeps the lines of the first value and groups them by a
label no line carries): the values are read where the lines write them, between the texts
that stand around every listed value there.

The fix is only offered where it gives a series for each listed value."""

from __future__ import annotations

import os
import re
from collections import Counter

from nl2logql.logql import ast
from nl2logql.logql.explain import parser_fields
from nl2logql.logql.parser import quote
from nl2logql.logql.printer import format_ast
from nl2logql.patterns.describe import regex_literal
from nl2logql.verify import rewrite
from nl2logql.verify.probe import Probe, Scope, log_scope, range_scope, with_stage
from nl2logql.verify.shape import QUOTED

# "(KERNEL, APP, ...)", "(DHCPDISCOVER / DHCPOFFER)": values of one word each, listed
_LIST = re.compile(r"\(([^()]+)\)")
_LIST_SEPARATOR = re.compile(r"\s*(?:,|/|\bor\b|\band\b)\s*")
_ELLIPSIS = re.compile(r"^(?:\.\.\.|…|etc\.?|and so on)$")
# "Wake reason: RTC (Alarm)" beside "ARPT (Network)": the first says what the values are
_NAMED_VALUE = re.compile(r"^(?P<name>[A-Za-z][\w .-]*?:\s+)(?P<value>\S.*)$")
# the share of a value's lines whose text around it must be the same
_AROUND = 0.8
_MAX_ANCHOR = 40


def listed_values(question: str) -> list[str]:
    """The values a question lists as examples of what it breaks down by: two quoted texts
    or more, else a parenthesized list of two words or more; as the lines would write them
    (a name all but one say, "Wake reason: ", left out)."""
    quoted = [m.group(1).strip() for m in QUOTED.finditer(question)]
    if len(quoted) < 2:
        for found in _LIST.finditer(QUOTED.sub(" ", question)):
            items = [i.strip() for i in _LIST_SEPARATOR.split(found.group(1)) if i.strip()]
            items = [i for i in items if not _ELLIPSIS.match(i)]
            if len(items) >= 2 and all(re.fullmatch(r"[\w.:-]+", i) for i in items):
                return items
        return []
    named = [_NAMED_VALUE.match(q) for q in quoted]
    return [m.group("value") if m and not any(m.group("name") in q for q in quoted if q != m.string)
            else q for m, q in zip(named, quoted)]


def _common_suffix(texts: list[str]) -> str:
    return os.path.commonprefix([t[::-1] for t in texts])[::-1]


def _around(probe: Probe, query: ast.LogQuery, value: str) -> list[tuple[str, str]] | None:
    """The text before and after ``value`` (a whole word or words) in the lines of
    ``query`` that hold it."""
    lines = probe.lines(with_stage(query, ast.LineFilter("|=", (ast.FilterTerm(value),))),
                        log_scope(probe.backend))
    found = []
    for line in lines or ():
        at = re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", line)
        if at is not None:
            found.append((line[:at.start()], line[at.end():]))
    return found or None


def _shared_end(texts: list[list[str]], reverse: bool) -> str:
    """The longest end (the start, where ``reverse``) of a text that most texts of every
    group share, cut to whole words."""
    best = ""
    for size in range(1, _MAX_ANCHOR + 1):
        ends = Counter((t[:size] if reverse else t[-size:]) for group in texts for t in group
                       if len(t) >= size)
        if not ends:
            break
        candidate = ends.most_common(1)[0][0]
        if not all(sum(t.startswith(candidate) if reverse else t.endswith(candidate)
                       for t in group) >= _AROUND * len(group) for group in texts):
            break
        best = candidate
    if reverse:  # (a word cut short at its end is no word of the anchor)
        return best if len(best) == _MAX_ANCHOR or not best or not best[-1].isalnum() \
            else best[:max(best.rfind(" "), 0)]
    return best if not best or not best[0].isalnum() else best[best.find(" ") + 1:] \
        if " " in best else ""


def values_extraction(probe: Probe, query: ast.LogQuery, values: list[str],
                      label: str) -> tuple[ast.LineFilter, ast.RegexpParser] | None:
    """A line filter and a regexp that extract ``label`` as the lines of ``query`` write
    the listed ``values``: between the texts that stand before and after each of them."""
    suffix = _common_suffix(values)
    suffix = suffix[suffix.find(" "):] if " " in suffix else ""  # whole words, as " (my state)"
    cores = [v[:len(v) - len(suffix)] if suffix else v for v in values]
    around = [_around(probe, query, core + suffix) for core in cores]
    if not all(around):
        return None
    before = _shared_end([[b for b, _ in a] for a in around], reverse=False).lstrip()
    after = (suffix + _shared_end([[e for _, e in a] for a in around], reverse=True)).rstrip()
    if len(before.strip()) < 3 and len(after.strip()) < 3:
        return None  # nothing says where the values are
    value = (r"\S+" if all(" " not in c for c in cores) else ".+") + ("?" if after else "")
    regexp = f"{regex_literal(before)}(?P<{label}>{value}){regex_literal(after)}"
    anchor = before.strip() if len(before.strip()) >= len(after.strip()) else after.strip()
    return (ast.LineFilter("|=", (ast.FilterTerm(anchor),)), ast.RegexpParser(regexp))


def listed_breakdown(probe: Probe, question: str, expr: ast.Expr):
    """``(reason, fixed query, change)`` where the question lists the values it breaks
    down by and the query's series are not (all) of them, else None."""
    values = listed_values(question)
    if len(values) < 2:
        return None
    node = next((n for n in expr.find_all(ast.VectorAggregation) if _counted_by_one_label(n)),
                None)
    if node is None:
        return None
    label, log_range = node.grouping.labels[0], node.expr.range
    scope = range_scope(probe.backend, log_range)
    if _splits_by(probe, node, scope, label, values):
        return None
    query = log_range.query
    # the lines of one value kept, or a label of the model's own: neither is the split
    kept = tuple(s for s in query.stages if not (
        isinstance(s, ast.LineFilter) and s.op == "|=" and any(
            v in t.value or t.value in v for t in s.terms for v in values))
        and label not in parser_fields(s)
        and not (isinstance(s, ast.LabelFilter) and label in format_ast(s)))
    for stages in _splits(probe, query.replace(stages=kept), values, label):
        fixed_range = log_range.replace(query=query.replace(stages=stages))
        fixed_node = node.replace(expr=node.expr.replace(range=fixed_range))
        if _splits_by(probe, fixed_node, scope, label, values, every=True):
            listed = ", ".join(quote(v) for v in values)
            return (f"the question breaks down by the {label} it lists ({listed}), which the "
                    f"query's series are not", format_ast(rewrite.replace_node(expr, node,
                                                                               fixed_node)),
                    f"split the lines by {label} as they write {listed}")
    return None


def _counted_by_one_label(node: ast.VectorAggregation) -> bool:
    """Whether ``node`` adds up counts of lines (or their rates) by one label."""
    return node.grouping is not None and not node.grouping.without \
        and len(node.grouping.labels) == 1 and isinstance(node.expr, ast.RangeAggregation) \
        and node.expr.op in ("count_over_time", "rate") and node.expr.range.unwrap is None


def _splits(probe: Probe, query: ast.LogQuery, values: list[str], label: str):
    """The pipelines to try: the query's own without the lines of one value, then with
    the values extracted where the lines write them."""
    if any(label in parser_fields(s) for s in query.stages):
        yield query.stages
    extraction = values_extraction(probe, query, values, label)
    if extraction is not None:
        yield query.stages + extraction


def _splits_by(probe: Probe, node: ast.VectorAggregation, scope: Scope, label: str,
               values: list[str], every: bool = False) -> bool:
    """Whether the breakdown's series are of the listed values: two of them at least, or
    (``every``) one for each, and more than one series."""
    found = probe.answer_labels(node, scope) or []
    got = {series.get(label, "") for series in found}
    listed = sum(any(v == g or g and (g in v or v in g) for g in got) for v in values)
    return len(got) > 1 and listed >= (len(values) if every else 2)
