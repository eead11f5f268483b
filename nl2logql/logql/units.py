"""Durations and byte sizes as Loki reads them.

Loki tries Prometheus durations first (``1y2w3d4h5m6s7ms``, integers only, units in
that order), then Go's ``time.ParseDuration`` (``1.5h``, ``300us``, any order, sums).
Byte sizes follow go-humanize's ``ParseBytes`` (``10KB`` is 10,000, ``10KiB`` 10,240).
"""

from __future__ import annotations

import re

NS = 1
US = 1_000
MS = 1_000_000
SECOND = 1_000_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
WEEK = 7 * DAY
YEAR = 365 * DAY

_PROM_UNITS = {"y": YEAR, "w": WEEK, "d": DAY, "h": HOUR, "m": MINUTE, "s": SECOND, "ms": MS}
_PROM_DURATION = re.compile(
    r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$"
)
_GO_UNITS = {"ns": NS, "us": US, "µs": US, "μs": US, "ms": MS, "s": SECOND, "m": MINUTE, "h": HOUR}
_GO_PART = re.compile(r"(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)")


def parse_duration(text: str) -> int:
    """Return ``text`` as nanoseconds; raise ``ValueError`` naming the text if Loki would not."""
    match = _PROM_DURATION.match(text)
    if text and text != "0" and match:
        units = ("y", "w", "d", "h", "m", "s", "ms")
        return sum(int(v) * _PROM_UNITS[u] for u, v in zip(units, match.groups()) if v)
    if text == "0":
        return 0
    return parse_go_duration(text)


def parse_go_duration(text: str) -> int:
    body = text.lstrip("+-")
    sign = -1 if text.startswith("-") else 1
    if body == "0":
        return 0
    pos, total = 0, 0.0
    while pos < len(body):
        part = _GO_PART.match(body, pos)
        if not part or part.group(1) in ("", "."):
            raise ValueError(f"not a valid duration: {text!r}")
        total += float(part.group(1)) * _GO_UNITS[part.group(2)]
        pos = part.end()
    if not body:
        raise ValueError(f"not a valid duration: {text!r}")
    return sign * int(round(total))


def format_duration(ns: int) -> str:
    """Readable text for ``ns`` as people write it: ``5m``, ``1h30m``, ``24h``, ``7d``,
    ``30d``, ``1y`` (not Prometheus' ``4w2d``): whole days from two days up, else hours."""
    if ns == 0:
        return "0s"
    sign, ns = ("-", -ns) if ns < 0 else ("", ns)
    if ns % MS:
        return sign + _format_go_small(ns)
    if ns % YEAR == 0:
        return f"{sign}{ns // YEAR}y"
    if ns % DAY == 0 and ns >= 2 * DAY:
        return f"{sign}{ns // DAY}d"
    out = []
    for unit in ("h", "m", "s", "ms"):
        size = _PROM_UNITS[unit]
        if ns >= size:
            out.append(f"{ns // size}{unit}")
            ns %= size
    return sign + "".join(out)


def _format_go_small(ns: int) -> str:
    for unit, size in (("s", SECOND), ("ms", MS), ("us", US)):
        if ns % size == 0:
            return f"{ns // size}{unit}"
    return f"{ns}ns"


_BYTES = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]*)\s*$")
_BYTE_UNITS = {
    "": 1, "b": 1,
    "k": 10**3, "kb": 10**3, "kib": 2**10, "ki": 2**10,
    "m": 10**6, "mb": 10**6, "mib": 2**20, "mi": 2**20,
    "g": 10**9, "gb": 10**9, "gib": 2**30, "gi": 2**30,
    "t": 10**12, "tb": 10**12, "tib": 2**40, "ti": 2**40,
    "p": 10**15, "pb": 10**15, "pib": 2**50, "pi": 2**50,
    "e": 10**18, "eb": 10**18, "eib": 2**60, "ei": 2**60,
}


def parse_bytes(text: str) -> int:
    """Return ``text`` (``10KB``, ``1.5MiB``, ``42``) as a number of bytes."""
    match = _BYTES.match(text)
    unit = match.group(2).lower() if match else None
    if not match or unit not in _BYTE_UNITS:
        raise ValueError(f"not a valid byte size: {text!r}")
    return int(float(match.group(1)) * _BYTE_UNITS[unit])
