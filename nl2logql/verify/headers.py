"""What a log line's header says before its message: the program that wrote the line and
the host, read from the examples of a stream's patterns (the text before each template's
message), so the checks can filter on them and extract them into labels.

Two readings:

- **styles** (:data:`STYLES`): how a header names its program, from the header's text
  alone: syslog's ``kernel:``/``sshd[123]:``, a column between pipes, a word after a
  bracketed time;
- **columns** (:func:`column_regexp`): the headers of many patterns lined up token by
  token, each weighing the lines its pattern stands for; the column that holds the
  program (a ``name:`` token, else the identifier column with the most values, names
  without digits first) or the host (the other word column with the most values, names
  with a digit first) is extracted by a regexp that skips the columns before it.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from collections.abc import Iterable
from typing import Callable, NamedTuple

from nl2logql.patterns.header import _shape as token_shape
from nl2logql.verify.nearest import VARIABLE

# Labels that mean the program that wrote a line (a syslog header's "kernel", "sshd"), and
# those that mean the machine.
PROGRAM_LABELS = frozenset({"component", "program", "process", "daemon", "service", "module",
                            "logger", "source"})
HOST_LABELS = frozenset({"host", "hostname", "node", "server", "machine"})

NAME, SUBSYSTEM, PID = r"[A-Za-z][\w.$-]*", r"(?:\([^)]*\))?", r"(?:\[\d+\])?"
# syslog names a program also by its path ("/apps/x86_64/.../sbin/gmetad[1682]: ")
PROGRAM = rf"(?:(?:/[\w.+-]+)*/)?{NAME}"
_TAIL = f"{SUBSYSTEM}{PID}:"
# a program's name and its starred marker ("chrome.exe *64": Proxifier's 64-bit process)
STARRED_NAME = rf"{NAME}(?: \*\w+)?"


class Style(NamedTuple):
    """How a header names the program: ``finds`` it in the header's text (group 1);
    ``keeps`` is the regexp of the lines of one program, ``extracts`` the one putting it in
    a label."""

    finds: re.Pattern
    keeps: Callable[[str], str]
    extracts: Callable[[str], str]


# Tried in order on the text before a pattern's message.
STYLES = (
    # syslog-like, the program last: "combo kernel: ", "ftpd[24245]: ",
    # "sshd(pam_unix)[19939]: ", "INFO [main] org.apache.hadoop.ipc.Client: "
    Style(re.compile(rf"(?<![\w/])({PROGRAM}){_TAIL}\s*$"),
          lambda name: rf"(?:^|\s){re.escape(name)}{_TAIL} ",
          lambda label: rf"(?P<{label}>{PROGRAM}{SUBSYSTEM}){PID}: "),
    # columns between pipes, the first a word: "20171223-22:15:29:606|Step_LSC|30002312|"
    Style(re.compile(rf"^[^|]*\|({NAME})\|"),
          lambda name: rf"^[^|]*\|{re.escape(name)}\|",
          lambda label: rf"^[^|]*\|(?P<{label}>{NAME})\|"),
    # a word after a bracketed time: "[10.30 16:49:06] chrome.exe - ", with its marker
    # ("chrome.exe *64 - ": the 64-bit process is a program of its own, whose lines a
    # filter on "chrome.exe" keeps too)
    Style(re.compile(rf"^\[[^\]]*\]\s+({STARRED_NAME})\s"),
          lambda name: rf"^\[[^\]]*\]\s+{re.escape(name)}\s",
          lambda label: rf"^\[[^\]]*\]\s+(?P<{label}>{STARRED_NAME})\s"),
)


def header(pattern) -> str:
    """The text before the pattern's message in its example ("" where the template starts
    with a value, or the example does not show the message)."""
    return _header(pattern.template, pattern.example)


@functools.lru_cache(maxsize=4096)
def _header(template: str, example: str) -> str:
    first = next((run.strip() for run in VARIABLE.split(template) if run.strip()), "")
    at = example.find(first) if first else -1
    if at <= 0:
        return ""
    # a message may start with values ("<word> CSI perf trace:"): their tokens are not the
    # header's
    values = len(template[:template.find(first)].split())
    text = re.sub(rf"(?:\S+\s*){{{values}}}$", "", example[:at]) if values else example[:at]
    return text if text.strip() else ""


def program(pattern) -> str:
    """The program of a pattern's line header ("ftpd" in "Jun 14 15:16:01 combo
    ftpd[24245]: connection from ...", "Step_LSC" in "...|Step_LSC|30002312|..."), as
    written; empty where there is none."""
    return _program(header(pattern))[0]


def program_style(pattern) -> Style | None:
    """How the pattern's header names its program (None: it names none)."""
    return _program(header(pattern))[1]


@functools.lru_cache(maxsize=4096)
def _program(text: str) -> tuple[str, Style | None]:
    for style in STYLES if text else ():
        match = style.finds.search(text)
        if match:
            return match.group(1), style
    return "", None


# ---- columns ----------------------------------------------------------------------------

AGREEMENT = 0.9  # share of a column's values that must fit its kind
_TOKEN = re.compile(r"\[(?:[^\[\]]|\[[^\[\]]*\])*\]:?|\||[^\s|]+")
_COMPONENT = re.compile(rf"({PROGRAM}{SUBSYSTEM}){PID}:")
_IDENTIFIER = re.compile(NAME)
_DIGIT = re.compile(r"\d")
_SKIP = {"bracket": r"\[(?:[^\[\]]|\[[^\[\]]*\])*\]:?", "pipe": r"\|", "other": r"[^\s|]+"}


def column_regexp(headers: Iterable[str], label: str,
                  lines: Iterable[int] | None = None) -> str | None:
    """A regexp extracting ``label`` from the lines' headers (each header standing for
    ``lines`` of the log, one each by default): the program's column for a program label,
    the host's for a host label (None where no column fits, or the headers do not line
    up)."""
    found = _column(headers, label.lower(), lines)
    if found is None:
        return None
    before, value, after = found
    return f"{before}(?P<{label}>{value}){after}"


def column_programs(patterns) -> dict[str, str]:
    """The programs a column of the patterns' headers names (Windows' ``CBS`` and ``CSI``,
    BGL's ``KERNEL``), each with a regexp keeping its lines."""
    patterns = list(patterns)
    found = _column(map(header, patterns), "program", [p.count for p in patterns])
    if found is None:
        return {}
    before, value, after = found
    programs = {}
    for pattern in patterns:
        match = re.search(before + f"({value})" + after, pattern.example)
        if match:
            programs[match.group(1)] = before + re.escape(match.group(1)) + after
    return programs


def _column(headers: Iterable[str], kind: str,
            lines: Iterable[int] | None) -> tuple[str, str, str] | None:
    """Where the headers' column of a ``kind`` of label is: the regexps of the columns
    before it, of its value and of what follows the value; None where no column fits."""
    weighted = [(_TOKEN.findall(text), n) for text, n in
                zip(headers, itertools.repeat(1) if lines is None else lines) if text.strip()]
    if not weighted:
        return None
    width = Counter(len(row) for row, _ in weighted).most_common(1)[0][0]
    weighted = [(row, n) for row, n in weighted if len(row) == width]
    columns = [Column(values, tuple(n for _, n in weighted))
               for values in zip(*(row for row, _ in weighted))]
    # columns line up while a pipe stays a pipe in every row
    usable = next((i for i, column in enumerate(columns)
                   if len({v == "|" for v in column.values}) > 1), width)
    found = _program_column(columns[:usable]) if kind in PROGRAM_LABELS else \
        _host_column(columns[:usable]) if kind in HOST_LABELS else None
    if found is None:
        return None
    at, value, after = found
    parts, previous = [], None
    for column in columns[:at]:
        first = column.values[0]
        token = "pipe" if first == "|" else "bracket" if first.startswith("[") else "other"
        if previous is not None:
            parts.append(r"\s*" if "pipe" in (token, previous) else r"\s+")
        parts.append(_SKIP[token])
        previous = token
    if previous is not None:
        parts.append(r"\s*" if previous == "pipe" or columns[at].values[0] == "|" else r"\s+")
    return r"^\s*" + "".join(parts), value, after


class Column(NamedTuple):
    """One header column: a value of each pattern's header, and the lines each stands for."""

    values: tuple[str, ...]
    lines: tuple[int, ...]

    def most(self, fits: Callable[[str], object]) -> bool:
        """Whether nearly every line's value fits (a few lines' headers are another shape)."""
        return sum(n for v, n in zip(self.values, self.lines) if fits(v)) >= \
            AGREEMENT * sum(self.lines)

    @property
    def distinct(self) -> int:
        return len(set(self.values))


def _named(token: str) -> bool:
    """A token that names something (``KERNEL``, ``calvisitor-10-105-160-95``): letters in
    it, and not a level, a month or a day, a bracket or a separator."""
    shape = token_shape(token)
    return bool(re.search("[A-Za-z]", token)) and shape not in ("bracket", "sep", "level") \
        and not (shape == "time" and token.isalpha())


def _program_column(columns: list[Column]):
    """The column of ``name:`` tokens (syslog's program), else the word column of
    identifiers with the most values, one whose names hold no digit first (a program is
    ``unix.hw``, a host ``node-212``)."""
    for at, column in enumerate(columns):
        if column.most(_COMPONENT.fullmatch):
            return at, f"{PROGRAM}{SUBSYSTEM}", f"{PID}:"
    words = [(not column.most(_DIGIT.search), column.distinct, -at)
             for at, column in enumerate(columns)
             if column.most(lambda v: _IDENTIFIER.fullmatch(v) and _named(v))
             and column.distinct > 1]
    if not words:
        return None
    at = -max(words)[2]
    return at, NAME, r"[\s|]"


def _host_column(columns: list[Column]):
    """The word column with the most values but the program's, one whose names hold a
    digit first (``node-212``, ``tbird-admin1``)."""
    program_at = (_program_column(columns) or (None,))[0]
    words = [(column.most(_DIGIT.search), column.distinct, -at)
             for at, column in enumerate(columns) if at != program_at and column.most(_named)]
    if not words:
        return None
    at = -max(words)[2]
    return at, r"[^\s|]+", r"[\s|]"
