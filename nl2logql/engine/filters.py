"""Line filters and label filters with Grafana Loki's semantics (pkg/logql/log/filter.go,
label_filter.go, ip.go).

A line filter compiles to a predicate on one line (``LineTest.matches``) and, where it
is safe, to a scan over a whole stream at once (``LineTest.mask``): one substring or
RE2 search over the stream's lines joined by newlines, hits mapped back to line
numbers. A label filter compiles to ``test(lbs) -> keep`` on a
:class:`~nl2logql.engine.labels.LabelsBuilder`, setting ``__error__`` where Loki does.
"""

from __future__ import annotations

import functools
import ipaddress
import operator
from collections import OrderedDict
from collections.abc import Callable, Sequence
from itertools import repeat

import numpy as np
import re2

from nl2logql.engine.labels import ERROR_DETAILS_LABEL, ERROR_LABEL, LabelsBuilder
from nl2logql.engine.stages import ERR_LABEL_FILTER, pattern_matches
from nl2logql.engine.store import matcher_predicate
from nl2logql.errors import ExecutionError
from nl2logql.logql import ast
from nl2logql.logql.checks import QUIET_RE2, compile_regex
from nl2logql.logql.units import parse_bytes, parse_go_duration

LabelTest = Callable[[LabelsBuilder], bool]



# ---- line filters ------------------------------------------------------------------------

def runtime_regex(pattern: str, anchored: bool = False):
    """A regexp met while running a query; a bad one fails the query in one line."""
    try:
        return compile_regex(pattern, anchored)
    except ValueError as error:
        raise ExecutionError(f"invalid regexp {pattern!r}: {error}") from None


class LineTest:
    """One ``|=``/``!=``/``|~``/``!~``/``|>``/``!>`` stage, its ``or`` terms included."""

    def __init__(self, node: ast.LineFilter):
        self.node = node
        self.negate = node.op[0] == "!"
        kind = node.op[1]  # "=", "~" or ">"
        self.terms = []  # (kind, value, compiled)
        for term in node.terms:
            if term.ip:
                self.terms.append(("ip", term.value, IpMatcher(term.value)))
            elif kind == "=":
                self.terms.append(("contains", term.value, None))
            elif kind == "~":
                self.terms.append(("regex", term.value, runtime_regex(term.value)))
            else:
                self.terms.append(("pattern", term.value, None))

    def describe(self) -> str:
        values = " or ".join(f'ip("{v}")' if k == "ip" else repr(v) for k, v, _ in self.terms)
        return f"{self.node.op} {values}"

    def matches(self, line: str) -> bool:
        """Whether the line passes (for ``!=``/``!~``/``!>``: contains none of the terms)."""
        return any(_term_hit(term, line) for term in self.terms) != self.negate

    def mask(self, lines: Sequence[str], block: Callable[[], Block | None] | None = None
             ) -> np.ndarray:
        """A boolean array: which of ``lines`` pass (``block()``: the same lines joined,
        built only if a regex term can use it)."""
        hit = np.zeros(len(lines), dtype=bool)
        for term in self.terms:
            hit |= _term_mask(term, lines, block)
        return ~hit if self.negate else hit


def _term_hit(term, line: str) -> bool:
    kind, value, compiled = term
    if kind == "contains":
        return value in line
    if kind == "regex":
        return compiled.search(line) is not None
    if kind == "ip":
        return compiled.search(line)
    return pattern_matches(value, line)


def _term_mask(term, lines: Sequence[str], block) -> np.ndarray:
    kind, value, _ = term
    if kind == "contains":
        # operator.contains over map keeps the whole loop in C (faster than one
        # str.find over the joined block, whose hits need mapping back to lines).
        return np.fromiter(map(operator.contains, lines, repeat(value)), bool, len(lines))
    if kind == "regex" and block is not None and _line_local(value):
        joined = block()
        mask = joined.search_all(value) if joined is not None else None
        if mask is not None:
            return mask
    return np.fromiter((_term_hit(term, line) for line in lines), bool, len(lines))


# Regex constructs that can match a newline or depend on where the text starts/ends:
# with none of them a match in "line1\nline2" lies inside one line, as it would alone.
_UNSAFE_IN_BLOCK = ("^", "$", "[^", "\\A", "\\z", "\\s", "\\W", "\\D", "\\P", "\\p", "\\n",
                    "\\x", "\\C", "\\Q", "\\0", "\\1", "\\2", "\\3", "\\4", "\\5", "\\6", "\\7",
                    "(?", "\n", "[[:")


def _line_local(pattern: str) -> bool:
    # "(?i)", "(?:" and "(?P<" are common and harmless; other flag groups (s, m, U) are not.
    rest = pattern.replace("(?i)", "").replace("(?:", "").replace("(?P<", "")
    return not any(token in rest for token in _UNSAFE_IN_BLOCK)


class Block:
    """A stream's lines joined by ``"\\n"`` as ASCII bytes, with each line's start offset,
    so that one RE2 pass scans a whole stream. Only built for ASCII streams without
    newlines in lines: then bytes and characters agree, and no line spills into another.
    """

    def __init__(self, lines: Sequence[str], data: bytes):
        self.data = data
        lengths = np.fromiter(map(len, lines), np.int64, len(lines)) + 1
        self.starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
        self.count = len(lines)

    @staticmethod
    def build(lines: Sequence[str]) -> Block | None:
        if not lines:
            return None
        text = "\n".join(lines)
        if not text.isascii() or text.count("\n") != len(lines) - 1:
            return None
        return Block(lines, text.encode("ascii"))

    def search_all(self, pattern: str) -> np.ndarray | None:
        """Lines where ``pattern`` (line-local, see ``_line_local``) matches; ``None`` when
        the pattern is not ASCII (a bytes regex would read it differently)."""
        if not pattern.isascii():
            return None
        regex = _bytes_regex(pattern)
        # finditer encodes nothing and walks the text once; a match never spans lines.
        positions = np.fromiter((m.start() for m in regex.finditer(self.data)), np.int64)
        mask = np.zeros(self.count, dtype=bool)
        if len(positions):
            mask[np.searchsorted(self.starts, positions, "right") - 1] = True
        return mask


@functools.lru_cache(maxsize=256)
def _bytes_regex(pattern: str):
    return re2.compile(pattern.encode("ascii"), options=QUIET_RE2)


_BLOCKS: OrderedDict[int, tuple[Sequence[str], Block | None]] = OrderedDict()
_MAX_BLOCKS = 256


def block_for(lines: Sequence[str]) -> Block | None:
    """The cached :class:`Block` of a line list (streams that share a list share it)."""
    key = id(lines)
    cached = _BLOCKS.get(key)
    if cached is not None and cached[0] is lines:
        _BLOCKS.move_to_end(key)
        return cached[1]
    block = Block.build(lines)
    _BLOCKS[key] = (lines, block)  # holding ``lines`` keeps its id from being reused
    if len(_BLOCKS) > _MAX_BLOCKS:
        _BLOCKS.popitem(last=False)
    return block


# ---- ip() matching (Loki's ip.go) -------------------------------------------------------

_IPV4_CHARS = frozenset("0123456789.")
_IPV6_CHARS = frozenset("0123456789abcdefABCDEF:.")
_HEX = frozenset("0123456789abcdefABCDEF")


class IpMatcher:
    """An address, a CIDR prefix or an ``a-b`` range; ``search`` finds a match in text."""

    def __init__(self, pattern: str):
        self.pattern = pattern
        self.contains = _ip_matcher(pattern)

    def search(self, text: str) -> bool:
        # Loki scans for runs that look like IPv4 (digit then a dot within 3 chars) or
        # IPv6 (hex digits then a colon), parses each run, and skips past failures.
        n, i = len(text), 0
        while i < n:
            charset = None
            if i + 3 < n and text[i].isdigit() and "." in text[i + 1:i + 4]:
                charset = _IPV4_CHARS
            elif i + 4 < n and _ipv6_hint(text[i:i + 5]):
                charset = _IPV6_CHARS
            if charset is None:
                i += 1
                continue
            end = i
            while end < n and text[end] in charset:
                end += 1
            address = _parse_ip(text[i:end])
            if address is not None and self.contains(address):
                return True
            i = end + 1
        return False


def _ipv6_hint(s: str) -> bool:
    if s[0] == ":" and s[1] == ":" and s[2] in _HEX:
        return True
    for k in range(1, 5):
        if all(c in _HEX for c in s[:k]) and s[k] == ":":
            return True
    return False


def _parse_ip(text: str):
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _ip_matcher(pattern: str) -> Callable[[object], bool]:
    address = _parse_ip(pattern)
    if address is not None:
        return lambda ip: ip == address
    if "/" in pattern:
        try:
            network = ipaddress.ip_network(pattern, strict=False)
        except ValueError:
            network = None
        if network is not None:
            return lambda ip: ip.version == network.version and ip in network
    low_text, dash, high_text = pattern.partition("-")
    low, high = _parse_ip(low_text), _parse_ip(high_text)
    if dash and low is not None and high is not None and low.version == high.version \
            and low <= high:
        return lambda ip: ip.version == low.version and low <= ip <= high
    raise ExecutionError(f'ip: invalid pattern: "{pattern}"')


# ---- label filters -----------------------------------------------------------------------

_COMPARE = {
    "==": operator.eq, "=": operator.eq, "!=": operator.ne, ">": operator.gt,
    ">=": operator.ge, "<": operator.lt, "<=": operator.le,
}


def _go_float(text: str) -> float:
    """Go's ``strconv.ParseFloat``: Python's float() minus what Go refuses."""
    if not text or text != text.strip() or "_" in text:
        raise ValueError(f'strconv.ParseFloat: parsing "{text}": invalid syntax')
    lowered = text.lower().lstrip("+-")
    if lowered in ("nan", "inf", "infinity") or lowered.startswith("0x"):
        return float.fromhex(text) if lowered.startswith("0x") else float(text)
    try:
        return float(text)
    except ValueError:
        raise ValueError(f'strconv.ParseFloat: parsing "{text}": invalid syntax') from None


def _go_duration_seconds(text: str) -> float:
    try:
        return parse_go_duration(text) / 1e9
    except ValueError:
        raise ValueError(f'time: invalid duration "{text}"') from None


def _humanize_bytes(text: str) -> float:
    try:
        return float(parse_bytes(text))
    except ValueError:
        raise ValueError(f"strconv.ParseFloat: parsing {text!r}: invalid syntax") from None


# unwrap conversions, shared with the sample extractor
CONVERSIONS: dict[str | None, Callable[[str], float]] = {
    None: _go_float,
    "bytes": _humanize_bytes,
    "duration": _go_duration_seconds,
    "duration_seconds": _go_duration_seconds,
}


def label_test(expr: ast.LabelFilterExpr) -> LabelTest:
    """Compile a label filter expression to ``test(lbs) -> keep``."""
    if isinstance(expr, ast.BinaryLabelFilter):
        left, right = label_test(expr.left), label_test(expr.right)
        if expr.op == "or":
            def either(lbs: LabelsBuilder) -> bool:
                return left(lbs) or right(lbs)
            return either

        def both(lbs: LabelsBuilder) -> bool:
            # Loki runs the right side even when the left failed (it may set __error__).
            ok_left = left(lbs)
            ok_right = right(lbs)
            return ok_left and ok_right
        return both
    if isinstance(expr, ast.StringFilter):
        return _string_test(expr.matcher)
    if isinstance(expr, ast.NumberFilter):
        return _typed_test(expr.name, expr.op, float(expr.value), _go_float)
    if isinstance(expr, ast.DurationFilter):
        return _typed_test(expr.name, expr.op, expr.value / 1e9, _go_duration_seconds)
    if isinstance(expr, ast.BytesFilter):
        return _typed_test(expr.name, expr.op, float(expr.value), _humanize_bytes)
    if isinstance(expr, ast.IpFilter):
        return _ip_test(expr)
    raise ExecutionError(f"unsupported label filter {expr}")


def _string_test(matcher: ast.Matcher) -> LabelTest:
    name = matcher.name
    check = matcher_predicate(matcher)

    def test(lbs: LabelsBuilder) -> bool:
        # Unlike typed filters, string filters look at a line even when it has an error.
        return check(lbs.get(name) or "")
    return test


def _typed_test(name: str, op: str, wanted: float, parse: Callable[[str], float]) -> LabelTest:
    compare = _COMPARE[op]

    def test(lbs: LabelsBuilder) -> bool:
        if lbs.has_err:
            return True  # only string filters (on __error__) may drop a failed line
        value = lbs.get(name)
        if value is None:
            return False
        try:
            number = parse(value)
        except ValueError as error:
            lbs.set_error(ERR_LABEL_FILTER, str(error))
            return True
        return compare(number, wanted)
    return test


def _ip_test(expr: ast.IpFilter) -> LabelTest:
    matcher = IpMatcher(expr.pattern)
    equal = expr.op in ("=", "==")

    def test(lbs: LabelsBuilder) -> bool:
        if lbs.has_err:
            return True
        value = lbs.get(expr.name)
        if value is None:
            return False
        return matcher.search(value) == equal
    return test


def is_error_filter(expr: ast.LabelFilterExpr) -> bool:
    """Whether the filter only looks at ``__error__``/``__error_details__``."""
    if isinstance(expr, ast.BinaryLabelFilter):
        return is_error_filter(expr.left) and is_error_filter(expr.right)
    return isinstance(expr, ast.StringFilter) and expr.matcher.name in (
        ERROR_LABEL, ERROR_DETAILS_LABEL)
