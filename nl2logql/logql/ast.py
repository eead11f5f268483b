"""Typed LogQL syntax tree.

Every node is a frozen dataclass whose fields are its children and attributes; the
base class derives ``children``, ``walk``, ``find_all`` and ``transform`` from the
fields, so most node classes are a few lines. ``span`` (source offsets) does not take
part in equality: two trees are equal when they mean the same text modulo layout.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Iterator, Optional, TypeVar, Union

N = TypeVar("N", bound="Node")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Node:
    span: Optional[Span] = field(default=None, compare=False, repr=False, kw_only=True)

    def children(self) -> Iterator["Node"]:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Node):
                yield value
            elif isinstance(value, tuple):
                yield from (v for v in value if isinstance(v, Node))

    def walk(self) -> Iterator["Node"]:
        """This node and all below it, depth first, in source order."""
        yield self
        for child in self.children():
            yield from child.walk()

    def find_all(self, *types: type[N]) -> Iterator[N]:
        return (node for node in self.walk() if isinstance(node, types))

    def find(self, *types: type[N]) -> Optional[N]:
        return next(self.find_all(*types), None)

    def transform(self, fn) -> "Node":
        """Rebuild bottom-up: ``fn(node)`` returns a replacement (or the node itself)."""
        changes = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Node):
                changes[f.name] = value.transform(fn)
            elif isinstance(value, tuple) and any(isinstance(v, Node) for v in value):
                changes[f.name] = tuple(v.transform(fn) if isinstance(v, Node) else v for v in value)
        node = dataclasses.replace(self, **changes) if changes else self
        return fn(node)

    def replace(self: N, **changes) -> N:
        return dataclasses.replace(self, **changes)

    def __str__(self) -> str:
        from nl2logql.logql.printer import format_ast

        return format_ast(self)


# ---- selectors and line filters --------------------------------------------------------

@dataclass(frozen=True)
class Matcher(Node):
    """``name op "value"`` with op one of ``=``, ``!=``, ``=~``, ``!~``."""

    name: str
    op: str
    value: str


@dataclass(frozen=True)
class Selector(Node):
    matchers: tuple[Matcher, ...]


@dataclass(frozen=True)
class FilterTerm(Node):
    """One alternative of a line filter: a string, or ``ip("...")`` when ``ip`` is set."""

    value: str
    ip: bool = False


@dataclass(frozen=True)
class LineFilter(Node):
    """``|= "a" or "b"``: op one of ``|=``, ``!=``, ``|~``, ``!~``, ``|>``, ``!>``."""

    op: str
    terms: tuple[FilterTerm, ...]


# ---- parsers and formatters --------------------------------------------------------------

@dataclass(frozen=True)
class Extraction(Node):
    """``label="expression"`` in ``json``/``logfmt`` parameters (``label`` alone: same name)."""

    label: str
    expression: Optional[str] = None


@dataclass(frozen=True)
class JsonParser(Node):
    params: tuple[Extraction, ...] = ()


@dataclass(frozen=True)
class LogfmtParser(Node):
    strict: bool = False
    keep_empty: bool = False
    params: tuple[Extraction, ...] = ()


@dataclass(frozen=True)
class RegexpParser(Node):
    pattern: str


@dataclass(frozen=True)
class PatternParser(Node):
    pattern: str


@dataclass(frozen=True)
class UnpackParser(Node):
    pass


@dataclass(frozen=True)
class LineFormat(Node):
    template: str


@dataclass(frozen=True)
class LabelFormatItem(Node):
    """``dst=src`` (rename, ``template`` False) or ``dst="{{...}}"`` (template)."""

    dst: str
    src: str
    template: bool


@dataclass(frozen=True)
class LabelFormat(Node):
    items: tuple[LabelFormatItem, ...]


@dataclass(frozen=True)
class Decolorize(Node):
    pass


@dataclass(frozen=True)
class LabelName(Node):
    name: str


@dataclass(frozen=True)
class DropLabels(Node):
    labels: tuple[Union[LabelName, Matcher], ...]


@dataclass(frozen=True)
class KeepLabels(Node):
    labels: tuple[Union[LabelName, Matcher], ...]


# ---- label filters -----------------------------------------------------------------------

@dataclass(frozen=True)
class StringFilter(Node):
    matcher: Matcher


@dataclass(frozen=True)
class NumberFilter(Node):
    """op one of ``==``, ``=``, ``!=``, ``>``, ``>=``, ``<``, ``<=``."""

    name: str
    op: str
    value: float


@dataclass(frozen=True)
class DurationFilter(Node):
    name: str
    op: str
    value: int  # nanoseconds


@dataclass(frozen=True)
class BytesFilter(Node):
    name: str
    op: str
    value: int  # bytes


@dataclass(frozen=True)
class IpFilter(Node):
    name: str
    op: str  # "=" or "!="
    pattern: str


@dataclass(frozen=True)
class BinaryLabelFilter(Node):
    """``and``/``or``; ``,`` is an ``and`` that joins everything after it (Loki's grammar)."""

    op: str  # "and", "or", ","
    left: "LabelFilterExpr"
    right: "LabelFilterExpr"


LabelFilterExpr = Union[StringFilter, NumberFilter, DurationFilter, BytesFilter, IpFilter,
                        BinaryLabelFilter]


@dataclass(frozen=True)
class LabelFilter(Node):
    """A pipeline stage ``| <label filter expression>``."""

    expr: LabelFilterExpr


Stage = Union[LineFilter, JsonParser, LogfmtParser, RegexpParser, PatternParser, UnpackParser,
              LineFormat, LabelFormat, Decolorize, DropLabels, KeepLabels, LabelFilter]

PARSER_STAGES = (JsonParser, LogfmtParser, RegexpParser, PatternParser, UnpackParser)


# ---- queries -----------------------------------------------------------------------------

@dataclass(frozen=True)
class LogQuery(Node):
    """A stream selector and its pipeline: a log query, or the inside of a log range."""

    selector: Selector
    stages: tuple[Stage, ...] = ()


@dataclass(frozen=True)
class Unwrap(Node):
    label: str
    conversion: Optional[str] = None  # "bytes", "duration", "duration_seconds"
    filters: tuple[LabelFilterExpr, ...] = ()


@dataclass(frozen=True)
class LogRange(Node):
    query: LogQuery
    range: int  # nanoseconds
    offset: int = 0
    unwrap: Optional[Unwrap] = None


@dataclass(frozen=True)
class Grouping(Node):
    without: bool = False
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class RangeAggregation(Node):
    op: str
    range: LogRange
    param: Optional[float] = None
    grouping: Optional[Grouping] = None


@dataclass(frozen=True)
class VectorAggregation(Node):
    op: str
    expr: "MetricExpr"
    param: Optional[float] = None
    grouping: Optional[Grouping] = None


@dataclass(frozen=True)
class VectorMatching(Node):
    on: bool = False
    labels: tuple[str, ...] = ()
    card: str = "one-to-one"  # "many-to-one" (group_left), "one-to-many" (group_right)
    include: tuple[str, ...] = ()


@dataclass(frozen=True)
class BinaryOp(Node):
    op: str
    left: "Expr"
    right: "Expr"
    bool: bool = False
    matching: Optional[VectorMatching] = None


@dataclass(frozen=True)
class Literal(Node):
    value: float


@dataclass(frozen=True)
class VectorLiteral(Node):
    """``vector(1)``."""

    value: float


@dataclass(frozen=True)
class LabelReplace(Node):
    expr: "MetricExpr"
    dst: str
    replacement: str
    src: str
    regex: str


MetricExpr = Union[RangeAggregation, VectorAggregation, BinaryOp, Literal, VectorLiteral,
                   LabelReplace]
Expr = Union[LogQuery, MetricExpr]

RANGE_OPS = (
    "count_over_time", "rate", "rate_counter", "bytes_over_time", "bytes_rate",
    "avg_over_time", "sum_over_time", "min_over_time", "max_over_time", "stdvar_over_time",
    "stddev_over_time", "quantile_over_time", "first_over_time", "last_over_time",
    "absent_over_time",
)
VECTOR_OPS = ("sum", "avg", "count", "max", "min", "stddev", "stdvar", "bottomk", "topk",
              "sort", "sort_desc", "approx_topk")
COMPARISON_OPS = ("==", "!=", ">", ">=", "<", "<=")
SET_OPS = ("and", "or", "unless")
ARITHMETIC_OPS = ("+", "-", "*", "/", "%", "^")


def kind(expr: Expr) -> str:
    """``"log"`` for a log query (returns lines), ``"metric"`` for anything returning samples."""
    return "log" if isinstance(expr, LogQuery) else "metric"
