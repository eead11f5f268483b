"""Find where the message starts in a raw log line: after its timestamp, level, pid, host...

Learned from the lines alone, no per-format configuration. Each of the first tokens of a line
gets a shape class (timestamp piece, number, level, bracketed group, separator, ``name:``
component, other word). The header is the longest run of columns whose class agrees on at
least :data:`AGREEMENT` of the sample lines; a ``name:`` component ends it, and trailing
plain-word columns are dropped (a word column only counts when a stronger column follows it,
otherwise the first words of the messages would pass for a header). The result compiles to
one anchored regex, so applying it costs one ``re.match`` per line, and a line that does not
fit the learned header (a stack trace, a continuation line) keeps its whole text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

AGREEMENT = 0.9        # share of sample lines a header column must fit
MAX_COLUMNS = 14       # headers are short; stop looking after this many tokens
MAX_SKIP = 2           # words allowed before a closing component or separator ("chrome.exe *64 -")
RARE_SHAPE = 0.02      # other shapes a column also accepts when this many lines show them
TAG_VALUES = 0.005     # a tag column has at most this many distinct values per sample line
SAMPLE_LINES = 2000
MIN_TAG_SAMPLE = 100   # lines needed before a word column after the header counts as a tag
MIN_MESSAGE = 2        # tokens a header leaves to the message on most lines

_LEVELS = ("trace|debug|dbg|info|information|notice|warn|warning|error|err|fatal|severe|"
           "critical|crit|alert|emerg|emergency|fine|finer|finest|verbose")
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_DAYS = "mon|tue|wed|thu|fri|sat|sun"
_END = r"(?:(?<=\|)|(?=[\s|]|$))"  # a token ends at whitespace, a pipe or the end of the line

# Shape classes, tried in this order; each regex matches one whole token. Bracketed groups
# may hold spaces and one level of nesting ("[QuorumPeer[myid=1]/0:...]").
_CLASSES: dict[str, str] = {
    "bracket": r"\[(?:[^\[\]]|\[[^\[\]]*\])*\]:?",
    "sep": r"(?:-{1,2}|\||::|>+|:)",
    "level": rf"(?i:{_LEVELS})[:,]?|[VDIWEFA]",
    # Anything holding digit-separator-digit (dates, clock times, epoch.fraction), and names
    # of months and weekdays.
    "time": rf"[\w.:,/+\-]*\d[-/.:_T]\d[\w.:,/+\-]*|(?i:(?:{_MONTHS}|{_DAYS})[a-z]*\.?,?)",
    "number": r"[-+]?\d+[,:]?",
    "component": r"[^\s|]*[^\s|:]:",
    "word": r"[^\s|\[][^\s|]*",
}
_STRONG = {"bracket", "sep", "level", "time", "number", "component"}
_CLASS_RES = {name: re.compile(rf"(?:{pattern}){_END}") for name, pattern in _CLASSES.items()}
_TOKEN = re.compile(rf"{_CLASSES['bracket']}{_END}|\||[^\s|]+")
_TAG = re.compile(r"[A-Za-z][A-Za-z_.$-]{0,31}")
_DESCRIBE = {"bracket": "[...]", "sep": "separator", "level": "level", "time": "timestamp",
             "number": "number", "component": "component:", "word": "word"}


def _shape(token: str) -> str:
    """The first shape class whose regex matches the whole token."""
    for name, regex in _CLASS_RES.items():
        if regex.fullmatch(token):
            return name
    return "word"


def _tokens(line: str) -> list[str]:
    return _TOKEN.findall(line, 0, 2000)[:MAX_COLUMNS]


@dataclass
class Header:
    """The learned header: one shape class per column (empty: the lines have no header).

    A column is a class name (``time``, ``number``, ``level``, ``bracket``, ``sep``,
    ``component``, ``word``), ``a|b`` when a rare other shape is allowed there, or ``name+``
    for a closing component or separator that may come after up to MAX_SKIP plain words.
    """

    columns: tuple[str, ...] = ()
    coverage: float = 0.0  # share of the sample lines the header fits

    def __post_init__(self) -> None:
        parts = []
        for name in self.columns:
            if name.endswith("+"):  # a few plain words, then the closing component or separator
                body = rf"(?:(?:{_CLASSES['word']}){_END}\s*){{0,{MAX_SKIP}}}?(?:{_CLASSES[name[:-1]]})"
            else:
                body = "|".join(_CLASSES[one] for one in name.split("|"))
            parts.append(rf"(?:{body}){_END}")
        # Columns are separated by whitespace, or by nothing next to a pipe.
        self._regex = re.compile(r"\s*" + r"\s*".join(parts) + r"\s*") if parts else None

    @classmethod
    def learn(cls, lines: Sequence[str]) -> Header:
        """Learn the header from a sample of lines (the first non-empty ones are used)."""
        sample = []
        for line in lines:
            if line.strip():
                sample.append(_tokens(line))
                if len(sample) >= SAMPLE_LINES:
                    break
        if not sample:
            return cls()
        need = AGREEMENT * len(sample)
        alive = list(range(len(sample)))  # lines that fit every column so far
        columns: list[str] = []
        strong_end, coverage = 0, 0.0  # header up to the last strong column, lines it fits
        for col in range(MAX_COLUMNS):
            shapes = Counter(_shape(sample[i][col]) for i in alive if len(sample[i]) > col)
            if not shapes:
                break
            count, name = max((n, shape) for shape, n in shapes.items())
            if name == "component" and count >= need:
                name = "component+"  # lines with a few extra words before it fit as well
            elif name != "word" and count >= need:
                # Rare other shapes stay allowed in a column ("-" or an alert tag).
                rare = sorted(shape for shape, n in shapes.items()
                              if shape != name and n >= RARE_SHAPE * len(alive))
                name = "|".join([name, *rare])
            elif col and name != "word" and (flex := _flexible_end(sample, alive, col, need)):
                # A component or separator that some lines reach after a few extra words.
                columns.append(flex)
                alive = [i for i in alive if _fits(flex, sample[i], col)]
                strong_end, coverage = len(columns), len(alive) / len(sample)
                break
            else:
                # Plain words are any token but a bracket or a separator.
                words = sum(n for shape, n in shapes.items() if shape not in ("bracket", "sep"))
                if words < need:
                    break
                name = "word"
            columns.append(name)
            alive = [i for i in alive if _fits(name, sample[i], col)]
            if name != "word":
                strong_end, coverage = len(columns), len(alive) / len(sample)
            if name.startswith("component"):
                break
        header = columns[:strong_end]
        # Lines of one uniform shape (one message type) pass every column: a header that
        # leaves most lines under MIN_MESSAGE tokens has eaten the message, so it stops at
        # its first plain word.
        left = sorted(len(sample[i]) - len(header) for i in alive)
        if left and left[len(left) // 2] < MIN_MESSAGE and "word" in header:
            header = header[:header.index("word")]
        # A header must start with a strong column: a first column of plain words is content.
        if not header or header[0] == "word":
            return cls()
        # A word column right after the header holding a handful of tag-like values
        # ("CBS", "CSI") is a source tag, not the first word of the messages.
        # Only a large sample tells a tag from a message that starts the same on few lines.
        if (strong_end < len(columns) and len(sample) >= MIN_TAG_SAMPLE
                and not header[-1].startswith(("component", "sep"))):
            values = Counter(sample[i][strong_end] for i in alive if len(sample[i]) > strong_end)
            if (len(values) <= max(3, TAG_VALUES * len(sample))
                    and all(_TAG.fullmatch(value) for value in values)):
                header.append("word")
        return cls(tuple(header), coverage)

    def content_start(self, line: str) -> int:
        """Offset of the message in ``line``: 0 when there is no header or it does not fit."""
        if self._regex is None:
            return 0
        match = self._regex.match(line)
        return match.end() if match else 0

    def describe(self) -> str:
        """Short text, e.g. ``timestamp, timestamp, level, component:``; ``none`` without header."""
        names = (_DESCRIBE[name.split("|")[0].rstrip("+")] for name in self.columns)
        return ", ".join(names) if self.columns else "none"


def _fits(name: str, tokens: list[str], col: int) -> bool:
    """Whether the token at ``col`` fits column ``name`` (one class, or alternatives a|b)."""
    if name.endswith("+"):
        return _ends_within(name[:-1], tokens, col)
    if len(tokens) <= col:
        return False
    shape = _shape(tokens[col])
    return any(shape == one or (one == "word" and shape not in ("bracket", "sep"))
               for one in name.split("|"))


def _ends_within(name: str, tokens: list[str], col: int) -> bool:
    """Whether a ``name`` token sits at ``col`` or after a few plain words."""
    for token in tokens[col:col + MAX_SKIP + 1]:
        shape = _shape(token)
        if shape == name:
            return True
        if shape != "word":
            return False
    return False


def _flexible_end(sample: list[list[str]], alive: list[int], col: int, need: float) -> str | None:
    """``component+`` or ``sep+`` when enough lines reach one within a few words of ``col``."""
    for name in ("component", "sep"):
        if sum(_ends_within(name, sample[i], col) for i in alive) >= need:
            return name + "+"
    return None
