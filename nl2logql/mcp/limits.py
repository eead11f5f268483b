"""What the MCP tools accept and how much they return.

An agent sends whatever it has (a pasted log file, a stray escape sequence), and reads
all it gets back into its context: so inputs are checked before any work, and results
are cut to fixed sizes, with the cut said in the output.
"""

from __future__ import annotations

import re
from typing import Any

from nl2logql.errors import ArgumentError
from nl2logql.generation.prompt import MAX_QUESTION_CHARS

MAX_QUERY_CHARS = 20_000       # a LogQL query or selector
MAX_NAME_CHARS = 200           # a label name
DEFAULT_LINES = 100            # log lines run_logql returns unless asked
MAX_LINES = 1_000              # log lines run_logql returns at most
MAX_LINE_CHARS = 2_000         # of one log line (or pattern example)
MAX_SERIES = 200               # series of a metric result
MAX_POINTS = 500               # values per series of a range query (the newest kept)
MAX_VALUES = 1_000             # values label_values returns
MAX_CANDIDATES = 8             # generate_logql's n

# C0 and C1 control characters, less tab, newline and carriage return (queries may span lines).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def checked_text(value: Any, what: str, limit: int) -> str:
    """``value`` when it is non-empty text of at most ``limit`` characters with no control
    characters; else a :class:`ArgumentError` saying which rule it broke."""
    if not isinstance(value, str):
        raise ArgumentError(f"the {what} must be a string, not {type(value).__name__}")
    if len(value) > limit:
        raise ArgumentError(f"the {what} is {len(value):,} characters long; "
                             f"at most {limit:,} are accepted")
    bad = _CONTROL.search(value)
    if bad:
        raise ArgumentError(f"the {what} holds a control character (U+{ord(bad.group()):04X} "
                             f"at character {bad.start() + 1}); send plain text")
    if not value.strip():
        raise ArgumentError(f"the {what} is empty")
    return value


def checked_label_name(value: Any) -> str:
    name = checked_text(value, "label name", MAX_NAME_CHARS).strip()
    if not _LABEL_NAME.fullmatch(name):
        raise ArgumentError(f"{name!r} is not a label name (letters, digits and _, "
                             "not starting with a digit)")
    return name


def checked_range(value: int, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ArgumentError(f"{what} must be a whole number from {low} to {high}, got {value!r}")
    return value


def caps_text(limit: int) -> str:
    """The caps a run result was cut to, said once, in words."""
    return (f"at most {limit:,} log lines, each cut at {MAX_LINE_CHARS:,} characters; "
            f"at most {MAX_SERIES} series of at most {MAX_POINTS} values each")


def cut_line(line: str) -> tuple[str, bool]:
    if len(line) <= MAX_LINE_CHARS:
        return line, False
    return f"{line[:MAX_LINE_CHARS]}… [{len(line) - MAX_LINE_CHARS:,} more characters cut]", True


def bounded(data: dict, limit: int) -> tuple[dict, list[str]]:
    """Loki's ``data`` cut to the caps, and one note per kind of cut made."""
    kind, result = data.get("resultType"), data.get("result", [])
    notes: list[str] = []
    if kind == "streams":
        result, notes = _bounded_streams(result, limit)
    elif kind in ("vector", "matrix"):
        if len(result) > MAX_SERIES:
            notes.append(f"{len(result) - MAX_SERIES:,} series past the first {MAX_SERIES} "
                         "left out")
            result = result[:MAX_SERIES]
        if kind == "matrix":
            long = sum(1 for series in result if len(series["values"]) > MAX_POINTS)
            if long:
                notes.append(f"{long} series cut to their newest {MAX_POINTS} values")
                result = [{**s, "values": s["values"][-MAX_POINTS:]} for s in result]
    return {**data, "result": result}, notes


def _bounded_streams(streams: list[dict], limit: int) -> tuple[list[dict], list[str]]:
    out, left, cut, dropped = [], limit, 0, 0
    for stream in streams:
        values = stream["values"][:max(left, 0)]
        dropped += len(stream["values"]) - len(values)
        left -= len(values)
        kept = []
        for value in values:
            line, was_cut = cut_line(value[1])
            cut += was_cut
            kept.append([value[0], line, *value[2:]])
        if kept:
            out.append({**stream, "values": kept})
    notes = []
    if dropped:
        notes.append(f"{dropped:,} lines past the first {limit:,} left out")
    if cut:
        notes.append(f"{cut:,} lines cut at {MAX_LINE_CHARS:,} characters")
    return out, notes

