"""Timestamps in log lines: detected from a sample of a file, or read with a given format.

Detection (:func:`detect`) tries every known format on a sample of a file's lines (the
first 100 and 100 more spread over the rest); the one that reads the most sampled lines
wins (ties: the one found nearer the start of the lines, then the order below). A
timestamp is looked for in a line's first 140 characters (so it may start anywhere in
the first 100): prefixes such as BGL's ``- 1117838570`` or OpenStack's log-file name
are passed over. Known formats (``--time-format`` takes the names):

- ``iso8601`` (``rfc3339``): ``2025-01-01T00:00:00.5Z``, ``2015-10-18 18:01:47,978``:
  RFC 3339 and RFC 5424, log4j, Python logging, Hadoop, Zookeeper, OpenStack, Windows;
- ``unix``, ``unix_ms``, ``unix_us``, ``unix_ns``: an epoch number of 10, 13, 16 or 19
  digits (seconds may have a fraction): BGL, HPC, Thunderbird;
- ``syslog``: ``Dec 10 06:55:46`` (RFC 3164): OpenSSH, Linux, Mac;
- ``ctime``: ``Sun Dec 04 04:47:44 2005``, the Apache error log;
- ``clf``: ``10/Oct/2000:13:55:36 -0700``, the common log format (Apache, nginx access);
- ``klog``: ``I1025 00:15:15.525108`` (Kubernetes, glog);
- ``logcat``: ``03-17 16:13:38.811`` (Android);
- ``yymmdd``: ``081109 203615`` (HDFS);
- ``slashed``: ``17/06/09 20:10:40`` or ``2017/06/09 20:10:40.5`` (year first: Spark's
  log4j, Go's log package); a date with the year last (``12/04/2026``, month or day
  first) is not detected: the file's note asks for ``--time-format``;
- ``compact``: ``20171223-22:15:29:606`` (HealthApp; the last field counts milliseconds);
- ``bracketed``: ``[10.30 16:49:06]`` (month.day, Proxifier);
- ``json``: a ``ts``, ``time``, ``timestamp`` or ``@timestamp`` field of a JSON line,
  RFC 3339 or an epoch number (s, ms, µs or ns by magnitude).

A given format may also be a ``strptime`` format (``%d/%b/%Y:%H:%M:%S %z``), found the
same way and followed by any text. Fractions are read as written: after ``.`` or ``,``
a decimal fraction (``.5`` is 500 ms); after anything else a count (``:98`` is 98 ms,
``:98765`` 98.765 ms: 1-3 digits are ms, 4-6 µs, 7-9 ns).

Times with an offset use it; the others are UTC, or in the zone given (:func:`time_zone`).
Times without a year are read in the leap year 2000 first (so Feb 29 parses), then
:func:`place_years` moves them to real years.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Callable, Iterable, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from nl2logql.errors import DataError

SECOND = 1_000_000_000
HOUR = 3600 * SECOND
DAY = 86_400 * SECOND
SEARCH_SPAN = 140  # characters searched: a timestamp (~40 at most) may start in the first 100
SAMPLE = 200  # lines tried per format when detecting
FRAME_YEAR = 2000  # a leap year: times without a year are read in it first
FUTURE_SLACK = DAY  # a yearless time up to a day ahead is "now" in some zone, not future

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MONTH_NUMBERS = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_DECIMAL_SCALE = [0] + [10 ** (9 - n) for n in range(1, 10)]  # ".5" -> 500_000_000 ns
_COUNT_SCALE = [0, 1_000_000, 1_000_000, 1_000_000, 1000, 1000, 1000, 1, 1, 1]  # ":98" -> 98 ms

Localize = Callable[[int], int]  # a naive local time in ns -> UTC ns


@dataclass(frozen=True)
class TimeFormat:
    """A timestamp format: ``regex`` finds it in a line, ``convert`` turns the match into
    ns (UTC; for a ``yearless`` format, in the year 2000 and not yet localized)."""

    name: str
    regex: re.Pattern
    convert: Callable[[re.Match], int]
    title: str
    yearless: bool = False
    end: int = SEARCH_SPAN  # the search stops here (``endpos``)

    def find(self, line: str) -> re.Match | None:
        return self.regex.search(line, 0, self.end)

    def parse(self, line: str) -> int | None:
        """The line's time in ns, or ``None`` if it has none in this format."""
        match = self.regex.search(line, 0, self.end)
        if match is None:
            return None
        try:
            return self.convert(match)
        except (ValueError, KeyError, OverflowError):  # 2025-13-45 and the like
            return None


# -- time zones ------------------------------------------------------------------------------

_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})?$")


@lru_cache(maxsize=1024)
def _offset_seconds(zone: str | None) -> int:
    """``+02:00``, ``-0700``, ``+05``, ``Z`` or ``UTC`` as seconds east of UTC."""
    if not zone or zone in "Zz" or zone.upper() in ("UTC", "GMT"):
        return 0
    digits = zone[1:].replace(":", "")
    seconds = int(digits[:2]) * 3600 + int(digits[2:4] or 0) * 60
    return -seconds if zone[0] == "-" else seconds


def time_zone(text: str | None) -> Localize | None:
    """``--tz``: an IANA name (``Europe/Paris``) or an offset (``+05:30``) for times
    written without one; ``None`` (UTC) for none, ``UTC`` or ``Z``."""
    if not text or text.strip().upper() in ("UTC", "Z", "GMT", "+00:00", "+0000"):
        return None
    text = text.strip()
    offset = _OFFSET.match(text)
    if offset and int(offset.group(2)) <= 14 and int(offset.group(3) or 0) <= 59:
        shift = _offset_seconds(text) * SECOND
        return lambda ns: ns - shift
    try:
        zone = ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise DataError(f"unknown time zone {text!r} (use an IANA name such as "
                        "Europe/Paris, or an offset such as +02:00)") from None
    shifts: dict[int, int] = {}  # naive hour -> ns to add; DST changes on the hour

    def localize(ns: int) -> int:
        hour = ns // HOUR
        shift = shifts.get(hour)
        if shift is None:
            wall = datetime(1970, 1, 1) + timedelta(hours=hour)
            shift = shifts[hour] = -int(wall.replace(tzinfo=zone).utcoffset()
                                        .total_seconds()) * SECOND
        return ns + shift

    return localize


def localize_all(times: np.ndarray, localize: Localize | None) -> np.ndarray:
    """Naive local times to UTC, one zone lookup per distinct hour."""
    if localize is None or len(times) == 0:
        return times
    hours, inverse = np.unique(times // HOUR, return_inverse=True)
    shifts = np.array([localize(h * HOUR) - h * HOUR for h in hours.tolist()], dtype=np.int64)
    return times + shifts[inverse]


# -- converters ------------------------------------------------------------------------------

def _epoch_day(fields: dict[str, str | None]) -> int:
    """Days since 1970-01-01 of a match's date groups (no year: the frame year)."""
    if fields.get("Y"):
        year = int(fields["Y"])
    elif fields.get("y"):
        short = int(fields["y"])
        year = short + (1900 if short >= 69 else 2000)  # POSIX %y
    else:
        year = FRAME_YEAR
    month = int(fields["m"]) if fields.get("m") else _MONTH_NUMBERS[fields["b"][:3].lower()]
    return date(year, month, int(fields["d"])).toordinal() - _EPOCH_ORDINAL


def _fields_converter(regex: re.Pattern, *, counted_fraction: bool = False,
                      localize: Localize | None = None) -> Callable[[re.Match], int]:
    """A converter for a regex with named groups Y/y, m/b, d, H (or I and p), M, S, f, z."""
    index = {name: number - 1 for name, number in regex.groupindex.items()}
    # Everything down to the minute is looked up: lines come many to a minute.
    minute_key = itemgetter(*[index[k] for k in ("Y", "y", "m", "b", "d", "H", "I", "p", "M")
                              if k in index])
    second_at, fraction_at, zone_at = index.get("S"), index.get("f"), index.get("z")
    scale = _COUNT_SCALE if counted_fraction else _DECIMAL_SCALE
    minutes: dict = {}  # minute texts -> ns since the epoch

    def convert(match: re.Match) -> int:
        g = match.groups()
        key = minute_key(g)
        ns = minutes.get(key)
        if ns is None:
            if len(minutes) > 100_000:  # a long file: keep the memory small
                minutes.clear()
            ns = minutes[key] = _minute(match.groupdict())
        if second_at is not None:
            second = int(g[second_at])
            if second > 60:
                raise ValueError("second out of range")
            ns += second * SECOND
        fraction = g[fraction_at] if fraction_at is not None else None
        if fraction:
            ns += int(fraction) * scale[len(fraction)]
        zone = g[zone_at] if zone_at is not None else None
        if zone:
            return ns - _offset_seconds(zone) * SECOND
        return localize(ns) if localize is not None else ns

    return convert


def _minute(fields: dict[str, str | None]) -> int:
    """ns since the epoch of a match's date, hour and minute (naive)."""
    hour = int(fields.get("H") or fields.get("I") or 0)
    if fields.get("p"):  # %I %p: 12 AM is 0 h, 12 PM is 12 h
        hour = hour % 12 + (12 if fields["p"][0] in "pP" else 0)
    minute = int(fields.get("M") or 0)
    if hour > 23 or minute > 59:
        raise ValueError("time of day out of range")
    return ((_epoch_day(fields) * 24 + hour) * 60 + minute) * 60 * SECOND


def scaled_epoch(text: str, scale: int) -> int:
    """``"1735689600.25"`` in units of ``scale`` ns, exactly (no float rounding)."""
    return int(Decimal(text) * scale)


def epoch_scale(magnitude: float) -> int:
    """Nanoseconds per unit of an epoch time this big: s, ms, µs or ns."""
    return (1_000_000_000 if magnitude < 1e11 else 1_000_000 if magnitude < 1e14
            else 1_000 if magnitude < 1e17 else 1)


def _epoch_converter(scale: int) -> Callable[[re.Match], int]:
    def convert(match: re.Match) -> int:
        whole, fraction = match.groups()
        ns = int(whole) * scale
        return ns + int(fraction) * _DECIMAL_SCALE[len(fraction)] if fraction else ns

    return convert


# -- the known formats ----------------------------------------------------------------------

_MON = r"(?P<b>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_DOW = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_CLOCK = r"(?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})"
_FRACTION = r"(?:[.,](?P<f>\d{1,9}))?"

# name: (title, pattern, yearless); the order breaks ties in detection
_PATTERNS: dict[str, tuple[str, str, bool]] = {
    "iso8601": ("ISO 8601 / RFC 3339",
                r"(?<!\d)(?P<Y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})[Tt ]" + _CLOCK + _FRACTION
                + r"(?:\s?(?P<z>[Zz]|[+-]\d{2}(?::?\d{2})?))?(?![\d:])", False),
    "ctime": ("Apache error-log format",
              r"(?<!\w)" + _DOW + " " + _MON + r" +(?P<d>\d{1,2}) " + _CLOCK
              + r"(?:\.(?P<f>\d{1,9}))? (?P<Y>\d{4})(?!\d)", False),
    "clf": ("common log format (Apache/nginx access)",
            r"(?<!\d)(?P<d>\d{2})/" + _MON + r"/(?P<Y>\d{4}):" + _CLOCK
            + r"(?:\.(?P<f>\d{1,9}))?(?: (?P<z>[+-]\d{4}))?(?!\d)", False),
    "slashed": ("yy/MM/dd HH:mm:ss (Spark, Go)",
                r"(?<![\d/])(?:(?P<Y>\d{4})|(?P<y>\d{2}))/(?P<m>\d{2})/(?P<d>\d{2})[ T]"
                + _CLOCK + _FRACTION + r"(?![\d:])", False),
    "compact": ("yyyyMMdd-HH:mm:ss:SSS (HealthApp)",
                r"(?<!\d)(?P<Y>\d{4})(?P<m>\d{2})(?P<d>\d{2})-(?P<H>\d{1,2}):(?P<M>\d{1,2})"
                r":(?P<S>\d{1,2})(?::(?P<f>\d{1,3}))?(?!\d)", False),
    "yymmdd": ("yyMMdd HHmmss (HDFS)",
               r"(?<!\d)(?P<y>\d{2})(?P<m>\d{2})(?P<d>\d{2}) (?P<H>\d{2})(?P<M>\d{2})"
               r"(?P<S>\d{2})(?!\d)", False),
    "syslog": ("syslog (RFC 3164)",
               r"(?<!\w)" + _MON + r" {1,2}(?P<d>\d{1,2}) " + _CLOCK
               + r"(?:\.(?P<f>\d{1,9}))?(?!\d)", True),
    "klog": ("klog (Kubernetes)",
             r"(?<![A-Za-z0-9])[IWEF](?P<m>\d{2})(?P<d>\d{2}) " + _CLOCK
             + r"\.(?P<f>\d{6})(?!\d)", True),
    "logcat": ("Android logcat",
               r"(?<![\d-])(?P<m>\d{2})-(?P<d>\d{2}) " + _CLOCK + r"\.(?P<f>\d{3})(?!\d)",
               True),
    "bracketed": ("[MM.dd HH:mm:ss] (Proxifier)",
                  r"\[(?P<m>\d{2})\.(?P<d>\d{2}) " + _CLOCK + r"(?:\.(?P<f>\d{1,9}))?\]",
                  True),
}
_EPOCHS = {  # name: (title, digits, ns per unit)
    "unix": ("Unix seconds", 10, SECOND), "unix_ms": ("Unix milliseconds", 13, 1_000_000),
    "unix_us": ("Unix microseconds", 16, 1000), "unix_ns": ("Unix nanoseconds", 19, 1),
}
_ALIASES = {"rfc3339": "iso8601", "rfc5424": "iso8601", "log4j": "iso8601",
            "apache_error": "ctime", "common": "clf", "nginx": "clf", "android": "logcat",
            "hdfs": "yymmdd", "spark": "slashed", "healthapp": "compact",
            "proxifier": "bracketed", "unix_s": "unix"}


@lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def _pattern_format(name: str, localize: Localize | None) -> TimeFormat:
    title, pattern, yearless = _PATTERNS[name]
    regex = _compiled(pattern)
    return TimeFormat(name, regex, _fields_converter(
        regex, counted_fraction=name == "compact", localize=None if yearless else localize),
        title, yearless)


def iso8601(localize: Localize | None = None) -> TimeFormat:
    return _pattern_format("iso8601", localize)


def syslog(localize: Localize | None = None) -> TimeFormat:
    return _pattern_format("syslog", localize)


def yymmdd(localize: Localize | None = None) -> TimeFormat:
    return _pattern_format("yymmdd", localize)


def unix(name: str = "unix") -> TimeFormat:
    title, digits, scale = _EPOCHS[name]
    fraction = r"(?:\.(\d{1,9}))?" if scale == SECOND else "()"
    regex = _compiled(r"(?<![\w.-])([1-3]\d{%d})%s(?![\w.])" % (digits - 1, fraction))
    return TimeFormat(name, regex, _epoch_converter(scale), title)


def json_field(localize: Localize | None = None) -> TimeFormat:
    """The first ``ts``/``time``/``timestamp``/``@timestamp`` field of a JSON line that
    holds a time (RFC 3339 or ISO 8601, or an epoch number in s, ms, µs or ns)."""
    regex = _compiled(r'"(?:ts|time|timestamp|@timestamp)"\s*:\s*(?:"([^"]*)"|(-?\d[\d.eE+]*))')
    iso = iso8601(localize)

    def value(match: re.Match) -> int:
        text, number = match.groups()
        text = (number or text).strip()
        if _JSON_NUMBER.fullmatch(text):
            if abs(float(text)) < 1e9:  # "time": 0.25 is a duration, not 1970
                raise ValueError(f"not an epoch time: {text}")
            return scaled_epoch(text, epoch_scale(abs(float(text))))
        found = iso.regex.fullmatch(text)
        if found is None:
            raise ValueError(f"not a time: {text!r}")
        return iso.convert(found)

    def convert(match: re.Match) -> int:
        try:
            return value(match)
        except ValueError:  # a later field may hold the time
            later = regex.search(match.string, match.end())
            if later is None:
                raise
            return convert(later)

    return TimeFormat("json", regex, convert, "JSON field (ts/time/timestamp/@timestamp)",
                      end=1 << 62)  # a JSON line's fields come in any order: search it all


_JSON_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def auto_formats(localize: Localize | None = None) -> list[TimeFormat]:
    """Every format :func:`detect` tries, in tie-breaking order."""
    return ([_pattern_format(name, localize) for name in _PATTERNS]
            + [unix(name) for name in _EPOCHS] + [json_field(localize)])


# -- strptime formats --------------------------------------------------------------------------

_MONTH_NAME = (r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
               r"|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DAY_NAME = r"(?i:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?)"
_DAY = r"(?P<d>3[01]|[12]\d|0[1-9]| ?[1-9])"
_DIRECTIVES = {
    "Y": r"(?P<Y>\d{4})", "y": r"(?P<y>\d{2})", "m": r"(?P<m>1[0-2]|0[1-9]|[1-9])",
    "d": _DAY, "e": _DAY, "b": f"(?P<b>{_MONTH_NAME})", "B": f"(?P<b>{_MONTH_NAME})",
    "h": f"(?P<b>{_MONTH_NAME})", "a": _DAY_NAME, "A": _DAY_NAME,
    "H": r"(?P<H>2[0-3]|[01]\d|\d)", "I": r"(?P<I>1[0-2]|0[1-9]|[1-9])",
    "p": r"(?P<p>(?i:[ap]m))", "M": r"(?P<M>[0-5]\d|\d)", "S": r"(?P<S>6[01]|[0-5]\d|\d)",
    "f": r"(?P<f>\d{1,9})", "z": r"(?P<z>[Zz]|[+-]\d{2}(?::?\d{2})?)",
    "Z": r"(?P<z>(?i:UTC|GMT|Z))", "%": "%",
}
_SHORTHANDS = {"T": "%H:%M:%S", "F": "%Y-%m-%d", "D": "%m/%d/%y", "R": "%H:%M"}
_NUMERIC = set("YymdeHIMSf")


def _strptime_regex(fmt: str) -> tuple[str, bool]:
    """A strptime format as a regex, and whether its fraction is a count (``:%f``)."""
    for short, long in _SHORTHANDS.items():
        fmt = fmt.replace("%" + short, long)
    parts, counted, i = [], False, 0
    while i < len(fmt):
        char = fmt[i]
        if char.isspace():  # as strptime: any run of white space matches any other
            parts.append(r"\s+")
            i += len(fmt[i:]) - len(fmt[i:].lstrip())
            continue
        if char != "%":
            parts.append(re.escape(char))
            i += 1
            continue
        directive = fmt[i + 1:i + 2]
        if directive not in _DIRECTIVES:
            shown = f"%{directive}" if directive else "a lone %"
            raise DataError(f"unknown timestamp format {fmt!r}: {shown} is not supported "
                            "(use %Y %y %m %d %e %b %B %a %H %I %p %M %S %f %z %Z %T %F)")
        if directive == "f":
            counted = i == 0 or fmt[i - 1] not in ".,"
        parts.append(_DIRECTIVES[directive])
        i += 2
    regex = "".join(parts)
    if fmt[:1] == "%" and fmt[1:2] in _NUMERIC:
        regex = r"(?<!\d)" + regex  # 2025-... not inside 12025-...
    elif fmt[:1] == "%" and fmt[1:2] in "bBhaA":
        regex = r"(?<![A-Za-z])" + regex  # Dec not inside Decimal
    if len(fmt) >= 2 and fmt[-2] == "%" and fmt[-1] in _NUMERIC:
        regex += r"(?!\d)"
    return regex, counted


def strptime_format(fmt: str, localize: Localize | None = None) -> TimeFormat:
    """A strptime format, found in a line's first 140 characters, any text after it."""
    if not fmt.strip():
        raise DataError(f"unknown timestamp format {fmt!r}")
    pattern, counted = _strptime_regex(fmt)
    try:
        regex = re.compile(pattern)
    except re.error as error:
        raise DataError(f"unknown timestamp format {fmt!r}: {error}") from None
    fields = set(regex.groupindex)
    if not ({"m", "b"} & fields and "d" in fields):
        raise DataError(f"timestamp format {fmt!r} needs a month and a day (%m or %b, %d)")
    yearless = not {"Y", "y"} & fields
    convert = _fields_converter(regex, counted_fraction=counted,
                                localize=None if yearless else localize)
    return TimeFormat(fmt, regex, convert, f"format {fmt!r}", yearless)


def named_format(name: str, year: int | None = None, localize: Localize | None = None
                 ) -> TimeFormat:
    """A format by name or strptime pattern; ``DataError`` if it is neither. (``year`` is
    unused, kept for old callers: :func:`place_years` gives yearless times their year.)"""
    key = _ALIASES.get(name.strip().lower(), name.strip().lower())
    if key in _PATTERNS:
        return _pattern_format(key, localize)
    if key in _EPOCHS:
        return unix(key)
    if key == "json":
        return json_field(localize)
    if "%" in name:
        return strptime_format(name, localize)
    known = ", ".join([*_PATTERNS, *_EPOCHS, "json", "rfc3339"])
    raise DataError(f"unknown timestamp format {name!r} (use one of {known}, "
                    "or a strptime format)")


# -- detecting and reading ---------------------------------------------------------------------

def sample_lines(lines: Sequence[str], size: int = SAMPLE) -> list[str]:
    """The first ``size // 2`` lines and ``size // 2`` more spread evenly over the rest."""
    head = size // 2
    if len(lines) <= size:
        return list(lines)
    rest = len(lines) - head
    return list(lines[:head]) + [lines[head + i * rest // head] for i in range(head)]


def detect(lines: Sequence[str], sample: int = SAMPLE, *,
           localize: Localize | None = None) -> TimeFormat | None:
    """The format that reads the most sampled lines (at least 1 in 50), if any."""
    picked = sample_lines(lines, sample)
    best, best_score = None, (0, 0.0)
    for candidate in auto_formats(localize):
        hits, where = 0, 0
        for line in picked:
            match = candidate.find(line)
            if match is not None and _converts(candidate, match):
                hits += 1
                where += match.start()
        score = (hits, -where / hits if hits else 0.0)
        if hits and hits * 50 >= len(picked) and score > best_score:
            best, best_score = candidate, score
    return best


# A date with the year last (12/04/2026 10:00): month first in the US, day first
# elsewhere. Detection does not guess which: it says what it saw instead.
_YEAR_LAST = re.compile(r"(?<![\d/])\d{1,2}/\d{1,2}/\d{4}[ T:]\d{1,2}:\d{2}")


def year_last_date(lines: Sequence[str]) -> str | None:
    """The first ``12/04/2026 10:00``-like text in the first lines, if any."""
    for line in lines[:SAMPLE // 2]:
        match = _YEAR_LAST.search(line, 0, SEARCH_SPAN)
        if match:
            return match.group(0)
    return None


def _converts(fmt: TimeFormat, match: re.Match) -> bool:
    try:
        fmt.convert(match)
    except (ValueError, KeyError, OverflowError):
        return False
    return True


def read_times(fmt: TimeFormat, lines: Iterable[str]) -> list[int | None]:
    """Each line's own time (``None`` where it has none): one regex search a line."""
    search, convert, end = fmt.regex.search, fmt.convert, fmt.end
    times: list[int | None] = []
    append = times.append
    for line in lines:
        match = search(line, 0, end)
        if match is None:
            append(None)
            continue
        try:
            append(convert(match))
        except (ValueError, KeyError, OverflowError):
            append(None)
    return times


def fill_times(times: list[int | None], now: int, spacing: int) -> list[int]:
    """Complete a file's times: a line without one takes the previous line's (the
    first ones take the first known); with none known, lines are ``spacing`` ns apart
    in file order, the last at ``now``."""
    first = next((t for t in times if t is not None), None)
    if first is None:
        n = len(times)
        return [now - (n - 1 - i) * spacing for i in range(n)]
    filled, previous = [], first
    for t in times:
        previous = previous if t is None else t
        filled.append(previous)
    return filled


# -- the year rule ------------------------------------------------------------------------------

HALF_YEAR = 183 * DAY
_MAX_YEARS_BACK = 40


def place_years(frame_times: Sequence[int] | np.ndarray, now: int, year: int | None = None
                ) -> tuple[np.ndarray, int, int]:
    """Yearless times (read in 2000, in file order) moved to real years, with the first
    and last year used.

    The first line's year is ``year`` if given, else the latest that puts no line more
    than a day after ``now``; each jump back of more than half a year (December to
    January) moves the lines after it to the next year.
    """
    times = np.asarray(frame_times, dtype=np.int64)
    if len(times) == 0:
        return times, year or 0, year or 0
    turns = np.concatenate([[0], np.cumsum(np.diff(times) < -HALF_YEAR)])
    combos, inverse = np.unique((times // DAY) * 4096 + turns, return_inverse=True)
    days, offsets = np.divmod(combos, 4096)  # few distinct (date, year offset) pairs
    dates = [date.fromordinal(_EPOCH_ORDINAL + d) for d in days.tolist()]
    this_year = datetime.fromtimestamp(now // SECOND, timezone.utc).year
    candidates = [year] if year is not None else range(this_year, this_year - _MAX_YEARS_BACK, -1)
    for first in candidates:
        shifts = _day_shifts(dates, offsets.tolist(), first)
        if shifts is None:
            continue
        placed = times + np.array(shifts, dtype=np.int64)[inverse] * DAY
        if year is not None or int(placed.max()) <= now + FUTURE_SLACK:
            return placed, first, first + int(turns[-1])
    if year is not None:
        raise DataError(f"--year {year} puts a Feb 29 in a year without one")
    raise DataError("these times without a year fit no year up to now")


def _day_shifts(dates: list[date], offsets: list[int], first: int) -> list[int] | None:
    """Days to add to each frame date to put it in ``first`` + its offset; ``None`` if a
    Feb 29 falls in a common year."""
    shifts = []
    for day, offset in zip(dates, offsets):
        try:
            moved = day.replace(year=day.year - FRAME_YEAR + first + offset)
        except ValueError:
            return None
        shifts.append(moved.toordinal() - day.toordinal())
    return shifts
