"""The per-line stages of a LogQL log pipeline, with Grafana Loki's semantics.

Each stage is built from plain Python values and has Loki's ``Stage`` interface::

    process(ts: int, line: str, lbs: LabelsBuilder) -> tuple[str, bool]   # (line, keep)

Parsers never drop a line: when they fail they set ``__error__`` (and usually
``__error_details__``) and pass the line on. Constructors reject what Loki rejects at
query time with ``ValueError`` carrying Loki's message; unsupported template functions
raise :class:`~nl2logql.errors.ExecutionError`.

Loki rules mirrored here:

- extracted names are sanitised (``sanitize_label_key``) and get the ``_extracted``
  suffix when the *stream* labels already hold that name;
- a parser does not overwrite a label that an earlier stage of the pipeline set for
  this line (Loki 3's parser hints: the first extraction wins);
- ``json`` flattens nested objects with ``_`` and skips arrays and nulls; numbers keep
  their source text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from json.decoder import scanstring
from typing import Iterable, Protocol, Sequence, Union

import re2

from nl2logql.engine.labels import (
    DUPLICATE_SUFFIX,
    ERROR_DETAILS_LABEL,
    ERROR_LABEL,
    PRESERVE_ERROR_LABEL,
    LabelsBuilder,
)
from nl2logql.engine.store import LabelMatcher  # noqa: F401 (drop/keep items)
from nl2logql.engine.template import Template, TemplateExecError
from nl2logql.logql.checks import is_label_name

# Values of __error__, exactly as Loki writes them.
ERR_JSON = "JSONParserErr"
ERR_LOGFMT = "LogfmtParserErr"
ERR_SAMPLE_EXTRACTION = "SampleExtractionErr"
ERR_LABEL_FILTER = "LabelFilterErr"
ERR_TEMPLATE_FORMAT = "TemplateFormatErr"

PACKED_ENTRY_KEY = "_entry"



class Stage(Protocol):
    def process(self, ts: int, line: str, lbs: LabelsBuilder) -> tuple[str, bool]: ...


def _is_name_char(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z") or ("0" <= ch <= "9") or ch == "_"


def sanitize_label_key(key: str, is_prefix: bool = True) -> str:
    """Loki's ``sanitizeLabelKey``: trim, ``_`` before a leading digit, others to ``_``."""
    key = key.strip()
    if not key:
        return key
    if is_prefix and "0" <= key[0] <= "9":
        key = "_" + key
    return "".join(ch if _is_name_char(ch) else "_" for ch in key)


def _append_sanitized(prefix: str, key: str) -> str:
    """Loki's ``appendSanitized`` (the JSON parser's nested key builder)."""
    key = key.strip()
    if not key:
        return prefix
    if not prefix and "0" <= key[0] <= "9":
        prefix = "_"
    return prefix + "".join(ch if _is_name_char(ch) else "_" for ch in key)


def _clean_value(value: str) -> str:
    # Prometheus rejects U+FFFD in label values; Loki turns it into a space.
    return value.replace("\ufffd", " ") if "\ufffd" in value else value


def _extracted_name(lbs: LabelsBuilder, name: str) -> str:
    return name + DUPLICATE_SUFFIX if lbs.base_has(name) else name


# ------------------------------------------------------------------------------------
# JSON: a port of the tolerant scanner Loki uses (buger/jsonparser), for errors and raw text
# ------------------------------------------------------------------------------------

class _JSONError(Exception):
    pass


_MALFORMED_OBJECT = "Value looks like object, but can't find closing '}' symbol"
_MALFORMED_ARRAY = "Value is array, but can't find closing ']' symbol"
_MALFORMED_JSON = "Malformed JSON error"
_MALFORMED_STRING = "Value is string, but can't find closing '\"' symbol"
_MALFORMED_ESCAPE = "Encountered an invalid escape sequence in a string"
_MALFORMED_VALUE = "Value looks like Number/Boolean/None, but can't find its end: ',' or '}' symbol"
_UNKNOWN_VALUE = "Unknown value type"
_WS = " \n\r\t"
_TOKEN_END = re2.compile(r"[ \n\r\t,}\]]")

_decoder = json.JSONDecoder(strict=False)


def _next_token(data: str, i: int) -> int:
    n = len(data)
    while i < n and data[i] in _WS:
        i += 1
    return i if i < n else -1


def _string_end(data: str, i: int) -> tuple[int, bool]:
    """Index just past the closing quote of a string whose body starts at ``i``."""
    escaped = False
    while True:
        q = data.find('"', i)
        if q < 0:
            return -1, escaped
        backslashes = 0
        j = q - 1
        while j >= i and data[j] == "\\":
            backslashes += 1
            j -= 1
        if backslashes:
            escaped = True
        if backslashes % 2 == 0:
            return q + 1, escaped
        i = q + 1


def _block_end(data: str, i: int, open_ch: str, close_ch: str) -> int:
    level = 0
    n = len(data)
    while i < n:
        ch = data[i]
        if ch == '"':
            end, _ = _string_end(data, i + 1)
            if end < 0:
                return -1
            i = end
            continue
        if ch == open_ch:
            level += 1
        elif ch == close_ch:
            level -= 1
            if level == 0:
                return i + 1
        i += 1
    return -1


def _get_value(data: str, i: int) -> tuple[str, str, int]:
    """jsonparser's getType: (kind, raw text without string quotes, end index)."""
    ch = data[i]
    if ch == '"':
        end, _ = _string_end(data, i + 1)
        if end < 0:
            raise _JSONError(_MALFORMED_STRING)
        return "string", data[i + 1:end - 1], end
    if ch == "[":
        end = _block_end(data, i, "[", "]")
        if end < 0:
            raise _JSONError(_MALFORMED_ARRAY)
        return "array", data[i:end], end
    if ch == "{":
        end = _block_end(data, i, "{", "}")
        if end < 0:
            raise _JSONError(_MALFORMED_OBJECT)
        return "object", data[i:end], end
    m = _TOKEN_END.search(data, i)
    end = m.start() if m else len(data)
    raw = data[i:end]
    if ch in "tf":
        if raw not in ("true", "false"):
            raise _JSONError(_UNKNOWN_VALUE)
        return "boolean", raw, end
    if ch in "un":
        if raw != "null":
            raise _JSONError(_UNKNOWN_VALUE)
        return "null", raw, end
    if ch in "-0123456789":
        return "number", raw, end
    raise _JSONError(_UNKNOWN_VALUE)


def _unescape(raw: str) -> str | None:
    if "\\" not in raw:
        return raw
    try:
        return scanstring(raw + '"', 0, False)[0]
    except ValueError:
        return None


def _object_each(data: str, callback) -> None:
    """jsonparser.ObjectEach: call ``callback(key, kind, raw)`` per member, or raise."""
    i = _next_token(data, 0)
    if i < 0 or data[i] != "{":
        raise _JSONError(_MALFORMED_OBJECT)
    i = _next_token(data, i + 1)
    if i < 0:
        raise _JSONError(_MALFORMED_JSON)
    if data[i] == "}":
        return
    n = len(data)
    while i < n:
        if data[i] == "}":
            return
        if data[i] != '"':
            raise _JSONError(_MALFORMED_OBJECT)
        end, escaped = _string_end(data, i + 1)
        if end < 0:
            raise _JSONError(_MALFORMED_JSON)
        key = data[i + 1:end - 1]
        if escaped:
            key = _unescape(key)
            if key is None:
                raise _JSONError(_MALFORMED_ESCAPE)
        i = _next_token(data, end)
        if i < 0 or data[i] != ":":
            raise _JSONError(_MALFORMED_JSON)
        i = _next_token(data, i + 1)
        if i < 0:
            raise _JSONError(_MALFORMED_JSON)
        kind, raw, i = _get_value(data, i)
        callback(key, kind, raw)
        i = _next_token(data, i)
        if i < 0:
            raise _JSONError(_MALFORMED_ARRAY)
        if data[i] == "}":
            return
        if data[i] != ",":
            raise _JSONError(_MALFORMED_OBJECT)
        i = _next_token(data, i + 1)
        if i < 0:
            raise _JSONError(_MALFORMED_ARRAY)
    raise _JSONError(_MALFORMED_OBJECT)


def _fast_json_object(line: str) -> dict | None:
    """The line as a dict when it is plain valid JSON (the common case), else ``None``."""
    try:
        obj = _decoder.decode(line)
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None


def _reject_constant(name: str):
    raise ValueError(name)


_raw_numbers = json.JSONDecoder(strict=False, parse_float=str, parse_int=str,
                                parse_constant=_reject_constant)


class JSONParser:
    """``| json`` without parameters: every scalar field becomes a label."""

    def process(self, ts: int, line: str, lbs: LabelsBuilder) -> tuple[str, bool]:
        skip = lbs.parsed_names()
        try:
            obj = _raw_numbers.decode(line)
        except ValueError:
            obj = None
        if isinstance(obj, dict):
            self._flatten(obj, "", lbs, skip)
            return line, True
        try:
            self._scan(line, "", lbs, skip)
        except _JSONError as err:
            lbs.set_error(ERR_JSON, str(err))
        return line, True

    def _name(self, prefix: str, key: str, lbs: LabelsBuilder) -> str:
        if prefix:
            return _extracted_name(lbs, _append_sanitized(prefix + "_", key))
        return _extracted_name(lbs, sanitize_label_key(key, True))

    @staticmethod
    def _nested_prefix(prefix: str, key: str) -> str:
        return _append_sanitized(prefix + "_" if prefix else "", key)

    def _flatten(self, obj: dict, prefix: str, lbs: LabelsBuilder, skip) -> None:
        for key, value in obj.items():
            if isinstance(value, dict):
                self._flatten(value, self._nested_prefix(prefix, key), lbs, skip)
                continue
            if isinstance(value, str):  # strings and (raw) numbers
                text = _clean_value(value)
            elif isinstance(value, bool):
                text = "true" if value else "false"
            else:  # arrays and nulls are skipped, as Loki does
                continue
            name = self._name(prefix, key, lbs)
            if name not in skip:
                lbs.set(name, text)

    def _scan(self, data: str, prefix: str, lbs: LabelsBuilder, skip) -> None:
        def member(key: str, kind: str, raw: str) -> None:
            if kind == "object":
                self._scan(raw, self._nested_prefix(prefix, key), lbs, skip)
                return
            if kind == "string":
                text = _unescape(raw)
                text = "" if text is None else _clean_value(text)
            elif kind in ("number", "boolean"):
                text = raw
            else:
                return
            name = self._name(prefix, key, lbs)
            if name not in skip:
                lbs.set(name, text)
        _object_each(data, member)


# ------------------------------------------------------------------------------------
# JSON expressions: json a="x.y", b="z[0]"
# ------------------------------------------------------------------------------------

def parse_json_path(expression: str) -> list[str | int]:
    """Loki's jsonexpr: ``a.b[0]["key with space"]`` → ``["a", "b", 0, "key with space"]``."""
    path: list[str | int] = []
    i, n = 0, len(expression)

    def fail(message: str) -> ValueError:
        return ValueError(f"cannot parse expression [{expression}]: syntax error: {message}")

    def field(at: int) -> tuple[str, int]:
        j = at
        while j < n and _is_name_char(expression[j]):
            j += 1
        return expression[at:j], j

    while i < n:
        ch = expression[i]
        if ch in " \t\n":
            i += 1
            continue
        if ch == "[":
            j = i + 1
            if j < n and expression[j] == '"':
                end = j + 1
                while end < n and expression[end] not in '"]':
                    end += 1
                key = expression[j + 1:end]
                j = end + 1
                if j >= n or expression[j] != "]":
                    raise fail("unexpected $end, expecting RSB" if j >= n
                               else "unexpected STRING, expecting RSB")
                path.append(key)
            else:
                end = expression.find("]", j)
                digits = expression[j:end] if end >= 0 else expression[j:]
                if not digits.isdigit():
                    raise fail(f"non-integer value: {digits[:1] or '$end'}")
                path.append(int(digits))
                j = end if end >= 0 else n
                if j >= n:
                    raise fail("unexpected $end, expecting RSB")
            i = j + 1
        elif ch == ".":
            if not path:
                raise fail("unexpected DOT")
            name, j = field(i + 1)
            if not name or not (name[0].isalpha() or name[0] == "_"):
                raise fail("unexpected DOT, expecting FIELD")
            path.append(name)
            i = j
        elif ch.isalpha() or ch == "_":
            if path:
                raise fail("unexpected FIELD")
            name, i = field(i)
            path.append(name)
        elif ch == '"':
            raise fail("unexpected STRING, expecting LSB or FIELD")
        else:
            raise fail(f"unexpected char {ch}")
    return path


def _skip_ws(data: str, i: int) -> int:
    n = len(data)
    while i < n and data[i] in _WS:
        i += 1
    return i


def _find_path(line: str, path: Sequence[str | int]) -> tuple[str, str] | None:
    """(kind, text) of the value at ``path``, ``None`` when absent or unreadable."""
    i = 0
    try:
        for step in path:
            i = _skip_ws(line, i)
            if isinstance(step, int):
                i = _seek_index(line, i, step)
            else:
                i = _seek_key(line, i, step)
            if i < 0:
                return None
        i = _skip_ws(line, i)
        value, end = _decoder.raw_decode(line, i)
    except (ValueError, IndexError):
        return None
    if isinstance(value, str):
        return "string", value
    if value is None:
        return "null", ""
    raw = line[i:end]
    if isinstance(value, dict):
        return "object", raw
    text = _unescape(raw)
    return "other", "" if text is None else text


def _seek_key(data: str, i: int, key: str) -> int:
    if data[i] != "{":
        return -1
    i = _skip_ws(data, i + 1)
    while data[i] != "}":
        if data[i] != '"':
            return -1
        name, i = scanstring(data, i + 1, False)
        i = _skip_ws(data, i)
        if data[i] != ":":
            return -1
        i = _skip_ws(data, i + 1)
        if name == key:
            return i
        _, i = _decoder.raw_decode(data, i)
        i = _skip_ws(data, i)
        if data[i] == ",":
            i = _skip_ws(data, i + 1)
    return -1


def _seek_index(data: str, i: int, index: int) -> int:
    if data[i] != "[":
        return -1
    i = _skip_ws(data, i + 1)
    position = 0
    while data[i] != "]":
        if position == index:
            return i
        _, i = _decoder.raw_decode(data, i)
        i = _skip_ws(data, i)
        if data[i] == ",":
            i = _skip_ws(data, i + 1)
        position += 1
    return -1


def _check_params(params: Iterable[tuple[str, str]] | dict) -> list[tuple[str, str]]:
    pairs = list(params.items()) if isinstance(params, dict) else [tuple(p) for p in params]
    for label, _ in pairs:
        if not is_label_name(label):
            raise ValueError(f"invalid extracted label name '{label}'")
    return pairs


class JSONExpressionParser:
    """``| json a="x.y", b="z[0]"``: ``params`` are ``(label, expression)`` pairs."""

    def __init__(self, params: Iterable[tuple[str, str]] | dict) -> None:
        pairs = _check_params(params)
        self.ids = [label for label, _ in pairs]
        self.paths = [parse_json_path(expr) for _, expr in pairs]

    def process(self, ts: int, line: str, lbs: LabelsBuilder) -> tuple[str, bool]:
        if not line:
            return line, True
        if line[0] not in '"{[':
            lbs.set_error(ERR_JSON)
            return line, True
        for label, path in zip(self.ids, self.paths):
            found = _find_path(line, path) if path else None
            if found is None:
                if lbs.get(label) is None:  # a label for every expression, even unmatched
                    lbs.set(label, "")
                continue
            lbs.set(_extracted_name(lbs, label), found[1])
        return line, True


# ------------------------------------------------------------------------------------
# logfmt
# ------------------------------------------------------------------------------------

class LogfmtSyntaxError(Exception):
    def __init__(self, message: str, pos: int) -> None:
        super().__init__(f"logfmt syntax error at pos {pos} : {message}")


_LOGFMT_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "'": "'", "b": "\b", "f": "\f",
                   "n": "\n", "r": "\r", "t": "\t"}


def _unquote_logfmt(body: str) -> str | None:
    """The body of a quoted value with escapes (Go's encoding/json rules, plus ``\\'``)."""
    out = []
    i, n = 0, len(body)
    while i < n:
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        i += 1
        if i >= n:
            return None
        esc = body[i]
        if esc in _LOGFMT_ESCAPES:
            out.append(_LOGFMT_ESCAPES[esc])
            i += 1
        elif esc == "u":
            try:
                code = int(body[i + 1:i + 5], 16)
            except ValueError:
                return None
            if len(body[i + 1:i + 5]) != 4:
                return None
            i += 5
            if 0xD800 <= code < 0xE000:
                low = body[i:i + 6]
                try:
                    low_code = int(low[2:], 16) if low.startswith("\\u") and len(low) == 6 else -1
                except ValueError:
                    low_code = -1
                if code < 0xDC00 and 0xDC00 <= low_code < 0xE000:
                    code = 0x10000 + ((code - 0xD800) << 10) + (low_code - 0xDC00)
                    i += 6
                else:
                    code = 0xFFFD
            out.append(chr(code))
        else:
            return None
    return "".join(out)


class LogfmtDecoder:
    """Loki's logfmt decoder (go-logfmt adapted): scan ``key=value`` pairs of one line."""

    __slots__ = ("line", "pos", "key", "value", "err")

    def __init__(self, line: str = "") -> None:
        self.reset(line)

    def reset(self, line: str) -> None:
        self.line = line
        self.pos = 0
        self.key: str | None = None
        self.value: str | None = None
        self.err: LogfmtSyntaxError | None = None

    def eol(self) -> bool:
        return self.pos >= len(self.line)

    def _error(self, message: str) -> None:
        byte_pos = len(self.line[: self.pos].encode("utf-8", "surrogatepass"))
        self.err = LogfmtSyntaxError(message, byte_pos + 1)

    def _unexpected(self, ch: str) -> None:
        self._error(f"unexpected {ch!r}" if ch != "'" else 'unexpected \'\\\'\'')

    def _skip_value(self) -> bool:
        line, n = self.line, len(self.line)
        i = self.pos
        while i < n and line[i] > " ":
            i += 1
        self.pos = i
        return False

    def scan_keyval(self) -> bool:
        """Advance to the next pair; ``False`` at the end of the line or on an error."""
        self.key = self.value = None
        line, n = self.line, len(self.line)
        i = self.pos
        while i < n and line[i] <= " ":
            i += 1
        if i >= n:
            self.pos = n
            return False
        start = i
        while i < n:
            ch = line[i]
            if ch == "=":
                self.pos = i
                if i > start:
                    self.key = line[start:i]
                    if "\ufffd" in self.key:
                        self._error("invalid key")
                        return self._skip_value()
                if self.key is None:
                    self._unexpected(ch)
                    return self._skip_value()
                return self._scan_value(i + 1)
            if ch == '"':
                self.pos = i
                self._unexpected(ch)
                return self._skip_value()
            if ch <= " ":
                self.pos = i
                self.key = line[start:i]
                if "\ufffd" in self.key:
                    self._error("invalid key")
                    return False
                return True
            i += 1
        self.pos = n
        self.key = line[start:]
        if "\ufffd" in self.key:
            self._error("invalid key")
            return False
        return True

    def _scan_value(self, i: int) -> bool:
        line, n = self.line, len(self.line)
        self.pos = i
        if i >= n or line[i] <= " ":
            return True
        if line[i] == '"':
            return self._scan_quoted(i)
        start = i
        while i < n:
            ch = line[i]
            if ch == "=" or ch == '"':
                self.pos = i
                self._unexpected(ch)
                return self._skip_value()
            if ch <= " ":
                break
            i += 1
        self.pos = i
        if i > start:
            self.value = line[start:i]
        return True

    def _scan_quoted(self, start: int) -> bool:
        line, n = self.line, len(self.line)
        i = start + 1
        has_escape = False
        while i < n:
            ch = line[i]
            if ch == "\\":
                has_escape = True
                i += 2
                continue
            if ch == '"':
                self.pos = i + 1
                body = line[start + 1:i]
                if has_escape:
                    value = _unquote_logfmt(body)
                    if value is None:
                        self._error("invalid quoted value")
                        return False
                    self.value = value
                elif body:
                    self.value = body
                return True
            i += 1
        self.pos = n
        self._error("unterminated quoted value")
        return False


class LogfmtParser:
    """``| logfmt [--strict] [--keep-empty]``."""

    def __init__(self, strict: bool = False, keep_empty: bool = False) -> None:
        self.strict = strict
        self.keep_empty = keep_empty
        self._decoder = LogfmtDecoder()
        self._names: dict[str, str] = {}  # raw key -> sanitised name (before _extracted)

    def process(self, ts: int, line: str, lbs: LabelsBuilder) -> tuple[str, bool]:
        dec = self._decoder
        dec.reset(line)
        skip = lbs.parsed_names()
        names = self._names
        while not dec.eol():
            if not dec.scan_keyval():
                if self.strict:
                    break
                continue
            key = dec.key
            name = names.get(key)
            if name is None:
                name = names[key] = sanitize_label_key(key, True)
            if not name:
                continue
            name = _extracted_name(lbs, name)
            if name in skip:
                continue
            value = dec.value
            if not value:
                if not self.keep_empty:
                    continue
                value = ""
            lbs.set(name, _clean_value(value))
        if self.strict and dec.err is not None:
            lbs.set_error(ERR_LOGFMT, str(dec.err))
        return line, True


class LogfmtExpressionParser:
    """``| logfmt [--strict] a="key", b``: ``params`` are ``(label, key)`` pairs."""

    def __init__(self, params: Iterable[tuple[str, str]] | dict, strict: bool = False) -> None:
        pairs = _check_params(params)
        if not pairs:
            raise ValueError("no logfmt expression provided")
        for _, expr in pairs:
            if not expr.strip():
                raise ValueError(f"cannot parse expression [{expr}]: syntax error")
        self.expressions = dict(pairs)  # label -> logfmt key
        self.by_key = {}
        for label, key in pairs:
            self.by_key.setdefault(key, label)
        self.strict = strict
        self._decoder = LogfmtDecoder()

    def process(self, ts: int, line: str, lbs: LabelsBuilder) -> tuple[str, bool]:
        for label in self.expressions:
            if not lbs.base_has(label):
                lbs.set(label, "")
        dec = self._decoder
        dec.reset(line)
        while not dec.eol():
            if not dec.scan_keyval():
                if self.strict:
                    break
                continue
            key = sanitize_label_key(dec.key, True)
            if not key:
                continue
            key = self.by_key.get(key, key)
            if key not in self.expressions:
                continue
            value = dec.value or ""
            if "\ufffd" in value:
                value = ""
            lbs.set(_extracted_name(lbs, key), value)
        if self.strict and dec.err is not None:
            lbs.set_error(ERR_LOGFMT, str(dec.err))
        return line, True


# ------------------------------------------------------------------------------------
# regexp, pattern, unpack
# ------------------------------------------------------------------------------------

class RegexpParser:
    """``| regexp "<RE2 with named groups>"``: each named group becomes a label.

    Matching runs on the line's UTF-8 bytes with a bytes-compiled copy of the pattern
    (the same RE2 program: google-re2 compiles a ``str`` pattern as UTF-8 too), calling
    RE2 directly: the wrapper's ``str`` path re-encodes the text and maps every offset
    back to characters, which costs several times the match itself.
    """

    def __init__(self, pattern: str) -> None:
        try:
            self.regex = re2.compile(pattern)
        except re2.error as err:
            raise ValueError(f"error parsing regexp: {err}") from None
        if self.regex.groups == 0:
            raise ValueError("at least one named capture must be supplied")
        names: dict[int, str] = {}
        for name, index in sorted(self.regex.groupindex.items(), key=lambda kv: kv[1]):
            if not is_label_name(name):
                raise ValueError(f"invalid extracted label name '{name}'")
            names[index] = name
        if len(set(names.values())) != len(names):  # RE2 itself refuses most duplicates
            raise ValueError("duplicate extracted label name")
        if not names:
            raise ValueError("at least one named capture must be supplied")
        self.names = names
        self._indices = tuple(names)
        self._labels = tuple(sanitize_label_key(name, True) for name in names.values())
        self._resolved: tuple[dict, tuple[str, ...], bool] | None = None
        compiled = re2.compile(pattern.encode("utf-8"))
        raw = getattr(compiled, "_regexp", None)
        self._raw_match = getattr(raw, "Match", None) if raw is not None else None
        if _UNANCHORED is None:
            self._raw_match = None
        self._bytes_regex = compiled

    def label_names(self, base: dict[str, str]) -> tuple[str, ...]:
        """The label each named group sets on a stream with labels ``base``."""
        return self._resolve(base)[0]

    def _resolve(self, base: dict[str, str]) -> tuple[tuple[str, ...], bool]:
        cached = self._resolved
        if cached is not None and cached[0] is base:
            return cached[1], cached[2]
        names = tuple(name + DUPLICATE_SUFFIX if name in base else name
                      for name in self._labels)
        plain = not any(name in (ERROR_LABEL, ERROR_DETAILS_LABEL) for name in names)
        self._resolved = (base, names, plain)
        return names, plain

    def match(self, line: str) -> tuple[str, ...] | None:
        """The named groups' values (unmatched groups: ``""``), ``None`` without a match."""
        match = self._raw_match
        if match is None:  # no raw RE2 object in this google-re2 version
            m = self.regex.search(line)
            return None if m is None else tuple(m.group(i) or "" for i in self._indices)
        data = line.encode("utf-8")
        spans = match(_UNANCHORED, data, 0, len(data))
        if spans[0][0] < 0:
            return None
        # An unmatched group's span is (-1, -1): the slice [-1:-1] is empty, as wanted.
        if len(data) == len(line):  # ASCII: byte offsets are character offsets
            return tuple(line[spans[i][0]:spans[i][1]] for i in self._indices)
        return tuple(data[spans[i][0]:spans[i][1]].decode("utf-8") for i in self._indices)

    def process_many(self, lines: Sequence[str]) -> list[tuple[str, ...] | None]:
        """:meth:`match` for each line (the batch form the evaluator uses)."""
        match = self._raw_match
        if match is None:
            return [self.match(line) for line in lines]
        indices = self._indices
        out: list[tuple[str, ...] | None] = []
        append = out.append
        if len(indices) == 1:  # the common case, without the inner loop
            index = indices[0]
            for line in lines:
                data = line.encode("utf-8")
                spans = match(_UNANCHORED, data, 0, len(data))
                if spans[0][0] < 0:
                    append(None)
                    continue
                start, end = spans[index]
                if len(data) == len(line):
                    append((line[start:end],))
                else:
                    append((data[start:end].decode("utf-8"),))
            return out
        for line in lines:
            data = line.encode("utf-8")
            spans = match(_UNANCHORED, data, 0, len(data))
            if spans[0][0] < 0:
                append(None)
            elif len(data) == len(line):
                append(tuple([line[spans[i][0]:spans[i][1]] for i in indices]))
            else:
                append(tuple([data[spans[i][0]:spans[i][1]].decode("utf-8") for i in indices]))
        return out

    def apply(self, values: tuple[str, ...] | None, lbs: LabelsBuilder) -> None:
        """Set the labels of one :meth:`match` result, as :meth:`process` does."""
        if values is None:
            return
        names, plain = self._resolve(lbs.base)
        if plain:
            lbs.set_parsed(names, values)
            return
        skip = lbs.parsed_names()
        for name, value in zip(names, values):
            if name not in skip:
                lbs.set(name, value)

    def process(self, ts: int, line: str, lbs: LabelsBuilder) -> tuple[str, bool]:
        self.apply(self.match(line), lbs)
        return line, True


_UNANCHORED = getattr(getattr(re2, "_Anchor", None), "UNANCHORED", None)


class PatternError(ValueError):
    pass


@dataclass(frozen=True)
class _Capture:
    name: str

    @property
    def unnamed(self) -> bool:
        return self.name == "_"

    def __str__(self) -> str:
        return f"<{self.name}>"


def _parse_pattern(text: str) -> list[Union[str, _Capture]]:
    """Literals and ``<name>``/``<_>`` captures; a ``<`` that is no capture is literal."""
    nodes: list[Union[str, _Capture]] = []
    literal: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == "<" and i + 1 < n and (text[i + 1].isascii() and
                                             (text[i + 1].isalpha() or text[i + 1] == "_")):
            j = i + 2
            while j < n and text[j].isascii() and _is_name_char(text[j]):
                j += 1
            if j < n and text[j] == ">":
                if literal:
                    nodes.append("".join(literal))
                    literal = []
                nodes.append(_Capture(text[i + 1:j]))
                i = j + 1
                continue
        literal.append(text[i])
        i += 1
    if literal:
        nodes.append("".join(literal))
    if not nodes:
        raise PatternError("syntax error: unexpected $end, expecting IDENTIFIER or LITERAL")
    return nodes


def _check_no_consecutive(nodes: list) -> None:
    for a, b in zip(nodes, nodes[1:]):
        if isinstance(a, _Capture) and isinstance(b, _Capture):
            raise PatternError(f"found consecutive capture '{a}{b}': invalid expression")


class PatternMatcher:
    """A compiled pattern (``| pattern`` and the ``|>``/``!>`` line filters)."""

    def __init__(self, pattern: str, line_filter: bool = False) -> None:
        self.nodes = _parse_pattern(pattern) if (pattern or not line_filter) else []
        self.names = [n.name for n in self.nodes if isinstance(n, _Capture) and not n.unnamed]
        if line_filter:
            _check_no_consecutive(self.nodes)
            if self.names:
                raise PatternError(f"named captures are not allowed: found '<{self.names[0]}>'")
            return
        if not self.names:
            raise PatternError("at least one capture is required")
        _check_no_consecutive(self.nodes)
        seen: set[str] = set()
        for name in self.names:
            if name in seen:
                raise PatternError(f"duplicate capture name ({name}): invalid expression")
            seen.add(name)

    def matches(self, line: str) -> list[str] | None:
        """The named captures' values (Loki's ``Matches``), ``None`` when it cannot anchor."""
        nodes = self.nodes
        if not line or not nodes:
            return None
        captures: list[str] = []
        if isinstance(nodes[0], str):
            if not line.startswith(nodes[0]):
                return None
            line = line[len(nodes[0]):]
            nodes = nodes[1:]
        if not nodes:
            return None
        while nodes:
            capture = nodes[0]
            if len(nodes) == 1:  # ending on a capture: it takes the rest
                if not capture.unnamed:
                    captures.append(line)
                return captures
            literal = nodes[1]
            nodes = nodes[2:]
            i = line.find(literal)
            if i < 0:  # a missed literal: the capture runs to the end
                if not capture.unnamed:
                    captures.append(line)
                return captures
            if not capture.unnamed:
                captures.append(line[:i])
            line = line[i + len(literal):]
        return captures

    def test(self, line: str) -> bool:
        """Whether the whole line fits the pattern (Loki's ``Test``, for ``|>``)."""
        nodes = self.nodes
        if not line or not nodes:
            return not line and not nodes
        offset = 0
        for index, node in enumerate(nodes):
            if not isinstance(node, str):
                continue
            j = line.find(node, offset)
            if j < 0:
                return False
            if index != 0 and j == offset:  # an empty capture before this literal
                return False
            offset = j + len(node)
        ends_on_capture = isinstance(nodes[-1], _Capture)
        return ends_on_capture == (offset != len(line))


_line_filter_cache: dict[str, PatternMatcher] = {}


def pattern_matches(pattern: str, line: str) -> bool:
    """The ``|> "pattern"`` line filter (``!>`` is its negation)."""
    matcher = _line_filter_cache.get(pattern)
    if matcher is None:
        matcher = _line_filter_cache[pattern] = PatternMatcher(pattern, line_filter=True)
    return matcher.test(line)


class PatternParser:
    """``| pattern "<ip> - <_> [<ts>] ..."``."""

    def __init__(self, pattern: str) -> None:
        self.matcher = PatternMatcher(pattern)
        for name in self.matcher.names:
            if not is_label_name(name):
                raise ValueError(f"invalid capture label name '{name}'")

    def process(self, ts: int, line: str, lbs: LabelsBuilder) -> tuple[str, bool]:
        values = self.matcher.matches(line)
        if not values:
            return line, True
        skip = lbs.parsed_names()
        for name, value in zip(self.matcher.names, values):
            name = _extracted_name(lbs, name)
            if name not in skip:
                lbs.set(name, value)
        return line, True


class UnpackParser:
    """``| unpack``: string fields become labels and ``_entry`` replaces the line."""

    def process(self, ts: int, line: str, lbs: LabelsBuilder) -> tuple[str, bool]:
        if not line:
            return line, True
        if line[0] != "{":
            lbs.set_error(ERR_JSON, "expecting json object(6), but it is not")
            return line, True
        obj = _fast_json_object(line)
        pairs: list[tuple[str, str]] = []
        entry = None
        if obj is not None:
            for key, value in obj.items():
                if not isinstance(value, str):
                    continue
                if key == PACKED_ENTRY_KEY:
                    entry = value
                else:
                    pairs.append((key, value))
        else:
            def member(key: str, kind: str, raw: str) -> None:
                nonlocal entry
                if kind != "string":
                    return
                text = _unescape(raw)
                if key == PACKED_ENTRY_KEY:
                    if text is None:
                        raise _JSONError(_MALFORMED_ESCAPE)
                    entry = text
                else:
                    pairs.append((key, text or ""))
            try:
                _object_each(line, member)
            except _JSONError as err:
                lbs.set_error(ERR_JSON, str(err))
                return line, True
        if entry is None:  # not packed: labels are only taken from packed entries
            return line, True
        skip = lbs.parsed_names()
        for key, value in pairs:
            name = sanitize_label_key(_extracted_name(lbs, key), True)
            if name not in skip:
                lbs.set(name, _clean_value(value))
        return entry, True


# ------------------------------------------------------------------------------------
# line_format, label_format
# ------------------------------------------------------------------------------------

class LineFormatter:
    """``| line_format "{{ ... }}"``: the rendered template replaces the line."""

    def __init__(self, template: str) -> None:
        self.template = Template(template, stage="line_format", name="line")
        self._simple = self.template.simple_field

    def process(self, ts: int, line: str, lbs: LabelsBuilder) -> tuple[str, bool]:
        if self._simple is not None:
            return lbs.get(self._simple) or "", True
        try:
            return self.template.render(lbs.labels(), line, ts), True
        except TemplateExecError as err:
            lbs.set_error(ERR_TEMPLATE_FORMAT, str(err))
            return line, True


@dataclass(frozen=True)
class LabelFmt:
    """One ``label_format`` item: ``dst=src`` (rename) or ``dst="{{template}}"``."""

    name: str
    value: str
    rename: bool = False

    @classmethod
    def renamed(cls, dst: str, src: str) -> "LabelFmt":
        return cls(dst, src, True)

    @classmethod
    def templated(cls, dst: str, template: str) -> "LabelFmt":
        return cls(dst, template, False)


class LabelsFormatter:
    """``| label_format a=b, c="{{.d}}"``: renames and templates, in order."""

    def __init__(self, formats: Sequence[LabelFmt | tuple]) -> None:
        items = [f if isinstance(f, LabelFmt) else LabelFmt(*f) for f in formats]
        seen: set[str] = set()
        for item in items:
            if item.name == ERROR_LABEL:
                raise ValueError(f"{ERROR_LABEL} cannot be formatted")
            if item.name in seen:
                raise ValueError(f"multiple label name '{item.name}' not allowed in a single "
                                 "format operation")
            seen.add(item.name)
        self.formats = [(item, None if item.rename else
                         Template(item.value, stage="label_format", name="label"))
                        for item in items]

    def process(self, ts: int, line: str, lbs: LabelsBuilder) -> tuple[str, bool]:
        data = None  # Loki snapshots the labels once, at the first template
        for item, template in self.formats:
            if template is None:
                value = lbs.get(item.value)
                if value is not None:
                    lbs.set(item.name, value)
                    lbs.delete(item.value)
                continue
            if data is None:
                data = lbs.labels()
            try:
                lbs.set(item.name, template.render(data, line, ts))
            except TemplateExecError as err:
                lbs.set_error(ERR_TEMPLATE_FORMAT, str(err))
        return line, True


# ------------------------------------------------------------------------------------
# drop, keep, decolorize
# ------------------------------------------------------------------------------------

LabelSpec = Union[str, LabelMatcher]


class DropLabels:
    """``| drop a, b="x", c=~"y.*"``: names (str) or :class:`LabelMatcher` items."""

    def __init__(self, items: Sequence[LabelSpec]) -> None:
        self.items = list(items)

    def process(self, ts: int, line: str, lbs: LabelsBuilder) -> tuple[str, bool]:
        for item in self.items:
            if isinstance(item, str):
                if item in (ERROR_LABEL, ERROR_DETAILS_LABEL) or lbs.get(item) is not None:
                    lbs.delete(item)
                continue
            if item.matches(lbs.get(item.name) or ""):
                lbs.delete(item.name)
        return line, True


_SPECIAL_LABELS = (ERROR_LABEL, ERROR_DETAILS_LABEL, PRESERVE_ERROR_LABEL)


class KeepLabels:
    """``| keep a, b="x"``: every other label is dropped (error labels stay)."""

    def __init__(self, items: Sequence[LabelSpec]) -> None:
        self.names = {i for i in items if isinstance(i, str)}
        self.matchers = [i for i in items if not isinstance(i, str)]

    def process(self, ts: int, line: str, lbs: LabelsBuilder) -> tuple[str, bool]:
        if not self.names and not self.matchers:
            return line, True
        for name, value in list(lbs.labels().items()):
            if name in _SPECIAL_LABELS or name in self.names:
                continue
            if any(m.name == name and m.matches(value) for m in self.matchers):
                continue
            lbs.delete(name)
        return line, True


# Select ANSI escape sequences (the expression Loki takes from acarl005/stripansi).
_ANSI = re2.compile(
    "[\u001b\u009b][[\\]()#;?]*(?:(?:(?:[a-zA-Z\\d]*(?:;[a-zA-Z\\d]*)*)?\u0007)"
    "|(?:(?:\\d{1,4}(?:;\\d{0,4})*)?[\\dA-PRZcf-ntqry=><~]))"
)


class Decolorize:
    """``| decolorize``: strip ANSI colour sequences from the line."""

    def process(self, ts: int, line: str, lbs: LabelsBuilder) -> tuple[str, bool]:
        if "\x1b" not in line and "\x9b" not in line:
            return line, True
        return _ANSI.sub("", line), True
