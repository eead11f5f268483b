"""Data hygiene: question/LogQL pairs whose gold contradicts its own question.

The rules (range, grouping, application) are :mod:`nl2logql.verify.agreement`'s, which
the answer checks share.

Flags come from the pairs alone (no backend): :func:`flagged_ids` is cached, because
:func:`nl2logql.datasets.load_split` asks for them on every call.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Collection, Iterable

from nl2logql.datasets import Pair
from nl2logql.errors import QueryError
from nl2logql.logql.parser import parse
from nl2logql.verify.agreement import (app_matchers, application_reason, grouping_reason,
                                       range_reason)

RULES = ("range", "grouping", "application")


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
    reasons = [("range", range_reason(pair.question, expr)),
               ("grouping", grouping_reason(pair.question, expr)),
               ("application", application_reason(pair.question, expr, applications))]
    return [Flag(pair.id, rule, reason) for rule, reason in reasons if reason]


def known_applications(pairs: Iterable[Pair]) -> list[str]:
    """The values of ``application="..."`` matchers in the pairs' golds, sorted."""
    found = set()
    for pair in pairs:
        try:
            expr = parse(pair.logql)
        except QueryError:
            continue
        found.update(m.value for m in app_matchers(expr) if m.op == "=")
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
