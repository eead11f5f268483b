"""The LogQL features a query uses, read from its AST: the rows of the feature breakdown.

Names follow NL2QL-exec's ``features`` field where it has one (``line_filter``,
``regexp_parser``, ``topk_bottomk`` ...); NL2QL-exec's ``logfmt_or_json`` is split into
``json_parser`` and ``logfmt_parser`` here.
"""

from __future__ import annotations

from nl2logql.logql import ast
from nl2logql.logql.parser import parse

_STAGES = {
    ast.RegexpParser: "regexp_parser",
    ast.PatternParser: "pattern_parser",
    ast.JsonParser: "json_parser",
    ast.LogfmtParser: "logfmt_parser",
    ast.UnpackParser: "unpack_parser",
    ast.LineFormat: "line_format",
    ast.LabelFormat: "label_format",
    ast.DropLabels: "drop_or_keep",
    ast.KeepLabels: "drop_or_keep",
    ast.Decolorize: "decolorize",
    ast.LabelFilter: "label_filter",
    ast.Unwrap: "unwrap",
    ast.BinaryOp: "binary_op",
    ast.LabelReplace: "label_replace",
    ast.VectorLiteral: "vector_literal",
}

_RANGE_OPS = {
    "count_over_time": "count_over_time",
    "rate": "rate", "rate_counter": "rate",
    "bytes_over_time": "bytes_over_time", "bytes_rate": "bytes_over_time",
    "avg_over_time": "avg_over_time",
    "sum_over_time": "sum_over_time",
    "max_over_time": "max_or_min_over_time", "min_over_time": "max_or_min_over_time",
    "quantile_over_time": "quantile_over_time",
    "stddev_over_time": "stddev_or_stdvar_over_time", "stdvar_over_time": "stddev_or_stdvar_over_time",
    "first_over_time": "first_or_last_over_time", "last_over_time": "first_or_last_over_time",
    "absent_over_time": "absent",
}

# As in NL2QL-exec: ``line_filter`` is ``|=``; every negated filter is ``negative_filter``.
_LINE_FILTERS = {"|=": ("line_filter",), "|~": ("regex_line_filter",),
                 "|>": ("pattern_line_filter",), "!=": ("negative_filter",),
                 "!~": ("negative_filter", "regex_line_filter"),
                 "!>": ("negative_filter", "pattern_line_filter")}

_VECTOR_OPS = {"topk": "topk_bottomk", "bottomk": "topk_bottomk", "approx_topk": "topk_bottomk",
               "sort": "sort", "sort_desc": "sort"}


def features(query: str | ast.Node) -> list[str]:
    """Sorted feature names of ``query`` (text or AST). Raises QueryError if it does not parse."""
    expr = parse(query) if isinstance(query, str) else query
    found: set[str] = set()
    for node in expr.walk():
        name = _STAGES.get(type(node))
        if name:
            found.add(name)
        if isinstance(node, ast.LineFilter):
            found.update(_LINE_FILTERS[node.op])
        elif isinstance(node, ast.Unwrap) and node.filters:
            found.add("label_filter")
        elif isinstance(node, ast.LogRange) and node.offset:
            found.add("offset")
        elif isinstance(node, ast.RangeAggregation):
            found.add(_RANGE_OPS.get(node.op, node.op))
        elif isinstance(node, ast.VectorAggregation) and node.op in _VECTOR_OPS:
            found.add(_VECTOR_OPS[node.op])
        if isinstance(node, (ast.RangeAggregation, ast.VectorAggregation)) and node.grouping:
            if node.grouping.without:
                found.add("without_grouping")
            elif node.grouping.labels:
                found.add("by_grouping")
    return sorted(found)
