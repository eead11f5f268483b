"""The text in the logs nearest to a literal that matches nothing: a run of a pattern's
fixed words, compared by character trigrams (so "successful instance sync" finds
"Successfully synced instances" and a wrong case or a typo costs little); or, where a
pattern's variable hides a word the literal names ("Instance <word> successfully"), the
shortest run of a real line's words that holds each of the literal's word stems."""

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
VARIABLE = re.compile(r"<[^<>\s]*>")
# Regex syntax in a |~ filter: what is left are the words it means to match.
_REGEX_SYNTAX = re.compile(r"\\[a-zA-Z]|[\\^$.*+?()\[\]{}|]")
_STOP_WORDS = frozenset("a an the of for to in on at by from with and or is was are were".split())
# Endings cut to reach a stem that is a substring of each form (spawned, spawns → spawn).
_ENDINGS = ("fully", "ingly", "ings", "ing", "edly", "ful", "ed", "es", "s", "ly")
MIN_STEM = 4
# Irregular forms, cut to what they share with the other forms (built, build → buil).
_IRREGULAR = {"built": "buil", "rebuilt": "rebuil", "written": "writ"}
EXTRA_WORDS = 2   # words a run of a line may hold besides those with a stem
_PUNCTUATION = "[](){}<>.,;:'\""
# A literal's placeholders: a template's variables, or a Go template's {{.field}} / {field}.
_PLACEHOLDER = re.compile(VARIABLE.pattern + r"|\{\{?[^{}]*\}?\}")


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


# Shorter words one letter apart are other words (port, sort); one letter changed, under
# seven letters (block, clock).
MIN_TYPO_CHARS, MIN_CHANGED_CHARS = 5, 7


def one_typo_apart(a: str, b: str) -> bool:
    """Whether two words differ by one letter added or dropped, two neighbours swapped
    (invlaid, allocted, hypervsior), or in long words one letter changed."""
    if a == b or min(len(a), len(b)) < MIN_TYPO_CHARS or abs(len(a) - len(b)) > 1:
        return False
    start = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    if len(a) != len(b):
        return a[start + (len(a) > len(b)):] == b[start + (len(b) > len(a)):]
    swapped = a[start + 2:] == b[start + 2:] and a[start:start + 2] == b[start:start + 2][::-1]
    return swapped or (len(a) >= MIN_CHANGED_CHARS and a[start + 1:] == b[start + 1:])


def words_of(literal: str, regex: bool = False) -> str:
    """What a filter's literal means to match, as words (a regex's syntax dropped)."""
    return " ".join(_REGEX_SYNTAX.sub(" ", literal).split()) if regex else literal


def fragments(template: str) -> Iterable[str]:
    """Runs of up to :data:`MAX_WORDS` consecutive fixed words of a template."""
    for run in VARIABLE.split(template):
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


def stems(literal: str) -> list[str]:
    """The literal's words, lower case, each cut to a stem that its other forms contain
    (successfully → success, instances → instanc); short and linking words dropped, and
    placeholders (``<user>``, ``{user}``): they stand for any value, not for the word."""
    found = []
    for word in re.findall(r"[a-z]+", _PLACEHOLDER.sub(" ", literal).lower()):
        if len(word) < 3 or word in _STOP_WORDS:
            continue
        word = _IRREGULAR.get(word, word)
        for ending in _ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
                word = word[:-len(ending)]
                break
        if word not in found:
            found.append(word)
    return found


def _held(word: str, wanted: list[str]) -> set[str]:
    """The stems of ``wanted`` inside ``word``: several only in the order wanted
    ("shutdown" holds "shut" and "down"; "RMContainerAllocator", a class name, is no
    "allocated containers" and holds neither)."""
    held = [stem for stem in wanted if stem in word]
    places = [word.find(stem) for stem in held]
    return set(held) if places == sorted(places) else set()


def run_with(line: str, wanted: list[str]) -> str | None:
    """The shortest run of ``line``'s words in which each stem of ``wanted`` is inside
    some word, with at most :data:`EXTRA_WORDS` others and no word with a digit (a value,
    not the event's wording) unless it holds a stem or number wanted (``HTTP/1.1" status:
    404``); its edge punctuation trimmed. None when there is none."""
    spans = [(m.start(), m.end(), m.group().lower()) for m in re.finditer(r"\S+", line)]
    best = None
    for first in range(len(spans)):
        missing = set(wanted)
        for last in range(first, min(len(spans), first + len(wanted) + EXTRA_WORDS)):
            if any(c.isdigit() for c in spans[last][2]) and not any(
                    w in spans[last][2] for w in wanted):
                break
            missing -= _held(spans[last][2], wanted)
            if not missing:
                if best is None or last - first < best[1] - best[0]:
                    best = (first, last)
                break
    if best is None:
        return None
    start, end, last = spans[best[0]][0], spans[best[1]][1], spans[best[1]][2]
    held = max((last.find(w) + len(w) for w in wanted if w in last), default=0)
    value = re.search(r"\d", last[held:])
    if value:  # the run ends in a value past the words wanted ("release:lock=189667585,")
        end = spans[best[1]][0] + held + value.start()
    text = line[start:end].strip(_PUNCTUATION)
    return text if len(text) >= MIN_CHARS else None
