"""What a check finds: a named warning with a one-line reason and, where one exists, a fix;
and the level an answer reaches."""

from __future__ import annotations

from dataclasses import dataclass

# How much a warning counts against a candidate when ranking (fewer and lighter win).
LIGHT, MEDIUM, HEAVY = 1, 2, 3

# An answer's level, lowest first.
PARSES = "parses"
RETURNS_DATA = "returns data"
CHECKED = "passed every check"
LEVELS = (PARSES, RETURNS_DATA, CHECKED)

# What is done with candidates after they parse: "none" ranks them by validity, data
# returned and likelihood; "rank" also checks each one and ranks by the warnings; "repair"
# also applies the best one's fixes.
CHECK_MODES = ("none", "rank", "repair")
DEFAULT_RESAMPLE = 0  # candidates sampled when the first ones fail the checks


@dataclass(frozen=True)
class Fix:
    """A repaired query and what was changed, in a few words."""

    query: str
    change: str


@dataclass(frozen=True)
class QueryWarning:
    """One thing a check found wrong with a query.

    ``check`` names the check (``line_filter``, ``parser``, ``label``, ``selector``,
    ``stream``, ``unfiltered``, ``empty``, ``range``, ``grouping``, ``application``,
    ``loop``, ``literal``, and the shape's ``unit``, ``order``, ``threshold``, ``value``,
    ``invented``, ``share``, ``combined``, ``function``, ``period``, ``offset``, ``ranked``,
    ``naming``, ``fields``; the data's ``series``, ``program``),
    ``reason`` says why in one line, ``severity`` is :data:`LIGHT`, :data:`MEDIUM` or
    :data:`HEAVY`.
    """

    check: str
    reason: str
    severity: int = MEDIUM
    fix: Fix | None = None

    def to_dict(self) -> dict:
        return {"check": self.check, "reason": self.reason, "severity": self.severity,
                "fix": None if self.fix is None else {"query": self.fix.query,
                                                      "change": self.fix.change}}


def weight(warnings) -> int:
    """The total severity: what ranking minimises. Warnings with the same fix are two
    symptoms of one fault (a regexp that extracts nothing, and the label it should have
    given missing), so they count once, at the heaviest."""
    heaviest: dict = {}
    for number, warning in enumerate(warnings):
        key = warning.fix.query if warning.fix is not None else number
        heaviest[key] = max(heaviest.get(key, 0), warning.severity)
    return sum(heaviest.values())
