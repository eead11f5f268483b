"""The Go ``text/template`` subset that LogQL's ``line_format`` and ``label_format`` take.

Supported: text and ``{{ actions }}`` with ``{{-``/``-}}`` trim markers and comments;
fields of the labels map (``.name``; a missing label is ``""``: Loki runs templates
with ``missingkey=zero``), ``.`` and ``$``; string (with Go escapes), raw string,
number, boolean and rune literals; pipelines (``.x | lower``) and parenthesised calls;
``if``/``else if``/``else``/``with``/``end``; variables (``$v := pipeline``); Go's
built-in functions (``and or not len eq ne lt le gt ge print printf println
urlquery html``) and every function Loki adds (its own and the Sprig subset it
exposes, see :data:`FUNCTIONS`), including ``__line__`` and ``__timestamp__``.

Values keep Go's types so that results print as Go prints them: ``str`` (string),
``int`` (int/int64), ``float`` (float64), ``bool``, :class:`GoTime` (time.Time).
A template compiles once, to closures; :meth:`Template.render` runs per line.
Errors while compiling raise :class:`~nl2logql.errors.ExecutionError`; errors while
rendering raise :class:`TemplateExecError`, which the stages turn into
``__error__="TemplateFormatErr"`` as Loki does.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import math
import time as _time
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable

from nl2logql.engine.goregexp import expand
from nl2logql.errors import ExecutionError
from nl2logql.logql.checks import compile_regex
from nl2logql.logql.units import parse_bytes, parse_go_duration

LINE_FUNCTION = "__line__"
TIMESTAMP_FUNCTION = "__timestamp__"


class TemplateExecError(Exception):
    """A template failed on one line (Go returns an error from ``Execute``)."""


# ------------------------------------------------------------------------------------
# Go values: time, printing, truthiness, comparison
# ------------------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ZERO_TIME_NS = -62135596800 * 10**9  # Go's time.Time{}: 0001-01-01 00:00:00 UTC


@dataclass(frozen=True)
class GoTime:
    """A Go ``time.Time``: nanoseconds since the Unix epoch and a location."""

    ns: int
    tz: Any = timezone.utc

    def datetime(self) -> datetime:
        return (_EPOCH + timedelta(microseconds=self.ns // 1000)).astimezone(self.tz)

    @property
    def nanosecond(self) -> int:
        return self.ns % 10**9

    def unix(self) -> int:
        return self.ns // 10**9

    def __str__(self) -> str:
        return format_go_time(self, "2006-01-02 15:04:05.999999999 -0700 MST")


def _local_zone():
    # Loki runs in containers whose local zone is UTC; we read "Local" the same way.
    return timezone.utc


def _load_zone(name: str):
    if name in ("", "UTC"):
        return timezone.utc
    if name == "Local":
        return _local_zone()
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # unknown zone: Go's helpers fall back to UTC
        return None


def go_type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, GoTime):
        return "time.Time"
    if isinstance(value, dict):
        return "map[string]string"
    if value is None:
        return "<nil>"
    return type(value).__name__


def format_float(value: float, verb: str = "g", precision: int | None = None) -> str:
    """Go's ``strconv.FormatFloat``/``%v`` for float64 (``%v`` is shortest ``%g``)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if verb in "fF":
        if precision is None:
            precision = 6
        return f"{value:.{precision}f}"
    if verb in "eE":
        text = _shortest_e(value) if precision is None else f"{value:.{precision}e}"
        return text.upper() if verb == "E" else text
    # %g / %v
    if precision is not None:
        text = f"{value:.{precision or 1}g}"
        return _fix_exponent(text)
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    digits, exp = _shortest_digits(abs(value))
    # Go: %e when the exponent is < -4 or >= the precision, 6 for the shortest form.
    eprec = 6
    if exp < -4 or exp >= eprec:
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mant}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if exp < 0:
        return f"{sign}0.{'0' * (-exp - 1)}{digits}"
    if len(digits) <= exp + 1:
        return sign + digits + "0" * (exp + 1 - len(digits))
    return f"{sign}{digits[:exp + 1]}.{digits[exp + 1:]}"


def _shortest_digits(value: float) -> tuple[str, int]:
    """Shortest round-trip digits of ``value`` (> 0) and its decimal exponent."""
    if value == 0:
        return "0", 0
    sign, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    exp = len(digit_tuple) + exponent - 1
    return digits, exp


def _shortest_e(value: float) -> str:
    sign = "-" if value < 0 else ""
    digits, exp = _shortest_digits(abs(value))
    mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{mant}e{'-' if exp < 0 else '+'}{abs(exp):02d}"


def _fix_exponent(text: str) -> str:
    return text.replace("inf", "Inf").replace("nan", "NaN")


def go_str(value: Any) -> str:
    """How ``fmt.Sprint`` (and so a template action) prints a value."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, GoTime):
        return str(value)
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_str(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_str(v) for v in value) + "]"
    if value is None:
        return "<no value>"
    return str(value)


def truth(value: Any) -> bool:
    """Go's template truth: empty strings, zero numbers, false and nil are false."""
    if isinstance(value, GoTime):
        return True
    if value is None:
        return False
    return bool(value)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return "invalid"


def go_eq(first: Any, *others: Any) -> bool:
    if not others:
        raise TemplateExecError("missing argument for comparison")
    k1 = _kind(first)
    if k1 == "invalid":
        raise TemplateExecError("invalid type for comparison")
    for other in others:
        k2 = _kind(other)
        if k1 != k2:
            raise TemplateExecError("incompatible types for comparison")
        if first == other:
            return True
    return False


def go_lt(a: Any, b: Any) -> bool:
    ka, kb = _kind(a), _kind(b)
    if ka in ("bool", "invalid") or kb in ("bool", "invalid"):
        raise TemplateExecError("invalid type for comparison")
    if ka != kb:
        raise TemplateExecError("incompatible types for comparison")
    return a < b


# ------------------------------------------------------------------------------------
# Go time layouts (time.Format / time.Parse)
# ------------------------------------------------------------------------------------

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Longest first, as Go's nextStdChunk tries them.
_STD_CHUNKS = [
    "January", "Monday", "-07:00:00", "Z07:00:00", "-070000", "Z070000", "-07:00", "Z07:00",
    "-0700", "Z0700", "_2006", "2006", "__2", "002", "Jan", "Mon", "MST", "-07", "Z07",
    "01", "02", "03", "04", "05", "06", "15", "_2", "PM", "pm", "1", "2", "3", "4", "5",
]


def _layout_chunks(layout: str) -> list[tuple[bool, str]]:
    """Split a Go layout into (is_std, text) chunks."""
    chunks: list[tuple[bool, str]] = []
    literal = []
    i = 0
    while i < len(layout):
        ch = layout[i]
        if ch in ".," and i + 1 < len(layout) and layout[i + 1] in "09":
            j = i + 1
            while j < len(layout) and layout[j] == layout[i + 1]:
                j += 1
            if not (j < len(layout) and layout[j].isdigit()):
                if literal:
                    chunks.append((False, "".join(literal)))
                    literal = []
                chunks.append((True, layout[i:j]))
                i = j
                continue
        for std in _STD_CHUNKS:
            if layout.startswith(std, i):
                if std in ("Jan", "Mon") and i + 3 < len(layout) and layout[i + 3].islower():
                    continue
                if std == "_2006":
                    literal.append("_")
                    std = "2006"
                    i += 1
                if literal:
                    chunks.append((False, "".join(literal)))
                    literal = []
                chunks.append((True, std))
                i += len(std)
                break
        else:
            literal.append(ch)
            i += 1
    if literal:
        chunks.append((False, "".join(literal)))
    return chunks


def _format_offset(seconds: int, std: str) -> str:
    if std.startswith("Z") and seconds == 0:
        return "Z"
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    hh, mm, ss = seconds // 3600, seconds // 60 % 60, seconds % 60
    body = std.lstrip("Z-")
    if body == "07":
        return f"{sign}{hh:02d}"
    if body == "0700":
        return f"{sign}{hh:02d}{mm:02d}"
    if body == "07:00":
        return f"{sign}{hh:02d}:{mm:02d}"
    if body == "070000":
        return f"{sign}{hh:02d}{mm:02d}{ss:02d}"
    return f"{sign}{hh:02d}:{mm:02d}:{ss:02d}"


def format_go_time(t: GoTime, layout: str) -> str:
    """Go's ``time.Time.Format``."""
    dt = t.datetime()
    nanos = t.nanosecond
    out = []
    for is_std, text in _layout_chunks(layout):
        if not is_std:
            out.append(text)
            continue
        hour12 = dt.hour % 12 or 12
        if text[0] in ".,":
            digits = f"{nanos:09d}"[: len(text) - 1]
            if text[1] == "9":
                digits = digits.rstrip("0")
                out.append(text[0] + digits if digits else "")
            else:
                out.append(text[0] + digits)
            continue
        value = {
            "2006": lambda: f"{dt.year:04d}", "06": lambda: f"{dt.year % 100:02d}",
            "January": lambda: _MONTHS[dt.month - 1], "Jan": lambda: _MONTHS[dt.month - 1][:3],
            "01": lambda: f"{dt.month:02d}", "1": lambda: str(dt.month),
            "Monday": lambda: _DAYS[dt.weekday()], "Mon": lambda: _DAYS[dt.weekday()][:3],
            "02": lambda: f"{dt.day:02d}", "2": lambda: str(dt.day), "_2": lambda: f"{dt.day:2d}",
            "002": lambda: f"{dt.timetuple().tm_yday:03d}",
            "__2": lambda: f"{dt.timetuple().tm_yday:3d}",
            "15": lambda: f"{dt.hour:02d}", "03": lambda: f"{hour12:02d}", "3": lambda: str(hour12),
            "04": lambda: f"{dt.minute:02d}", "4": lambda: str(dt.minute),
            "05": lambda: f"{dt.second:02d}", "5": lambda: str(dt.second),
            "PM": lambda: "PM" if dt.hour >= 12 else "AM",
            "pm": lambda: "pm" if dt.hour >= 12 else "am",
            "MST": lambda: _zone_abbrev(dt),
        }.get(text)
        if value is not None:
            out.append(value())
        else:  # a zone offset
            out.append(_format_offset(int(dt.utcoffset().total_seconds()), text))
    return "".join(out)


def _zone_abbrev(dt: datetime) -> str:
    name = dt.tzname() or ""
    if name in ("UTC", "UTC+00:00"):
        return "UTC"
    if name.startswith("UTC"):  # a fixed offset without a name: Go prints -0700
        return _format_offset(int(dt.utcoffset().total_seconds()), "-0700")
    return name


_PARSE_PATTERNS = {
    "2006": r"(?P<year>\d{4})", "06": r"(?P<yy>\d{2})",
    "January": "(?P<month_name>" + "|".join(_MONTHS) + ")",
    "Jan": "(?P<mon>" + "|".join(m[:3] for m in _MONTHS) + ")",
    "01": r"(?P<month>\d{2})", "1": r"(?P<month>\d{1,2})",
    "Monday": "(?:" + "|".join(_DAYS) + ")", "Mon": "(?:" + "|".join(d[:3] for d in _DAYS) + ")",
    "02": r"(?P<day>\d{2})", "2": r"(?P<day>\d{1,2})", "_2": r" ?(?P<day>\d{1,2})",
    "002": r"(?P<yday>\d{3})", "__2": r" {0,2}(?P<yday>\d{1,3})",
    "15": r"(?P<hour>\d{1,2})", "03": r"(?P<hour12>\d{2})", "3": r"(?P<hour12>\d{1,2})",
    "04": r"(?P<minute>\d{2})", "4": r"(?P<minute>\d{1,2})",
    "05": r"(?P<second>\d{2})", "5": r"(?P<second>\d{1,2})",
    "PM": r"(?P<ampm>AM|PM)", "pm": r"(?P<ampm>am|pm)", "MST": r"(?P<zone>[A-Z]{3,5}|[+-]\d{2,4})",
}


def parse_go_time(layout: str, text: str, tz) -> GoTime:
    """Go's ``time.ParseInLocation``; raise ``ValueError`` when ``text`` does not fit."""
    import re as std_re  # named groups repeat across alternatives; RE2 is not needed here

    parts = []
    frac_seen = False
    for is_std, chunk in _layout_chunks(layout):
        if not is_std:
            parts.append(std_re.escape(chunk))
        elif chunk[0] in ".,":
            parts.append(r"(?:[.,](?P<frac>\d+))?" if not frac_seen else r"(?:[.,]\d+)?")
            frac_seen = True
        elif chunk in _PARSE_PATTERNS:
            parts.append(_PARSE_PATTERNS[chunk])
        else:
            z = "Z|" if chunk.startswith("Z") else ""
            parts.append(rf"(?P<offset>{z}[+-]\d{{2}}(?::?\d{{2}}(?::?\d{{2}})?)?)")
    # Go accepts fractional seconds after a seconds field even if the layout has none.
    pattern = "".join(parts).replace(r"(?P<second>\d{2})", r"(?P<second>\d{2})(?:[.,](?P<frac2>\d+))?", 1)
    try:
        match = std_re.fullmatch(pattern, text)
    except std_re.error as err:  # a layout repeating a field
        raise ValueError(str(err)) from None
    if not match:
        raise ValueError(f'parsing time "{text}" as "{layout}": cannot parse')
    g = match.groupdict()
    year = int(g["year"]) if g.get("year") else (
        (1900 + int(g["yy"]) if int(g["yy"]) >= 69 else 2000 + int(g["yy"])) if g.get("yy") else 0)
    if g.get("month_name"):
        month = _MONTHS.index(g["month_name"]) + 1
    elif g.get("mon"):
        month = [m[:3] for m in _MONTHS].index(g["mon"]) + 1
    else:
        month = int(g.get("month") or 1)
    day = int(g.get("day") or 1)
    hour = int(g.get("hour") or 0)
    if g.get("hour12"):
        hour = int(g["hour12"]) % 12 + (12 if (g.get("ampm") or "").lower() == "pm" else 0)
    minute, second = int(g.get("minute") or 0), int(g.get("second") or 0)
    frac = g.get("frac") or g.get("frac2") or ""
    nanos = int((frac + "000000000")[:9]) if frac else 0
    offset = g.get("offset")
    if offset:
        zone = timezone.utc if offset == "Z" else _offset_zone(offset)
    else:
        zone = tz
    try:
        dt = datetime(max(year, 1), month, day, hour, minute, second)
        if g.get("yday"):
            dt = dt.replace(month=1, day=1) + timedelta(days=int(g["yday"]) - 1)
    except ValueError as err:
        raise ValueError(f'parsing time "{text}": {err}') from None
    aware = dt.replace(tzinfo=zone)
    ns = int((aware - _EPOCH).total_seconds()) * 10**9 + nanos
    return GoTime(ns, zone)


def _offset_zone(text: str) -> timezone:
    sign = -1 if text[0] == "-" else 1
    body = text[1:].replace(":", "")
    hours, minutes = int(body[:2]), int(body[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def time_from_ns(ns: int) -> GoTime:
    return GoTime(ns, _local_zone())


# ------------------------------------------------------------------------------------
# printf: Go's fmt.Sprintf
# ------------------------------------------------------------------------------------

def go_sprintf(fmt: str, *args: Any) -> str:
    out: list[str] = []
    argi = 0
    i, n = 0, len(fmt)
    while i < n:
        j = fmt.find("%", i)
        if j < 0:
            out.append(fmt[i:])
            break
        out.append(fmt[i:j])
        i = j + 1
        if i >= n:
            out.append("%!(NOVERB)")
            break
        flags = ""
        while i < n and fmt[i] in "-+# 0":
            flags += fmt[i]
            i += 1
        width = ""
        while i < n and fmt[i].isdigit():
            width += fmt[i]
            i += 1
        precision = None
        if i < n and fmt[i] == ".":
            i += 1
            p = ""
            while i < n and fmt[i].isdigit():
                p += fmt[i]
                i += 1
            precision = int(p or 0)
        if i >= n:
            out.append("%!(NOVERB)")
            break
        verb = fmt[i]
        i += 1
        if verb == "%":
            out.append("%")
            continue
        if argi >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        arg = args[argi]
        argi += 1
        out.append(_pad(_format_verb(verb, arg, flags, precision), flags, width))
    if argi < len(args):
        extra = ", ".join(f"{go_type_name(a)}={go_str(a)}" for a in args[argi:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def _pad(text: str, flags: str, width: str) -> str:
    if not width:
        return text
    w = int(width)
    if len(text) >= w:
        return text
    if "-" in flags:
        return text + " " * (w - len(text))
    if "0" in flags and text[:1] in "+-" and text[1:2].isdigit():
        return text[0] + "0" * (w - len(text)) + text[1:]
    if "0" in flags and (text[:1].isdigit()):
        return "0" * (w - len(text)) + text
    return " " * (w - len(text)) + text


def _bad_verb(verb: str, arg: Any) -> str:
    return f"%!{verb}({go_type_name(arg)}={go_str(arg)})"


def _format_verb(verb: str, arg: Any, flags: str, precision: int | None) -> str:
    plus = "+" in flags
    if verb == "v":
        if isinstance(arg, float) and precision is not None:
            return format_float(arg, "g", precision)
        text = go_str(arg) if arg is not None else "<nil>"
        if plus and isinstance(arg, (int, float)) and not isinstance(arg, bool) and arg >= 0:
            text = "+" + text
        return text
    if verb == "T":
        return go_type_name(arg)
    if isinstance(arg, bool):
        return ("true" if arg else "false") if verb == "t" else _bad_verb(verb, arg)
    if isinstance(arg, int):
        sign = "-" if arg < 0 else ("+" if plus else (" " if " " in flags else ""))
        mag = abs(arg)
        if verb == "d":
            body = str(mag)
        elif verb in "xX":
            body = format(mag, verb)
            if "#" in flags:
                body = "0" + verb + body
        elif verb == "o":
            body = format(mag, "o")
        elif verb == "O":
            body = "0o" + format(mag, "o")
        elif verb == "b":
            body = format(mag, "b")
        elif verb == "c":
            return chr(arg)
        elif verb == "q":
            return "'" + chr(arg) + "'"
        elif verb == "U":
            return f"U+{arg:04X}"
        else:
            return _bad_verb(verb, arg)
        if precision is not None and len(body) < precision:
            body = "0" * (precision - len(body)) + body
        return sign + body
    if isinstance(arg, float):
        if verb in "eEfFgG":
            if precision is None and verb in "eEfF":
                precision = 6
            text = format_float(arg, verb.lower() if verb in "fF" else verb, precision)
            if verb == "G":
                text = text.upper()
        elif verb == "v":
            text = format_float(arg)
        else:
            return _bad_verb(verb, arg)
        if plus and not text.startswith("-"):
            text = "+" + text
        elif " " in flags and not text.startswith("-"):
            text = " " + text
        return text
    if isinstance(arg, (str, GoTime)):
        text = str(arg)
        if verb == "s":
            return text[:precision] if precision is not None else text
        if verb == "q":
            return json.dumps(text, ensure_ascii=False) if isinstance(arg, str) else _bad_verb(verb, arg)
        if verb in "xX" and isinstance(arg, str):
            body = text.encode().hex()
            return body.upper() if verb == "X" else body
        return _bad_verb(verb, arg)
    return _bad_verb(verb, arg)


# ------------------------------------------------------------------------------------
# Conversions as spf13/cast does them (Sprig's math functions)
# ------------------------------------------------------------------------------------

def _trim_zero_decimal(s: str) -> str:
    found_zero = False
    for i in range(len(s), 0, -1):
        c = s[i - 1]
        if c == ".":
            if found_zero:
                return s[: i - 1]
        elif c == "0":
            found_zero = True
        else:
            return s
    return s


def _parse_go_int(text: str) -> int:
    """``strconv.ParseInt(text, 0, 64)``; ``ValueError`` on bad input."""
    s = text
    sign = 1
    if s[:1] in "+-":
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    base = 10
    lowered = s.lower()
    if lowered.startswith("0x"):
        base, s = 16, s[2:]
    elif lowered.startswith("0o"):
        base, s = 8, s[2:]
    elif lowered.startswith("0b"):
        base, s = 2, s[2:]
    elif len(s) > 1 and s[0] == "0":
        base, s = 8, s[1:]
    if not s or not all(c.isascii() and c.isalnum() for c in s):
        raise ValueError(text)
    value = sign * int(s, base)
    if not -(2**63) <= value < 2**63:
        raise ValueError(text)
    return value


def to_int(value: Any) -> int:
    """``cast.ToInt64``: anything to an integer, 0 when it cannot."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else 0
    if isinstance(value, str):
        try:
            return _parse_go_int(_trim_zero_decimal(value))
        except ValueError:
            return 0
    return 0


def to_float(value: Any) -> float:
    """``cast.ToFloat64``: anything to a float64, 0 when it cannot."""
    if isinstance(value, (bool, int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            text = value.strip("_")
            if text.lower().lstrip("+-") in ("inf", "infinity", "nan"):
                return float(text)
            if not text or text != value or any(c not in "0123456789+-.eE" for c in text):
                return 0.0
            return float(text)
        except ValueError:
            return 0.0
    return 0.0


def _decimal(value: Any) -> Decimal:
    return Decimal(repr(to_float(value)))


def _wrap64(value: int) -> int:
    return (value + 2**63) % 2**64 - 2**63


# ------------------------------------------------------------------------------------
# The functions
# ------------------------------------------------------------------------------------

def _go_title(s: str) -> str:
    """Go's ``strings.Title``: upper-case each letter that follows a separator."""
    out, after_separator = [], True
    for ch in s:
        out.append(ch.upper() if after_separator else ch)
        after_separator = not (ch.isalnum() or ch == "_")
    return "".join(out)


def _trunc(c: int, s: str) -> str:
    if c < 0 and len(s) + c > 0:
        return s[len(s) + c:]
    if c >= 0 and len(s) > c:
        return s[:c]
    return s


def _substr(start: int, end: int, s: str) -> str:
    length = len(s)
    end = min(end, length)
    start = min(start, length)
    if start < 0:
        return "" if end < 0 else s[:end]
    if end < 0:
        return s[start:]
    if start > end:
        return ""
    return s[start:end]


def _align_left(count: int, src: str) -> str:
    if count < 0 or count == len(src):
        return src
    return src + " " * (count - len(src)) if count > len(src) else src[:count]


def _align_right(count: int, src: str) -> str:
    if count < 0 or count == len(src):
        return src
    return " " * (count - len(src)) + src if count > len(src) else src[len(src) - count:]


def _indent(spaces: int, v: str) -> str:
    pad = " " * max(spaces, 0)
    return pad + v.replace("\n", "\n" + pad)


def _repeat(count: int, s: str) -> str:
    if count < 0:
        raise TemplateExecError("strings: negative Repeat count")
    return s * count


def _go_replace(s: str, old: str, new: str, n: int) -> str:
    if n < 0:
        return _replace_all(s, old, new)
    if old == "":
        # Go inserts ``new`` before each rune (and at the end), at most n times.
        pieces = [new + ch for ch in s] + [new]
        return "".join(pieces[:n]) + s[n:] if n <= len(s) else "".join(pieces[: n])
    return s.replace(old, new, n)


def _replace_all(s: str, old: str, new: str) -> str:
    if old == "":
        return new + new.join(s) + new if s else new
    return s.replace(old, new)


def _compile_regex(pattern: str):
    try:
        return compile_regex(pattern)  # cached per process
    except ValueError as err:
        raise TemplateExecError(str(err)) from None


def _regex_replace_all(regex: str, s: str, repl: str) -> str:
    return _compile_regex(regex).sub(lambda m: expand(repl, m), s)


def _regex_replace_all_literal(regex: str, s: str, repl: str) -> str:
    return _compile_regex(regex).sub(lambda m: repl, s)


def _count(regex: str, s: str) -> int:
    return sum(1 for _ in _compile_regex(regex).finditer(s))


def _urldecode(s: str) -> str:
    i = s.find("%")
    while i >= 0:
        chunk = s[i + 1:i + 3]
        if len(chunk) < 2 or not all(c in "0123456789abcdefABCDEF" for c in chunk):
            raise TemplateExecError(f'invalid URL escape "{s[i:i + 3]}"')
        i = s.find("%", i + 3)
    return urllib.parse.unquote_plus(s, errors="replace")


def _b64dec(s: str) -> str:
    try:
        return base64.b64decode(s, validate=True).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        for pos, ch in enumerate(s):
            if not (ch.isascii() and (ch.isalnum() or ch in "+/=")):
                return f"illegal base64 data at input byte {pos}"
        return f"illegal base64 data at input byte {len(s) - len(s) % 4 if len(s) % 4 else len(s)}"


def _convert_bytes(s: str) -> float:
    try:
        return float(parse_bytes(s))
    except ValueError as err:
        raise TemplateExecError(str(err)) from None


def _convert_duration(s: str) -> float:
    try:
        return parse_go_duration(s) / 1e9
    except ValueError:
        raise TemplateExecError(f'time: invalid duration "{s}"') from None


def _unix_to_time(epoch: str) -> GoTime:
    try:
        value = int(epoch)
    except ValueError:
        raise TemplateExecError(f"unable to parse time '{epoch}'") from None
    scale = {5: 86400 * 10**9, 10: 10**9, 13: 10**6, 16: 10**3, 19: 1}.get(len(epoch))
    if scale is None:
        raise TemplateExecError(f"unable to parse time '{epoch}'")
    return time_from_ns(value * scale)


def _to_date(layout: str, text: str) -> GoTime:
    return _to_date_in_zone(layout, "Local", text)


def _to_date_in_zone(layout: str, zone: str, text: str) -> GoTime:
    tz = _load_zone(zone) or timezone.utc
    try:
        return parse_go_time(layout, text, tz)
    except ValueError:
        return GoTime(_ZERO_TIME_NS, timezone.utc)  # Go ignores the error: zero time


def _date(layout: str, value: Any) -> str:
    if isinstance(value, GoTime):
        t = value
    elif isinstance(value, int) and not isinstance(value, bool):
        t = GoTime(value * 10**9)
    else:
        t = GoTime(_time.time_ns())  # Sprig formats "now" for anything else
    return format_go_time(GoTime(t.ns, _local_zone()), layout)


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, GoTime):
        return False
    return not value


def _default(default: Any, *given: Any) -> Any:
    if not given or _empty(given[0]):
        return default
    return given[0]


def _div(a: Any, b: Any) -> int:
    x, y = to_int(a), to_int(b)
    if y == 0:
        raise TemplateExecError("runtime error: integer divide by zero")
    q = abs(x) // abs(y)
    return _wrap64(q if (x >= 0) == (y >= 0) else -q)


def _mod(a: Any, b: Any) -> int:
    x, y = to_int(a), to_int(b)
    if y == 0:
        raise TemplateExecError("runtime error: integer divide by zero")
    return int(math.fmod(x, y)) if abs(x) < 2**53 else x - y * int(x / y)


def _decimal_fold(op: Callable[[Decimal, Decimal], Decimal], first: Any, rest: tuple) -> float:
    acc = _decimal(first)
    for value in rest:
        acc = op(acc, _decimal(value))
    return float(acc)


def _divf(first: Any, *rest: Any) -> float:
    acc = _decimal(first)
    for value in rest:
        d = _decimal(value)
        if d == 0:
            raise TemplateExecError("decimal division by 0")
        acc = (acc / d).quantize(Decimal("1e-16"), rounding=ROUND_HALF_UP)
    return float(acc)


def _round(a: Any, places: int, *round_on: float) -> float:
    on = round_on[0] if round_on else 0.5
    val = to_float(a)
    pow10 = math.pow(10, float(places))
    digit = pow10 * val
    frac = math.modf(digit)[0]
    rounded = math.ceil(digit) if frac >= on else math.floor(digit)
    return rounded / pow10


def _go_len(value: Any) -> int:
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, (dict, list)):
        return len(value)
    raise TemplateExecError(f"len of type {go_type_name(value)}")


def _go_print(*args: Any) -> str:
    out = []
    for i, arg in enumerate(args):
        if i and not isinstance(arg, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(go_str(arg) if arg is not None else "<nil>")
    return "".join(out)


def _go_println(*args: Any) -> str:
    return " ".join(go_str(a) if a is not None else "<nil>" for a in args) + "\n"


def _urlquery(*args: Any) -> str:
    return urllib.parse.quote_plus(_go_print(*args), safe="")


def _html(*args: Any) -> str:
    return html.escape(_go_print(*args), quote=True).replace("&#x27;", "&#39;")


@dataclass(frozen=True)
class Func:
    """A template function: Python callable, Go parameter kinds, variadic kind.

    Kinds: ``s`` string, ``i`` int, ``f`` float64, ``t`` time.Time, ``a`` any.
    """

    fn: Callable[..., Any]
    params: str = ""
    variadic: str | None = None


def _strip_cutset(s: str, cutset: str) -> str:
    return s.strip(cutset) if cutset else s


FUNCTIONS: dict[str, Func] = {
    # Loki's own (and its deprecated Go strings aliases)
    "ToLower": Func(str.lower, "s"),
    "ToUpper": Func(str.upper, "s"),
    "Replace": Func(_go_replace, "sssi"),
    "Trim": Func(_strip_cutset, "ss"),
    "TrimLeft": Func(lambda s, c: s.lstrip(c) if c else s, "ss"),
    "TrimRight": Func(lambda s, c: s.rstrip(c) if c else s, "ss"),
    "TrimPrefix": Func(lambda s, p: s[len(p):] if s.startswith(p) else s, "ss"),
    "TrimSuffix": Func(lambda s, p: s[: len(s) - len(p)] if p and s.endswith(p) else s, "ss"),
    "TrimSpace": Func(str.strip, "s"),
    "regexReplaceAll": Func(_regex_replace_all, "sss"),
    "regexReplaceAllLiteral": Func(_regex_replace_all_literal, "sss"),
    "count": Func(_count, "ss"),
    "urldecode": Func(_urldecode, "s"),
    "urlencode": Func(lambda s: urllib.parse.quote_plus(s, safe=""), "s"),
    "bytes": Func(_convert_bytes, "s"),
    "duration": Func(_convert_duration, "s"),
    "duration_seconds": Func(_convert_duration, "s"),
    "unixEpochMillis": Func(lambda t: str(t.ns // 10**6), "t"),
    "unixEpochNanos": Func(lambda t: str(t.ns), "t"),
    "toDateInZone": Func(_to_date_in_zone, "sss"),
    "unixToTime": Func(_unix_to_time, "s"),
    "alignLeft": Func(_align_left, "is"),
    "alignRight": Func(_align_right, "is"),
    # the Sprig subset Loki exposes
    "b64enc": Func(lambda s: base64.b64encode(s.encode()).decode(), "s"),
    "b64dec": Func(_b64dec, "s"),
    "lower": Func(str.lower, "s"),
    "upper": Func(str.upper, "s"),
    "title": Func(_go_title, "s"),
    "trunc": Func(_trunc, "is"),
    "substr": Func(_substr, "iis"),
    "contains": Func(lambda sub, s: sub in s, "ss"),
    "hasPrefix": Func(lambda p, s: s.startswith(p), "ss"),
    "hasSuffix": Func(lambda p, s: s.endswith(p), "ss"),
    "indent": Func(_indent, "is"),
    "nindent": Func(lambda n, s: "\n" + _indent(n, s), "is"),
    "replace": Func(lambda old, new, src: _replace_all(src, old, new), "sss"),
    "repeat": Func(_repeat, "is"),
    "trim": Func(str.strip, "s"),
    "trimAll": Func(lambda cut, s: _strip_cutset(s, cut), "ss"),
    "trimSuffix": Func(lambda suf, s: s[: len(s) - len(suf)] if suf and s.endswith(suf) else s, "ss"),
    "trimPrefix": Func(lambda pre, s: s[len(pre):] if s.startswith(pre) else s, "ss"),
    "int": Func(to_int, "a"),
    "float64": Func(to_float, "a"),
    "add": Func(lambda *v: _wrap64(sum(to_int(x) for x in v)), "", "a"),
    "sub": Func(lambda a, b: _wrap64(to_int(a) - to_int(b)), "aa"),
    "mul": Func(lambda a, *v: _wrap64(math.prod([to_int(a), *map(to_int, v)])), "a", "a"),
    "div": Func(_div, "aa"),
    "mod": Func(_mod, "aa"),
    "addf": Func(lambda *v: _decimal_fold(Decimal.__add__, 0, v), "", "a"),
    "subf": Func(lambda a, *v: _decimal_fold(Decimal.__sub__, a, v), "a", "a"),
    "mulf": Func(lambda a, *v: _decimal_fold(Decimal.__mul__, a, v), "a", "a"),
    "divf": Func(_divf, "a", "a"),
    "max": Func(lambda a, *v: max([to_int(a), *map(to_int, v)]), "a", "a"),
    "min": Func(lambda a, *v: min([to_int(a), *map(to_int, v)]), "a", "a"),
    "maxf": Func(lambda a, *v: max([to_float(a), *map(to_float, v)]), "a", "a"),
    "minf": Func(lambda a, *v: min([to_float(a), *map(to_float, v)]), "a", "a"),
    "ceil": Func(lambda a: float(math.ceil(to_float(a))), "a"),
    "floor": Func(lambda a: float(math.floor(to_float(a))), "a"),
    "round": Func(_round, "ai", "f"),
    "date": Func(_date, "sa"),
    "toDate": Func(_to_date, "ss"),
    "now": Func(lambda: GoTime(_time.time_ns(), _local_zone())),
    "unixEpoch": Func(lambda t: str(t.unix()), "t"),
    "default": Func(_default, "a", "a"),
    # Go's built-ins (and/or are special forms, see _compile_call)
    "not": Func(lambda v: not truth(v), "a"),
    "len": Func(_go_len, "a"),
    "eq": Func(go_eq, "a", "a"),
    "ne": Func(lambda a, b: not go_eq(a, b), "aa"),
    "lt": Func(go_lt, "aa"),
    "le": Func(lambda a, b: go_lt(a, b) or go_eq(a, b), "aa"),
    "gt": Func(lambda a, b: not (go_lt(a, b) or go_eq(a, b)), "aa"),
    "ge": Func(lambda a, b: not go_lt(a, b), "aa"),
    "print": Func(_go_print, "", "a"),
    "printf": Func(go_sprintf, "s", "a"),
    "println": Func(_go_println, "", "a"),
    "urlquery": Func(_urlquery, "", "a"),
    "html": Func(_html, "", "a"),
}
_SPECIAL_FORMS = {"and", "or", LINE_FUNCTION, TIMESTAMP_FUNCTION}
SUPPORTED_FUNCTIONS = frozenset(FUNCTIONS) | _SPECIAL_FORMS


# ------------------------------------------------------------------------------------
# Lexing
# ------------------------------------------------------------------------------------

@dataclass
class _Tok:
    kind: str  # text, field, var, ident, string, number, bool, nil, dot, pipe, lparen,
    #            rparen, declare, assign, end_action, eof, char
    value: Any
    pos: int


_KEYWORDS = {"if", "else", "end", "with", "range", "define", "template", "block",
             "break", "continue"}
_GO_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
               "v": "\v", "\\": "\\", '"': '"', "'": "'"}


class _Lexer:
    def __init__(self, text: str, fail: Callable[[str], Exception]) -> None:
        self.text = text
        self.fail = fail
        self.tokens: list[_Tok] = []

    def run(self) -> list[_Tok]:
        text = self.text
        i = 0
        while True:
            start = text.find("{{", i)
            if start < 0:
                self._text(text[i:], i)
                break
            body = start + 2
            trim_left = text.startswith("- ", body) or text.startswith("-\t", body) or \
                text.startswith("-\n", body) or text.startswith("-\r", body)
            chunk = text[i:start]
            if trim_left:
                chunk = chunk.rstrip(" \t\r\n")
                body += 1
            self._text(chunk, i)
            i, trim_right = self._action(body)
            if trim_right:
                while i < len(text) and text[i] in " \t\r\n":
                    i += 1
        self.tokens.append(_Tok("eof", None, len(text)))
        return self.tokens

    def _text(self, chunk: str, pos: int) -> None:
        if chunk:
            self.tokens.append(_Tok("text", chunk, pos))

    def _action(self, i: int) -> tuple[int, bool]:
        text = self.text
        n = len(text)
        # comments: {{/* ... */}}
        j = i
        while j < n and text[j] in " \t\r\n":
            j += 1
        if text.startswith("/*", j):
            end = text.find("*/", j + 2)
            if end < 0:
                raise self.fail("unclosed comment")
            k = end + 2
            while k < n and text[k] in " \t\r\n":
                k += 1
            if text.startswith("-}}", k) and k > end + 2:
                return k + 3, True
            if text.startswith("}}", k):
                return k + 2, False
            raise self.fail("comment ends before closing delimiter")
        self.tokens.append(_Tok("begin_action", None, i))
        while True:
            while i < n and text[i] in " \t\r\n":
                i += 1
            if i >= n:
                raise self.fail("unclosed action")
            ch = text[i]
            if text.startswith("}}", i):
                self.tokens.append(_Tok("end_action", None, i))
                return i + 2, False
            if text.startswith("-}}", i) and text[i - 1] in " \t\r\n":
                self.tokens.append(_Tok("end_action", None, i))
                return i + 3, True
            if ch == "|":
                self.tokens.append(_Tok("pipe", None, i))
                i += 1
            elif ch == "(":
                self.tokens.append(_Tok("lparen", None, i))
                i += 1
            elif ch == ")":
                self.tokens.append(_Tok("rparen", None, i))
                i += 1
            elif text.startswith(":=", i):
                self.tokens.append(_Tok("declare", None, i))
                i += 2
            elif ch == "=":
                self.tokens.append(_Tok("assign", None, i))
                i += 1
            elif ch == '"':
                i = self._string(i)
            elif ch == "`":
                end = text.find("`", i + 1)
                if end < 0:
                    raise self.fail("unterminated raw quoted string")
                self.tokens.append(_Tok("string", text[i + 1:end], i))
                i = end + 1
            elif ch == "'":
                end = text.find("'", i + 1)
                if end < 0:
                    raise self.fail("unterminated character constant")
                raw = text[i + 1:end]
                value = _GO_ESCAPES.get(raw[1:], raw) if raw.startswith("\\") else raw
                if len(value) != 1:
                    raise self.fail(f"malformed character constant: '{raw}'")
                self.tokens.append(_Tok("number", ord(value), i))
                i = end + 1
            elif ch == "." and not (i + 1 < n and text[i + 1].isdigit()):
                j = i
                names = []
                while j < n and text[j] == ".":
                    k = j + 1
                    while k < n and (text[k].isalnum() or text[k] == "_"):
                        k += 1
                    if k == j + 1:
                        break
                    names.append(text[j + 1:k])
                    j = k
                if names:
                    self.tokens.append(_Tok("field", names, i))
                    i = j
                else:
                    self.tokens.append(_Tok("dot", None, i))
                    i += 1
            elif ch == "$":
                k = i + 1
                while k < n and (text[k].isalnum() or text[k] == "_"):
                    k += 1
                name = text[i:k]
                fields = []
                while k < n and text[k] == "." and k + 1 < n and (text[k + 1].isalnum() or text[k + 1] == "_"):
                    m = k + 1
                    while m < n and (text[m].isalnum() or text[m] == "_"):
                        m += 1
                    fields.append(text[k + 1:m])
                    k = m
                self.tokens.append(_Tok("var", (name, fields), i))
                i = k
            elif ch.isdigit() or (ch in "+-." and i + 1 < n and text[i + 1].isdigit()):
                k = i + 1
                while k < n and (text[k].isalnum() or text[k] in "._" or
                                 (text[k] in "+-" and text[k - 1] in "eEpP")):
                    k += 1
                self.tokens.append(_Tok("number", self._number(text[i:k]), i))
                i = k
            elif ch.isalpha() or ch == "_":
                k = i + 1
                while k < n and (text[k].isalnum() or text[k] == "_"):
                    k += 1
                word = text[i:k]
                if word in ("true", "false"):
                    self.tokens.append(_Tok("bool", word == "true", i))
                elif word == "nil":
                    self.tokens.append(_Tok("nil", None, i))
                elif word in _KEYWORDS:
                    self.tokens.append(_Tok("keyword", word, i))
                else:
                    self.tokens.append(_Tok("ident", word, i))
                i = k
            else:
                raise self.fail(f"unexpected {ch!r} in command")

    def _string(self, i: int) -> int:
        text = self.text
        out = []
        k = i + 1
        while k < len(text):
            ch = text[k]
            if ch == '"':
                self.tokens.append(_Tok("string", "".join(out), i))
                return k + 1
            if ch == "\n":
                break
            if ch == "\\":
                esc = text[k + 1:k + 2]
                if esc in _GO_ESCAPES:
                    out.append(_GO_ESCAPES[esc])
                    k += 2
                    continue
                size = {"x": 2, "u": 4, "U": 8}.get(esc)
                if size:
                    digits = text[k + 2:k + 2 + size]
                    try:
                        out.append(chr(int(digits, 16)))
                    except ValueError:
                        raise self.fail("invalid syntax") from None
                    k += 2 + size
                    continue
                if esc.isdigit():
                    out.append(chr(int(text[k + 1:k + 4], 8)))
                    k += 4
                    continue
                raise self.fail("invalid syntax")
            out.append(ch)
            k += 1
        raise self.fail("unterminated quoted string")

    def _number(self, raw: str):
        text = raw.replace("_", "")
        body = text.lstrip("+-").lower()
        try:
            if body.startswith(("0x", "0o", "0b")) or body.isdigit():
                return _parse_go_int(text)
            value = float(text)
        except ValueError:
            raise self.fail(f"bad number syntax: {raw!r}") from None
        return _FloatConst(value, text)


class _FloatConst(float):
    """A float literal: Go lets it pass as an int argument when it is integral."""

    def __new__(cls, value: float, text: str):
        obj = super().__new__(cls, value)
        obj.text = text
        return obj


# ------------------------------------------------------------------------------------
# Parsing and compiling to closures
# ------------------------------------------------------------------------------------

class _Ctx:
    """What one render sees: the data map, the line, the timestamp, variables."""

    __slots__ = ("data", "line", "ts", "vars")

    def __init__(self, data: dict, line: str, ts: int) -> None:
        self.data = data
        self.line = line
        self.ts = ts
        self.vars: dict[str, Any] | None = None


Eval = Callable[[_Ctx, Any], Any]  # (ctx, dot) -> value
Emit = Callable[[_Ctx, Any, list], None]  # appends output pieces


class _Parser:
    def __init__(self, text: str, stage: str, name: str) -> None:
        self.stage = stage
        self.name = name
        self.text = text
        self.toks = _Lexer(text, self._error).run()
        self.i = 0
        self.fields: list[str] = []

    # -- helpers -------------------------------------------------------------------

    def _error(self, message: str) -> ExecutionError:
        return ExecutionError(f"{self.stage}: invalid template {self.text!r}: {message}")

    def peek(self, offset: int = 0) -> _Tok:
        return self.toks[min(self.i + offset, len(self.toks) - 1)]

    def next(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expect(self, kind: str, what: str) -> _Tok:
        tok = self.next()
        if tok.kind != kind:
            raise self._error(f"unexpected {self._describe(tok)} in {what}")
        return tok

    @staticmethod
    def _describe(tok: _Tok) -> str:
        if tok.kind == "end_action":
            return '"}}"'
        if tok.kind == "eof":
            return "EOF"
        return f"<{tok.value}>" if tok.value is not None else tok.kind

    # -- lists and control structures ----------------------------------------------

    def parse(self) -> list[Emit]:
        emits, stop = self.parse_list()
        if stop is not None:
            raise self._error(f"unexpected {{{{{stop}}}}}")
        return emits

    def parse_list(self) -> tuple[list[Emit], str | None]:
        """Nodes up to EOF or an ``{{else}}``/``{{end}}`` (returned as the stop word)."""
        emits: list[Emit] = []
        while True:
            tok = self.next()
            if tok.kind == "eof":
                self.i -= 1
                return emits, None
            if tok.kind == "text":
                emits.append(_emit_text(tok.value))
                continue
            # begin_action
            head = self.peek()
            if head.kind == "keyword":
                word = head.value
                if word in ("end", "else"):
                    self.i += 1
                    return emits, word
                if word in ("if", "with"):
                    self.i += 1
                    emits.append(self.parse_branch(word))
                    continue
                raise self._error(f'"{word}" is not supported')
            pipe = self.parse_pipeline("command")
            self.expect("end_action", "command")
            emits.append(_emit_value(pipe))

    def parse_branch(self, word: str) -> Emit:
        cond = self.parse_pipeline(word)
        self.expect("end_action", word)
        body, stop = self.parse_list()
        else_body: list[Emit] = []
        if stop == "else":
            if self.peek().kind == "keyword" and self.peek().value in ("if", "with"):
                nested = self.next().value  # {{else if ...}}: a nested branch ending at our {{end}}
                else_body = [self.parse_branch(nested)]
                return _emit_branch(word, cond, body, else_body)
            self.expect("end_action", "else")
            else_body, stop = self.parse_list()
        if stop != "end":
            raise self._error(f"unexpected EOF in {word}")
        self.expect("end_action", "end")
        return _emit_branch(word, cond, body, else_body)

    # -- pipelines and commands ------------------------------------------------------

    def parse_pipeline(self, context: str) -> Eval:
        declare = None
        tok = self.peek()
        if tok.kind == "var" and self.peek(1).kind in ("declare", "assign") and not tok.value[1]:
            declare = tok.value[0]
            self.i += 2
        commands: list[tuple] = []
        while True:
            commands.append(self.parse_command(context))
            if self.peek().kind != "pipe":
                break
            self.i += 1
        if self.peek().kind not in ("end_action", "rparen"):
            raise self._error(f"unexpected {self._describe(self.peek())} in {context}")
        pipe = self._link(commands)
        if declare is None:
            return pipe

        def assign(ctx: _Ctx, dot: Any, _pipe=pipe, _name=declare):
            value = _pipe(ctx, dot)
            if ctx.vars is None:
                ctx.vars = {}
            ctx.vars[_name] = value
            return _Silent
        return assign

    def parse_command(self, context: str) -> tuple:
        operands: list[tuple[str, Any, _Tok]] = []
        while self.peek().kind not in ("pipe", "end_action", "rparen", "eof"):
            operands.append(self.parse_operand())
        if not operands:
            raise self._error(f"missing value for {context}")
        return tuple(operands)

    def parse_operand(self) -> tuple[str, Any, _Tok]:
        tok = self.next()
        kind = tok.kind
        if kind == "lparen":
            inner = self.parse_pipeline("parenthesized pipeline")
            self.expect("rparen", "parenthesized pipeline")
            return ("eval", inner, tok)
        if kind in ("string", "number", "bool", "nil"):
            return ("const", tok.value, tok)
        if kind == "field":
            self.fields.append(tok.value[0])
            return ("eval", _field_eval(tok.value), tok)
        if kind == "dot":
            return ("eval", lambda ctx, dot: dot, tok)
        if kind == "var":
            return ("eval", _var_eval(*tok.value), tok)
        if kind == "ident":
            if tok.value not in SUPPORTED_FUNCTIONS:
                raise ExecutionError(f'{self.stage}: function "{tok.value}" is not supported')
            return ("func", tok.value, tok)
        raise self._error(f"unexpected {self._describe(tok)} in operand")

    def _link(self, commands: list[tuple]) -> Eval:
        """Chain the commands: each one's result is the last argument of the next."""
        evals: list[Eval] = []
        for index, operands in enumerate(commands):
            piped = index > 0
            evals.append(self._compile_command(operands, piped))
        if len(evals) == 1:
            return evals[0]

        def run(ctx: _Ctx, dot: Any, _evals=evals):
            value = _evals[0](ctx, dot)
            for command in _evals[1:]:
                value = command(ctx, dot, value)
            return value
        return run

    def _compile_command(self, operands: tuple, piped: bool):
        kind, value, tok = operands[0]
        if kind != "func":
            if len(operands) > 1:
                raise self._error(f"can't give argument to non-function {self._describe(tok)}")
            if piped:
                raise self._error("non executable command in pipeline stage")
            if kind == "const":
                const = float(value) if isinstance(value, _FloatConst) else value
                return lambda ctx, dot, _v=const: _v
            return value
        return self._compile_call(value, operands[1:], piped)

    def _compile_call(self, name: str, operands: tuple, piped: bool):
        args = [self._compile_arg(name, index, op) for index, op in enumerate(operands)]
        nargs = len(args) + (1 if piped else 0)
        call_text = name
        where = f'{self.stage}: executing "{self.name}" at <{call_text}>'

        if name in ("and", "or"):
            if nargs < 1:
                raise self._error(f"wrong number of args for {name}: want at least 1 got 0")
            lazy = [self._typed(arg, "a", name) for arg in args]
            want_truth = name == "or"

            def logic(ctx, dot, *piped_value, _args=lazy, _want=want_truth):
                # Go evaluates and/or lazily and returns the deciding (or last) argument
                value = None
                for arg in _args:
                    value = arg(ctx, dot)
                    if truth(value) == _want:
                        return value
                return piped_value[0] if piped_value else value
            return logic if piped else (lambda ctx, dot, _f=logic: _f(ctx, dot))
        if name == LINE_FUNCTION:
            self._check_arity(name, nargs, 0, 0)
            return lambda ctx, dot, *_: ctx.line
        if name == TIMESTAMP_FUNCTION:
            self._check_arity(name, nargs, 0, 0)
            return lambda ctx, dot, *_: time_from_ns(ctx.ts)

        func = FUNCTIONS[name]
        fixed = len(func.params)
        self._check_arity(name, nargs, fixed, None if func.variadic else fixed)
        kinds = [func.params[i] if i < fixed else func.variadic for i in range(nargs)]
        # resolve literal constants against the parameter kinds now, once
        resolved: list[Eval] = []
        for index, arg in enumerate(args):
            resolved.append(self._typed(arg, kinds[index], name))
        piped_kind = kinds[-1] if piped else None
        fn = func.fn

        def call(ctx, dot, *piped_value, _fn=fn, _args=resolved, _pk=piped_kind):
            values = [a(ctx, dot) for a in _args]
            if piped_value:
                values.append(_check_kind(piped_value[0], _pk, name))
            try:
                return _fn(*values)
            except TemplateExecError as err:
                raise TemplateExecError(f"{where}: error calling {name}: {err}") from None
            except (ValueError, TypeError, OverflowError, ZeroDivisionError) as err:
                raise TemplateExecError(f"{where}: error calling {name}: {err}") from None
        if piped:
            return call
        return lambda ctx, dot, _c=call: _c(ctx, dot)

    def _check_arity(self, name: str, got: int, least: int, most: int | None) -> None:
        if got < least or (most is not None and got > most):
            want = least if most == least else f"at least {least}"
            raise self._error(f"wrong number of args for {name}: want {want} got {got}")

    def _compile_arg(self, name: str, index: int, operand: tuple):
        kind, value, tok = operand
        if kind == "const":
            return ("const", value)
        if kind == "func":
            # a bare function name as an argument is a call without arguments
            return ("eval", self._compile_call(value, (), False))
        return ("eval", value)

    def _typed(self, arg: tuple, kind: str, name: str) -> Eval:
        tag, value = arg
        if tag == "eval":
            return lambda ctx, dot, _e=value: _check_kind(_e(ctx, dot), kind, name)
        const = _convert_const(value, kind)
        if const is _BAD:
            raise self._error(f"wrong type for value; expected {_KIND_NAMES[kind]}; "
                              f"got {go_type_name(value)}")
        return lambda ctx, dot, _v=const: _v


_BAD = object()
_Silent = object()  # the value of a variable declaration: prints nothing
_KIND_NAMES = {"s": "string", "i": "int", "f": "float64", "t": "time.Time", "a": "interface {}"}


def _convert_const(value: Any, kind: str) -> Any:
    if kind == "a":
        return float(value) if isinstance(value, _FloatConst) else value
    if kind == "s":
        return value if isinstance(value, str) else _BAD
    if kind == "i":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return _BAD
        if isinstance(value, float):
            return int(value) if value.is_integer() else _BAD
        return value
    if kind == "f":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return _BAD
        return float(value)
    return _BAD


def _check_kind(value: Any, kind: str | None, name: str) -> Any:
    if kind is None or kind == "a":
        return value
    ok = {
        "s": isinstance(value, str),
        "i": isinstance(value, int) and not isinstance(value, bool),
        "f": isinstance(value, float),
        "t": isinstance(value, GoTime),
    }[kind]
    if not ok:
        raise TemplateExecError(f"error calling {name}: wrong type for value; expected "
                                f"{_KIND_NAMES[kind]}; got {go_type_name(value)}")
    return value


def _field_eval(names: list[str]) -> Eval:
    first, rest = names[0], names[1:]

    def field(ctx: _Ctx, dot: Any) -> Any:
        value = _lookup(dot, first)
        for name in rest:
            value = _lookup(value, name)
        return value
    return field


def _lookup(container: Any, name: str) -> Any:
    if isinstance(container, dict):
        return container.get(name, "")  # missingkey=zero on map[string]string
    raise TemplateExecError(f"can't evaluate field {name} in type {go_type_name(container)}")


def _var_eval(name: str, fields: list[str]) -> Eval:
    def var(ctx: _Ctx, dot: Any) -> Any:
        if name == "$":
            value = ctx.data
        elif ctx.vars is not None and name in ctx.vars:
            value = ctx.vars[name]
        else:
            raise TemplateExecError(f"undefined variable: {name}")
        for field in fields:
            value = _lookup(value, field)
        return value
    return var


def _emit_text(text: str) -> Emit:
    def emit(ctx, dot, out, _t=text):
        out.append(_t)
    return emit


def _emit_value(pipe: Eval) -> Emit:
    def emit(ctx, dot, out, _p=pipe):
        value = _p(ctx, dot)
        if value is not _Silent:
            out.append(value if isinstance(value, str) else go_str(value))
    return emit


def _emit_branch(word: str, cond: Eval, body: list[Emit], else_body: list[Emit]) -> Emit:
    with_dot = word == "with"

    def emit(ctx, dot, out):
        value = cond(ctx, dot)
        if truth(value) and value is not _Silent:
            inner = value if with_dot else dot
            for node in body:
                node(ctx, inner, out)
        else:
            for node in else_body:
                node(ctx, dot, out)
    return emit


class Template:
    """A compiled template. ``stage`` names the stage in error messages."""

    __slots__ = ("text", "stage", "_emits", "_simple_field", "required_labels")

    def __init__(self, text: str, stage: str = "line_format", name: str = "line") -> None:
        self.text = text
        self.stage = stage
        parser = _Parser(text, stage, name)
        self._emits = parser.parse()
        self.required_labels: list[str] = list(dict.fromkeys(parser.fields))
        self._simple_field = _simple_field(parser.toks)

    @property
    def simple_field(self) -> str | None:
        """The label name when the template is exactly ``{{.name}}`` (a fast path)."""
        return self._simple_field

    def render(self, data: dict, line: str = "", ts: int = 0) -> str:
        """Run the template over the labels ``data``; raise :class:`TemplateExecError`."""
        ctx = _Ctx(data, line, ts)
        out: list[str] = []
        try:
            for emit in self._emits:
                emit(ctx, data, out)
        except RecursionError:
            raise TemplateExecError("template: exceeded maximum template depth") from None
        return "".join(out)


def _simple_field(toks: list[_Tok]) -> str | None:
    kinds = [t.kind for t in toks]
    if kinds == ["begin_action", "field", "end_action", "eof"] and len(toks[1].value) == 1:
        return toks[1].value[0]
    return None


def compile_template(text: str, stage: str = "line_format") -> Template:
    return Template(text, stage)
