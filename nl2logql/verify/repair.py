"""Repair a query by the fixes its warnings carry: apply one, check the result again, keep
it only when it is better (lighter warnings in all), or two in a row when the first alone
is no worse and the pair is better; repeat while that helps. A repair is never returned
unchecked: what comes back carries its own, fresh warnings."""

from __future__ import annotations

from dataclasses import dataclass, field

from nl2logql.errors import QueryError
from nl2logql.logql.parser import parse
from nl2logql.verify.checker import Checker
from nl2logql.verify.findings import QueryWarning, weight

# Fixes applied one after another to one query (a parser rebuilt from a pattern may bring
# back the fields an earlier fix took out).
MAX_REPAIRS = 6
BEAM = 3  # queries whose fixes are tried in each round


@dataclass
class Repaired:
    query: str
    warnings: list[QueryWarning]
    repairs: list[str] = field(default_factory=list)  # "what changed (why)", in order


def repair(checker: Checker, question: str, query: str,
           warnings: list[QueryWarning]) -> Repaired:
    """``query`` with the fixes that make it lightest, or as it was. A beam search: each
    round applies every fix of the :data:`BEAM` lightest queries so far; a fix may make
    things worse before the next one mends them (a filter dropped shows that the text
    left goes on past the question), so a step may be heavier than where it started."""
    best = Repaired(query, warnings)
    frontier, seen = [best], {query}
    for _ in range(MAX_REPAIRS):
        steps = []
        for current in frontier:
            for warning in current.warnings:
                step = _apply(checker, question, current, warning)
                if step is None or step.query in seen:
                    continue
                seen.add(step.query)
                steps.append(step)
                if weight(step.warnings) < weight(best.warnings):
                    best = step
        frontier = sorted(steps, key=lambda s: weight(s.warnings))[:BEAM]
    return best


def _apply(checker: Checker, question: str, current: Repaired,
           warning: QueryWarning) -> Repaired | None:
    """``current`` with the fix of ``warning``, freshly checked; None when it has none."""
    if warning.fix is None or warning.fix.query == current.query:
        return None
    try:
        found = checker.check(question, parse(warning.fix.query))
    except QueryError:  # a fix must parse; one that does not is a bug, not a repair
        return None
    note = f"{warning.fix.change} ({warning.reason})"
    return Repaired(warning.fix.query, found, current.repairs + [note])
