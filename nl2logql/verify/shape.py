"""The shape of the answer a question asks for, read from the two texts alone; each rule
returns a warning with its fix, or None:

- ``unit``: a rate "per minute", "per hour" or "per day" is LogQL's per-second ``rate``
  scaled (``* 60``); a count over the window is no rate at all, nor ("on average, how many
  connection requests per day") a function of an unwrapped field;
- ``order``: "the rarest", "the fewest" ask for ``bottomk``; "the top", "the most" for
  ``topk``; as many series as "top 3", "which 2 users" or "which component" asks;
- ``threshold``: "IPs with more than 20 failed attempts" keeps only the series above 20
  (``> 20``), "more than once" those above 1, also where the query compares with another
  number;
- ``value``: "requests that took more than 0.5 seconds", "blocks smaller than 64 MB",
  "where used_vcpus is greater than 0" compare an extracted field, kept as a filter;
- ``invented``: a label filter comparing with a number the question never states (in no
  unit) is a condition the model made up (``| child > 5``, also after an ``unwrap``), so
  it goes; so does a series compared with one (``max(…) > 2e+16``), a chain of such
  comparisons at once;
- ``share``: "what fraction of X's log lines were failed logins" divides the count by all
  the application's lines;
- ``combined``: "across all hdfs applications combined" adds the applications up, where
  the query keeps each apart;
- ``function``: "the total size", "the average delay", "the median", "p95" name the range
  function of an unwrapped value; a count of lines that extracts the field named is made
  that function over it; "how many" lines is a count, not their bytes;
- ``period``: "the last hour minus the hour before that", "divided by that earlier hour",
  "how many more … than in the 7 days before" compare two windows; a query that takes one
  window, or the same one on both sides, gets the earlier window on the right
  (``offset``); one that compares other windows, or compares them with ``>`` where a
  difference is asked, gets the window stated on each side, and the comparison asked;
- ``offset``: an ``offset`` where the question's window ends now ("in the last 2 days")
  looks at the wrong hours, so it goes;
- ``ranked``: a ``topk``/``bottomk`` for a question that ranks nothing and states no such
  count ("IPs with more than 20 failures") keeps an arbitrary few series, so it goes;
- ``grouping``: "how many …" (no key, no "per", "each" or "which") answered with a series
  per value of a label of the model's own (``sum by (memory)``) is one number, as asked;
- ``naming``: a breakdown by a field the query extracts is labelled as the question names
  it ("broken down by responder number": ``responder``, not ``packetresponder``), where no
  word of the question names the query's label;
- ``format``: log lines asked for as they are (not "formatted as", "showing only",
  "including ...") that the query rewrites with ``line_format``: the rewrite goes;
- ``fields``: a field a ``pattern`` or ``regexp`` extracts becomes a label of every series
  the answer keeps; one nothing uses (no grouping, filter, unwrap or format names it)
  and the question does not name splits the answer into a series per value (the 5th
  percentile of block sizes, per block), so it is captured as ``<_>`` or a plain group, or
  the parser goes. Log lines are split into streams the same way, but there only a parser
  none of whose fields is used or named goes (gold queries often keep a spare field).

Each rule stays out of a query it cannot read plainly (two aggregations compared, both
directions named, a number the query already uses), as the other checks do: a false
warning demotes or rewrites a good answer.
"""

from __future__ import annotations

import difflib
import math
import re
from typing import Optional

from nl2logql.logql import ast
from nl2logql.logql.explain import parser_fields, without_captures
from nl2logql.logql.parser import quote
from nl2logql.logql.printer import format_ast
from nl2logql.logql.units import format_duration
from nl2logql.patterns.sources import APPLICATION_LABELS
from nl2logql.timephrases import (COUNT, NUMBER_WORDS, earlier_window, find_windows,
                                  read_count)
from nl2logql.verify.agreement import (DISTINCT, asked_breakdown, dimension, dimension_words,
                                      label_for, offsets_loose, singular_of)
from nl2logql.verify.findings import LIGHT, MEDIUM, Fix, QueryWarning
from nl2logql.verify.rewrite import rename_field, replace_node, same_sides

_NS = 10**9
# a text the question quotes: a line's words, not the question's own
QUOTED = re.compile(r"""(?:^|[\s(])['"`]([^'"`]{3,}?)['"`](?=[\s.,;:?!)]|$)""")


def shape_warnings(question: str, expr: ast.Expr) -> list[QueryWarning]:
    value = _value(question, expr)
    found = [value, _invented(question, expr)]
    if ast.kind(expr) == "metric":
        found += [_unit(question, expr), _order(question, expr),
                  _threshold(question, expr) if value is None else None,
                  _rank_count(question, expr),
                  _share(question, expr), _combined(question, expr), _function(question, expr),
                  _outer_extreme(question, expr),
                  _counted(question, expr),
                  _period(question, expr), _offset(question, expr), _ranked(question, expr),
                  _naming(question, expr), _distinct(question, expr),
                  _breakdown_unasked(question, expr)]
    else:
        found.append(_rewritten(question, expr))
    found.append(_fields(question, expr))
    return [warning for warning in found if warning is not None]


# ---- unit -----------------------------------------------------------------------------------

_UNIT_SECONDS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600,
                 "hr": 3600, "hour": 3600, "day": 86400}
_PER_UNIT = re.compile(r"\bper[ -](?P<per>second|sec|minute|min|hour|hr|day)\b"
                       r"|(?<=\w)/(?P<slash>s|sec|second|m|min|minute|h|hr|hour)\b"
                       # "how many times a minute", "logins an hour": a plural counted
                       r"|\b(?!(?:does|this|was|has|is)\b)[a-z]{2,}s\s+(?:a|an|each|every)\s+"
                       r"(?P<each>second|sec|minute|min|hour|hr|day)\b", re.I)
# A count or a rate of lines or bytes, and its per-second form.
_AS_RATE = {"count_over_time": "rate", "rate": "rate", "bytes_over_time": "bytes_rate",
            "bytes_rate": "bytes_rate"}


def asked_unit(question: str) -> Optional[int]:
    """The seconds of the one time unit a rate is asked "per" (``per minute``: 60)."""
    units = {_UNIT_SECONDS[(m.group("per") or m.group("slash") or m.group("each")).lower()]
             for m in _PER_UNIT.finditer(question)}
    return units.pop() if len(units) == 1 else None


def _unit(question: str, expr: ast.Expr) -> Optional[QueryWarning]:
    unit = asked_unit(question)
    if unit is None:
        return None
    base, factor = scaled(expr)
    ranges = list(base.find_all(ast.RangeAggregation))
    if len(ranges) == 1 and ranges[0].range.unwrap is not None:
        return _counted_per_unit(question, expr, ranges[0], unit)
    if len(ranges) != 1 or ranges[0].op not in _AS_RATE or any(base.find_all(ast.BinaryOp)):
        return None
    aggregation = ranges[0]
    counted = aggregation.op != _AS_RATE[aggregation.op]  # a count over the whole range
    per = factor * (aggregation.range.range / _NS if counted else 1)
    if math.isclose(per, unit, rel_tol=1e-6):
        return None
    rate = replace_node(base, aggregation, aggregation.replace(op=_AS_RATE[aggregation.op]))
    fixed, scaling = _per_unit(rate, unit)
    name = _UNIT_NAMES[unit]
    gives = (f"a count over [{format_duration(aggregation.range.range)}]" if counted and factor == 1
             else "a rate per second" if per == 1 else f"{_number(per)} times the rate per second")
    return QueryWarning("unit", f"question asks for a rate per {name} but the query gives "
                        f"{gives}", MEDIUM,
                        Fix(format_ast(fixed), f"per {name}: `{_AS_RATE[aggregation.op]}` "
                            f"{scaling}"))


_UNIT_NAMES = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}
# "how many connection requests per day", not how much of a measure
_HOW_MANY = re.compile(r"\b(?:how many|number of)\b", re.I)


def _counted_per_unit(question: str, expr: ast.Expr, aggregation: ast.RangeAggregation,
                      unit: int) -> Optional[QueryWarning]:
    """"On average, how many connection requests per day": lines counted per unit of time,
    where the query takes a function of an unwrapped field instead."""
    unquoted = QUOTED.sub(" ", question)  # (a quote's "microseconds" are the line's words)
    if not _HOW_MANY.search(question) or any(asks.search(unquoted) for *_, asks, _ in MEASURES):
        return None
    top = expr if isinstance(expr, ast.VectorAggregation) else None
    lines = aggregation.range.replace(unwrap=None)
    rate = ast.VectorAggregation("sum", ast.RangeAggregation("rate", lines),
                                 grouping=top.grouping if top is not None else None)
    fixed, scaling = _per_unit(rate, unit)
    name = _UNIT_NAMES[unit]
    return QueryWarning("unit", f"question asks how many per {name}, but the query takes "
                        f"`{aggregation.op}` of {aggregation.range.unwrap.label}", MEDIUM,
                        Fix(format_ast(fixed), f"count the lines per {name}: `rate` {scaling}"))


def _per_unit(rate: ast.Expr, unit: int) -> tuple[ast.Expr, str]:
    """A per-second ``rate`` scaled to ``unit`` seconds, and how, in words."""
    if unit == 1:
        return rate, "(per second)"
    return ast.BinaryOp("*", rate, ast.Literal(float(unit))), f"(per second) * {unit}"


def scaled(expr: ast.Expr) -> tuple[ast.Expr, float]:
    """``(base, factor)`` with ``expr`` = ``base`` times the literal ``factor`` (the
    multipliers and divisors at its top)."""
    base, multipliers = _multipliers(expr)
    return base, math.prod(multipliers, start=1.0)


def _multipliers(expr: ast.Expr) -> tuple[ast.Expr, list[float]]:
    """``(base, multipliers)``: ``expr`` is ``base`` times each (a divisor's inverse),
    innermost first."""
    if isinstance(expr, ast.BinaryOp) and expr.op in ("*", "/") and not expr.bool:
        if isinstance(expr.right, ast.Literal) and expr.right.value:
            base, multipliers = _multipliers(expr.left)
            value = expr.right.value
            return base, multipliers + [value if expr.op == "*" else 1 / value]
        if isinstance(expr.left, ast.Literal) and expr.op == "*":
            base, multipliers = _multipliers(expr.right)
            return base, multipliers + [expr.left.value]
    return expr, []


def _number(value: float) -> str:
    return f"{value:g}"


# ---- order ----------------------------------------------------------------------------------

_FEWEST = re.compile(r"\b(?:rarest|fewest|(?<!at )least|bottom|lowest|smallest|quietest)\b",
                     re.I)
_MOST = re.compile(r"\b(?:top|(?<!at )most|highest|largest|biggest|busiest|noisiest)\b", re.I)
_OPPOSITE = {"topk": "bottomk", "bottomk": "topk"}


def _order(question: str, expr: ast.Expr) -> Optional[QueryWarning]:
    fewest, most = _FEWEST.search(question), _MOST.search(question)
    if bool(fewest) == bool(most):
        return None  # neither, or both: no reading to hold the query to
    wanted, word = ("bottomk", fewest) if fewest else ("topk", most)
    wrong = [n for n in expr.find_all(ast.VectorAggregation) if n.op == _OPPOSITE[wanted]]
    if not wrong:
        return None
    fixed = expr.transform(lambda n: n.replace(op=wanted) if n in wrong else n)
    return QueryWarning("order", f'question asks for "{word.group(0)}" but the query takes '
                        f"`{wrong[0].op}`", MEDIUM, Fix(format_ast(fixed), f"use {wanted}"))


# how many series a ranking asks for: "top 3", "which 2 users", "the 5 rarest"
_RANK_COUNT = re.compile(rf"\b(?:top|which|the)\s+(?!an?\b){COUNT}\b", re.I)
# one: "which windows component logged the fewest lines" (a singular noun, then its verb)
_RANK_ONE = re.compile(r"\bwhich (?:[\w.-]+ )?(?P<noun>[a-z]+)(?<!s) (?:logged|had|has|have|sent"
                       r"|got|made|wrote|received|saw|was|did|caused|reported|opened|produced"
                       r"|generated|triggered|failed)\b", re.I)


def _rank_count(question: str, expr: ast.Expr) -> Optional[QueryWarning]:
    """"Which windows component logged the fewest lines" answered ``bottomk(3, …)``: the
    ranking keeps as many series as the question asks for."""
    ranked = [n for n in expr.find_all(ast.VectorAggregation) if n.op in _OPPOSITE]
    counts = {read_count(m.group("count")) for m in _RANK_COUNT.finditer(question)}
    if not counts and _RANK_ONE.search(question) and (_FEWEST.search(question)
                                                      or _MOST.search(question)):
        counts = {1}
    if len(ranked) != 1 or len(counts) != 1 or ranked[0].param in counts:
        return None
    k = counts.pop()
    fixed = replace_node(expr, ranked[0], ranked[0].replace(param=float(k)))
    return QueryWarning("order", f"question asks for {k} series but the query's "
                        f"`{ranked[0].op}` keeps {_number(ranked[0].param)}", MEDIUM,
                        Fix(format_ast(fixed), f"keep {k}"))


# ---- threshold ------------------------------------------------------------------------------

_COMPARISONS = {"more than": ">", "greater than": ">", "over": ">", "above": ">",
                "exceeding": ">", "at least": ">=", "fewer than": "<", "less than": "<",
                "under": "<", "below": "<", "at most": "<="}
# "more than one", "more than once": a number spelt out ("a" and "an" are no threshold)
_TIMES_WORDS = {"once": 1, "twice": 2, "thrice": 3}
_SPELT = "|".join(w for w in sorted({**NUMBER_WORDS, **_TIMES_WORDS}, key=len, reverse=True)
                  if w.isalpha() and len(w) > 2)
# A number with a unit is a field's value ("took more than 0.5 seconds"), not a count's.
_THRESHOLD = re.compile(
    rf"\b(?P<cmp>{'|'.join(_COMPARISONS)})\s+(?P<n>\d+(?:\.\d+)?|(?:{_SPELT})\b)(?!\d|[.:]\d)"
    r"(?!\s*(?:%|percent|[a-z]*seconds?\b|secs?\b|ms\b|s\b|minutes?\b|mins?\b|hours?\b|hrs?\b"
    r"|h\b|days?\b|d\b|weeks?\b|w\b|months?\b|[kmgt]i?b\b|bytes?\b))", re.I)
_COMPARE_OPS = (">", ">=", "<", "<=", "==", "!=")


def _threshold(question: str, expr: ast.Expr) -> Optional[QueryWarning]:
    """The one threshold the question asks ("more than 95 times", "more than once") keeps
    the series past it: where the query compares none, or one with another number."""
    matches = list(_THRESHOLD.finditer(question))
    compared = [n for n in expr.find_all(ast.BinaryOp) if n.op in _COMPARE_OPS]
    if len(matches) != 1 or len(compared) > 1:
        return None
    match = matches[0]
    value = _threshold_value(match)
    used = {n.value for n in expr.find_all(ast.NumberFilter)} | {
        n.param for n in expr.find_all(ast.VectorAggregation, ast.RangeAggregation)}
    if value in used:
        return None  # the number is the query's already (a field filter, a topk's k)
    op = _COMPARISONS[match.group("cmp").lower()]
    if not compared:
        return QueryWarning("threshold", f'question asks for "{match.group(0)}" but the query '
                            "keeps every series", MEDIUM,
                            Fix(format_ast(ast.BinaryOp(op, expr, ast.Literal(value))),
                                f"keep {op} {_number(value)}"))
    compare = compared[0]
    if not isinstance(compare.right, ast.Literal) or compare.bool or \
            (compare.op, compare.right.value) == (op, value):
        return None
    fixed = replace_node(expr, compare, compare.replace(op=op, right=ast.Literal(value)))
    return QueryWarning("threshold", f'question asks for "{match.group(0)}" but the query keeps '
                        f"{compare.op} {_number(compare.right.value)}", MEDIUM,
                        Fix(format_ast(fixed), f"keep {op} {_number(value)}"))


def _threshold_value(match: re.Match) -> float:
    number = match.group("n").lower()
    return float(_TIMES_WORDS.get(number) or NUMBER_WORDS.get(number) or number)


# ---- value -----------------------------------------------------------------------------------

_VALUE_COMPARISONS = {**_COMPARISONS, "smaller than": "<", "lower than": "<", "shorter than": "<",
                      "larger than": ">", "bigger than": ">", "higher than": ">",
                      "longer than": ">",
                      # a value left out: "ignoring the full 67108864-byte ones"
                      "ignoring": "!=", "excluding": "!=", "except": "!=", "other than": "!=",
                      "isn't": "!=", "not": "!="}
_VALUE = re.compile(
    rf"(?:(?P<before>[\w.-]+) )?(?P<be>(?:is|was|are|were) )?"
    rf"\b(?P<cmp>{'|'.join(sorted(_VALUE_COMPARISONS, key=len, reverse=True))})\s+"
    r"(?:(?:the|all|any|full|standard)\s+)*"
    # (not the start of an id: "uuid is not 43204226-2f87-…", "user is not 191-210-…")
    r"(?P<n>\d+(?:\.\d+)?)(?![.:]\d|[\w-]*\d)(?:\s*-?\s*(?P<unit>[a-z]+)\b)?", re.I)
_BYTES = re.compile(r"^(?:(?P<scale>[kmgt])(?P<binary>i)?b|bytes?)$", re.I)
_NOT_UNITS = frozenset("""
on in at for over during from and or the of to within since last past per by with across
""".split())  # the words after a number that end the phrase instead of naming its unit
LINE_SIZES = ("bytes_over_time", "bytes_rate")  # the lines' own size: no field's
_FIELD_NAME = re.compile(r"^[a-z]+(?:_[a-z]+)+$")  # used_vcpus: a field as a program names it


def _value(question: str, expr: ast.Expr) -> Optional[QueryWarning]:
    """"requests that took more than 0.5 seconds", "blocks smaller than 64 MB", "where
    used_vcpus is greater than 0": a condition on an extracted field, kept as a filter.
    Without a unit, the field is the word just before the comparison; a number followed
    by another word ("more than 20 failed attempts") counts something: ``threshold``'s."""
    queries = set(expr.find_all(ast.LogQuery))
    matches = list(_VALUE.finditer(question))
    if len(queries) != 1 or len(matches) != 1:
        return None
    query, match = queries.pop(), matches[0]
    extracted = [f for stage in query.stages for f in parser_fields(stage)]
    unit, before = match.group("unit") or "", match.group("before") or ""
    unit = "" if unit.lower() in _NOT_UNITS else unit
    scale = _BYTES.match(unit)
    # "the port was below", "the size is under": a field the label check extracts
    named = ([before.lower()] if not extracted and match.group("be")
             and re.fullmatch(r"[a-z]{3,}", before, re.I) else [])
    compared = {n.name: n for n in expr.find_all(ast.NumberFilter, ast.BytesFilter,
                                                  ast.DurationFilter)}
    lines_sized = any(r.op in LINE_SIZES for r in expr.find_all(ast.RangeAggregation))
    if scale and not extracted and not named and not lines_sized:
        named = ["bytes"]  # a size the lines write in bytes, as their patterns name it
    if is_time_unit(unit) or scale:  # the one number the query reads
        fields = sorted({u.label for u in expr.find_all(ast.Unwrap)}) or extracted or named
    elif unit:
        return None
    elif any(isinstance(s, ast.PARSER_STAGES) and not parser_fields(s) for s in query.stages) \
            and _FIELD_NAME.match(before):
        fields = [before]  # logfmt or json: every field, named as the lines name it
    else:
        fields = [f for f in extracted if names_field(before, f)] or named
        if not fields:
            return _other_field_compared(question, expr, match, compared)
    if len(set(fields)) != 1 or fields[0] in compared:
        return None
    field, number = fields[0], float(match.group("n"))
    if scale and scale.group("scale"):
        power = "kmgt".index(scale.group("scale").lower()) + 1
        binary = scale.group("binary") or number * 1024 ** power in _stated(question)
        # ("64 MB (67108864 bytes)": binary)
        number *= (1024 if binary else 1000) ** power
    op = _VALUE_COMPARISONS[match.group("cmp").lower()]
    stage = ast.LabelFilter(ast.NumberFilter(field, op, number))
    at = max((i + 1 for i, s in enumerate(query.stages) if field in parser_fields(s)),
             default=len(query.stages))
    fixed = replace_node(expr, query, query.replace(
        stages=query.stages[:at] + (stage,) + query.stages[at:]))
    asked = question[match.start("cmp"):match.end("n")] + (f" {unit}" if unit else "")
    return QueryWarning("value", f'question asks for "{asked}" but no filter compares {field}',
                        MEDIUM, Fix(format_ast(fixed), f"keep {format_ast(stage)[2:]}"))


def _other_field_compared(question: str, expr: ast.Expr, match: re.Match,
                          compared: dict[str, ast.Node]) -> Optional[QueryWarning]:
    """"the 'Found child' lines for scoreboard slots above 9" answered with ``| child >
    9``: the number is compared as asked, on a field the question does not name. The
    comparison is made on the field it names (which the label check then extracts)."""
    before, number = match.group("before") or "", float(match.group("n"))
    same = [n for n in compared.values()
            if isinstance(n, ast.NumberFilter) and math.isclose(n.value, number)
            and not names_field(QUOTED.sub(" ", question), n.name)]
    if len(same) != 1 or not re.fullmatch(r"[a-z]{3,}", before, re.I) \
            or before.lower() in _NOT_UNITS:
        return None
    field = singular_of(before.lower())
    fixed = expr.transform(lambda n: n.replace(name=field) if n is same[0] else n)
    return QueryWarning("value", f'question asks for "{before} {match.group("cmp")} '
                        f'{match.group("n")}" but the query compares {same[0].name}', MEDIUM,
                        Fix(format_ast(fixed), f"compare {field}"))


# ---- invented -------------------------------------------------------------------------------

# A number stated in one unit, written in another: sizes, then times (s, min, h in s or ms).
_SCALES = ([1.0] + [base ** power for base in (1000, 1024) for power in range(1, 5)]
           + [60, 3600, 86400, 1e-3, 6e4, 3.6e6])
_NUMBER_IN_TEXT = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.]*\d)")


def _stated(text: str) -> set[float]:
    """The numbers ``text`` writes in digits."""
    return {float(n) for n in _NUMBER_IN_TEXT.findall(text)}


def _invented(question: str, expr: ast.Expr) -> Optional[QueryWarning]:
    """``| child > 5`` where the question states no 5 (in no unit: not 5 KB in bytes nor
    5 minutes in ms), or ``|= "95"`` where it states no 95 ("p95" is a statistic): a
    condition the model made up, which drops lines asked about."""
    stated = _stated(question) | {_threshold_value(m) for m in _THRESHOLD.finditer(question)}
    asked = question.lower()
    for stage in expr.find_all(ast.LabelFilter, ast.LineFilter):
        if isinstance(stage, ast.LineFilter):
            if len(stage.terms) != 1 or not stage.terms[0].value.isdigit() \
                    or float(stage.terms[0].value) in stated:
                continue
            what = f"{quote(stage.terms[0].value)}, a number the question does not state"
        elif isinstance(stage.expr, ast.NumberFilter):
            value = stage.expr.value
            if _in_some_unit(value, stated):
                continue
            what = f"{_number(value)}, a number the question does not state"
        elif isinstance(stage.expr, ast.StringFilter) and stage.expr.matcher.op in ("=", "=~") \
                and not stage.expr.matcher.name.startswith("__"):
            words = re.findall(r"[A-Za-z0-9_]{2,}", stage.expr.matcher.value)
            if not words or any(w.lower() in asked for w in words):
                continue
            what = f"{quote(stage.expr.matcher.value)}, which the question does not name"
        else:
            continue
        text, verb = ((format_ast(stage), "filters on") if isinstance(stage, ast.LineFilter)
                      else (format_ast(stage)[2:], "compares with"))
        return QueryWarning("invented", f"`{text}` {verb} {what}",
                            MEDIUM, Fix(format_ast(replace_node(expr, stage, None)),
                                        f"drop `{format_ast(stage)}`"))
    return _invented_after_unwrap(stated, expr) or _invented_threshold(stated, expr) or \
        _invented_shift(stated, expr) or _invented_scale(question, expr) or \
        _invented_factor(stated, expr)


def _invented_after_unwrap(stated: set[float], expr: ast.Expr) -> Optional[QueryWarning]:
    """``| unwrap ambient | ambient = 1146100398`` where the question states no such
    number: the values kept are made up."""
    for unwrap in expr.find_all(ast.Unwrap):
        for condition in unwrap.filters:
            if not isinstance(condition, ast.NumberFilter) \
                    or _in_some_unit(condition.value, stated):
                continue
            kept = unwrap.replace(filters=tuple(c for c in unwrap.filters if c != condition))
            text = format_ast(condition)
            return _not_stated(f"`{text}` after the unwrap compares with "
                               f"{_number(condition.value)}", replace_node(expr, unwrap, kept),
                               f"`| {text}`")
    return None


def _not_stated(what: str, fixed: ast.Expr, dropped: str) -> QueryWarning:
    """The warning that ``what`` is a number the question does not state, which ``fixed``
    drops (``dropped``)."""
    return QueryWarning("invented", f"{what}, a number the question does not state", MEDIUM,
                        Fix(format_ast(fixed), f"drop {dropped}"))


def _invented_shift(stated: set[float], expr: ast.Expr) -> Optional[QueryWarning]:
    """``avg_over_time(…) + 60`` where the question states no 60: every value moved by a
    number the model made up."""
    for node in expr.find_all(ast.BinaryOp):
        if node.op not in ("+", "-"):
            continue
        for constant, metric in ((node.right, node.left), (node.left, node.right)):
            if isinstance(scaled(constant)[0], ast.Literal) and metric.find(ast.LogRange) and \
                    _made_up(stated, constant):
                text = format_ast(constant)
                return QueryWarning("invented", f"the query shifts its series by {text}, a number "
                                    "the question does not state", MEDIUM,
                                    Fix(format_ast(replace_node(expr, node, metric)),
                                        f"drop `{node.op} {text}`"))
    return None


# the words that ask a part of something: a share, a percentage
PART_WORDS = "fraction|percentage|percent|share|proportion"
# what a question says when it asks for a count scaled: a rate per unit, a share, a mean, a
# unit of size, a time converted ("in minutes")
_SCALE_ASKED = re.compile(rf"%|\b(?:per|{PART_WORDS}|ratio|average|avg|mean"
                          r"|[kmg]i?b|kilobytes?|megabytes?|gigabytes?)\b"
                          r"|\bin (?:ms|milliseconds|seconds|minutes|hours|days)\b", re.I)


def _invented_scale(question: str, expr: ast.Expr) -> Optional[QueryWarning]:
    """"Which 2 stages finished the fewest tasks" answered ``bottomk(2, … * 2 * 2)``: the
    counts ranked come out scaled by a number the question asks for no scale of."""
    if _SCALE_ASKED.search(question):
        return None
    for node in expr.find_all(ast.VectorAggregation):
        base, factor = scaled(node.expr)
        if node.op in ("topk", "bottomk") and factor != 1 and base.find(ast.LogRange):
            return QueryWarning("invented", f"the query scales the counts it ranks by "
                                f"{_number(factor)}, which the question does not ask", MEDIUM,
                                Fix(format_ast(replace_node(expr, node, node.replace(
                                    expr=base))), "rank the counts as they are"))
    return None


def _invented_factor(stated: set[float], expr: ast.Expr) -> Optional[QueryWarning]:
    """The answer multiplied by ``1.7777777777777777 * 1024 * … * 1024`` (a model looping
    on arithmetic): a fraction no unit conversion, count or stated number gives, or a
    factor past any conversion (1e15). Round factors (``* 3600``, ``/ 7 / 24``) stay."""
    for node in [expr] + [n.expr for n in expr.find_all(ast.VectorAggregation)]:
        base, multipliers = _multipliers(node)
        factor = math.prod(multipliers, start=1.0)
        if factor == 1 or not base.find(ast.LogRange):
            continue
        if not 1e-15 < abs(factor) < 1e15 or any(
                not _whole_or_reciprocal(m) and not _in_some_unit(m, stated) for m in multipliers):
            return QueryWarning("invented", f"the query scales its values by {_number(factor)}, "
                                "which no unit, count or number of the question gives", MEDIUM,
                                Fix(format_ast(replace_node(expr, node, base)),
                                    "take the values unscaled"))
    return None


def _whole_or_reciprocal(value: float) -> bool:
    return any(v and math.isclose(v, round(v)) for v in (value, 1 / value if value else 0))


def _invented_threshold(stated: set[float], expr: ast.Expr) -> Optional[QueryWarning]:
    """``max(…) > 2e+16`` where the question states no such number: a threshold the model
    made up, which drops the series asked about (a comparison with 0 only drops empty
    ones). A chain of them (``… == 4 * 2 == 8 * 2``) goes at once."""
    for node in expr.find_all(ast.BinaryOp):
        made_up = _made_up_comparison(stated, node)
        if made_up is None:
            continue
        metric, dropped = made_up, [node]
        while (inner := _made_up_comparison(stated, metric)) is not None:
            dropped.append(metric)
            metric = inner
        texts = [f"{n.op} {format_ast(n.right if n.left.find(ast.LogRange) else n.left)}"
                 for n in dropped]
        return _not_stated(f"the query compares its series with {texts[0].split(' ', 1)[1]}",
                           replace_node(expr, node, metric), f"`{'`, `'.join(texts)}`")
    return None


def _made_up_comparison(stated: set[float], node: ast.Expr) -> Optional[ast.Expr]:
    """The series side of ``node``, a comparison with a number not stated; else None."""
    if not isinstance(node, ast.BinaryOp) or node.op not in ast.COMPARISON_OPS or node.bool:
        return None
    for constant, metric in ((node.right, node.left), (node.left, node.right)):
        if not constant.find(ast.LogRange) and metric.find(ast.LogRange) and \
                _made_up(stated, constant):
            return metric
    return None


def _made_up(stated: set[float], constant: ast.Expr) -> bool:
    """Whether ``constant`` is a number the question does not state, in any unit: judged by
    its value where it is one (``120 * 2`` is 240), else by each number in it."""
    base, factor = scaled(constant)
    values = ([base.value * factor] if isinstance(base, ast.Literal)
              else [n.value for n in constant.find_all(ast.Literal)])
    return any(v and not _in_some_unit(v, stated) for v in values)


def _in_some_unit(value: float, stated: set[float]) -> bool:
    return any(math.isclose(value, n * scale) for n in stated for scale in _SCALES)


# ---- share ----------------------------------------------------------------------------------

_SHARE = re.compile(rf"\b(?P<word>{PART_WORDS}) of (?:all )?"
                    r"(?:[\w.-]+(?:'s)? ){0,2}?(?:log )?lines\b", re.I)


# a part of something asked ("what fraction of the failures were for root"): of lines or not
ASKS_PART = re.compile(rf"\b(?:{PART_WORDS}|ratio) of\b|%", re.I)


def asks_share(question: str) -> bool:
    """Whether the question asks what part of the lines something is."""
    return _SHARE.search(question) is not None


def share_whole(question: str) -> str:
    """What the lines a share is of are called ("apache's error lines"), or ""."""
    match = _SHARE.search(question)
    return match.group(0).split(" of ", 1)[1] if match else ""


def _share(question: str, expr: ast.Expr) -> Optional[QueryWarning]:
    match = _SHARE.search(question)
    if match is None:
        return None
    base, _ = scaled(expr)
    if isinstance(base, ast.BinaryOp) and base.op == "/" and base.left == base.right:
        base = base.left  # a count over itself: the share's other side is still to come
    if not (isinstance(base, ast.VectorAggregation) and base.op == "sum" and base.grouping is None
            and isinstance(base.expr, ast.RangeAggregation)
            and base.expr.op == "count_over_time"):
        return None  # a ratio already, a breakdown, or no count of lines
    query = base.expr.range.query
    every_line = ast.LogQuery(query.selector.replace(matchers=tuple(
        m for m in query.selector.matchers if m.name in APPLICATION_LABELS)))
    if every_line == query or not every_line.selector.matchers:
        return None
    whole = replace_node(base, query, every_line)
    fixed: ast.Expr = ast.BinaryOp("/", base, whole)
    percent = match.group("word").lower().startswith("percent")
    if percent:
        fixed = ast.BinaryOp("*", fixed, ast.Literal(100.0))
    return QueryWarning("share", f'question asks for "{match.group(0)}" but the query counts '
                        "lines only", MEDIUM,
                        Fix(format_ast(fixed), "divide by every line of the application"
                            + (", times 100" if percent else "")))


# ---- combined -------------------------------------------------------------------------------

_COMBINED = re.compile(r"\b(?:combined|summed (?:across|over)|added up|altogether|all together"
                       r"|in total)\b", re.I)


def _combined(question: str, expr: ast.Expr) -> Optional[QueryWarning]:
    match = _COMBINED.search(question)
    breakdown = asked_breakdown(question)
    if match is None or (breakdown and dimension(breakdown).lower().rstrip("s") in
                         ("application", "app", "service", "job", "namespace")):
        return None

    def add_up(node):
        if isinstance(node, ast.VectorAggregation) and node.grouping and not node.grouping.without:
            kept = tuple(n for n in node.grouping.labels if n not in APPLICATION_LABELS)
            if kept != node.grouping.labels:
                return node.replace(grouping=node.grouping.replace(labels=kept) if kept else None)
        return node

    fixed = expr.transform(add_up)
    if isinstance(fixed, ast.RangeAggregation) and fixed.op in _AS_RATE:
        fixed = ast.VectorAggregation("sum", fixed)  # each stream's count, added up
    if fixed == expr:
        return None
    return QueryWarning("combined", f'question asks for "{match.group(0)}" but the query keeps '
                        "each application apart", MEDIUM,
                        Fix(format_ast(fixed), "add the applications up"))


# ---- period ---------------------------------------------------------------------------------

# How the question combines the two windows, when the query takes only one.
_COMPARING = (("-", re.compile(r"\b(?:minus|difference|change|increase|decrease|climbing"
                               r"|rising|dropping|how many (?:more|fewer|less)"
                               r"|more (?:or|and) (?:fewer|less))\b", re.I)),
              ("/", re.compile(r"\b(?:ratio|divided|relative to)\b", re.I)))


def _period(question: str, expr: ast.Expr) -> Optional[QueryWarning]:
    earlier = earlier_window(question)
    if earlier is None:
        return None
    phrase, back = earlier
    pairs = [n for n in expr.find_all(ast.BinaryOp)
             if not isinstance(n.right, (ast.Literal, ast.VectorLiteral))
             and not isinstance(n.left, (ast.Literal, ast.VectorLiteral))]
    if pairs:
        node, op = pairs[0], _comparison(question)
        if len(pairs) != 1 or node.op not in ("-", "/") and op is None:
            return None  # a shape this rule cannot read
        if node.left != node.right:
            return _two_windows(question, expr, node, phrase, back)
        one, how = node.right, f"both sides of `{node.op}` take the same window"
        # "how many more than before" written `A > A`: compared as the question says
        op = node.op if node.op in ("-", "/") else op
    else:
        op = _comparison(question)
        base, _ = scaled(expr)
        if op is None or base is not expr:
            return None
        node, one, how = None, expr, "the query takes one window"
    ranges = list(one.find_all(ast.LogRange))
    if not ranges or len({(r.range, r.offset) for r in ranges}) != 1:
        return None
    # the question's own window ends now (one taken only before now is moved to now)
    now = _windowed(one, ranges[0].range, 0)
    offset = back * _NS or ranges[0].range
    right = _windowed(one, ranges[0].range, offset)
    fixed = (replace_node(expr, node, node.replace(op=op, left=now, right=right))
             if node is not None else ast.BinaryOp(op, now, right))
    if fixed == expr:
        return None
    back_text = format_duration(offset)
    return QueryWarning("period", f'question compares with an earlier window ("{phrase}") but '
                        f"{how}", MEDIUM,
                        Fix(format_ast(fixed), f"compare with the window {back_text} earlier "
                                               f"(`offset {back_text}`)"))


def _two_windows(question: str, expr: ast.Expr, node: ast.BinaryOp, phrase: str,
                 back: int) -> Optional[QueryWarning]:
    """Both sides take a window, one of them earlier: each the window the question states,
    the right one ``back`` earlier, compared as it says ("divided by that earlier hour")."""
    stated = [w for w in find_windows(question) if not w.offset]
    if not stated or _windowless(node.left) != _windowless(node.right):
        return None  # no window stated, or two queries apart from their windows
    span = stated[0].seconds * _NS
    offset = back * _NS or span
    op = _comparison(question) or node.op
    fixed = node.replace(op=op, left=_windowed(node.left, span, 0),
                         right=_windowed(node.right, span, offset))
    if fixed == node:
        return None
    text = f"[{format_duration(span)}] against [{format_duration(span)}] offset " \
           f"{format_duration(offset)}"
    return QueryWarning("period", f'question compares its window with an earlier one ("{phrase}") '
                        f"but the query compares other windows", MEDIUM,
                        Fix(format_ast(replace_node(expr, node, fixed)),
                            f"compare {text}" + (f" with `{op}`" if op != node.op else "")))


def _comparison(question: str) -> Optional[str]:
    """The operator the question compares two windows with ("minus", "divided by")."""
    return next((op for op, words in _COMPARING if words.search(question)), None)


def _windowed(side: ast.Node, span: int, offset: int) -> ast.Node:
    """``side`` with every log range ``span`` long, ``offset`` back."""
    return side.transform(lambda n: n.replace(range=span, offset=offset)
                          if isinstance(n, ast.LogRange) else n)


def _windowless(side: ast.Node) -> ast.Node:
    return _windowed(side, 0, 0)


# ---- offset ---------------------------------------------------------------------------------

# Phrases that may put a window before now, beyond the range check's cues; and words that
# do, also misspelt ("the hour bfeore last").
_LOOKS_BACK = re.compile(r"\b(?:compar\w*|vs\.?|versus|same time|week's|day's|last week"
                         r"|last month)\b", re.I)
_BACK_WORDS = ("before", "earlier", "previous", "preceding", "prior", "yesterday", "ago")


def _looks_back(question: str) -> bool:
    """Whether the question may mean a window that ends before now."""
    return (earlier_window(question) is not None or offsets_loose(question)
            or _LOOKS_BACK.search(question) is not None
            or any(w.offset for w in find_windows(question))
            or any(difflib.get_close_matches(word, _BACK_WORDS, n=1, cutoff=0.75)
                   for word in re.findall(r"[a-z]{3,}", question.lower())))


def _offset(question: str, expr: ast.Expr) -> Optional[QueryWarning]:
    offsets = [r for r in expr.find_all(ast.LogRange) if r.offset]
    if not offsets or _looks_back(question):
        return None
    fixed = expr.transform(lambda n: n.replace(offset=0) if n in offsets else n)
    # A window over its own offset copy ("A / A offset 2h") is then one side: the other goes.
    fixed = fixed.transform(lambda n: n.left if same_sides(n) else n)
    back = format_duration(offsets[0].offset)
    return QueryWarning("offset", f"the query looks back (`offset {back}`) but the question's "
                        "window ends now", MEDIUM, Fix(format_ast(fixed), "drop the offset"))


# ---- breakdown unasked ------------------------------------------------------------------------

# a question that asks for one number: a count, a total, an average...
_ONE_NUMBER = re.compile(r"^\W*(?:how (?:many|much)|what(?:'s| is| was)? the (?:total|number|"
                         r"count|sum|average|mean)\b)", re.I)
# ... unless it says the number is one per key, or of several
_PER_KEY = re.compile(r"\b(?:per|by|each|every|which|what|breakdown|broken|grouped|group|top|"
                      r"most|least|fewest|distinct|unique|different|respectively|separately|"
                      r"apiece|among)\b", re.I)


def _breakdown_unasked(question: str, expr: ast.Expr) -> Optional[QueryWarning]:
    """"How many reserved memory ranges did the kernel report" answered with a series per
    value of a label of the model's own (``sum by (memory)``): one number, as asked."""
    base, _ = scaled(expr)
    if not (isinstance(base, ast.VectorAggregation) and base.grouping is not None
            and base.grouping.labels and not base.grouping.without and base.param is None):
        return None
    labels = base.grouping.labels
    # (a label the selector fixes splits nothing: a convention of some queries, kept)
    fixed_labels = {m.name for s in expr.find_all(ast.Selector) for m in s.matchers if m.op == "="}
    one = _ONE_NUMBER.search(question)
    if one is None or _PER_KEY.search(question, one.end()) or asked_breakdown(question) \
            or set(labels) & (set(APPLICATION_LABELS) | fixed_labels):
        return None
    fixed = replace_node(expr, base, base.replace(grouping=None))
    names = ", ".join(labels)
    return QueryWarning("grouping", f"question asks for one number, but the query answers one "
                        f"per {names}", MEDIUM, Fix(format_ast(fixed), f"drop `by ({names})`"))


# ---- ranked ---------------------------------------------------------------------------------

_EVERY_SERIES = 100  # topk(1000, …): a way of writing "all of them", not a ranking


def _ranked(question: str, expr: ast.Expr) -> Optional[QueryWarning]:
    if _MOST.search(question) or _FEWEST.search(question):
        return None
    thresholds = _THRESHOLD.sub(" ", question)  # "more than 3" is no count of series
    stated = _stated(thresholds) | {  # ("a" is no count here)
        float(NUMBER_WORDS[w.lower()]) for w in re.findall(r"[a-z]{3,}", thresholds, re.I)
        if w.lower() in NUMBER_WORDS}
    for node in expr.find_all(ast.VectorAggregation):
        if node.op in ("topk", "bottomk") and node.param not in stated \
                and node.param < _EVERY_SERIES:
            fixed = replace_node(expr, node, node.expr)
            return QueryWarning("ranked", f"`{node.op}({_number(node.param)}, …)` keeps "
                                f"{_number(node.param)} series though the question ranks "
                                "nothing", MEDIUM, Fix(format_ast(fixed), f"drop {node.op}"))
    return None


def _distinct(question: str, expr: ast.Expr) -> Optional[QueryWarning]:
    """"How many unique users": the number of series of the breakdown by user, where the
    query gives the breakdown itself."""
    if not DISTINCT.search(question) or not isinstance(expr, ast.VectorAggregation) \
            or expr.op not in ("sum", "count", "max") or expr.grouping is None \
            or expr.grouping.without or not expr.grouping.labels:
        return None
    fixed = ast.VectorAggregation("count", expr)
    return QueryWarning("distinct", "question asks for the number of distinct "
                        f"{', '.join(expr.grouping.labels)} values, but the query gives a "
                        "count for each", MEDIUM, Fix(format_ast(fixed), "count the series"))


# ---- function -------------------------------------------------------------------------------

# (not the "min" of "in the last 5 min")
_FUNCTIONS = tuple((name, re.compile(rf"\b(?:{words})\b", re.I)) for name, words in (
    ("sum_over_time", r"total|sum of|summed|sum up|add up|added up"),
    ("avg_over_time", r"average|mean|avg"),
    ("max_over_time", r"max|maximum|largest|highest|peak|biggest|longest|slowest"),
    ("min_over_time", r"(?<!\d )(?<!\d)min|minimum|smallest|lowest|shortest|fastest|quickest"),
    ("quantile_over_time", r"median|p\d{2}|\d{1,2}(?:st|nd|rd|th)[ -]percentile"),
))
# a question that counts something
ASKS_COUNT = re.compile(r"\b(?:how many|number of|count|counts|how often|times)\b", re.I)
# "the highest seq number of the transactions": a value a line names, not a count; the
# words before a counting "number of" say how much or which ("the largest number of")
_NAMED_NUMBER = re.compile(
    r"\b(?!(?:the|a|an|total|overall|whole|same|what|which|any|that|this|its|their|and|or|of"
    r"|in|max|maximum|min|minimum|mean|average|avg|highest|largest|biggest|greatest|peak"
    r"|lowest|smallest|least|fewest|most|top|high|low|large|small|big|median)\b)"
    r"([a-z]{2,})\s+number of\b", re.I)
_UNWRAPPED = ("sum_over_time", "avg_over_time", "max_over_time", "min_over_time",
              "quantile_over_time", "first_over_time", "last_over_time")
_QUANTILE = re.compile(r"\bp(\d{2})\b|\b(\d{1,2})(?:st|nd|rd|th)[ -]percentile\b", re.I)


def asked_function(question: str) -> Optional[tuple[str, Optional[float]]]:
    """The one range function over unwrapped values the question names, with its
    parameter (a quantile's); None where it names none, several, or counts."""
    if ASKS_COUNT.search(_NAMED_NUMBER.sub(r"\1 value", question)):
        return None
    return named_function(question)


def function_word(question: str) -> Optional[re.Match]:
    """Where the question names the one function it asks (``named_function``'s word)."""
    named = named_function(question)
    return next((words.search(question) for name, words in _FUNCTIONS
                 if named and name == named[0]), None)


def named_function(question: str) -> Optional[tuple[str, Optional[float]]]:
    """The one range function over unwrapped values the question's words name, with its
    parameter, even where it also counts ("how many failures, on average, ...")."""
    found = {name: words.search(question) for name, words in _FUNCTIONS}
    named = {name for name, match in found.items() if match}
    total = found["sum_over_time"]
    if len(named) == 2 and total and total.group(0).lower() == "total":
        # "the peak total", "the average total time": the total is what is measured
        other = next(name for name in named if name != "sum_over_time")
        named = {other} if found[other].start() < total.start() else named
    if len(named) != 1:
        return None
    name = named.pop()
    if name != "quantile_over_time":
        return name, None
    match = _QUANTILE.search(question)
    return name, (int(match.group(1) or match.group(2)) / 100 if match else 0.5)


_BYTES_ASKED = re.compile(r"\b(?:bytes?|size|sizes|[kmgt]i?b|data|traffic|big|large)\b", re.I)
# a log volume is its lines (as Grafana's "logs volume" counts them) unless bytes are said
_VOLUME = re.compile(r"\bvolumes?\b", re.I)
_AS_COUNT = {"bytes_over_time": "count_over_time", "bytes_rate": "rate"}
# a question that asks how fast, not how many
ASKS_RATE = re.compile(r"\b(?:rate|how fast|how quickly|throughput)\b", re.I)


def _counted(question: str, expr: ast.Expr) -> Optional[QueryWarning]:
    """"How many ftp connections", "log volume per level": a count of lines, where the
    query sums their bytes."""
    if not (ASKS_COUNT.search(question) or _VOLUME.search(question)) or \
            _BYTES_ASKED.search(question):
        return None
    sized = [n for n in expr.find_all(ast.RangeAggregation) if n.op in _AS_COUNT]
    if not sized:
        return None
    # "how many lines in the last 10 minutes" is a count, whatever rate the query took
    rated = asked_unit(question) is not None or ASKS_RATE.search(question) or \
        re.search(r"\bper\b", question, re.I)
    as_count = {**_AS_COUNT, **({} if rated else {"bytes_rate": "count_over_time"})}
    fixed = expr.transform(lambda n: n.replace(op=as_count[n.op]) if n in sized else n)
    return QueryWarning("function", f"question counts lines but the query takes `{sized[0].op}` "
                        "(their bytes)", MEDIUM,
                        Fix(format_ast(fixed), f"take `{as_count[sized[0].op]}`"))


def _function(question: str, expr: ast.Expr) -> Optional[QueryWarning]:
    ranges = list(expr.find_all(ast.RangeAggregation))
    if len(ranges) != 1:
        return None
    # of a value unwrapped, "how many" asks that number ("on average, how many failures
    # does each 'PAM N more authentication failures' report")
    asked = named_function(question) if ranges[0].range.unwrap else asked_function(question)
    if asked is None:
        return None
    op, param = asked
    node = ranges[0]
    if node.range.unwrap is not None:
        if (node.op, node.param) == (op, param) or node.op not in _UNWRAPPED:
            return None
        fixed_node = node.replace(op=op, param=param)
        change = f"take {_function_text(op, param)}"
    else:
        fields = [f for stage in node.range.query.stages for f in parser_fields(stage)]
        named = [f for f in dict.fromkeys(fields) if names_field(question, f)]
        if node.op != "count_over_time" or len(named) != 1:
            return None
        fixed_node = node.replace(op=op, param=param, range=node.range.replace(
            unwrap=ast.Unwrap(named[0])))
        change = f"take {_function_text(op, param)} of the unwrapped {named[0]}"
    fixed = replace_node(expr, node, fixed_node)
    return QueryWarning("function", f"question asks for {_function_text(op, param)} but the "
                        f"query takes `{node.op}`", MEDIUM, Fix(format_ast(fixed), change))


_EXTREMES = {"max_over_time": ("min", "max"), "min_over_time": ("max", "min")}  # wrong, right


def _outer_extreme(question: str, expr: ast.Expr) -> Optional[QueryWarning]:
    """The question asks the largest (the smallest) of a value, and the query takes the
    smallest (the largest) of its series: ``min(max_over_time(…))`` for "the slowest"."""
    asked = named_function(question)
    if not isinstance(expr, ast.VectorAggregation) or asked is None or \
            asked[0] not in _EXTREMES or expr.op != _EXTREMES[asked[0]][0]:
        return None
    op = _EXTREMES[asked[0]][1]
    extreme = "largest" if op == "max" else "smallest"
    return QueryWarning("function", f"question asks for the {extreme} value but the query "
                        f"takes `{expr.op}` of its series", MEDIUM,
                        Fix(format_ast(expr.replace(op=op)), f"take `{op}` of the series"))


def _function_text(op: str, param: Optional[float]) -> str:
    return f"`{op}({_number(param)}, …)`" if param is not None else f"`{op}`"


def names_field(question: str, field: str) -> bool:
    """Whether the question names an extracted field: its name, or a part of it of four
    letters or more (``free_mb``: "free"), also as the start of a name ("usernames":
    ``user``)."""
    return any(re.search(rf"\b{word}(?:s|\s?names?)?\b", question, re.I)
               for word in _field_words(field))


def _field_words(field: str) -> list[str]:
    """How a question may write a field: whole (``free mb``), or a part of four letters or
    more (``free``), as regex text."""
    parts = [field] + [p for p in field.split("_") if len(p) >= 4]
    return [re.escape(p.replace("_", " ")) for p in parts]


# ---- naming ---------------------------------------------------------------------------------

_LABEL_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# Words a breakdown phrase may catch that name no dimension ("top 10 most frequent users").
_NOT_A_NAME = frozenset({"most", "least", "more", "fewer", "frequent", "frequently", "common",
                         "commonly", "often"})


def _naming(question: str, expr: ast.Expr) -> Optional[QueryWarning]:
    match = asked_breakdown(question)
    if match is None:
        return None
    extracted = {f for stage in expr.walk() for f in parser_fields(stage)}
    grouped = {label for grouping in expr.find_all(ast.Grouping) if not grouping.without
               for label in grouping.labels if label in extracted}
    words = dimension_words(question, match)
    if len(grouped) != 1 or label_for(words, grouped) is not None:
        return None
    (old,) = grouped
    forms = [(w.lower(), singular_of(w.lower())) for w in words]
    new = forms[0][1]
    if (not _LABEL_NAME.match(new) or new in _NOT_A_NAME or new in APPLICATION_LABELS
            or new in extracted | used_labels(expr)
            or any(_misspelt(form, old) for both in forms for form in both)):
        return None
    return QueryWarning("naming", f"the answer is broken down by {old}, which no word of the "
                        f'question names ("{match.group(0).strip()}")', LIGHT,
                        Fix(format_ast(rename_field(expr, old, new)), f"call {old} {new}"))


def _misspelt(word: str, name: str) -> bool:
    """Whether ``word`` reads as ``name`` misspelt ("uuds", "uesr", "staus"): as long, give
    or take a letter, and mostly the same letters in order."""
    return abs(len(word) - len(name)) <= 1 and \
        difflib.SequenceMatcher(None, word, name).ratio() >= 0.6


# ---- fields ---------------------------------------------------------------------------------

# Vector aggregations whose series keep every label of the series they take.
_KEEPING = ("topk", "bottomk", "approx_topk", "sort", "sort_desc")
TEMPLATE_FIELD = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)")


DURATION_UNITS = frozenset("s sec secs second seconds ms millis milliseconds min mins minute "
                           "minutes us µs usec usecs microsecond microseconds ns nanosecond "
                           "nanoseconds".split())
ASKS_DURATION = re.compile(r"\b(?:time|duration|latency|how long|took|(?:milli|micro|nano)?"
                           r"seconds|secs)\b", re.I)


def is_time_unit(word: str | None) -> bool:
    """Whether a unit written after a value (``ms``, ``seconds``) is one of time."""
    return (word or "").lower() in DURATION_UNITS


SIZE_UNITS = frozenset("b byte bytes kb kib mb mib gb gib".split())
ASKS_SIZE = re.compile(r"\b(?:size|sizes|bytes|how big|how large)\b", re.I)


def is_size_unit(word: str | None) -> bool:
    """Whether a unit written after a value (``bytes``, ``MB``) is one of size."""
    return (word or "").lower() in SIZE_UNITS


def unit_in_stage(stage: ast.Node, field: str) -> str | None:
    """The word a ``pattern`` or ``regexp`` stage writes right after ``field`` (``<took>
    ms``, ``(?P<took>\\d+)\\s+ms``): what it measures, or None."""
    if isinstance(stage, ast.PatternParser):
        found = re.search(rf"<{re.escape(field)}>\s*([A-Za-z]+)", stage.pattern)
    elif isinstance(stage, ast.RegexpParser):
        found = re.search(rf"\(\?P<{re.escape(field)}>(?:[^()\\]|\\.|\([^()]*\))*\)"
                          r"(?:\\s[*+?]?| )*([A-Za-z]+)", stage.pattern)
    else:
        return None
    return found.group(1) if found else None


def text_after(stage: ast.Node, field: str) -> str:
    """The fixed text a ``pattern`` or ``regexp`` stage writes after ``field``, up to the
    next field (``(?P<bytes>\\S+)\\s+bytes\\s+sent,``: "bytes sent,")."""
    if isinstance(stage, ast.PatternParser):
        found = re.search(rf"<{re.escape(field)}>([^<]*)", stage.pattern)
        return found.group(1) if found else ""
    if isinstance(stage, ast.RegexpParser):
        found = re.search(rf"\(\?P<{re.escape(field)}>(?:[^()\\]|\\.|\([^()]*\))*\)"
                          r"((?:[^(\\]|\\.)*)", stage.pattern)
        if found:
            return re.sub(r"\\[sS][*+?]?|\\(.)", lambda m: m.group(1) or " ", found.group(1))
    return ""


# What a question asks of a value, the measure, how the question says so, and the units
# the lines write it in.
MEASURES = (("how long", "time", ASKS_DURATION, is_time_unit),
            ("how big", "size", ASKS_SIZE, is_size_unit))


def _measured(question: str, stage: ast.Node, field: str) -> bool:
    """Whether ``field`` is written before a unit of a measure the question asks (how
    long, how big): the value asked, not a label nobody asked for."""
    unit = unit_in_stage(stage, field)
    return any(asks.search(question) and is_unit(unit) for _, _, asks, is_unit in MEASURES)


def _fields(question: str, expr: ast.Expr) -> Optional[QueryWarning]:
    if any(expr.find_all(ast.DropLabels, ast.KeepLabels, ast.LabelReplace)):
        return None  # the query manages its labels itself
    used = used_labels(expr)
    fixed, unused = expr, []
    queries = ([expr] if isinstance(expr, ast.LogQuery)
               else [log_range.query for log_range in _labelled_ranges(expr)])
    for query in queries:
        for stage in query.stages:
            if not isinstance(stage, (ast.PatternParser, ast.RegexpParser)):
                continue
            names = [f for f in parser_fields(stage)
                     if f not in used and not _asks_each(question, f)
                     and not _measured(question, stage, f)]
            if query is expr and (names != parser_fields(stage)
                                  or any(names_field(question, f) for f in names)):
                continue  # log lines: a parser may keep a field or two unused, or one named
            if names:
                unused += names
                fixed = replace_node(fixed, stage, _without_captures(stage, names))
    if not unused:
        return None
    names = ", ".join(dict.fromkeys(unused))
    return QueryWarning("fields", f"the extracted {names} become labels of the answer's series "
                        "(one series or stream per value) though nothing asks for them", MEDIUM,
                        Fix(format_ast(fixed), f"extract no {names}"))


# Lines asked for in other words than the log's: formatted, as a template, some of their
# fields only ("formatted as '<ip>'", "reformat ... to show user", "showing only block id
# and size", "including the timestamp and source IP", "print each build as ...").
_FORMAT_ASKED = re.compile(r"\b(?:re)?(?:format|fomat|fomrat|fromat|formta)|\brewrit"
                           r"|\bas (?:['\"`<]|\S+:)|\bshow(?:ing)? only\b|\bto show\b"
                           r"|\bonly the\b|\bjust the\b|\bprint|\binclud"
                           r"|\b(?:with|and) (?:their|its)\b", re.I)
_LINES_ASKED = re.compile(r"\b(?:lines?|messages?|entries|events?|logs?)\b", re.I)


def _rewritten(question: str, expr: ast.LogQuery) -> Optional[QueryWarning]:
    """Log lines asked for as they are ("show the audit lines"), which the query rewrites
    (``line_format``): the answer's lines are then the model's, not the log's, so the
    rewrite goes. A question that names no lines may ask for a value written as one, but
    not where it names each field written only by the value it keeps ("the failures for
    user guest" written as ``{{.euid}} {{.user}}``)."""
    formats = [s for s in expr.stages if isinstance(s, ast.LineFormat)]
    if not formats or _FORMAT_ASKED.search(question) or not _LINES_ASKED.search(question) and \
            not _only_constrained(question, expr, formats):
        return None
    fixed = expr.replace(stages=tuple(s for s in expr.stages if s not in formats))
    return QueryWarning("format", f"`{format_ast(formats[0])[2:]}` rewrites the lines, though "
                        "the question asks for them as they are", MEDIUM,
                        Fix(format_ast(fixed), "keep the lines as they are"))


def _only_constrained(question: str, expr: ast.LogQuery, formats: list) -> bool:
    """Whether the question names each field the formats write, if at all, only followed
    by a value the query keeps its lines by ("user guest", "user=guest")."""
    kept = " ".join(t.value for s in expr.stages if isinstance(s, ast.LineFilter)
                    for t in s.terms).lower()
    fields = {f for s in formats for f in TEMPLATE_FIELD.findall(s.template)}
    if not fields:
        return False
    for field in fields:
        for word in _field_words(field):
            for found in re.finditer(rf"\b{word}s?\b\s*[=:]?\s*([\w-]+(?:\.[\w-]+)*)?",
                                     question, re.I):
                if not found.group(1) or found.group(1).lower() not in kept:
                    return False
    return True


def _asks_each(question: str, field: str) -> bool:
    """Whether the question wants an answer per value of ``field``: it names the field (or
    a part of four letters or more) in the plural or after "which", "each", "per"
    ("the time to build instances", "which DataNode"), not as a modifier ("block sizes")."""
    return any(re.search(rf"\b(?:(?:which|each|every|per)\s+{w}s?|{w}s)\b", question, re.I)
               for w in _field_words(field))


# An outer aggregation gives the same number over a range aggregation's series however
# finely they are split: a sum of counts, a max of maxima. Any other pair (an average of
# averages, a count of series, a max of counts) changes with every extra label.
_SPLIT_FREE = {"sum": frozenset({"count_over_time", "rate", "bytes_over_time", "bytes_rate",
                                 "sum_over_time"}),
               "max": frozenset({"max_over_time"}), "min": frozenset({"min_over_time"})}


def _labelled_ranges(node: ast.Node, kept: bool = True, outer: str | None = None):
    """The log ranges whose extracted labels reach the answer's series, or change its
    numbers (``outer``: the aggregation right above a range aggregation)."""
    if isinstance(node, ast.VectorAggregation):
        keeps = node.op in _KEEPING or bool(node.grouping and node.grouping.without)
        yield from _labelled_ranges(node.expr, kept and keeps, node.op)
    elif isinstance(node, ast.RangeAggregation):
        splits = outer is not None and node.op not in _SPLIT_FREE.get(outer, ())
        if (kept or splits) and (node.grouping is None or node.grouping.without):
            yield node.range
    elif isinstance(node, ast.BinaryOp):
        yield from _labelled_ranges(node.left, kept)
        yield from _labelled_ranges(node.right, kept)


def used_labels(expr: ast.Expr) -> set[str]:
    """Every label the query names after extracting it: groupings, vector matching,
    unwraps, label filters and the fields formats refer to."""
    used: set[str] = set()
    for node in expr.walk():
        if isinstance(node, (ast.Grouping, ast.VectorMatching)):
            used.update(node.labels)
        elif isinstance(node, ast.Unwrap):
            used.add(node.label)
        elif isinstance(node, (ast.StringFilter, ast.NumberFilter, ast.DurationFilter,
                               ast.BytesFilter, ast.IpFilter)):
            used.add(node.matcher.name if isinstance(node, ast.StringFilter) else node.name)
        elif isinstance(node, ast.LabelFormatItem):
            used.add(node.dst)
            used.update(TEMPLATE_FIELD.findall(node.src) if node.template else [node.src])
        elif isinstance(node, ast.LineFormat):
            used.update(TEMPLATE_FIELD.findall(node.template))
    return used


def _without_captures(stage: ast.Node, names: list[str]) -> Optional[ast.Node]:
    """``stage`` extracting none of ``names`` (None: it would extract nothing: it goes,
    as a parser keeps every line either way)."""
    changed = stage.replace(pattern=without_captures(
        stage.pattern, names, pattern=isinstance(stage, ast.PatternParser)))
    return changed if parser_fields(changed) else None
