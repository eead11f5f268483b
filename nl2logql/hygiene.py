"""Data hygiene: question/LogQL pairs whose gold contradicts its own question.

Three rules, each conservative (a false flag throws good data away, a missed one only keeps
some noise):

- ``range``: the question states a window ("in the last hour") and none of the query's
  ranges is that window (``[30d]``);
- ``grouping``: the question asks for a breakdown ("per user", "grouped by host", "top 3")
  and the query's answer collapses to one series (no ``by``/``without``, no ``topk``);
- ``application``: the question names applications and the query selects another one.

Flags come from the pairs alone (no backend): :func:`flagged_ids` is cached, because
:func:`nl2logql.datasets.load_split` asks for them on every call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Collection, Iterable, Optional

from nl2logql.datasets import Pair
from nl2logql.errors import QueryError
from nl2logql.logql import ast
from nl2logql.logql.parser import parse
from nl2logql.logql.units import format_duration
from nl2logql.timephrases import Window, find_windows

RULES = ("range", "grouping", "application")
_NS = 10**9


@dataclass(frozen=True)
class Flag:
    """One contradiction between a pair's question and its gold; ``reason`` is one line."""

    pair_id: str
    rule: str
    reason: str


def flag_pair(pair: Pair, applications: Collection[str]) -> list[Flag]:
    """The rules ``pair`` breaks; none when its gold does not parse (that is :func:`is_valid`'s
    business)."""
    try:
        expr = parse(pair.logql)
    except QueryError:
        return []
    reasons = [("range", _range_reason(pair.question, expr)),
               ("grouping", _grouping_reason(pair.question, expr)),
               ("application", _application_reason(pair.question, expr, applications))]
    return [Flag(pair.id, rule, reason) for rule, reason in reasons if reason]


def known_applications(pairs: Iterable[Pair]) -> list[str]:
    """The values of ``application="..."`` matchers in the pairs' golds, sorted."""
    found = set()
    for pair in pairs:
        try:
            expr = parse(pair.logql)
        except QueryError:
            continue
        found.update(m.value for m in _app_matchers(expr) if m.op == "=")
    return sorted(found)


def flag_pairs(pairs: Iterable[Pair]) -> dict[str, list[Flag]]:
    """Flags by pair id, for the pairs that break a rule."""
    pairs = list(pairs)
    applications = known_applications(pairs)
    flags = {pair.id: flag_pair(pair, applications) for pair in pairs}
    return {pair_id: found for pair_id, found in flags.items() if found}


@lru_cache(maxsize=8)
def flagged_ids(pairs: tuple[Pair, ...]) -> frozenset[str]:
    """Ids of the flagged pairs (cached: a pure function of the pairs' texts)."""
    return frozenset(flag_pairs(pairs))


# ---- range --------------------------------------------------------------------------------

# Words that put the window before now; find_windows may read "the one-hour window that
# ended an hour ago" as the last hour, so an offset alone is no contradiction after them.
_OFFSET_CUES = re.compile(r"\b(?:ago|before|earlier|ended|ending|prior to|yesterday)\b", re.I)


def _range_reason(question: str, expr: ast.Expr) -> Optional[str]:
    windows = find_windows(question)
    ranges = [(r.range // _NS, r.offset // _NS) for r in expr.find_all(ast.LogRange)]
    if not windows or not ranges:
        return None
    offsets_loose = _OFFSET_CUES.search(question) is not None
    for window in windows:
        for seconds, offset in ranges:
            if window.seconds == seconds and (window.offset == offset or offsets_loose):
                return None
    stated = ", ".join(f'"{_phrase_of(question, w)}" ({_window_text(w.seconds, w.offset)})'
                       for w in windows)
    actual = ", ".join(_window_text(s, o, brackets=True) for s, o in dict.fromkeys(ranges))
    return f"question says {stated} but the query's ranges are {actual}"


def _window_text(seconds: int, offset: int, brackets: bool = False) -> str:
    """``1h offset 2h``, or ``[1h] offset 2h`` as a query writes it."""
    text = format_duration(seconds * _NS)
    text = f"[{text}]" if brackets else text
    return f"{text} offset {format_duration(offset * _NS)}" if offset else text


def _phrase_of(question: str, window: Window) -> str:
    """The shortest run of the question's words that states ``window`` (for the reason)."""
    words = question.split()
    for length in range(1, 9):
        for start in range(len(words) - length + 1):
            text = " ".join(words[start:start + length])
            if find_windows(text) == [window]:
                return text.strip(",.?;:!")
    return window.range


# ---- grouping -----------------------------------------------------------------------------

# Words after "per"/"for each" that do not name a dimension: time units, "per cent", and
# the items a rate or an average is taken over ("per request", "per instance claim").
_NOT_A_DIMENSION = (r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?"
                    r"|years?|\d[\w.]*|cent|percent|a|an|the|one|each|every|events?|lines?"
                    r"|messages?|entry|entries|requests?|calls?|instance claims?|occurrences?"
                    r"|attempts?)")
_COUNT_WORD = r"(?:\d+|two|three|four|five|ten)"
# A breakdown: "per user", "for each host", "grouped by application", "top 3 IPs", "which
# hosts", "the most common exceptions". A bare "by" is too often passive ("received by
# DataNodes") to count.
_BREAKDOWN = re.compile(
    rf"\b(?:per|for each|for every|from each|(?:broken|break|breaks) down by"
    rf"|(?:grouped|group|split) by)[ -](?!{_NOT_A_DIMENSION}\b)[a-z]\w*"
    rf"|\btop {_COUNT_WORD} [a-z]\w*"
    rf"|\bwhich (?!(?:is|was|has|does|this|its)\b)[a-z]\w*s\b"
    rf"|\bthe most (?:common|frequent) [a-z]\w*s\b", re.I)


def _grouping_reason(question: str, expr: ast.Expr) -> Optional[str]:
    if ast.kind(expr) == "log" or _keeps_labels(expr):
        return None
    if any(g.labels or g.without for g in expr.find_all(ast.Grouping)):
        return None
    match = _BREAKDOWN.search(question)
    if not match:
        return None
    return (f'question asks for a breakdown ("{match.group(0).strip()}") but the query '
            "aggregates to one series (no by/without, no topk/bottomk)")


def _keeps_labels(expr: ast.Node) -> bool:
    """Whether the answer can have more than one series (so it can be a breakdown)."""
    if isinstance(expr, ast.VectorAggregation):
        if expr.op in ("topk", "bottomk", "approx_topk") or expr.grouping:
            return True
        return expr.op in ("sort", "sort_desc") and _keeps_labels(expr.expr)
    if isinstance(expr, ast.RangeAggregation):
        return True  # a range aggregation keeps every stream's labels
    if isinstance(expr, ast.BinaryOp):
        return _keeps_labels(expr.left) or _keeps_labels(expr.right)
    if isinstance(expr, ast.LabelReplace):
        return _keeps_labels(expr.expr)
    return isinstance(expr, ast.LogQuery)


# ---- application --------------------------------------------------------------------------

def _app_matchers(expr: ast.Expr) -> list[ast.Matcher]:
    return [m for selector in expr.find_all(ast.Selector) for m in selector.matchers
            if m.name == "application"]


def _named_applications(question: str, applications: Collection[str]) -> list[str]:
    """The applications ``question`` names, longest first; a name found is blanked out so
    ``openssh-eu-west`` does not also count as ``openssh``."""
    from nl2logql.generation.schema import mentioned  # heavy import: only when needed

    named = []
    for name in sorted(applications, key=lambda a: (-len(a), a)):
        if mentioned(name, question):
            named.append(name)
            question = re.sub(re.escape(name), " ", question, flags=re.I)
    return named


def _application_reason(question: str, expr: ast.Expr,
                        applications: Collection[str]) -> Optional[str]:
    named = _named_applications(question, applications)
    if not named:
        return None
    lowered = {name.lower() for name in named}
    for matcher in _app_matchers(expr):
        if matcher.op == "=" and not _covers(lowered, matcher.value.lower()):
            return (f"question names {', '.join(named)} but the query selects "
                    f'application="{matcher.value}"')
        if matcher.op == "=~" and not any(_full_match(matcher.value, n) for n in named):
            return (f"question names {', '.join(named)} but the query selects "
                    f'application=~"{matcher.value}", which matches none of them')
    return None


def _covers(named: set[str], value: str) -> bool:
    """Whether ``value`` is one of the named applications. A bare system word ("hdfs")
    also covers its deployments (``hdfs-eu-west``): it is as often the software's name."""
    return value in named or any("-" not in n and value.startswith(n + "-") for n in named)


def _full_match(pattern: str, value: str) -> bool:
    try:
        return re.fullmatch(pattern, value) is not None  # Loki anchors label regexes
    except re.error:
        return True  # a regex Python cannot read: no evidence of a contradiction
