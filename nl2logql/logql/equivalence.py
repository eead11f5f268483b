"""Whether two LogQL queries mean the same, modulo how they are written.

:func:`normalize` maps an AST to a canonical AST; two queries are equivalent when their
canonical ASTs are equal. What it treats as the same:

* anything the parser already forgets: layout, quoting style, keyword case, ``sum by (x) (e)``
  vs ``sum(e) by (x)``, duration and byte spellings (``1h`` = ``60m``), ``5`` = ``5.0``;
* matcher order in a selector, and repeated matchers;
* label order in ``by``/``without``/``on``/``ignoring``/``group_left``, ``drop`` and ``keep``;
  ``sum by () (e)`` = ``sum(e)``;
* label filters: ``,``, juxtaposition, ``and`` and consecutive ``| a | b`` stages all mean AND;
  AND and OR chains are flattened and compared as multisets (``a or b`` = ``b or a``);
* ``==`` = ``=`` in numeric label filters; ``json a`` = ``json a="a"``.

Kept order-sensitive, though some are commutative in effect: the terms of one line filter
(``|= "a" or "b"``) and the order of line filters, pipeline stages in general, label_format
items, and the sides of binary operators (for vectors, result labels follow the left side).
"""

from __future__ import annotations

from nl2logql.errors import QueryError
from nl2logql.logql import ast
from nl2logql.logql.parser import parse
from nl2logql.logql.printer import format_ast, printable_order

Query = str | ast.Node


def equivalent(a: Query, b: Query) -> bool:
    """True when ``a`` and ``b`` (text or AST) mean the same; False if either is not valid LogQL."""
    try:
        return normalize(_ast(a)) == normalize(_ast(b))
    except QueryError:
        return False


def canonical(query: Query) -> str:
    """One text per meaning: equal for equivalent queries (an exact-match key).
    Raises :class:`QueryError` if ``query`` is not valid LogQL."""
    return format_ast(normalize(_ast(query)))


def _ast(query: Query) -> ast.Node:
    return parse(query) if isinstance(query, str) else query


def normalize(node: ast.Node) -> ast.Node:
    """The canonical form of ``node``: same meaning, one spelling."""
    return node.transform(_normalize_node)


def _normalize_node(node: ast.Node) -> ast.Node:
    rule = _RULES.get(type(node))
    return rule(node) if rule else node


def _sorted_unique(items: tuple) -> tuple:
    return tuple(sorted(set(items), key=_key))


def _key(item) -> str:
    return format_ast(item) if isinstance(item, ast.Node) else str(item)


# ---- label filters --------------------------------------------------------------------------

def _level(op: str) -> str:
    return "or" if op == "or" else "and"  # "," is an "and"


def _operands(expr, level: str) -> list:
    """The members of a flat ``and`` (or ``or``) chain rooted at ``expr``."""
    if isinstance(expr, ast.BinaryLabelFilter) and _level(expr.op) == level:
        return _operands(expr.left, level) + _operands(expr.right, level)
    return [expr]


def _chain(level: str, operands: list):
    """Operands sorted (a multiset, duplicates kept), joined left to right by ``level``."""
    ordered = sorted(operands, key=format_ast)
    result = ordered[0]
    for operand in ordered[1:]:
        result = ast.BinaryLabelFilter(level, result, operand)
    return result


def _binary_label_filter(node: ast.BinaryLabelFilter):
    level = _level(node.op)
    return _chain(level, _operands(node, level))


def _all_of(exprs) -> list:
    """``| a | b`` as one AND: the flattened members of every expression."""
    return [member for expr in exprs for member in _operands(expr, "and")]


def _log_query(node: ast.LogQuery) -> ast.LogQuery:
    stages: list = []
    for stage in node.stages:
        if isinstance(stage, ast.LabelFilter) and stages and isinstance(stages[-1], ast.LabelFilter):
            stage = ast.LabelFilter(_chain("and", _all_of([stages.pop().expr, stage.expr])))
        stages.append(stage)
    return node.replace(stages=printable_order(tuple(stages)))


def _unwrap(node: ast.Unwrap) -> ast.Unwrap:
    filters = (_chain("and", _all_of(node.filters)),) if node.filters else ()
    return node.replace(filters=filters)


# ---- the rest ------------------------------------------------------------------------------

def _vector_aggregation(node: ast.VectorAggregation) -> ast.VectorAggregation:
    if node.grouping == ast.Grouping(without=False, labels=()):
        return node.replace(grouping=None)  # `by ()` groups everything together, like no grouping
    return node


def _number_filter(node: ast.NumberFilter) -> ast.NumberFilter:
    return node.replace(op="==") if node.op == "=" else node


def _extraction(node: ast.Extraction) -> ast.Extraction:
    return node.replace(expression=None) if node.expression == node.label else node


_RULES = {
    ast.Selector: lambda node: node.replace(matchers=_sorted_unique(node.matchers)),
    ast.Grouping: lambda node: node.replace(labels=_sorted_unique(node.labels)),
    ast.VectorMatching: lambda node: node.replace(labels=_sorted_unique(node.labels),
                                                  include=_sorted_unique(node.include)),
    ast.DropLabels: lambda node: node.replace(labels=_sorted_unique(node.labels)),
    ast.KeepLabels: lambda node: node.replace(labels=_sorted_unique(node.labels)),
    ast.BinaryLabelFilter: _binary_label_filter,
    ast.LogQuery: _log_query,
    ast.Unwrap: _unwrap,
    ast.VectorAggregation: _vector_aggregation,
    ast.NumberFilter: _number_filter,
    ast.Extraction: _extraction,
}
