"""Loki's pattern syntax (``| pattern "<ip> - <_> [<ts>]"`` and the ``|>`` line filter).

A pattern is literal text and captures: ``<name>`` extracts a label, ``<_>`` skips.
Two captures may not touch, and a parser pattern needs at least one named capture.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CAPTURE = re.compile(r"<(_|[a-zA-Z_][a-zA-Z0-9_]*)>")


class PatternError(ValueError):
    pass


@dataclass(frozen=True)
class Capture:
    name: str  # "_" for an unnamed capture

    @property
    def named(self) -> bool:
        return self.name != "_"


def parse_pattern(pattern: str, require_capture: bool = True) -> list[str | Capture]:
    """Split ``pattern`` into literal strings and captures; ``PatternError`` if Loki rejects it."""
    parts: list[str | Capture] = []
    pos = 0
    for match in _CAPTURE.finditer(pattern):
        if match.start() > pos:
            parts.append(pattern[pos : match.start()])
        if parts and isinstance(parts[-1], Capture):
            raise PatternError(f"consecutive captures <{parts[-1].name}><{match.group(1)}> "
                               "are not allowed: put literal text between them")
        parts.append(Capture(match.group(1)))
        pos = match.end()
    if pos < len(pattern):
        parts.append(pattern[pos:])
    names = [p.name for p in parts if isinstance(p, Capture) and p.named]
    if require_capture and not names:
        raise PatternError("at least one named capture such as <status> is required")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise PatternError(f"duplicate capture name <{duplicates[0]}>")
    if not parts:
        raise PatternError("the pattern is empty")
    return parts
