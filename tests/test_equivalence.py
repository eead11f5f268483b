"""equivalent() / canonical(): same meaning modulo spelling, and nothing more."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from test_printer import exprs  # the random-AST strategy

from nl2logql.errors import QueryError
from nl2logql.logql.equivalence import canonical, equivalent, normalize
from nl2logql.logql.parser import parse
from nl2logql.logql.printer import format_ast

S = '{app="api"}'  # a selector to build the rows on
R = 'rate({app="api"}[5m])'

EQUIVALENT = [
    # layout, quoting, keyword case, numbers
    (f'{S}|="x"', f'{S} |= "x"'),
    (f'{S} |= "x"', f"{S} |= `x`"),
    (f'{S} |~ "\\\\d+"', f"{S} |~ `\\d+`"),
    (f"{S} | JSON", f"{S} | json"),
    ("1.0 + 2", "1 + 2.00"),
    ("(1 + 2) * 3", "((1 + 2)) * (3)"),
    ("1000 * 2", "1e3 * 2"),
    # selectors
    ('{app="api", env="prod"}', '{env="prod", app="api"}'),
    ('{app="api", env=~"a|b", job!="x"}', '{job!="x", env=~"a|b", app="api"}'),
    ('{app="api", app="api"}', '{app="api"}'),
    # grouping
    (f"sum by (a, b) ({R})", f"sum by (b, a) ({R})"),
    (f"sum by (a) ({R})", f"sum({R}) by (a)"),
    (f"sum without (a, b) ({R})", f"sum({R}) without (b, a)"),
    (f"sum by () ({R})", f"sum({R})"),
    (f"topk by (b, a) (5, {R})", f"topk(5, {R}) by (a, b)"),
    ('avg_over_time({app="api"} | unwrap x [5m]) by (b, a)', 'avg_over_time({app="api"} | unwrap x [5m]) by (a, b)'),
    (f"{R} / on (b, a) group_left (d, c) {R}", f"{R} / on (a, b) group_left (c, d) {R}"),
    (f"{R} / ignoring (b, a) {R}", f"{R} / ignoring (a, b) {R}"),
    # durations and bytes
    ('count_over_time({app="api"}[1h])', 'count_over_time({app="api"}[60m])'),
    ('count_over_time({app="api"}[90s])', 'count_over_time({app="api"}[1m30s])'),
    ('count_over_time({app="api"}[5m] offset 1d)', 'count_over_time({app="api"}[5m] offset 24h)'),
    ('count_over_time({app="api"}[5m] offset 0s)', 'count_over_time({app="api"}[5m])'),
    (f"{S} | latency > 1.5s", f"{S} | latency > 1500ms"),
    (f"{S} | size > 1KiB", f"{S} | size > 1024B"),
    (f"{S} | size > 1MB", f"{S} | size > 1000KB"),
    # label filters: `,`, juxtaposition, `and` and stacked stages all mean AND
    (f'{S} | a="1", b="2"', f'{S} | a="1" and b="2"'),
    (f'{S} | a="1" b="2"', f'{S} | a="1", b="2"'),
    (f'{S} | a="1" | b="2"', f'{S} | a="1" and b="2"'),
    (f'{S} | a="1" and b="2"', f'{S} | b="2" and a="1"'),
    (f'{S} | a="1" or b="2"', f'{S} | b="2" or a="1"'),
    (f'{S} | a="1" and b="2" and c="3"', f'{S} | c="3", (b="2" and a="1")'),
    (f'{S} | (a="1" or b="2") and c="3"', f'{S} | c="3" and (b="2" or a="1")'),
    (f'{S} | a="1" or b="2" or c="3"', f'{S} | c="3" or (b="2" or a="1")'),
    (f'{S} | a="1" or b="2", c="3"', f'{S} | a="1" or (c="3" and b="2")'),
    (f'{S} | json | a="1" | b > 5 | c="x"', f'{S} | json | c="x", b > 5, a="1"'),
    ('sum_over_time({app="api"} | unwrap x | a="1" | b="2" [5m])',
     'sum_over_time({app="api"} | unwrap x | b="2" and a="1" [5m])'),
    (f"{S} | status = 200", f"{S} | status == 200"),
    (f"{S} | status == 200", f"{S} | status = 200.0"),
    # parsers, drop/keep
    (f"{S} | json a", f'{S} | json a="a"'),
    (f"{S} | logfmt --keep-empty --strict", f"{S} | logfmt --strict --keep-empty"),
    (f'{S} | drop b, a, c="d"', f'{S} | drop c="d", a, b'),
    (f"{S} | keep b, a", f"{S} | keep a, b"),
    # log ranges written either way
    ('sum_over_time({app="api"} | unwrap x [5m])', 'sum_over_time({app="api"}[5m] | unwrap x)'),
    ('count_over_time({app="api"} |= "x" [5m])', 'count_over_time(({app="api"} |= "x")[5m])'),
]

NOT_EQUIVALENT = [
    ('{app="api"}', '{app="web"}'),
    ('{app="api"}', '{app=~"api"}'),
    ('{app="api"}', '{app="api", env="prod"}'),
    (f'{S} |= "a" or "b"', f'{S} |= "b" or "a"'),  # term order kept on purpose (documented)
    (f'{S} |= "a" |= "b"', f'{S} |= "b" |= "a"'),
    (f'{S} |= "x"', f'{S} |~ "x"'),
    (f'{S} |= "x"', f'{S} |= "X"'),
    (f'{S} | a="1" and b="2"', f'{S} | a="1" or b="2"'),
    (f'{S} | a="1" or b="2" and c="3"', f'{S} | (a="1" or b="2") and c="3"'),
    (f'{S} | a="1" or b="2", c="3"', f'{S} | (a="1" or b="2"), c="3"'),
    (f'{S} | a="1" and a="1"', f'{S} | a="1"'),  # multisets: duplicates count
    (f"{S} | status > 200", f"{S} | status >= 200"),
    (f"{S} | json | a=\"1\"", f"{S} | a=\"1\" | json"),
    (f"{S} | json a", f'{S} | json a="b"'),
    (f"sum by (a) ({R})", f"sum without (a) ({R})"),
    (f"sum by (a) ({R})", f"sum({R})"),
    (f"sum without () ({R})", f"sum({R})"),
    (f"sum({R})", f"avg({R})"),
    (f"topk(5, {R})", f"topk(6, {R})"),
    ('count_over_time({app="api"}[5m])', 'count_over_time({app="api"}[5m] offset 1m)'),
    ('count_over_time({app="api"}[5m])', 'count_over_time({app="api"}[10m])'),
    ('count_over_time({app="api"}[5m])', 'rate({app="api"}[5m])'),
    (f"{R} / 2", f"2 / {R}"),
    (f"{R} + 1", f"1 + {R}"),  # operand order kept: result labels follow the left side
    (f"{R} > 1", f"{R} > bool 1"),
    (f"{R} / on (a) {R}", f"{R} / ignoring (a) {R}"),
    (f"{R} * on (a) group_left {R}", f"{R} * on (a) group_right {R}"),
    ("1 - 2 - 3", "1 - (2 - 3)"),
    ("vector(1)", "1"),
    (f'label_replace({R}, "a", "$1", "b", "(.*)")', f'label_replace({R}, "b", "$1", "a", "(.*)")'),
    ('sum_over_time({app="api"} | unwrap x [5m])', 'sum_over_time({app="api"} | unwrap bytes(x) [5m])'),
    # an invalid side is never equivalent, not even to itself
    (f"{S} |=", f"{S} |="),
    ("sum(", "sum("),
    ('{app=~".*"}', '{app=~".*"}'),  # parses, but Loki rejects it (no matcher selects)
    ("", ""),
]


@pytest.mark.parametrize("a, b", EQUIVALENT)
def test_equivalent(a, b):
    assert equivalent(a, b)
    assert equivalent(b, a)
    assert canonical(a) == canonical(b)


@pytest.mark.parametrize("a, b", NOT_EQUIVALENT)
def test_not_equivalent(a, b):
    assert not equivalent(a, b)
    assert not equivalent(b, a)


def test_table_is_dense():
    assert len(EQUIVALENT) + len(NOT_EQUIVALENT) >= 40


@pytest.mark.parametrize("a, _", EQUIVALENT)
def test_canonical_is_a_fixed_point(a, _):
    text = canonical(a)
    assert canonical(text) == text
    assert equivalent(text, a)


def test_accepts_asts():
    assert equivalent(parse('{b="2", a="1"}'), '{a="1", b="2"}')
    assert equivalent(parse('{a="1"}'), parse('{a="1"}'))


def test_normalize_keeps_the_tree_kind():
    tree = parse(f'{S} | b="2", a="1"')
    assert type(normalize(tree)) is type(tree)


def test_canonical_examples():
    assert canonical(f"sum({R}) by (b,a)") == f"sum by (a, b) ({R})"
    assert canonical(f'{S} | b="2" a="1" | c="3"') == f'{S} | a="1" and b="2" and c="3"'
    assert canonical(f"{S} | status = 200") == f"{S} | status == 200"


def test_canonical_raises_on_invalid_query():
    with pytest.raises(QueryError):
        canonical("sum(")


def test_never_raises_on_garbage():
    assert not equivalent("{", '{app="api"}')
    assert not equivalent('{app="api"}', "))))")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exprs)
def test_normalize_is_idempotent_and_printable(tree):
    once = normalize(tree)
    assert normalize(once) == once
    assert parse(format_ast(once), check=False) == once
    assert normalize(parse(format_ast(tree), check=False)) == once
