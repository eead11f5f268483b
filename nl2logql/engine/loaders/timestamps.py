"""Timestamps at the start of a log line: detected, or read with a given format.

Auto-detected (the first matching kind among a file's first lines wins):

- ``iso8601``: RFC 3339 / ISO 8601, ``2025-01-01T00:00:00.5Z``, ``2025-01-01 00:00:00,123``
  (``T`` or space; ``.`` or ``,`` before the fraction; ``Z`` or an offset, else UTC);
- ``syslog``: ``Dec 10 06:55:46`` (the year is the one given, else the current one);
- ``yymmdd``: ``081109 203615`` (Loghub's HDFS header).

A given format is one of those names, ``unix`` / ``unix_ms`` / ``unix_ns`` (an epoch
number), or a ``strptime`` format (``%d/%b/%Y:%H:%M:%S %z``) that covers whole
whitespace-separated words at the start of the line. Times without a zone are UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Callable

from nl2logql.errors import DataError

SECOND = 1_000_000_000
_MONTHS = {m: i for i, m in enumerate(
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), start=1)}
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@lru_cache(maxsize=4096)
def _epoch_days(year: int, month: int, day: int) -> int:
    return date(year, month, day).toordinal() - _EPOCH_ORDINAL


def _ns(year, month, day, hour, minute, second, fraction: str | None = None,
        offset_s: int = 0) -> int:
    days = _epoch_days(int(year), int(month), int(day))
    hour, minute, second = int(hour), int(minute), int(second)
    if hour > 23 or minute > 59 or second > 60:
        raise ValueError("time of day out of range")
    seconds = ((days * 24 + hour) * 60 + minute) * 60 + second - offset_s
    return seconds * SECOND + (int(fraction.ljust(9, "0")[:9]) if fraction else 0)


def _offset_seconds(zone: str | None) -> int:
    if not zone or zone in "Zz":
        return 0
    digits = zone[1:].replace(":", "")
    seconds = int(digits[:2]) * 3600 + int(digits[2:4]) * 60
    return -seconds if zone[0] == "-" else seconds


@dataclass(frozen=True)
class TimeFormat:
    """Reads a timestamp at the start of a line; ``parse`` returns ns or ``None``."""

    name: str
    parse: Callable[[str], int | None]


def _regex_format(name: str, pattern: str, convert: Callable[[re.Match], int]) -> TimeFormat:
    regex = re.compile(r"\s*" + pattern)

    def parse(line: str) -> int | None:
        match = regex.match(line)
        if not match:
            return None
        try:
            return convert(match)
        except (ValueError, OverflowError):  # 2025-13-45 and the like: not a timestamp
            return None

    return TimeFormat(name, parse)


def iso8601() -> TimeFormat:
    return _regex_format(
        "iso8601",
        r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?"
        r"\s?([Zz]|[+-]\d{2}:?\d{2})?(?![\d:])",
        lambda m: _ns(*m.groups()[:7], offset_s=_offset_seconds(m.group(8))))


def syslog(year: int) -> TimeFormat:
    return _regex_format(
        "syslog",
        r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2}) "
        r"(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?!\d)",
        lambda m: _ns(year, _MONTHS[m.group(1)], *m.groups()[1:]))


def yymmdd() -> TimeFormat:
    return _regex_format(
        "yymmdd", r"(\d{2})(\d{2})(\d{2}) (\d{2})(\d{2})(\d{2})(?!\d)",
        lambda m: _ns(2000 + int(m.group(1)), *m.groups()[1:]))


def scaled_epoch(text: str, scale: int) -> int:
    """``"1735689600.25"`` in units of ``scale`` ns, exactly (no float rounding)."""
    return int(Decimal(text) * scale)


def unix(scale: int, name: str) -> TimeFormat:
    return _regex_format(name, r"(\d+(?:\.\d+)?)(?![\d.])",
                         lambda m: scaled_epoch(m.group(1), scale))


def strptime_format(fmt: str) -> TimeFormat:
    words = len(fmt.split())
    if words == 0:
        raise DataError(f"unknown timestamp format {fmt!r}")
    prefix = re.compile(r"\s*(\S+" + r"\s+\S+" * (words - 1) + ")")
    try:
        datetime.strptime("", fmt)
    except ValueError as error:
        if "bad directive" in str(error) or "stray %" in str(error):
            raise DataError(f"unknown timestamp format {fmt!r}: {error}") from None

    def parse(line: str) -> int | None:
        match = prefix.match(line)
        if not match:
            return None
        try:
            moment = datetime.strptime(match.group(1), fmt)
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        whole = moment.replace(microsecond=0) - datetime(1970, 1, 1, tzinfo=timezone.utc)
        return (whole.days * 86_400 + whole.seconds) * SECOND + moment.microsecond * 1000

    return TimeFormat(fmt, parse)


def auto_formats(year: int) -> list[TimeFormat]:
    return [iso8601(), syslog(year), yymmdd()]


def named_format(name: str, year: int) -> TimeFormat:
    """A format by name or strptime pattern; ``DataError`` if it is neither."""
    named = {
        "iso8601": iso8601, "rfc3339": iso8601, "syslog": lambda: syslog(year),
        "yymmdd": yymmdd, "unix": lambda: unix(SECOND, "unix"),
        "unix_ms": lambda: unix(1_000_000, "unix_ms"), "unix_ns": lambda: unix(1, "unix_ns"),
    }
    if name.lower() in named:
        return named[name.lower()]()
    if "%" in name:
        return strptime_format(name)
    known = ", ".join(named)
    raise DataError(f"unknown timestamp format {name!r} (use one of {known}, or a strptime format)")


def detect(lines: list[str], year: int, sample: int = 100) -> TimeFormat | None:
    """The auto format that reads the most of the first ``sample`` lines, if any."""
    head = lines[:sample]
    best, best_hits = None, 0
    for candidate in auto_formats(year):
        hits = sum(candidate.parse(line) is not None for line in head)
        if hits > best_hits:
            best, best_hits = candidate, hits
    return best


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
