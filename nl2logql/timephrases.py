"""Time phrases in questions ("last hour", "past 90 minutes", "the hour before last") and
the LogQL windows they mean: a range and an offset.

One vocabulary in both directions: :func:`phrase` writes a phrase for a window (question
synthesis), :func:`find_windows` reads the windows a question states (data hygiene, and
the checks that compare a query's ranges with its question).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from nl2logql.logql.units import SECOND, format_duration

UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_UNIT_NAMES = {"s": "second", "m": "minute", "h": "hour", "d": "day", "w": "week"}
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                 "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12,
                 "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "sixty": 60,
                 "ninety": 90, "couple of": 2, "a couple of": 2}


@dataclass(frozen=True, order=True)
class Window:
    """``[seconds]`` ending ``offset`` seconds before the query time."""

    seconds: int
    offset: int = 0

    @property
    def range(self) -> str:
        """The range as LogQL writes it (``1h``, ``1h30m``, ``7d``)."""
        return format_duration(self.seconds * SECOND)


# ---- reading ------------------------------------------------------------------------------

_UNIT_WORD = (r"(?P<unit>seconds?|secs?|minutes?|mins?|hours?|hrs?|h|days?|d|weeks?|wks?|w"
              r"|months?|years?|yrs?|m|s)")
COUNT = rf"(?P<count>\d+|{'|'.join(sorted(map(re.escape, NUMBER_WORDS), key=len, reverse=True))})"
_LAST = r"(?:last|past|previous|prior|recent|trailing|most recent)"
_READERS = [  # (pattern, how to read a match); the first that matches a span wins
    (rf"\b(?:{COUNT}[ -])?{_UNIT_WORD}(?:[ -]long)?(?: (?:window|period|span|stretch))? "
     rf"(?:that|which) ended (?:exactly )?(?P<ago>.+?) ago\b", "ended_ago"),
    (rf"\bthe (?P<unit>hour|day|week|minute) before (?:last|that|the last one)\b", "before_last"),
    (rf"\bthe (?:{COUNT}[ -])?{_UNIT_WORD} before the (?:most recent|latest|last)\b",
     "before_last"),
    (rf"\b(?:in |during |over )?(?:the )?(?:preceding|previous|prior) (?:{COUNT}[ -])?"
     rf"{_UNIT_WORD}\b(?= before)", "before_last"),
    (r"\byesterday\b", "yesterday"),
    (r"\b(?:today|so far today)\b", "today"),
    (r"\bthis (?P<unit>hour|week|month)\b", "this"),
    (r"\b(?:the )?(?:last|past) (?:half[ -]an?[ -]hour|half hour|30 mins?)\b", "half_hour"),
    (r"\b(?:the )?(?:last|past) quarter[ -]hour\b", "quarter_hour"),
    (rf"\b{_LAST} (?:{COUNT}[ -]?)?{_UNIT_WORD}\b", "last"),
    (rf"\b{COUNT}[ -]?{_UNIT_WORD}(?: (?:window|period|span))? (?:ago|back)\b", "ago"),
    (rf"\b(?:in|over|within|for) (?:the )?(?:{COUNT}[ -])?(?P<unit>\d*[smhdw]|minutes?|hours?"
     rf"|days?|weeks?)\b(?= window\b)", "last"),
]
_COMPILED = [(re.compile(pattern, re.I), how) for pattern, how in _READERS]


def _unit(word: str) -> int:
    word = word.lower()
    if word.startswith("mo"):
        return 30 * UNIT_SECONDS["d"]
    if word.startswith("y"):
        return 365 * UNIT_SECONDS["d"]
    if word in ("m", "min", "mins") or word.startswith("minute"):
        return UNIT_SECONDS["m"]
    return UNIT_SECONDS[word[0]]


def read_count(text: str | None) -> int:
    """A count written in digits or as a word ("3", "three"); 1 where none is written."""
    if not text:
        return 1
    text = text.lower()
    return int(text) if text.isdigit() else NUMBER_WORDS[text]


def find_windows(question: str) -> list[Window]:
    """The windows ``question`` states, in order of appearance (none when it states no time)."""
    found: list[tuple[int, Window]] = []
    taken: list[tuple[int, int]] = []
    for pattern, how in _COMPILED:
        for match in pattern.finditer(question):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue
            window = _read(match, how)
            if window:
                found.append((match.start(), window))
                taken.append(match.span())
    return [window for _, window in sorted(found)]


_EARLIER = re.compile(
    rf"\b(?:{COUNT}[ -])?(?P<unit>minute|min|hour|hr|day|week)s?(?: long| window| period)?"
    # "before" alone ends its clause: "than in the 7 days before?" (not "before the outage")
    r" (?:earlier|before (?:that|it|then)|before(?=\s*(?:[?.,;:!)]|$))|back)\b"
    r"|\b(?:preceding|previous|prior)\b"
    r"|\bsame (?:[\w-]+ ){0,2}?(?P<named>yesterday|last week|a week (?:ago|earlier))\b", re.I)


def earlier_window(question: str) -> tuple[str, int] | None:
    """``(phrase, offset)`` where the question compares its window with an earlier one:
    "the hour before that", "the preceding 24 hours" (offset 0: the window just before),
    "than in the 7 days before" (7 d), "the same window 3 hours earlier" (3 h), "the same
    hour yesterday" (1 d)."""
    match = next((m for m in _EARLIER.finditer(question)
                  if m.group("unit") or m.group("named") or find_windows(question[:m.start()])),
                 None)  # "in the previous hour" alone is the last hour: no window to compare;
    if match is None:  # nor is "'Previous sleep cause' messages" one
        return None
    named = (match.group("named") or "").lower()
    if named:
        return match.group(0), UNIT_SECONDS["d"] * (1 if named == "yesterday" else 7)
    if match.group("count"):
        return match.group(0), read_count(match.group("count")) * _unit(match.group("unit"))
    return match.group(0), 0


def _read(match: re.Match, how: str) -> Window | None:
    groups = match.groupdict()
    unit_text = groups.get("unit") or ""
    if how == "yesterday":
        return Window(UNIT_SECONDS["d"], UNIT_SECONDS["d"])
    if how == "today":
        return Window(UNIT_SECONDS["d"])
    if how == "half_hour":
        return Window(30 * 60)
    if how == "quarter_hour":
        return Window(15 * 60)
    if how == "this":
        return Window(_unit(unit_text))
    # "5m" style units carry their own count.
    digits = re.match(r"(\d+)([smhdw])$", unit_text)
    count, unit = ((int(digits.group(1)), UNIT_SECONDS[digits.group(2)]) if digits
                   else (read_count(groups.get("count")), _unit(unit_text)))
    seconds = count * unit
    if how == "before_last":
        return Window(seconds, seconds)
    if how == "ago":
        return None  # "3 hours ago" names a moment, not a window: its length is elsewhere
    if how == "ended_ago":  # "the 12-hour window that ended one day ago"
        ago = re.fullmatch(rf"(?:{COUNT}[ -]?)?{_UNIT_WORD}", groups["ago"].strip(), re.I)
        if ago is None:
            return None
        return Window(seconds, read_count(ago.group("count")) * _unit(ago.group("unit")))
    return Window(seconds)


# ---- writing ------------------------------------------------------------------------------

def phrase(window: Window, rng: random.Random) -> str:
    """One way a person says ``window`` (chosen with ``rng``); :func:`find_windows` reads
    it back as the same window."""
    return rng.choice(phrases(window))


def phrases(window: Window) -> list[str]:
    """The ways of saying ``window`` that this module reads back."""
    unit = _largest_unit(window.seconds)
    count = window.seconds // UNIT_SECONDS[unit]
    name = _UNIT_NAMES[unit]
    if window.offset == 0:
        options = [f"in the last {_counted(count, name)}", f"over the past {_counted(count, name)}",
                   f"past {_counted(count, name)}", f"last {count}{unit}"]
        if count == 1:
            options += [f"in the last {name}", f"over the past {name}", f"this {name}"
                        if name in ("hour", "week") else f"the past {name}"]
            if unit == "d":
                options.append("today")
        if window.seconds == 30 * 60:
            options.append("in the last half hour")
        if window.seconds == 15 * 60:
            options.append("over the past quarter hour")
        if unit == "h" and count in (24, 48):
            options.append(f"in the last {count // 24 * 24} hours")
        if count in (2, 3, 12, 15, 30):
            words = {2: "two", 3: "three", 12: "twelve", 15: "fifteen", 30: "thirty"}
            options.append(f"in the past {words[count]} {name}s")
        return list(dict.fromkeys(options))
    if window.offset == window.seconds:
        options = ([f"in the {name} before last", f"during the {name} before the last one"]
                   if count == 1 else [f"in the previous {count} {name}s before the last {count}"])
        if window.seconds == UNIT_SECONDS["d"]:
            options.append("yesterday")
        return options
    raise ValueError(f"no phrase for {window}")


def _largest_unit(seconds: int) -> str:
    for unit in ("w", "d", "h", "m"):
        if seconds % UNIT_SECONDS[unit] == 0 and (unit != "w" or seconds == UNIT_SECONDS["w"]):
            return unit
    return "s"


def _counted(count: int, name: str) -> str:
    return name if count == 1 else f"{count} {name}s"
