"""Small edits of a query's syntax tree, each returning a new tree: what repairs are made of.

Nodes are matched by equality, so an edit reaches every copy of a node (both sides of a
ratio that repeat one selector get the same fix).
"""

from __future__ import annotations

import re

from nl2logql.logql import ast
from nl2logql.logql.explain import CAPTURE, PATTERN_FIELD


def replace_node(expr: ast.Expr, old: ast.Node, new: ast.Node | None) -> ast.Expr:
    """``expr`` with every node equal to ``old`` replaced by ``new`` (a stage, or a filter
    after ``unwrap``: removed when ``new`` is None)."""
    def edit(node):
        if isinstance(node, ast.LogQuery) and new is None:
            return node.replace(stages=tuple(s for s in node.stages if s != old))
        if isinstance(node, ast.Unwrap) and new is None:
            return node.replace(filters=tuple(f for f in node.filters if f != old))
        return new if node == old and new is not None else node

    return expr.transform(edit)


def drop_repeats(expr: ast.Expr) -> ast.Expr:
    """Each run of one stage repeated back to back kept once."""
    def edit(node):
        if not isinstance(node, ast.LogQuery):
            return node
        stages = [s for i, s in enumerate(node.stages) if i == 0 or s != node.stages[i - 1]]
        return node.replace(stages=tuple(stages))

    return expr.transform(edit)


def set_ranges(expr: ast.Expr, seconds: int, offset: int | None) -> ast.Expr:
    """Every log range set to ``seconds`` (and ``offset``, unless None)."""
    def edit(node):
        if not isinstance(node, ast.LogRange):
            return node
        changes = {"range": seconds * 10**9}
        if offset is not None:
            changes["offset"] = offset * 10**9
        return node.replace(**changes)

    return expr.transform(edit)


def same_sides(node: ast.Node) -> bool:
    """Whether ``node`` is an operator between one query and itself (``A / A``)."""
    return (isinstance(node, ast.BinaryOp) and node.left == node.right
            and not isinstance(node.left, (ast.Literal, ast.VectorLiteral)))


# The vector aggregation that makes one value of a range function's series: counts and
# totals add up, averages and extremes are averaged or the extreme taken.
ONE_VALUE = {"avg_over_time": "avg", "max_over_time": "max", "min_over_time": "min",
             "sum_over_time": "sum", "count_over_time": "sum", "rate": "sum",
             "bytes_over_time": "sum", "bytes_rate": "sum"}


def group_by(expr: ast.Expr, label: str) -> ast.Expr | None:
    """The answer broken down by ``label``: ``sum(x)`` → ``sum by (label) (x)``, a bare
    range aggregation summed by it (under a threshold too: ``x > 5``); None where the
    shape leaves no obvious place."""
    if isinstance(expr, ast.VectorAggregation) and expr.grouping is None \
            and expr.op in ("sum", "avg", "min", "max", "count"):
        return expr.replace(grouping=ast.Grouping(labels=(label,)))
    if isinstance(expr, ast.VectorAggregation) and expr.op in ("sort", "sort_desc"):
        inner = group_by(expr.expr, label)
        return None if inner is None else expr.replace(expr=inner)
    if isinstance(expr, ast.RangeAggregation) and expr.grouping is None:
        return ast.VectorAggregation(ONE_VALUE.get(expr.op, "sum"), expr,
                                     grouping=ast.Grouping(labels=(label,)))
    if isinstance(expr, ast.BinaryOp) and expr.op in (">", ">=", "<", "<=", "==", "!=") \
            and isinstance(expr.right, ast.Literal):  # a threshold: x > 5
        inner = group_by(expr.left, label)
        return None if inner is None else expr.replace(left=inner)
    return None


def rename_unwrap(expr: ast.Expr, old: str, new: str) -> ast.Expr:
    """The ``unwrap`` of ``old`` made one of ``new`` (and its filters on it)."""
    return expr.transform(lambda n: rename_label(n, old, new) if isinstance(n, ast.Unwrap)
                          else n)


def rename_label(expr: ast.Expr, old: str, new: str) -> ast.Expr:
    """Every use of the label ``old`` (groupings, label filters, unwrap) renamed ``new``;
    the selectors and what the parsers extract stay as they are."""
    def edit(node):
        if isinstance(node, ast.Grouping):
            return node.replace(labels=tuple(new if n == old else n for n in node.labels))
        if isinstance(node, (ast.NumberFilter, ast.DurationFilter, ast.BytesFilter,
                             ast.IpFilter, ast.Unwrap)):
            field_name = "label" if isinstance(node, ast.Unwrap) else "name"
            if getattr(node, field_name) == old:
                return node.replace(**{field_name: new})
        if isinstance(node, ast.StringFilter) and node.matcher.name == old:
            return node.replace(matcher=node.matcher.replace(name=new))
        return node

    return expr.transform(edit)


def rename_field(expr: ast.Expr, old: str, new: str) -> ast.Expr:
    """The field ``old`` extracted as ``new``: in the parsers that capture it (a regexp's
    ``(?P<old>``, a pattern's ``<old>``), the formats that write it (``{{.old}}``) and
    every use (:func:`rename_label`)."""
    field = re.compile(rf"\.{re.escape(old)}\b")

    def renamed(match: re.Match) -> str:
        return match.group().replace(f"<{old}>", f"<{new}>") if match.group(1) == old \
            else match.group()

    def edit(node):
        if isinstance(node, (ast.RegexpParser, ast.PatternParser)):
            captures = CAPTURE if isinstance(node, ast.RegexpParser) else PATTERN_FIELD
            return node.replace(pattern=captures.sub(renamed, node.pattern))
        if isinstance(node, ast.LineFormat):
            return node.replace(template=field.sub(f".{new}", node.template))
        if isinstance(node, ast.LabelFormatItem):
            src = field.sub(f".{new}", node.src) if node.template else (
                new if node.src == old else node.src)
            return node.replace(src=src)
        return node

    return rename_label(expr.transform(edit), old, new)


def set_matcher_value(expr: ast.Expr, old: ast.Matcher, value: str) -> ast.Expr:
    return replace_node(expr, old, old.replace(value=value))


def drop_matcher(expr: ast.Expr, selector: ast.Selector, matcher: ast.Matcher) -> ast.Expr:
    kept = tuple(m for m in selector.matchers if m != matcher)
    return replace_node(expr, selector, selector.replace(matchers=kept))


def drop_matchers(query: ast.LogQuery, matchers: list[ast.Matcher]) -> ast.LogQuery:
    """``query`` whose selector lacks ``matchers``."""
    kept = tuple(m for m in query.selector.matchers if m not in matchers)
    return query.replace(selector=query.selector.replace(matchers=kept))
