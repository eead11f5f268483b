"""The text in the logs nearest to a literal that matches nothing: a run of a pattern's
fixed words, compared by character trigrams (so "successful instance sync" finds
"Successfully synced instances" and a wrong case or a typo costs little)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from nl2logql.patterns.describe import Pattern

MIN_SIMILARITY = 0.45  # below this the nearest text is a guess, not a correction
MAX_WORDS = 6          # a fragment is at most this many words of one fixed run
MIN_CHARS = 4
MAX_TRIED = 8          # fragments checked against the data before giving up

# A template's variable parts: named fields (<user>), masks (<IP>) and wildcards (<*>).
_VARIABLE = re.compile(r"<[^<>\s]*>")
# Regex syntax in a |~ filter: what is left are the words it means to match.
_REGEX_SYNTAX = re.compile(r"\\[a-zA-Z]|[\\^$.*+?()\[\]{}|]")


@dataclass(frozen=True)
class Nearest:
    fragment: str      # text that occurs in the lines, to filter on instead
    pattern: Pattern   # the pattern it comes from
    similarity: float


def trigrams(text: str) -> set[str]:
    text = f"  {' '.join(text.lower().split())} "
    return {text[i:i + 3] for i in range(len(text) - 2)}


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the two texts' character trigrams, ignoring case."""
    x, y = trigrams(a), trigrams(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def words_of(literal: str, regex: bool = False) -> str:
    """What a filter's literal means to match, as words (a regex's syntax dropped)."""
    return " ".join(_REGEX_SYNTAX.sub(" ", literal).split()) if regex else literal


def fragments(template: str) -> Iterable[str]:
    """Runs of up to :data:`MAX_WORDS` consecutive fixed words of a template."""
    for run in _VARIABLE.split(template):
        words = run.split()
        for length in range(1, min(MAX_WORDS, len(words)) + 1):
            for start in range(len(words) - length + 1):
                text = " ".join(words[start:start + length])
                if len(text) >= MIN_CHARS and any(c.isalpha() for c in text):
                    yield text


def nearest(literal: str, patterns: Iterable[Pattern],
            accept: Callable[[str], bool] | None = None) -> Nearest | None:
    """The fragment of ``patterns`` most like ``literal`` that ``accept`` takes (say, one
    that occurs in the streams queried: patterns are per application); on equal
    similarity the pattern covering more lines wins. None when nothing similar enough is
    taken within :data:`MAX_TRIED` tries."""
    found = {}
    for pattern in patterns:
        for text in fragments(pattern.template):
            score = similarity(literal, text)
            if score >= MIN_SIMILARITY and (text not in found or
                                            pattern.count > found[text].pattern.count):
                found[text] = Nearest(text, pattern, score)
    ranked = sorted(found.values(), key=lambda n: (-n.similarity, -n.pattern.count, n.fragment))
    for candidate in ranked[:MAX_TRIED]:
        if accept is None or accept(candidate.fragment):
            return candidate
    return None
