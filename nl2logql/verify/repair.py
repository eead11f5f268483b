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
MAX_REPAIRS = 5


@dataclass
class Repaired:
    query: str
    warnings: list[QueryWarning]
    repairs: list[str] = field(default_factory=list)  # "what changed (why)", in order


def repair(checker: Checker, question: str, query: str,
           warnings: list[QueryWarning]) -> Repaired:
    """``query`` with the fixes that make it better, or as it was."""
    current = Repaired(query, warnings)
    for _ in range(MAX_REPAIRS):
        better = _one_fix(checker, question, current)
        if better is None:
            break
        current = better
    return current


def _one_fix(checker: Checker, question: str, current: Repaired) -> Repaired | None:
    """The first fix, heaviest warning first, whose query checks lighter; else the first
    two fixes in a row that do, through a query that checks no heavier (a fix may bring
    out what the next one mends: a garbled label renamed to a field, then its filter of
    the wrong type dropped)."""
    level = []
    for warning in current.warnings:
        step = _apply(checker, question, current, warning)
        if step is None:
            continue
        if weight(step.warnings) < weight(current.warnings):
            return step
        if weight(step.warnings) == weight(current.warnings):
            level.append(step)
    for step in level:
        for warning in step.warnings:
            after = _apply(checker, question, step, warning)
            if after is not None and weight(after.warnings) < weight(current.warnings):
                return after
    return None


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
