"""Log levels read from lines, as Loki 3's ``detected_level``.

With log level discovery on, Loki 3 attaches ``detected_level`` to each entry as
structured metadata, not as a stream label, so it is used in the pipeline
(``{app="x"} | detected_level="error"``) and can be grouped by (``sum by
(detected_level) (count_over_time({app="x"}[1h]))``). The file loaders do the same.

Values are Loki 3's (``constants.LogLevel*`` in its distributor): ``trace``, ``debug``,
``info``, ``warn``, ``error``, ``critical``, ``fatal``, and ``unknown`` for a line
without a level. Loki maps trace/trc, debug/dbg, info/inf/information, warn/wrn/warning,
error/err, critical and fatal (any case); the words it does not know go to the nearest
of its values: notice → info (syslog's 5), severe → error (java.util.logging),
crit/emerg/alert → critical (syslog's 0 to 2), panic → fatal (Go, zap), verbose and
logcat's ``V`` → trace.

Unlike Loki, which falls back on finding "info" or "error" anywhere in the line, a line
gets a level only from a level token in its first 120 characters (BGL's comes after two
times and two node names); a line without one gets ``unknown``, as in Loki 3 (its
distributor attaches ``detected_level="unknown"`` then). A file has levels when at least
1 in 50 of a sample of its lines has one, as for its timestamps: a format without them
(syslog) gets none from a word in a few messages (and costs no search): all its lines
are ``unknown``. In a file with a level on nearly every line, the search starts where
the sample has it first. The tokens, leftmost first:

- ``level=error``, ``lvl=warn``, ``severity="info"`` (logfmt); ``"level":"error"``
  (JSON written as text);
- ``[error]``, ``[ WARN ]``, ``[core:error]`` (Apache 2.4), ``<Error>`` (macOS);
- ``ERROR`` or ``Error`` as a whole word (log4j, Python logging, zerolog's ``INF``,
  Windows' ``Info``); lower case only in the forms above;
- a letter: klog's ``E0101 ...`` at the start; logcat's ``... 1702  2395 D Tag:``, after
  a number;
- a syslog priority at the start: ``<3>`` is error (severity = priority % 8).
"""

from __future__ import annotations

import re
from itertools import repeat
from typing import Sequence

from nl2logql.engine.backend import DETECTED_LEVEL, UNKNOWN_LEVEL
from nl2logql.engine.loaders.timestamps import sample_lines
from nl2logql.engine.store import Metadata

WINDOW = 120  # characters searched, from the start of the line
WORDS = {  # Loki 3's value -> the words that say it (any case)
    "trace": ("trace", "trc", "verbose"),
    "debug": ("debug", "dbg"),
    "info": ("information", "info", "inf", "notice"),
    "warn": ("warning", "warn", "wrn"),
    "error": ("error", "err", "severe"),
    "critical": ("critical", "crit", "emerg", "alert"),
    "fatal": ("fatal", "panic"),
}
LETTERS = {"V": "trace", "D": "debug", "I": "info", "W": "warn", "E": "error", "F": "fatal",
           "A": "fatal"}  # logcat's (A: assert); klog's are I, W, E, F
SYSLOG_SEVERITIES = ("critical", "critical", "critical", "error", "warn", "info", "info",
                     "debug")  # emerg, alert, crit, err, warning, notice, info, debug
KEYS = ("level", "lvl", "severity", "log.level")  # logfmt and JSON fields
# A capitalized word (``Error``) counts only if it starts in this many first characters,
# where headers have it (Windows' ``Info``); further on it is more often prose
# (Thunderbird's ``CPU: Trace cache``, macOS's ``IOPMPowerSource Information:``).
CAPITALIZED_WITHIN = 40
_WORD_LEVEL = {word: level for level, words in WORDS.items() for word in words}
_NOT_IN_NAME = r"[\w./-]"  # a level word is not part of a name or a path


def _by_level(levels: dict[str, str]) -> dict[str, list[str]]:
    """``{"E": "error", "F": "fatal", "A": "fatal"}`` as ``{"error": ["E"], "fatal":
    ["F", "A"]}``."""
    grouped: dict[str, list[str]] = {}
    for text, level in levels.items():
        grouped.setdefault(level, []).append(text)
    return grouped


def _compile() -> tuple[re.Pattern, list[str | None]]:
    """The regex and, for each of its groups, the level it means. Each group holds
    forms of one level, or is empty, so ``match.lastindex`` tells the level (the fewer
    groups, the cheaper a match). Each branch starts with a literal character: ``re``
    then skips to the characters that can start a match instead of trying every branch
    everywhere."""
    levels: list[str | None] = [None]  # group 0, the whole match

    def one_of(forms: dict[str, list[str]]) -> str:
        """A group for each level (key) matching any of its forms (regexes)."""
        groups = []
        for level, texts in forms.items():
            levels.append(level)
            groups.append(f"({'|'.join(texts)})")
        return f"(?:{'|'.join(groups)})"

    def escaped(forms: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
        return {level: [re.escape(text) for text in texts] for level, texts in forms.items()}

    def any_case() -> str:
        return f"(?i:{one_of(escaped(WORDS))})"

    # Lookbehinds placed after a branch's first character (a literal, see above).
    at_start = "(?<!..)"  # that character was the line's first
    early = f"(?<![\\s\\S]{{{CAPITALIZED_WITHIN + 1}}})"  # it is within CAPITALIZED_WITHIN
    keys = "|".join(f"(?<=(?i:{re.escape(key)})=)" for key in KEYS)
    # The regex's groups are numbered in the order written: each call below comes in turn.
    branches = [
        f'=(?:{keys})"?{any_case()}(?!{_NOT_IN_NAME})',
        rf'"(?i:{"|".join(map(re.escape, KEYS))})"\s*:\s*"{any_case()}"',
        rf"\[ *(?:[\w-]+:)?{any_case()} *\]",
        f"<(?:{any_case()}>|{at_start}"
        + one_of(_by_level({str(p): SYSLOG_SEVERITIES[p % 8] for p in range(192)})) + ">)",
        # logcat: 16:13:38.811  1702  2395 D WindowManager: ...
        r"\.(?<=:\d\d\.)\d{3} +\d+ +\d+ +" + one_of(_by_level(LETTERS)) + " ",
    ]
    # Bare words, one branch a first letter: ERROR anywhere in the window, Error early.
    rests: dict[str, dict[str, list[str]]] = {}  # first letter -> level -> forms of the rest
    for level, words in WORDS.items():
        for first in dict.fromkeys(word[0].upper() for word in words):  # in order
            ends = [re.escape(word[1:]) for word in words if word[0].upper() == first]
            # The lookbehind is slow (it reads 41 characters): only for lower case.
            rests.setdefault(first, {})[level] = [
                *(end.upper() for end in ends), f"(?=[a-z]){early}(?:{'|'.join(ends)})"]
    for first, forms in rests.items():
        branch = f"{first}(?:(?<!{_NOT_IN_NAME}.){one_of(forms)}(?!{_NOT_IN_NAME})"
        if first in "IWEF":  # klog: E0101 00:00:00.525108 ...
            branch += rf"|{at_start}{one_of({LETTERS[first]: ['']})}(?=\d{{4}} \d)"
        branches.append(branch + ")")
    regex = re.compile("|".join(branches))
    assert regex.groups == len(levels) - 1
    return regex, levels


_REGEX, _GROUP_LEVELS = _compile()
# One shared metadata dict a level: a loaded line costs one reference.
_SHARED = {level: {DETECTED_LEVEL: level} for level in (*WORDS, UNKNOWN_LEVEL)}
_UNKNOWN = _SHARED[UNKNOWN_LEVEL]
_METADATA = [level and _SHARED[level] for level in _GROUP_LEVELS]  # by group number


def normal_level(value: str) -> str | None:
    """A level field's value (``"WARNING"``) as Loki 3's value (``"warn"``), if it is one."""
    return _WORD_LEVEL.get(value.strip().lower())


def level_metadata(level: str) -> Metadata:
    """``{"detected_level": level}``: for Loki 3's values, one dict shared by all lines
    (never change it)."""
    return _SHARED.get(level) or {DETECTED_LEVEL: level}


def line_level(line: str, start: int = 0) -> Metadata | None:
    """``{"detected_level": ...}`` for a line (of a multi-line entry, its first), or
    ``None`` if it has no level token; the search starts at ``start``."""
    newline = line.find("\n", 0, WINDOW)
    match = _REGEX.search(line, start, WINDOW if newline < 0 else newline)
    return match and _METADATA[match.lastindex]


def line_levels(lines: Sequence[str], multiline: bool = False) -> list[Metadata] | None:
    """:func:`line_level` of a file's lines, ``unknown`` for those without one, and for
    all when fewer than 1 in 50 of a sample of them has one (see the module doc); ``None``
    for no lines. ``multiline``: some lines may hold several (their first alone is
    searched)."""
    n = len(lines)
    if not n:
        return None
    search = _REGEX.search
    sample = sample_lines(lines)
    starts = [match.start() for match in map(search, sample, repeat(0), repeat(WINDOW)) if match]
    if not starts or len(starts) * 50 < len(sample):
        return [_UNKNOWN] * n
    # Where a file has a level on (nearly) every line, it has it at about the same place:
    # the search starts where the sample has it first, not at a long prefix the lines
    # share (OpenStack's log-file name): reading characters is most of the cost.
    start = min(starts) if len(starts) >= 0.9 * len(sample) else 0
    found = [_METADATA[match.lastindex] if match else _UNKNOWN  # no Python call a line
             for match in map(search, lines, repeat(start, n), repeat(WINDOW, n))]
    if multiline:
        for i, line in enumerate(lines):
            if "\n" in line:
                found[i] = line_level(line, start) or _UNKNOWN
    return found


def known_levels(metadata: Sequence[Metadata | None]) -> int:
    """How many entries have a level other than ``unknown``."""
    return sum(1 for meta in metadata
               if meta and meta.get(DETECTED_LEVEL, UNKNOWN_LEVEL) != UNKNOWN_LEVEL)


def levels_note(count: int, total: int, what: str = "lines") -> str:
    """``levels: 1,234 of 2,000 lines (detected_level; the others "unknown")``; empty
    without levels."""
    others = "" if count == total else '; the others "unknown"'
    return f"levels: {count:,} of {total:,} {what} ({DETECTED_LEVEL}{others})" if count else ""
