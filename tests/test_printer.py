"""The printer: golden fixtures, round-trip properties over random ASTs, and a parser fuzz.

Fixtures (tests/fixtures/logql/):
* identity.logql: one canonical query a line; each formats to itself.
* pretty.logql: cases separated by blank lines; first line the input, the rest the expected
  ``pretty()`` output.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nl2logql.errors import LogQLSemanticError, LogQLSyntaxError
from nl2logql.logql import ast, printer
from nl2logql.logql.equivalence import normalize
from nl2logql.logql.parser import parse
from nl2logql.logql.printer import (
    format,
    format_ast,
    format_bytes,
    format_number,
    pretty,
)
from nl2logql.logql.units import DAY, HOUR, MINUTE, MS, SECOND, US

FIXTURES = Path(__file__).parent / "fixtures" / "logql"


def _content_lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip() and not line.startswith("#")]


IDENTITY = _content_lines((FIXTURES / "identity.logql").read_text())
PRETTY_CASES = [lines for block in (FIXTURES / "pretty.logql").read_text().split("\n\n")
                if (lines := _content_lines(block))]


# ---- golden fixtures ----------------------------------------------------------------------

def test_identity_fixture_is_large():
    assert len(IDENTITY) >= 80


@pytest.mark.parametrize("query", IDENTITY)
def test_identity(query):
    assert format(query) == query


@pytest.mark.parametrize("query", IDENTITY)
def test_identity_pretty_reparses(query):
    assert parse(pretty(query)) == parse(query)
    with mock.patch.object(printer, "MAX_WIDTH", 20):  # force every split
        assert parse(pretty(query)) == parse(query)


@pytest.mark.parametrize("case", PRETTY_CASES, ids=lambda case: case[0][:40])
def test_pretty(case):
    query, *expected = case
    assert pretty(query) == "\n".join(expected)
    assert parse("\n".join(expected)) == parse(query)


@pytest.mark.parametrize("text, canonical", [
    ('{app = "api" , env=~"a|b"}', '{app="api", env=~"a|b"}'),
    ("{app=`api`}", '{app="api"}'),
    ('{app="api"} |~ "\\\\d+"', '{app="api"} |~ `\\d+`'),
    ('{app="api"} | JSON | LogFmt', '{app="api"} | json | logfmt'),
    ('sum(rate({app="api"}[5m])) by (a,b)', 'sum by (a, b) (rate({app="api"}[5m]))'),
    ('SUM without(a)(RATE({app="api"}[300s]))', 'sum without (a) (rate({app="api"}[5m]))'),
    ('count_over_time({app="api"}[90m] offset 3600s)', 'count_over_time({app="api"}[1h30m] offset 1h)'),
    ('count_over_time({app="api"}|="x"[5m])', 'count_over_time({app="api"} |= "x" [5m])'),
    ('count_over_time(({app="api"} |= "x")[5m])', 'count_over_time({app="api"} |= "x" [5m])'),
    ('count_over_time({app="api"} |= "x" [5m])', 'count_over_time({app="api"} |= "x" [5m])'),
    ('sum_over_time({app="api"} | unwrap x [5m])', 'sum_over_time({app="api"} | unwrap x [5m])'),
    ('sum_over_time({app="api"} [5m] | unwrap x)', 'sum_over_time({app="api"} | unwrap x [5m])'),
    ('{app="api"} | size > 1024B', '{app="api"} | size > 1KiB'),
    ('{app="api"} | size > 1000b', '{app="api"} | size > 1KB'),
    ('{app="api"} | size > 1.5KB', '{app="api"} | size > 1500B'),
    ('{app="api"} | x > 5.0', '{app="api"} | x > 5'),
    ('{app="api"} | x > 1.5e3', '{app="api"} | x > 1500'),
    ('{app="api"} | t > 1.5h', '{app="api"} | t > 1h30m'),
    ('{app="api"} | a="1" b="2"', '{app="api"} | a="1", b="2"'),
    ('{app="api"} | ((a="1"))', '{app="api"} | a="1"'),
    ('{app="api"} | (a="1" and b="2") and c="3"', '{app="api"} | a="1" and b="2" and c="3"'),
    ('{app="api"} | (a="1" or b="2") or c="3"', '{app="api"} | a="1" or b="2" or c="3"'),
    ('{app="api"} | a="1", b="2" or c="3"', '{app="api"} | a="1", (b="2" or c="3")'),
    ('{app="api"} | logfmt --keep-empty --strict', '{app="api"} | logfmt --strict --keep-empty'),
    ("1.0 + 2.50", "1 + 2.5"),
    ("((1 + 2)) * (3)", "(1 + 2) * 3"),
    ("2 ^ (3 ^ 4)", "2 ^ 3 ^ 4"),
    ("1e3 * 0x1p4", "1000 * 16"),
    ("1e400", "1e999"),
    ("topk(5.0, rate({app=\"api\"}[1m]))", 'topk(5, rate({app="api"}[1m]))'),
    ('x + on(a,b) group_left() y'.replace("x", 'rate({a="b"}[1m])').replace("y", 'rate({c="d"}[1m])'),
     'rate({a="b"}[1m]) + on (a, b) group_left rate({c="d"}[1m])'),
])
def test_format_canonicalizes(text, canonical):
    assert format(text) == canonical
    assert format(canonical) == canonical


@pytest.mark.parametrize("size, text", [
    (0, "0KB"), (1, "1B"), (999, "999B"), (1000, "1KB"), (1024, "1KiB"), (1500, "1500B"),
    (2_000_000, "2MB"), (2**20, "1MiB"), (3 * 2**60, "3EiB"), (10**18, "1EB"), (1024000, "1024KB"),
])
def test_format_bytes(size, text):
    assert format_bytes(size) == text


@pytest.mark.parametrize("value, text", [
    (5.0, "5"), (0.99, "0.99"), (-1.0, "-1"), (1e20, "1e+20"), (1.5e-7, "1.5e-07"),
    (123456789012345.0, "123456789012345"), (float("inf"), "1e999"),
])
def test_format_number(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize("stages, text", [
    ([ast.DropLabels((ast.LabelName("b"),)), ast.LineFilter("!=", (ast.FilterTerm("x", False),))],
     '{a="1"} != "x" | drop b'),
    ([ast.KeepLabels((ast.LabelName("b"), ast.LabelName("c"))),
      ast.LineFilter("!~", (ast.FilterTerm("x", False),))], '{a="1"} !~ "x" | keep b, c'),
    ([ast.DropLabels((ast.LabelName("b"),)), ast.LineFilter("|=", (ast.FilterTerm("x", False),))],
     '{a="1"} | drop b |= "x"'),  # no matcher has |=: it stays
    ([ast.DropLabels((ast.LabelName("b"), ast.Matcher("c", "=", "1"))),
      ast.LineFilter("!=", (ast.FilterTerm("x", False),))], '{a="1"} | drop b, c="1" != "x"'),
])
def test_a_line_filter_after_a_bare_drop_or_keep_name_is_written_before_it(stages, text):
    """`| drop b != "x"` would read as b's matcher; the stages commute, so the filter moves."""
    tree = ast.LogQuery(ast.Selector((ast.Matcher("a", "=", "1"),)), tuple(stages))
    assert format_ast(tree) == text
    assert normalize(parse(text, check=False)) == normalize(tree)


def test_str_of_a_node_is_its_canonical_text():
    assert str(parse('{app="api"} |= "x"').stages[0]) == '|= "x"'
    assert str(ast.Grouping(labels=("a", "b"))) == "by (a, b)"


# ---- random ASTs --------------------------------------------------------------------------

KEYWORDS = {
    "or", "and", "unless", "bool", "on", "ignoring", "group_left", "group_right", "by", "without",
    "offset", "ip", "json", "logfmt", "regexp", "pattern", "unpack", "line_format", "label_format",
    "decolorize", "drop", "keep", "unwrap", "label_replace", "vector", "bytes", "duration",
    "duration_seconds", *ast.RANGE_OPS, *ast.VECTOR_OPS,
}

names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,5}", fullmatch=True).filter(
    lambda name: name.lower() not in KEYWORDS)
label_lists = st.lists(names, max_size=3).map(tuple)
strings = st.text(st.sampled_from('a "\\`\n\r\t\x01é#|{}') | st.characters(), max_size=6)
numbers = st.floats(allow_nan=False)
unsigned = st.floats(min_value=0, allow_nan=False).map(abs)
durations = st.builds(lambda n, unit: n * unit, st.integers(0, 2**40),
                      st.sampled_from([1, US, MS, SECOND, MINUTE, HOUR, DAY]))
byte_sizes = st.builds(lambda n, unit: n * unit, st.integers(0, 2**20),
                       st.sampled_from([1, 1000, 1024, 10**6, 2**20, 10**9, 2**30]))

matchers = st.builds(ast.Matcher, names, st.sampled_from(["=", "!=", "=~", "!~"]), strings)
selectors = st.builds(ast.Selector, st.lists(matchers, max_size=3).map(tuple))

LF_OPS = st.sampled_from(["==", "=", "!=", ">", ">=", "<", "<="])
label_filter_leaves = st.one_of(
    st.builds(ast.StringFilter, matchers),
    st.builds(ast.NumberFilter, names, LF_OPS, numbers),
    st.builds(ast.DurationFilter, names, LF_OPS, durations),
    st.builds(ast.BytesFilter, names, LF_OPS, byte_sizes),
    st.builds(ast.IpFilter, names, st.sampled_from(["=", "!="]), strings),
)
label_filters = st.recursive(
    label_filter_leaves,
    lambda inner: st.builds(ast.BinaryLabelFilter, st.sampled_from(["and", "or", ","]), inner, inner),
    max_leaves=6,
)

extractions = st.lists(st.builds(ast.Extraction, names, st.none() | strings), max_size=3).map(tuple)
label_refs = st.lists(st.builds(ast.LabelName, names) | matchers, min_size=1, max_size=3).map(tuple)
stages = st.one_of(
    st.builds(ast.LineFilter, st.sampled_from(["|=", "!=", "|~", "!~", "|>", "!>"]),
              st.lists(st.builds(ast.FilterTerm, strings, st.booleans()), min_size=1, max_size=3).map(tuple)),
    st.builds(ast.JsonParser, extractions),
    st.builds(ast.LogfmtParser, st.booleans(), st.booleans(), extractions),
    st.builds(ast.RegexpParser, strings),
    st.builds(ast.PatternParser, strings),
    st.just(ast.UnpackParser()),
    st.builds(ast.LineFormat, strings),
    st.builds(ast.LabelFormat, st.lists(
        st.one_of(st.builds(ast.LabelFormatItem, names, names, st.just(False)),
                  st.builds(ast.LabelFormatItem, names, strings, st.just(True))),
        min_size=1, max_size=3).map(tuple)),
    st.just(ast.Decolorize()),
    st.builds(ast.DropLabels, label_refs),
    st.builds(ast.KeepLabels, label_refs),
    st.builds(ast.LabelFilter, label_filters),
)


def _representable(pipeline: list) -> bool:
    """LogQL itself cannot write `| drop a` followed by `!= "x"`: Loki's grammar (and ours)
    reads that as the matcher `a != "x"` in the drop list."""
    return not any(isinstance(stage, (ast.DropLabels, ast.KeepLabels))
                   and isinstance(stage.labels[-1], ast.LabelName)
                   and isinstance(after, ast.LineFilter) and after.op in ("!=", "!~")
                   for stage, after in itertools.pairwise(pipeline))


log_queries = st.builds(ast.LogQuery, selectors,
                        st.lists(stages, max_size=4).filter(_representable).map(tuple))

unwraps = st.builds(ast.Unwrap, names, st.sampled_from([None, "bytes", "duration", "duration_seconds"]),
                    st.lists(label_filters, max_size=2).map(tuple))
log_ranges = st.builds(ast.LogRange, log_queries, durations,
                       st.integers(-2**40, 2**40).map(lambda n: n * MS), st.none() | unwraps)
groupings = st.none() | st.builds(ast.Grouping, st.booleans(), label_lists)
range_aggregations = st.builds(ast.RangeAggregation, st.sampled_from(ast.RANGE_OPS), log_ranges,
                               st.none() | unsigned, groupings)


def _vector_matching(on, labels, card, include):
    return ast.VectorMatching(on, labels, card, include if card != "one-to-one" else ())


matchings = st.none() | st.builds(_vector_matching, st.booleans(), label_lists,
                                  st.sampled_from(["one-to-one", "many-to-one", "one-to-many"]), label_lists)
BINARY_OPS = list(printer.PRECEDENCE)


def _extend_metric(inner):
    operands = inner | log_queries  # a log query parses as an operand (the checks reject it)
    return st.one_of(
        st.builds(ast.VectorAggregation, st.sampled_from(ast.VECTOR_OPS), inner, st.none() | unsigned, groupings),
        st.builds(ast.BinaryOp, st.sampled_from(BINARY_OPS), operands, operands, st.booleans(), matchings),
        st.builds(ast.LabelReplace, operands, strings, strings, strings, strings),
    )


metric_exprs = st.recursive(
    st.one_of(range_aggregations, st.builds(ast.Literal, numbers), st.builds(ast.VectorLiteral, unsigned)),
    _extend_metric,
    max_leaves=5,
)
exprs = log_queries | metric_exprs

PROPERTY_SETTINGS = settings(max_examples=300, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@PROPERTY_SETTINGS
@given(exprs)
def test_format_round_trips(tree):
    text = format_ast(tree)
    assert parse(text, check=False) == as_printed(tree), text


def as_printed(tree: ast.Node) -> ast.Node:
    """``tree`` with its stages in the order the printer writes them (printable_order)."""
    return tree.transform(lambda node: node.replace(stages=printer.printable_order(node.stages))
                          if isinstance(node, ast.LogQuery) else node)


@PROPERTY_SETTINGS
@given(exprs, st.sampled_from([100, 30]))
def test_pretty_round_trips(tree, width):
    with mock.patch.object(printer, "MAX_WIDTH", width):
        text = pretty(tree)
    assert parse(text, check=False) == as_printed(tree), text


@PROPERTY_SETTINGS
@given(exprs)
def test_format_is_a_fixed_point(tree):
    text = format_ast(tree)
    assert format_ast(parse(text, check=False)) == text


# ---- parser fuzz --------------------------------------------------------------------------

ALPHABET = '{}()[]|=!~<>,"`\\ \n#-+*/%^.0123456789abcdeEgimnorsuxyz_'
FUZZ_SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _parse_or_reject(text: str) -> None:
    """Parsing either succeeds or raises one of the two query errors, nothing else."""
    try:
        parse(text)
    except (LogQLSyntaxError, LogQLSemanticError):
        pass


@FUZZ_SETTINGS
@given(st.text(st.sampled_from(ALPHABET) | st.characters(), max_size=40))
def test_fuzz_random_text(text):
    _parse_or_reject(text)


@st.composite
def mutated_queries(draw):
    text = draw(st.sampled_from(IDENTITY))
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "insert", "swap", "duplicate"]))
        if action == "delete":
            text = text[:pos] + text[pos + 1:]
        elif action == "insert":
            text = text[:pos] + draw(st.sampled_from(ALPHABET)) + text[pos:]
        elif action == "swap" and pos + 1 < len(text):
            text = text[:pos] + text[pos + 1] + text[pos] + text[pos + 2:]
        else:
            text = text[:pos] + text[pos:pos + 8] + text[pos:]
    return text


@FUZZ_SETTINGS
@given(mutated_queries())
def test_fuzz_mutated_queries(text):
    _parse_or_reject(text)
