"""Times as people type them, turned into what backends take: integer nanoseconds.

Accepted, as Loki's HTTP API accepts them (``parseTimestamp`` in ``pkg/loghttp``):

- RFC 3339, with or without fractional seconds, ``Z`` or an offset:
  ``2025-01-01T00:00:00Z``, ``2025-01-01T02:00:00.5+02:00``;
- a Unix epoch integer: ten characters or fewer are seconds, longer ones nanoseconds
  (so a 13-digit millisecond value reads as nanoseconds, as Loki reads it);
- a Unix epoch with a fraction, in seconds: ``1735689600.25`` (Loki keeps milliseconds);

and, for the command line, ``now``, ``now-1h``, ``now+5m`` (any Loki duration).
Bad input raises ``ValueError`` with a one-line message naming it.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from nl2logql.logql.units import MS, SECOND, parse_duration

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$"
)
_RELATIVE = re.compile(r"^now\s*(?:([+-])\s*(\S+))?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(?:\d+\.\d*|\.\d+)$")

def now_ns() -> int:
    """The current time in nanoseconds since the Unix epoch."""
    return time.time_ns()


def parse_time(value: str | int | float, now: int | None = None) -> int:
    """Return ``value`` as nanoseconds since the Unix epoch.

    ``now`` anchors ``now``/``now-1h`` (default: the current time), so tests and
    callers that resolve several times at once can share one instant.
    """
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, int):
        return _parse_epoch_integer(str(value))
    if isinstance(value, float):
        return _parse_epoch_seconds(repr(value), value)
    text = value.strip()
    if _INTEGER.match(text):
        return _parse_epoch_integer(text)
    if _DECIMAL.match(text):
        return _parse_epoch_seconds(text, value)
    relative = _RELATIVE.match(text)
    if relative:
        return _parse_relative(relative, value, now)
    rfc3339 = _RFC3339.match(text)
    if rfc3339:
        return _parse_rfc3339(rfc3339, value)
    raise ValueError(
        f"not a time: {value!r} (use RFC 3339 like 2025-01-01T00:00:00Z, "
        "Unix seconds or nanoseconds, or now-1h)"
    )


def since(duration: str, now: int | None = None) -> int:
    """The time ``duration`` (``1h``, ``30m``, ``7d``) before ``now``, in nanoseconds."""
    try:
        span = parse_duration(duration)
    except ValueError:
        raise ValueError(f"not a duration: {duration!r} (use 1h, 30m, 7d, ...)") from None
    return (now_ns() if now is None else now) - span


def format_time(ns: int) -> str:
    """RFC 3339 in UTC, fraction trimmed of trailing zeros (Go's ``RFC3339Nano``)."""
    seconds, fraction = divmod(ns, SECOND)
    stamp = (_EPOCH + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")
    digits = f"{fraction:09d}".rstrip("0")
    return f"{stamp}.{digits}Z" if digits else f"{stamp}Z"


def strptime_ns(text: str, fmt: str) -> int:
    """``text`` read with the strptime ``fmt`` as UTC, in nanoseconds since the epoch."""
    moment = datetime.strptime(text, fmt).replace(tzinfo=timezone.utc)
    return int(moment.timestamp()) * 10**9 + moment.microsecond * 1000


def _parse_epoch_integer(text: str) -> int:
    # Loki decides by length, not magnitude: up to ten characters are seconds.
    number = int(text)
    return number * SECOND if len(text) <= 10 else number


def _parse_epoch_seconds(text: str, original) -> int:
    try:
        seconds = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not a time: {original!r}") from None
    if not seconds.is_finite():
        raise ValueError(f"not a time: {original!r}")
    # Loki rounds the fraction to milliseconds (half away from zero); so do we.
    return int((seconds * 1000).to_integral_value(ROUND_HALF_UP)) * MS


def _parse_relative(match: re.Match, original: str, now: int | None) -> int:
    anchor = now_ns() if now is None else now
    sign, duration = match.groups()
    if not sign:
        return anchor
    try:
        offset = parse_duration(duration)
    except ValueError:
        raise ValueError(f"not a time: {original!r} ({duration!r} is not a duration)") from None
    return anchor + offset if sign == "+" else anchor - offset


def _parse_rfc3339(match: re.Match, original: str) -> int:
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if zone in ("Z", "z"):
        tz = timezone.utc
    else:
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 23 or minutes > 59:
            raise ValueError(f"not a time: {original!r} (bad UTC offset {zone})")
        offset = timedelta(hours=hours, minutes=minutes)
        tz = timezone(-offset if zone[0] == "-" else offset)
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute),
                          int(second), tzinfo=tz)
    except ValueError as error:
        raise ValueError(f"not a time: {original!r} ({error})") from None
    whole = moment - _EPOCH
    seconds = whole.days * 86_400 + whole.seconds
    return seconds * SECOND + int((fraction or "").ljust(9, "0"))
