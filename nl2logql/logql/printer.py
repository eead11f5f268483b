"""LogQL AST → text: one canonical line (:func:`format_ast`) or a multi-line layout (:func:`pretty`).

The canonical line follows Loki's own ``String()`` style (``{app="api"} |= "x" | json``,
``sum by (a) (rate(... [5m]))``). Parentheses appear exactly where the grammar needs them
to read the same tree back, plus around an ``or`` inside ``and``/``,`` so that readers need
not remember label-filter precedence. ``parse(format_ast(a), check=False) == a`` for any AST.

The layout of :func:`pretty` is that of Loki's prettier (pkg/logql/syntax/prettier.go): a
node whose line fits in :data:`MAX_WIDTH` characters stays on one line; a longer one puts
each pipeline stage, aggregation argument and binary-operator side on its own line.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal

from nl2logql.logql import ast
from nl2logql.logql.parser import parse, quote
from nl2logql.logql.units import format_duration

MAX_WIDTH = 100  # Loki's maxCharsPerLine


# ---- scalars ------------------------------------------------------------------------------

def format_number(value: float) -> str:
    """``5``, ``0.99``, ``-1``, ``1e+20``: Python's shortest round-trip repr without ``.0``."""
    if math.isnan(value):
        raise ValueError("LogQL has no literal for NaN")
    if math.isinf(value):
        # No Inf literal either; parsing overflows to it, as Go's ParseFloat does.
        return "1e999" if value > 0 else "-1e999"
    text = repr(float(value))
    return text.removesuffix(".0")


def _filter_number(value: float) -> str:
    """A number in a label filter, never with an exponent: there ``1e+5`` would lex as
    the byte size ``1e`` (1 exabyte) followed by ``+5``."""
    text = format_number(value)
    if "e" in text and not math.isinf(value):
        text = f"{Decimal(text):f}"
    return text


_DECIMAL_UNITS = [("EB", 10**18), ("PB", 10**15), ("TB", 10**12), ("GB", 10**9), ("MB", 10**6),
                  ("KB", 10**3)]
_BINARY_UNITS = [("EiB", 2**60), ("PiB", 2**50), ("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20),
                 ("KiB", 2**10)]


def format_bytes(size: int) -> str:
    """The largest unit dividing ``size`` exactly, decimal first: ``10KB``, ``1MiB``, ``17B``."""
    if size == 0:
        return "0KB"  # "0B" reads as the start of a binary literal such as 0b101
    for unit, factor in _DECIMAL_UNITS + _BINARY_UNITS:
        if size % factor == 0:
            return f"{size // factor}{unit}"
    return f"{size}B"


def _labels(names: tuple[str, ...]) -> str:
    return "(" + ", ".join(names) + ")"


def _parens_if(needed: bool, text: str) -> str:
    return f"({text})" if needed else text


# ---- selectors and pipeline stages ---------------------------------------------------------

def _matcher(node: ast.Matcher) -> str:
    return f"{node.name}{node.op}{quote(node.value)}"


def _selector(node: ast.Selector) -> str:
    return "{" + ", ".join(_matcher(m) for m in node.matchers) + "}"


def _filter_term(node: ast.FilterTerm) -> str:
    return f"ip({quote(node.value)})" if node.ip else quote(node.value)


def _line_filter(node: ast.LineFilter) -> str:
    return f"{node.op} " + " or ".join(_filter_term(t) for t in node.terms)


def _extraction(node: ast.Extraction) -> str:
    return node.label if node.expression is None else f"{node.label}={quote(node.expression)}"


def _extractions(params: tuple[ast.Extraction, ...]) -> str:
    return " " + ", ".join(_extraction(p) for p in params) if params else ""


def _json(node: ast.JsonParser) -> str:
    return "| json" + _extractions(node.params)


def _logfmt(node: ast.LogfmtParser) -> str:
    flags = " --strict" * node.strict + " --keep-empty" * node.keep_empty
    return "| logfmt" + flags + _extractions(node.params)


def _label_format_item(node: ast.LabelFormatItem) -> str:
    return f"{node.dst}={quote(node.src) if node.template else node.src}"


def _label_ref(node: ast.LabelName | ast.Matcher) -> str:
    return node.name if isinstance(node, ast.LabelName) else _matcher(node)


def _label_list_stage(keyword: str) -> Callable:
    return lambda node: f"| {keyword} " + ", ".join(_label_ref(r) for r in node.labels)


# ---- label filters -------------------------------------------------------------------------

def _comparison(node) -> str:
    value = {ast.NumberFilter: _filter_number, ast.DurationFilter: format_duration,
             ast.BytesFilter: format_bytes}[type(node)](node.value)
    return f"{node.name} {node.op} {value}"


def _ip_filter(node: ast.IpFilter) -> str:
    return f"{node.name}{node.op}ip({quote(node.pattern)})"


def _open_tail(node) -> bool:
    """Whether the text of ``node`` ends in a bare ``, ...``, which would swallow
    anything written after it (``a, b or c`` reads as ``a, (b or c)``)."""
    if not isinstance(node, ast.BinaryLabelFilter):
        return False
    return node.op == "," or (not _label_operand_needs_parens(node, node.right, left=False)
                              and _open_tail(node.right))


def _label_operand_needs_parens(parent: ast.BinaryLabelFilter, child, left: bool) -> bool:
    if not isinstance(child, ast.BinaryLabelFilter):
        return False
    if parent.op == ",":
        # The left of a comma is a single filter; an `or` on the right gets parentheses for clarity.
        return left or child.op == "or"
    if left:
        # `or` < `and`; a left side that ends in a bare comma would swallow the operator.
        return _open_tail(child) or (parent.op == "and" and child.op == "or")
    # Both are left-associative: a right side of the same or lower level needs parentheses;
    # a comma on the right is fine (it joins everything after it anyway).
    return child.op == "or" or (parent.op == "and" and child.op == "and")


def _binary_label_filter(node: ast.BinaryLabelFilter) -> str:
    left = _parens_if(_label_operand_needs_parens(node, node.left, True), format_ast(node.left))
    right = _parens_if(_label_operand_needs_parens(node, node.right, False), format_ast(node.right))
    return left + (", " if node.op == "," else f" {node.op} ") + right


# ---- log queries and ranges -----------------------------------------------------------------

def _log_query(node: ast.LogQuery) -> str:
    stages = printable_order(node.stages)
    return "".join([_selector(node.selector)] + [" " + format_ast(s) for s in stages])


def printable_order(stages: tuple) -> tuple:
    """``stages`` in an order that reads back as written. A ``!=`` or ``!~`` line filter
    right after a ``drop`` or ``keep`` ending in a bare label name would read as that
    name's matcher (``| drop b != "x"``), so it goes before them: the two commute (one
    reads the line, the other the labels)."""
    ordered: list = []
    for stage in stages:
        at = len(ordered)
        while (isinstance(stage, ast.LineFilter) and stage.op in _MATCHER_OPS and at
               and _ends_in_a_name(ordered[at - 1])):
            at -= 1
        ordered.insert(at, stage)
    return tuple(ordered)


_MATCHER_OPS = ("!=", "!~")  # line filter operators a label matcher has too


def _ends_in_a_name(stage: ast.Node) -> bool:
    return (isinstance(stage, (ast.DropLabels, ast.KeepLabels)) and bool(stage.labels)
            and isinstance(stage.labels[-1], ast.LabelName))


def _unwrap_head(node: ast.Unwrap) -> str:
    label = f"{node.conversion}({node.label})" if node.conversion else node.label
    return f"| unwrap {label}"


def _unwrap(node: ast.Unwrap) -> str:
    return _unwrap_head(node) + "".join(" | " + format_ast(f) for f in node.filters)


def _range_suffix(node: ast.LogRange) -> str:
    # `{app="api"}[5m]` as everyone writes it; a space sets it off after a pipeline.
    space = " " if node.query.stages or node.unwrap else ""
    offset = f" offset {format_duration(node.offset)}" if node.offset else ""
    return f"{space}[{format_duration(node.range)}]{offset}"


def _log_range(node: ast.LogRange) -> str:
    unwrap = " " + _unwrap(node.unwrap) if node.unwrap else ""
    return _log_query(node.query) + unwrap + _range_suffix(node)


# ---- metric queries -------------------------------------------------------------------------

def _grouping(node: ast.Grouping) -> str:
    return ("without " if node.without else "by ") + _labels(node.labels)


def _args(param, expr_text: str) -> str:
    return expr_text if param is None else f"{format_number(param)}, {expr_text}"


def _range_grouping(node: ast.RangeAggregation) -> str:
    """Range aggregations take their grouping after the parentheses."""
    return " " + _grouping(node.grouping) if node.grouping else ""


def _range_aggregation(node: ast.RangeAggregation) -> str:
    return f"{node.op}({_args(node.param, _log_range(node.range))}){_range_grouping(node)}"


def _vector_head(node: ast.VectorAggregation) -> str:
    """``sum`` or ``sum by (a) ``: vector aggregations take their grouping first."""
    return f"{node.op} {_grouping(node.grouping)} " if node.grouping else node.op


def _vector_aggregation(node: ast.VectorAggregation) -> str:
    return f"{_vector_head(node)}({_args(node.param, _argument(node.expr))})"


def _label_replace_strings(node: ast.LabelReplace) -> list[str]:
    return [quote(node.dst), quote(node.replacement), quote(node.src), quote(node.regex)]


def _label_replace(node: ast.LabelReplace) -> str:
    return "label_replace(" + ", ".join([_argument(node.expr)] + _label_replace_strings(node)) + ")"


def _argument(expr) -> str:
    """An expression inside a call: a log query there is parenthesised, since a trailing
    label filter would read the following ``,`` as its own."""
    return _parens_if(isinstance(expr, ast.LogQuery), format_ast(expr))


# Prometheus binary-operator precedence, higher binds tighter.
PRECEDENCE = {"or": 1, "and": 2, "unless": 2, "==": 3, "!=": 3, ">": 3, ">=": 3, "<": 3,
              "<=": 3, "+": 4, "-": 4, "*": 5, "/": 5, "%": 5, "^": 6}


def _operand_needs_parens(parent: ast.BinaryOp, child, left: bool) -> bool:
    if isinstance(child, ast.LogQuery):
        return True  # its line or label filters would take the operator (`|= "a" or "b"`)
    if not isinstance(child, ast.BinaryOp):
        return False
    mine, theirs = PRECEDENCE[parent.op], PRECEDENCE[child.op]
    right_assoc = parent.op == "^"
    if left:
        return theirs < mine or (theirs == mine and right_assoc)
    return theirs < mine or (theirs == mine and not right_assoc)


def _vector_matching(node: ast.VectorMatching, before_paren: bool = False) -> str:
    """``on (a) group_left (b)``; ``before_paren``: the right operand starts with ``(``,
    which a bare ``group_left`` would take for its label list."""
    text = ("on " if node.on else "ignoring ") + _labels(node.labels)
    if node.card != "one-to-one":
        text += " group_left" if node.card == "many-to-one" else " group_right"
        if node.include or before_paren:
            text += " " + _labels(node.include)
    return text


def binary_operator(node: ast.BinaryOp) -> str:
    """The operator with its modifiers: ``>``, ``> bool``, ``* on (a) group_left (b)``."""
    text = node.op + " bool" * node.bool
    if node.matching:
        before_paren = _operand(node, node.right, left=False).startswith("(")
        text += " " + _vector_matching(node.matching, before_paren)
    return text


def _operand(parent: ast.BinaryOp, child, left: bool) -> str:
    return _parens_if(_operand_needs_parens(parent, child, left), format_ast(child))


def _binary_op(node: ast.BinaryOp) -> str:
    return f"{_operand(node, node.left, True)} {binary_operator(node)} {_operand(node, node.right, False)}"


_FORMATTERS: dict[type, Callable[..., str]] = {
    ast.Matcher: _matcher,
    ast.Selector: _selector,
    ast.FilterTerm: _filter_term,
    ast.LineFilter: _line_filter,
    ast.Extraction: _extraction,
    ast.JsonParser: _json,
    ast.LogfmtParser: _logfmt,
    ast.RegexpParser: lambda node: f"| regexp {quote(node.pattern)}",
    ast.PatternParser: lambda node: f"| pattern {quote(node.pattern)}",
    ast.UnpackParser: lambda node: "| unpack",
    ast.LineFormat: lambda node: f"| line_format {quote(node.template)}",
    ast.LabelFormatItem: _label_format_item,
    ast.LabelFormat: lambda node: "| label_format " + ", ".join(_label_format_item(i) for i in node.items),
    ast.Decolorize: lambda node: "| decolorize",
    ast.LabelName: lambda node: node.name,
    ast.DropLabels: _label_list_stage("drop"),
    ast.KeepLabels: _label_list_stage("keep"),
    ast.StringFilter: lambda node: _matcher(node.matcher),
    ast.NumberFilter: _comparison,
    ast.DurationFilter: _comparison,
    ast.BytesFilter: _comparison,
    ast.IpFilter: _ip_filter,
    ast.BinaryLabelFilter: _binary_label_filter,
    ast.LabelFilter: lambda node: "| " + format_ast(node.expr),
    ast.LogQuery: _log_query,
    ast.Unwrap: _unwrap,
    ast.LogRange: _log_range,
    ast.Grouping: _grouping,
    ast.RangeAggregation: _range_aggregation,
    ast.VectorAggregation: _vector_aggregation,
    ast.VectorMatching: _vector_matching,
    ast.BinaryOp: _binary_op,
    ast.Literal: lambda node: format_number(node.value),
    ast.VectorLiteral: lambda node: f"vector({format_number(node.value)})",
    ast.LabelReplace: _label_replace,
}


def format_ast(node: ast.Node) -> str:
    """The canonical one-line text of any node."""
    try:
        formatter = _FORMATTERS[type(node)]
    except KeyError:
        raise TypeError(f"cannot format {type(node).__name__}") from None
    return formatter(node)


def format(query: str | ast.Node) -> str:
    """Canonical one-line text of a query (parsed first when given as text)."""
    return format_ast(parse(query) if isinstance(query, str) else query)


# ---- pretty layout --------------------------------------------------------------------------

def pretty(query: str | ast.Node, indent: str = "  ") -> str:
    """Multi-line text in the layout of Loki's prettier; short queries stay on one line."""
    node = parse(query) if isinstance(query, str) else query
    return _Pretty(indent).render(node, 0)


class _Pretty:
    def __init__(self, indent: str):
        self.indent = indent

    def pad(self, level: int) -> str:
        return self.indent * level

    def render(self, node: ast.Node, level: int) -> str:
        """``node`` starting with its indentation; split only when its line is too long."""
        flat = format_ast(node)
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None or len(flat) <= MAX_WIDTH:
            return self.pad(level) + flat
        return method(node, level)

    def lines(self, *parts: str) -> str:
        return "\n".join(parts)

    def call(self, name: str, args: list[str], level: int, suffix: str = "") -> str:
        """``name(`` / one argument a line, comma-separated / ``)suffix``."""
        return self.lines(self.pad(level) + name + "(", ",\n".join(args), self.pad(level) + ")" + suffix)

    def parenthesised(self, node: ast.Node, level: int, needed: bool) -> str:
        if not needed:
            return self.render(node, level)
        flat = format_ast(node)
        if len(flat) + 2 <= MAX_WIDTH:
            return f"{self.pad(level)}({flat})"
        return self.lines(self.pad(level) + "(", self.render(node, level + 1), self.pad(level) + ")")

    def with_param(self, param, argument: str, level: int) -> list[str]:
        return [argument] if param is None else [self.pad(level) + format_number(param), argument]

    def argument(self, expr, level: int) -> str:
        return self.parenthesised(expr, level, isinstance(expr, ast.LogQuery))

    # -- one method per node that can split
    def query_lines(self, node: ast.LogQuery, level: int) -> list[str]:
        """The selector, then one stage a line, indented one level more."""
        return [self.pad(level) + _selector(node.selector)] + [
            self.pad(level + 1) + format_ast(s) for s in printable_order(node.stages)]

    def _LogQuery(self, node: ast.LogQuery, level: int) -> str:
        return self.lines(*self.query_lines(node, level))

    def _LogRange(self, node: ast.LogRange, level: int) -> str:
        # Unlike Loki's, the unwrap and its filters line up with the stages before them.
        lines = self.query_lines(node.query, level)
        if node.unwrap:
            lines.append(self.pad(level + 1) + _unwrap_head(node.unwrap))
            lines += [self.pad(level + 1) + "| " + format_ast(f) for f in node.unwrap.filters]
        lines[-1] += _range_suffix(node)
        return self.lines(*lines)

    def _RangeAggregation(self, node: ast.RangeAggregation, level: int) -> str:
        args = self.with_param(node.param, self.render(node.range, level + 1), level + 1)
        return self.call(node.op, args, level, _range_grouping(node))

    def _VectorAggregation(self, node: ast.VectorAggregation, level: int) -> str:
        args = self.with_param(node.param, self.argument(node.expr, level + 1), level + 1)
        return self.call(_vector_head(node), args, level)

    def _LabelReplace(self, node: ast.LabelReplace, level: int) -> str:
        strings = [self.pad(level + 1) + s for s in _label_replace_strings(node)]
        return self.call("label_replace", [self.argument(node.expr, level + 1)] + strings, level)

    def _BinaryOp(self, node: ast.BinaryOp, level: int) -> str:
        left_parens = _operand_needs_parens(node, node.left, True)
        if self.continues_chain(node, node.left, left_parens):
            # `a / b * c` reads as a column of operands and operators, not a staircase.
            left = self._BinaryOp(node.left, level)
        else:
            left = self.parenthesised(node.left, level + 1, left_parens)
        right = self.parenthesised(node.right, level + 1, _operand_needs_parens(node, node.right, False))
        return self.lines(left, self.pad(level) + binary_operator(node), right)

    def continues_chain(self, node: ast.BinaryOp, left, parens: bool) -> bool:
        return (isinstance(left, ast.BinaryOp) and not parens
                and PRECEDENCE[left.op] == PRECEDENCE[node.op] and len(format_ast(left)) > MAX_WIDTH)
