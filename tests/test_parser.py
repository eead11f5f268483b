"""Table-driven tests of the LogQL parser: what parses (and into what), what does not
(and where, and why). Our own queries, written against Loki 3.x behaviour."""

from __future__ import annotations

import pytest

from nl2logql.errors import LogQLSemanticError, LogQLSyntaxError, QueryError
from nl2logql.logql import ast
from nl2logql.logql.parser import parse, validate

SYN, SEM = LogQLSyntaxError, LogQLSemanticError

S = '{app="api"}'
R = 'rate({app="api"}[5m])'
# (query, type of the root node)
VALID = [
    # selectors: the four matcher ops, both quote styles, Go escapes, comments, layout
    ('{app="api"}', "LogQuery"),
    ('{app!="api", env="prod"}', "LogQuery"),
    ('{app=~"api|web"}', "LogQuery"),
    ('{app!~"test.*", env="prod"}', "LogQuery"),
    ('{app=`api`}', "LogQuery"),
    ('{ app = "api" , env = "prod" }', "LogQuery"),
    ('{app="a\\"b"}', "LogQuery"),
    ('{app="tab\\there\\n"}', "LogQuery"),
    ('{app="\\x41\\u00e9\\U0001F600\\101"}', "LogQuery"),
    ('{app=`C:\\path\\no\\escapes`}', "LogQuery"),
    ('{app="api"} # a trailing comment', "LogQuery"),
    ('# a leading comment\n{app="api"}', "LogQuery"),
    ('{_private="x", app="api"}', "LogQuery"),
    ('{app=~"a.+", env=""}', "LogQuery"),
    ('{app="api", env!=""}', "LogQuery"),
    ('{app="api", namespace=~"prod-.+", pod!~"canary-.*"}', "LogQuery"),
    ('{app="api"}\n  |= "x" # why x\n  |= "y"', "LogQuery"),
    ('({app="api"})', "LogQuery"),
    ('({app="api"} |= "x")', "LogQuery"),
    # line filters: all six ops, ip(), `or` chains
    (S + ' |= "error"', "LogQuery"),
    (S + ' != "debug"', "LogQuery"),
    (S + ' |~ "err(or)?"', "LogQuery"),
    (S + ' !~ "health.*"', "LogQuery"),
    (S + ' |> "<_> error <_>"', "LogQuery"),
    (S + ' !> "GET <_>"', "LogQuery"),
    (S + ' |= ip("10.0.0.0/8")', "LogQuery"),
    (S + ' != ip("192.168.0.1-192.168.0.255")', "LogQuery"),
    (S + ' |= "a" or "b" or "c"', "LogQuery"),
    (S + ' |~ "a.*" or "b.*"', "LogQuery"),
    (S + ' != "a" or "b"', "LogQuery"),
    (S + ' |= `raw \\d string`', "LogQuery"),
    (S + ' |= "x" |= "y" != "z"', "LogQuery"),
    (S + '|="x"!="y"|~"z"', "LogQuery"),
    (S + ' |= ""', "LogQuery"),
    # parsers
    (S + ' | json', "LogQuery"),
    (S + ' | json status="response.status", method', "LogQuery"),
    (S + ' | json first="items[0]", nested="a.b.c"', "LogQuery"),
    (S + ' | logfmt', "LogQuery"),
    (S + ' | logfmt --strict', "LogQuery"),
    (S + ' | logfmt --keep-empty', "LogQuery"),
    (S + ' | logfmt --strict --keep-empty', "LogQuery"),
    (S + ' | logfmt level, msg="message"', "LogQuery"),
    (S + ' | logfmt --strict level', "LogQuery"),
    (S + ' | regexp "(?P<method>\\\\w+) (?P<path>\\\\S+)"', "LogQuery"),
    (S + ' | regexp `(?P<status>\\d{3})`', "LogQuery"),
    (S + ' | pattern "<ip> - - <_> \\"<method> <uri> <_>\\" <status>"', "LogQuery"),
    (S + ' | pattern `<_> level=<level> <_>`', "LogQuery"),
    (S + ' | unpack', "LogQuery"),
    (S + ' | JSON', "LogQuery"),
    (S + ' | json | logfmt | unpack', "LogQuery"),
    # formatters and label stages
    (S + ' | line_format "{{.status}} {{.msg}}"', "LogQuery"),
    (S + ' | line_format `{{ .msg | upper }}`', "LogQuery"),
    (S + ' | label_format dst=src', "LogQuery"),
    (S + ' | label_format msg="{{.message}}"', "LogQuery"),
    (S + ' | label_format a=b, c="{{.d}}", e=f', "LogQuery"),
    (S + ' | label_format a=b | label_format c=d', "LogQuery"),
    (S + ' | decolorize', "LogQuery"),
    (S + ' | drop level', "LogQuery"),
    (S + ' | drop level, method="GET", path=~"/api.*"', "LogQuery"),
    (S + ' | keep level, status', "LogQuery"),
    (S + ' | keep app, level!="debug"', "LogQuery"),
    # label filters: string, regex, number, duration, bytes, ip; and/or/,/space/parentheses
    (S + ' | level="error"', "LogQuery"),
    (S + ' | level!="debug"', "LogQuery"),
    (S + ' | level=~"err.*"', "LogQuery"),
    (S + ' | level!~"debug|info"', "LogQuery"),
    (S + ' | status >= 500', "LogQuery"),
    (S + ' | status == 200', "LogQuery"),
    (S + ' | status = 200', "LogQuery"),
    (S + ' | status != 404', "LogQuery"),
    (S + ' | latency < 0.5', "LogQuery"),
    (S + ' | delta > -5', "LogQuery"),
    (S + ' | x <= 1e3', "LogQuery"),
    (S + ' | duration > 1s', "LogQuery"),
    (S + ' | took >= 1h30m', "LogQuery"),
    (S + ' | latency < 250ms', "LogQuery"),
    (S + ' | elapsed <= 1.5h', "LogQuery"),
    (S + ' | size > 10KB', "LogQuery"),
    (S + ' | size <= 1MiB', "LogQuery"),
    (S + ' | size > 2.5KiB', "LogQuery"),
    (S + ' | size < 100B', "LogQuery"),
    (S + ' | addr = ip("10.0.0.0/8")', "LogQuery"),
    (S + ' | addr != ip("::1")', "LogQuery"),
    (S + ' | status >= 500 and method="GET"', "LogQuery"),
    (S + ' | a="1" or b="2"', "LogQuery"),
    (S + ' | a="1", b="2"', "LogQuery"),
    (S + ' | a="1" b="2"', "LogQuery"),
    (S + ' | (a="1" or b="2") and c > 3', "LogQuery"),
    (S + ' | a="1" or b="2" and c="3"', "LogQuery"),
    (S + ' | json | status >= 400 and status < 500 or level="error"', "LogQuery"),
    (S + ' | __error__=""', "LogQuery"),
    (S + ' | json | __error__ != "JSONParserErr"', "LogQuery"),
    (S + ' | json | __error__="" | status="500" | line_format "{{.msg}}"', "LogQuery"),
    # range aggregations: every op, range before/after the pipeline, offsets, grouping
    ('count_over_time({app="api"}[5m])', "RangeAggregation"),
    ('rate({app="api"} |= "error" [1m])', "RangeAggregation"),
    ('bytes_over_time({app="api"}[1h])', "RangeAggregation"),
    ('bytes_rate({app="api"}[30s])', "RangeAggregation"),
    ('absent_over_time({app="api"}[1h])', "RangeAggregation"),
    ('count_over_time({app="api"}[5m] |= "x")', "RangeAggregation"),
    ('count_over_time({app="api"} |= "x" | json [5m])', "RangeAggregation"),
    ('count_over_time(({app="api"})[5m])', "RangeAggregation"),
    ('count_over_time(({app="api"} |= "x")[5m])', "RangeAggregation"),
    ('count_over_time(({app="api"}[5m]))', "RangeAggregation"),
    ('count_over_time({app="api"}[5m] offset 1h)', "RangeAggregation"),
    ('count_over_time({app="api"}[5m] offset -30m)', "RangeAggregation"),
    ('count_over_time({app="api"} |= "x" [5m] offset 1d)', "RangeAggregation"),
    ('sum_over_time({app="api"} | logfmt | unwrap bytes [5m])', "RangeAggregation"),
    ('avg_over_time({app="api"} | json | unwrap latency [1m])', "RangeAggregation"),
    ('max_over_time({app="api"} | logfmt | unwrap duration(took) [5m])', "RangeAggregation"),
    ('min_over_time({app="api"} | logfmt | unwrap duration_seconds(took) [5m])', "RangeAggregation"),
    ('sum_over_time({app="api"} | logfmt | unwrap bytes(size) [5m])', "RangeAggregation"),
    ('avg_over_time({app="api"} | json | unwrap latency | __error__="" [5m])', "RangeAggregation"),
    ('avg_over_time({app="api"} | json | unwrap latency | latency > 0 and latency < 10 [5m])', "RangeAggregation"),
    ('avg_over_time({app="api"}[5m] | json | unwrap latency)', "RangeAggregation"),
    ('avg_over_time({app="api"}[5m] offset 1h | json | unwrap latency)', "RangeAggregation"),
    ('quantile_over_time(0.99, {app="api"} | json | unwrap latency [5m]) by (method)', "RangeAggregation"),
    ('quantile_over_time(0.5, {app="api"} | json | unwrap latency [5m])', "RangeAggregation"),
    ('stddev_over_time({app="api"} | json | unwrap latency [5m]) without (pod)', "RangeAggregation"),
    ('stdvar_over_time({app="api"} | json | unwrap latency [5m])', "RangeAggregation"),
    ('first_over_time({app="api"} | json | unwrap latency [5m]) by (app)', "RangeAggregation"),
    ('last_over_time({app="api"} | json | unwrap latency [5m])', "RangeAggregation"),
    ('max_over_time({app="api"} | json | unwrap latency [5m]) by (app, pod)', "RangeAggregation"),
    ('rate({app="api"} | json | unwrap count [1m])', "RangeAggregation"),
    ('rate({app="api"}[5m] | unwrap x)', "RangeAggregation"),
    ('rate_counter({app="api"} | logfmt | unwrap total [1m])', "RangeAggregation"),
    ('count_over_time({app="api"}[1h30m])', "RangeAggregation"),
    ('count_over_time({app="api"}[500ms])', "RangeAggregation"),
    ('count_over_time({app="api"}[1w])', "RangeAggregation"),
    ('count_over_time({app="api"}[1y])', "RangeAggregation"),
    ('count_over_time({app="api"}[1.5h])', "RangeAggregation"),
    ('count_over_time({app="api"}[90s])', "RangeAggregation"),
    ('COUNT_OVER_TIME({app="api"}[5m])', "RangeAggregation"),
    # vector aggregations: every op, by/without before or after
    ('sum by (app) (' + R + ')', "VectorAggregation"),
    ('sum(' + R + ') by (app)', "VectorAggregation"),
    ('avg without (pod) (' + R + ')', "VectorAggregation"),
    ('max(' + R + ') without (pod)', "VectorAggregation"),
    ('min by () (' + R + ')', "VectorAggregation"),
    ('count(' + R + ')', "VectorAggregation"),
    ('stddev(' + R + ')', "VectorAggregation"),
    ('stdvar by (app) (' + R + ')', "VectorAggregation"),
    ('topk(5, sum by (app) (' + R + '))', "VectorAggregation"),
    ('bottomk(3, ' + R + ')', "VectorAggregation"),
    ('topk by (app) (2, ' + R + ')', "VectorAggregation"),
    ('topk(2, ' + R + ') by (app)', "VectorAggregation"),
    ('approx_topk(10, sum by (app) (' + R + '))', "VectorAggregation"),
    ('sort(sum by (app) (' + R + '))', "VectorAggregation"),
    ('sort_desc(sum by (app) (' + R + '))', "VectorAggregation"),
    ('SUM BY (app) (RATE({app="api"}[5m]))', "VectorAggregation"),
    ('sum(sum by (app, pod) (' + R + '))', "VectorAggregation"),
    ('sum by (count) (' + R + ')', "VectorAggregation"),
    ('sum by (app) (count_over_time({app="api"} | json | level="error" [5m]))', "VectorAggregation"),
    ('sum by (app) (\n  rate({app="api"}[5m])  # per second\n)', "VectorAggregation"),
    # binary operators, modifiers and literals
    ('1 + 2 * 3', "BinaryOp"),
    ('2 ^ 3 ^ 2', "BinaryOp"),
    ('(1 + 2) * 3', "BinaryOp"),
    ('10 - 4 - 3', "BinaryOp"),
    ('8 / 2 % 3', "BinaryOp"),
    (R + ' > 10', "BinaryOp"),
    (R + ' > bool 10', "BinaryOp"),
    ('1 == bool 1', "BinaryOp"),
    ('1 != bool 2', "BinaryOp"),
    (R + ' < 5', "BinaryOp"),
    (R + ' <= 5', "BinaryOp"),
    (R + ' >= 5', "BinaryOp"),
    (R + ' == 0', "BinaryOp"),
    (R + ' and ' + R, "BinaryOp"),
    (R + ' or ' + R, "BinaryOp"),
    (R + ' unless ' + R, "BinaryOp"),
    (R + ' or ' + R + ' and ' + R, "BinaryOp"),
    ('sum by (app) (' + R + ') / on (app) sum by (app) (' + R + ')', "BinaryOp"),
    ('sum by (app, level) (' + R + ') / ignoring (level) sum by (app) (' + R + ')', "BinaryOp"),
    ('sum by (app, pod) (' + R + ') * on (app) group_left (team) sum by (app, team) (' + R + ')', "BinaryOp"),
    ('sum by (app) (' + R + ') * on (app) group_right sum by (app, pod) (' + R + ')', "BinaryOp"),
    ('sum(' + R + ') / sum(' + R + ') * 100', "BinaryOp"),
    ('100 * ' + R, "BinaryOp"),
    ('sum(' + R + ') or vector(0)', "BinaryOp"),
    (R + ' AND ' + R, "BinaryOp"),
    ('1 > BOOL 0', "BinaryOp"),
    ('1', "Literal"),
    ('1.5', "Literal"),
    ('.5', "Literal"),
    ('1e6', "Literal"),
    ('1E-3', "Literal"),
    ('0x1p3', "Literal"),
    ('0x1.8p1', "Literal"),
    ('-2', "Literal"),
    ('+3', "Literal"),
    ('vector(1)', "VectorLiteral"),
    ('label_replace(' + R + ', "dst", "$1", "src", "(.*)")', "LabelReplace"),
    ('((' + R + '))', "RangeAggregation"),
]


# (query, error class, line, column, key phrase of the message)
INVALID = [
    ('', SYN, 1, 1, 'unexpected end of query, expected a query: a selector'),
    ('   ', SYN, 1, 1, 'unexpected end of query, expected a query: a selector'),
    ('# only a comment', SYN, 1, 17, 'unexpected end of query, expected a query: a selector'),
    ('{}', SEM, 1, 1, 'queries require at least one regexp or equality'),
    ('{app="api"', SYN, 1, 11, 'unexpected end of query, expected , or }'),
    ('{app="api"}}', SYN, 1, 12, "unexpected '}'"),
    ('{app=api}', SYN, 1, 6, "unexpected 'api'"),
    ('{app:"api"}', SYN, 1, 5, "unexpected character ':'"),
    ('{app=="api"}', SYN, 1, 6, "unexpected '='"),
    ('{app="api}', SYN, 1, 6, 'string literal not terminated'),
    ('{app="a\\qb"}', SYN, 1, 8, 'invalid escape sequence in string'),
    ('{app=`api}', SYN, 1, 6, 'string literal not terminated'),
    ('{app="api"} |= error', SYN, 1, 16, "unexpected 'error'"),
    ('{app="api"} |~ "a" or', SYN, 1, 22, 'unexpected end of query, expected ip or a quoted'),
    ('{app="api"} | json foo=', SYN, 1, 24, 'unexpected end of query, expected a quoted string'),
    ('{app="api"} | logfmt --strictly', SYN, 1, 22, "unknown logfmt flag '--strictly'"),
    ('{app="api"} | regexp', SYN, 1, 21, 'unexpected end of query, expected a quoted string'),
    ('{app="api"} | line_format', SYN, 1, 26, 'unexpected end of query, expected a quoted string'),
    ('{app="api"} | label_format a=', SYN, 1, 30, 'unexpected end of query, expected a label name or a'),
    ('{app="api"} | drop', SYN, 1, 19, 'unexpected end of query, expected a label name'),
    ('{app="api"} | status >', SYN, 1, 23, 'unexpected end of query, expected a number or a byte'),
    ('{app="api"} | status > "5"', SYN, 1, 24, 'unexpected \'"5"\''),
    ('{app="api"} | unwrap latency', SYN, 1, 22, "unexpected 'latency'"),
    ('count_over_time({app="api"})', SYN, 1, 28, "unexpected ')'"),
    ('count_over_time({app="api"}[5m]', SYN, 1, 32, 'unexpected end of query, expected a pipeline stage'),
    ('count_over_time({app="api"}[5m)', SYN, 1, 28, "missing closing ']' in range"),
    ('count_over_time({app="api"}[5x])', SEM, 1, 28, 'not a valid duration'),
    ('rate({app="api"}[5m]) by (app)', SEM, 1, 1, 'grouping not allowed for rate aggregation'),
    ('sum_over_time({app="api"}[5m])', SEM, 1, 1, 'invalid aggregation sum_over_time without unwrap'),
    ('count_over_time({app="api"} | unwrap x [5m])', SEM, 1, 1, 'invalid aggregation count_over_time with unwrap'),
    ('quantile_over_time({app="api"} | unwrap x [5m])', SEM, 1, 1, 'parameter required for operation'),
    ('avg_over_time(0.5, {app="api"} | unwrap x [5m])', SEM, 1, 1, 'parameter 0.5 not supported for operation'),
    ('sum(rate({app="api"}[5m])', SYN, 1, 26, 'unexpected end of query, expected )'),
    ('sum(2, rate({app="api"}[5m]))', SEM, 1, 1, 'unsupported parameter for operation sum(2,'),
    ('topk(rate({app="api"}[5m]))', SEM, 1, 1, 'parameter required for operation topk'),
    ('topk(1.5, rate({app="api"}[5m]))', SEM, 1, 1, 'invalid parameter topk(1.5,'),
    ('topk(0, rate({app="api"}[5m]))', SEM, 1, 1, 'invalid parameter topk(0,'),
    ('topk(-1, rate({app="api"}[5m]))', SYN, 1, 8, "unexpected ','"),
    ('sort by (app) (rate({app="api"}[5m]))', SEM, 1, 1, "sort and sort_desc doesn't allow grouping by"),
    ('approx_topk(5, rate({app="api"}[5m])) by (app)', SEM, 1, 1, 'grouping not allowed for approx_topk aggregation'),
    ('sum({app="api"})', SYN, 1, 16, 'sum() needs a metric expression such as'),
    ('sum by app (rate({app="api"}[5m]))', SYN, 1, 8, "unexpected 'app'"),
    ('rate({app="api"}[5m]) + {app="api"}', SEM, 1, 25, 'unexpected log query for right leg of binary'),
    ('{app="api"} + 1', SEM, 1, 1, 'unexpected log query for left leg of binary'),
    ('1 and 2', SEM, 1, 1, 'unexpected literal for left leg of logical/set'),
    ('rate({app="api"}[5m]) + bool 1', SEM, 1, 1, 'bool modifier can only be used on comparison'),
    ('rate({app="api"}[5m]) and on (app) group_left rate({app="api"}[5m])', SEM, 1, 1, "no grouping allowed for 'and' operation"),
    ('1 +', SYN, 1, 4, 'unexpected end of query, expected a query: a selector'),
    ('1 + * 2', SYN, 1, 5, "unexpected '*'"),
    ('(1 + 2', SYN, 1, 7, 'unexpected end of query, expected )'),
    ('1 + 2)', SYN, 1, 6, "unexpected ')'"),
    ('vector()', SYN, 1, 8, "unexpected ')'"),
    ('vector("1")', SYN, 1, 8, 'unexpected \'"1"\''),
    ('label_replace(rate({app="api"}[5m]), "dst", "$1", "src")', SYN, 1, 56, "unexpected ')'"),
    ('label_replace(rate({app="api"}[5m]), "dst", "$1", "src", "(")', SEM, 1, 1, 'invalid regex in label_replace'),
    ('label_replace(rate({app="api"}[5m]), "1dst", "$1", "src", "(.*)")', SEM, 1, 1, 'invalid destination label name in label_replace'),
    ('{app="api"} | regexp "no captures"', SEM, 1, 15, 'invalid regexp parser'),
    ('{app="api"} | regexp "(?P<x>"', SEM, 1, 15, 'invalid regexp parser'),
    ('{app="api"} | pattern "no captures"', SEM, 1, 15, 'invalid pattern parser'),
    ('{app=~"("}', SEM, 1, 2, 'invalid regexp in label matcher'),
    ('{app=~".*"}', SEM, 1, 1, 'queries require at least one regexp or equality'),
    ('{app!="api"}', SEM, 1, 1, 'queries require at least one regexp or equality'),
    ('{app="api"} | level=~"("', SEM, 1, 15, 'invalid regexp in label filter'),
    ('{app="api"} |> "<_><_>"', SEM, 1, 16, 'invalid pattern line filter'),
    ('0x1 + 1', SEM, 1, 1, 'unable to parse literal as a float'),
    ('0b101', SEM, 1, 1, 'unable to parse literal as a float'),
    ('sum(\n  rate({app="api"}[5m]\n)', SYN, 3, 2, 'unexpected end of query, expected )'),
    ('{app="api"}\n| json\n| line_format', SYN, 3, 14, 'unexpected end of query, expected a quoted string'),
    ('{app="api"}\n|= "a\\q"', SYN, 2, 6, 'invalid escape sequence in string'),
    ('count_over_time(\n{app="api"}\n[5m]) by (x)', SEM, 1, 1, 'grouping not allowed for count_over_time'),
    ('sum(count_over_time({app="api"}[5m])) by (app) by (x)', SYN, 1, 48, "unexpected 'by'"),
    ('rate({app="api"}[5m] offset)', SYN, 1, 28, "unexpected ')'"),
    ('rate({app="api"}[5m] offset 5)', SYN, 1, 29, "unexpected '5'"),
    ('{app="api"} | logfmt | unpack |', SYN, 1, 32, 'unexpected end of query'),
    ('{app="api"} | decolorize()', SYN, 1, 25, "unexpected '('"),
    ('{app="api"} | keep', SYN, 1, 19, 'unexpected end of query, expected a label name'),
    ('{app="api"} | label_format a="{{.b}}",', SYN, 1, 39, 'unexpected end of query, expected a label name'),
    ('{app="api"} | drop a,', SYN, 1, 22, 'unexpected end of query, expected a label name'),
    ('{app="api"} | a="b" and', SYN, 1, 24, 'unexpected end of query, expected a label name or ('),
    ('{app="api"} | (a="b"', SYN, 1, 21, 'unexpected end of query, expected )'),
    ('{app="api"} | addr = ip(10.0.0.1)', SYN, 1, 25, "unexpected '10.0'"),
    ('topk(5)', SEM, 1, 1, 'parameter required for operation topk'),
    ('sum by (app) rate({app="api"}[5m])', SYN, 1, 14, "unexpected 'rate'"),
    ('rate[5m]', SYN, 1, 5, "unexpected '[5m]'"),
    ('{app="api"} [5m]', SYN, 1, 13, "unexpected '[5m]'"),
    ('count_over_time({app="api"}[5m]) [5m]', SYN, 1, 34, "unexpected '[5m]'"),
    ('avg_over_time({app="api"} | unwrap duration() [5m])', SYN, 1, 45, "unexpected ')'"),
    ('"just a string"', SYN, 1, 1, 'unexpected \'"just a string"\''),
    ('app="api"', SYN, 1, 1, "unexpected 'app'"),
    ('{app="api"} or {env="x"}', SEM, 1, 1, 'unexpected log query for left leg of binary'),
    ('sum(rate({app="api"}[5m])) without', SYN, 1, 35, 'unexpected end of query, expected ('),
    ('{app="api"} |= "x" |', SYN, 1, 21, 'unexpected end of query'),
    ('1 > bool', SYN, 1, 9, 'unexpected end of query, expected a query: a selector'),
    ('{app="api"} |= "x" or', SYN, 1, 22, 'unexpected end of query, expected ip or a quoted'),
    ('sum(rate({app="api"}[5m])) by (app', SYN, 1, 35, 'unexpected end of query, expected , or )'),
    ('bytes_rate({app="api"}[1h] | json | unwrap size [1h])', SYN, 1, 49, "unexpected '[1h]'"),
]


def _spans_inside(expr: ast.Node, text: str) -> bool:
    return all(0 <= n.span.start <= n.span.end <= len(text) for n in expr.walk() if n.span)


@pytest.mark.parametrize("query,root", VALID, ids=range(len(VALID)))
def test_valid(query, root):
    expr = parse(query)
    assert type(expr).__name__ == root
    assert ast.kind(expr) == ("log" if root == "LogQuery" else "metric")
    assert validate(query) is None
    assert parse(query, check=False) == expr
    assert _spans_inside(expr, query)


@pytest.mark.parametrize("query,cls,line,column,phrase", INVALID, ids=range(len(INVALID)))
def test_invalid(query, cls, line, column, phrase):
    with pytest.raises(QueryError) as caught:
        parse(query)
    error = caught.value
    assert type(error) is cls, error
    assert (error.line, error.column) == (line, column), str(error)
    assert phrase in error.message
    assert validate(query) == error


def test_tables_are_big_enough():
    assert len(VALID) >= 150 and len(INVALID) >= 60
    assert len({q for q, _ in VALID}) == len(VALID) and len({q for q, *_ in INVALID}) == len(INVALID)


# ---- AST facts ----------------------------------------------------------------------------

def lit(value):
    return ast.Literal(float(value))


def binop(op, left, right, **kw):
    return ast.BinaryOp(op, left, right, **kw)


@pytest.mark.parametrize("query,expected", [
    ("1 + 2 * 3", binop("+", lit(1), binop("*", lit(2), lit(3)))),
    ("1 * 2 + 3", binop("+", binop("*", lit(1), lit(2)), lit(3))),
    ("2 ^ 3 ^ 2", binop("^", lit(2), binop("^", lit(3), lit(2)))),
    ("10 - 4 - 3", binop("-", binop("-", lit(10), lit(4)), lit(3))),
    ("8 / 2 % 3", binop("%", binop("/", lit(8), lit(2)), lit(3))),
    ("(1 + 2) * 3", binop("*", binop("+", lit(1), lit(2)), lit(3))),
    ("1 + 2 > 2 * 1", binop(">", binop("+", lit(1), lit(2)), binop("*", lit(2), lit(1)))),
    ("-2 ^ 2", binop("^", lit(-2), lit(2))),
    ("1 == bool 1", binop("==", lit(1), lit(1), bool=True)),
])
def test_arithmetic_precedence_and_associativity(query, expected):
    assert parse(query) == expected


def test_set_operator_precedence():
    expr = parse(f"{R} or {R} and {R}")
    assert expr.op == "or" and isinstance(expr.left, ast.RangeAggregation)
    assert expr.right.op == "and"
    expr = parse(f"{R} and {R} or {R}")
    assert expr.op == "or" and expr.left.op == "and"
    expr = parse(f"{R} unless {R} > 1")  # comparison binds tighter than unless
    assert expr.op == "unless" and expr.right.op == ">"


def test_selector_and_string_literals():
    matchers = parse('{a="x", b!="y", c=~"z.*", d!~`w\\d`}').selector.matchers
    assert [(m.name, m.op, m.value) for m in matchers] == [
        ("a", "=", "x"), ("b", "!=", "y"), ("c", "=~", "z.*"), ("d", "!~", "w\\d")]
    (m,) = parse('{app="\\x41\\u00e9\\U0001F600\\101\\t\\"q\\""}').selector.matchers
    assert m.value == 'A\u00e9\U0001F600A\t"q"'


def test_comments_are_ignored():
    assert parse('# first\n{app="api"} # the app\n|= "x" # x') == parse('{app="api"} |= "x"')


def test_line_filters():
    stages = parse(S + ' |= "a" != "b" |~ "c" !~ "d" |> "<_>e" !> "f" |= "g" or "h" |= ip("1.2.3.4")').stages
    assert [s.op for s in stages] == ["|=", "!=", "|~", "!~", "|>", "!>", "|=", "|="]
    assert [t.value for t in stages[6].terms] == ["g", "h"]
    assert stages[7].terms == (ast.FilterTerm("1.2.3.4", ip=True),)


def test_parsers():
    json_, logfmt, regexp, pattern, unpack = parse(
        S + ' | json a, b="x.y" | logfmt --strict --keep-empty c | regexp "(?P<n>.)" '
            '| pattern "<p> <_>" | unpack').stages
    assert json_.params == (ast.Extraction("a"), ast.Extraction("b", "x.y"))
    assert (logfmt.strict, logfmt.keep_empty, logfmt.params) == (True, True, (ast.Extraction("c"),))
    assert regexp.pattern == "(?P<n>.)" and pattern.pattern == "<p> <_>"
    assert isinstance(unpack, ast.UnpackParser)
    assert parse(S + " | logfmt --keep-empty").stages[0].strict is False


def test_formatters_and_label_stages():
    fmt, lfmt, deco, drop, keep = parse(
        S + ' | line_format "{{.a}}" | label_format x=y, z="{{.w}}" | decolorize '
            '| drop a, b="1" | keep c').stages
    assert fmt.template == "{{.a}}"
    assert lfmt.items == (ast.LabelFormatItem("x", "y", False), ast.LabelFormatItem("z", "{{.w}}", True))
    assert isinstance(deco, ast.Decolorize)
    assert drop.labels == (ast.LabelName("a"), ast.Matcher("b", "=", "1"))
    assert keep.labels == (ast.LabelName("c"),)


@pytest.mark.parametrize("stage,expected", [
    ('level="error"', ast.StringFilter(ast.Matcher("level", "=", "error"))),
    ('status >= 500', ast.NumberFilter("status", ">=", 500.0)),
    ('delta > -5', ast.NumberFilter("delta", ">", -5.0)),
    ('x <= 1e3', ast.NumberFilter("x", "<=", 1000.0)),
    ('took >= 1h30m', ast.DurationFilter("took", ">=", 5400 * 10**9)),
    ('latency < 250ms', ast.DurationFilter("latency", "<", 250 * 10**6)),
    ('elapsed <= 1.5h', ast.DurationFilter("elapsed", "<=", 5400 * 10**9)),
    ('size > 10KB', ast.BytesFilter("size", ">", 10_000)),
    ('size <= 1MiB', ast.BytesFilter("size", "<=", 1 << 20)),
    ('size > 2.5KiB', ast.BytesFilter("size", ">", 2560)),
    ('addr != ip("::1")', ast.IpFilter("addr", "!=", "::1")),
])
def test_label_filter_types(stage, expected):
    (filter_stage,) = parse(f"{S} | {stage}").stages
    assert filter_stage.expr == expected


def test_label_filter_combinations():
    def expr(text):
        return parse(f"{S} | {text}").stages[0].expr

    a, b, c = (ast.StringFilter(ast.Matcher(n, "=", "1")) for n in "abc")
    assert expr('a="1" or b="1" and c="1"') == ast.BinaryLabelFilter("or", a, ast.BinaryLabelFilter("and", b, c))
    assert expr('(a="1" or b="1") and c="1"') == ast.BinaryLabelFilter("and", ast.BinaryLabelFilter("or", a, b), c)
    assert expr('a="1", b="1"') == expr('a="1" b="1"') == ast.BinaryLabelFilter(",", a, b)
    # A comma joins the filter before it to everything after it (Loki's grammar).
    assert expr('a="1", b="1" or c="1"') == ast.BinaryLabelFilter(",", a, ast.BinaryLabelFilter("or", b, c))


def test_unwrap_and_log_range():
    rng = parse('avg_over_time({app="api"} | json | unwrap duration_seconds(took) '
                '| __error__="" [5m] offset -1h)').range
    assert rng.unwrap == ast.Unwrap("took", "duration_seconds",
                                    (ast.StringFilter(ast.Matcher("__error__", "=", "")),))
    assert (rng.range, rng.offset) == (300 * 10**9, -3600 * 10**9)
    assert [type(s).__name__ for s in rng.query.stages] == ["JsonParser"]
    assert parse('sum_over_time({app="api"} | unwrap bytes [1m])').range.unwrap == ast.Unwrap("bytes")
    assert parse('sum_over_time({app="api"} | unwrap bytes(b) [1m])').range.unwrap == ast.Unwrap("b", "bytes")
    # the range may come before the pipeline: same AST
    assert parse('count_over_time({app="api"}[5m] |= "x")') == parse('count_over_time({app="api"} |= "x" [5m])')


@pytest.mark.parametrize("text,nanoseconds", [
    ("1h30m", 5400 * 10**9), ("500ms", 5 * 10**8), ("1w", 7 * 86400 * 10**9),
    ("1y", 365 * 86400 * 10**9), ("1.5h", 5400 * 10**9), ("90s", 90 * 10**9), ("1d", 86400 * 10**9),
])
def test_range_durations(text, nanoseconds):
    assert parse(f'count_over_time({S}[{text}])').range.range == nanoseconds


def test_aggregation_params_and_grouping():
    q = parse('quantile_over_time(0.99, {app="api"} | unwrap x [5m]) by (a, b)')
    assert q.param == 0.99 and q.grouping == ast.Grouping(False, ("a", "b"))
    before, after = parse(f"sum without (pod) ({R})"), parse(f"sum({R}) without (pod)")
    assert before == after and before.grouping == ast.Grouping(True, ("pod",))
    assert parse(f"min by () ({R})").grouping == ast.Grouping(False, ())
    assert parse(f"topk by (app) (2, {R})") == parse(f"topk(2, {R}) by (app)")
    assert parse(f"approx_topk(10, {R})").param == 10
    assert parse(f"sort_desc({R})").op == "sort_desc"
    assert parse(f"sum by (count) ({R})").grouping.labels == ("count",)


def test_vector_matching():
    expr = parse(f"{R} * on (app) group_left (team) {R}")
    assert expr.matching == ast.VectorMatching(True, ("app",), "many-to-one", ("team",))
    expr = parse(f"{R} / ignoring (level) group_right {R}")
    assert expr.matching == ast.VectorMatching(False, ("level",), "one-to-many", ())
    assert parse(f"{R} > bool 1").bool is True


@pytest.mark.parametrize("text,value", [
    ("1", 1.0), ("1.5", 1.5), (".5", 0.5), ("1e6", 1e6), ("1E-3", 1e-3),
    ("0x1p3", 8.0), ("0x1.8p1", 3.0), ("-2", -2.0), ("+3", 3.0),
])
def test_numbers(text, value):
    assert parse(text) == ast.Literal(value)


def test_vector_and_label_replace():
    assert parse("vector(1)") == ast.VectorLiteral(1.0)
    expr = parse(f'label_replace({R}, "dst", "$1", "src", "(.*)")')
    assert (expr.dst, expr.replacement, expr.src, expr.regex) == ("dst", "$1", "src", "(.*)")


def test_keywords_are_case_insensitive():
    assert parse(f"SUM BY (app) (COUNT_OVER_TIME({S} | JSON | LOGFMT | LINE_FORMAT \"x\" [5m]))") == \
        parse(f"sum by (app) (count_over_time({S} | json | logfmt | line_format \"x\" [5m]))")
    assert parse(f"{R} AND {R}") == parse(f"{R} and {R}")


def test_spans_point_into_the_text():
    text = '{app="api"} |= "x" | json'
    expr = parse(text)
    assert (expr.span.start, expr.span.end) == (0, len(text))
    selector, (line_filter, json_) = expr.selector, expr.stages
    assert text[selector.span.start:selector.span.end] == '{app="api"}'
    assert text[line_filter.span.start:line_filter.span.end] == '|= "x"'
    assert text[json_.span.start:json_.span.end] == "json"
    text = f"sum by (app) ({R}) / 2"
    expr = parse(text)
    assert text[expr.left.span.start:expr.left.span.end] == f"sum by (app) ({R})"


# ---- error rendering ----------------------------------------------------------------------

@pytest.mark.parametrize("query,source_line,caret_column", [
    ('{app="api"} |= error', '{app="api"} |= error', 16),
    ('{app="api"}\n| json\n| line_format', "| line_format", 14),
    ('sum(\n  rate({app="api"}[5m]\n)', ")", 2),
    ('{app="api"}\n|= "a\\q"', '|= "a\\q"', 6),
    ('sum by (app) (\n  count_over_time({app=~"("}[5m]))', '  count_over_time({app=~"("}[5m]))', 20),
])
def test_str_shows_the_line_and_a_caret(query, source_line, caret_column):
    with pytest.raises(QueryError) as caught:
        parse(query)
    headline, line, caret = str(caught.value).split("\n")
    assert f"line {caught.value.line}, column {caret_column}" in headline
    assert line == source_line
    assert caret.index("^") == caret_column - 1 and set(caret.strip()) == {"^"}


def test_multiline_error_line_numbers():
    query = 'sum by (app) (\n  count_over_time(\n    {app="api"}\n      | json\n      | unwrap x [5m]\n  )\n)'
    error = validate(query)
    assert isinstance(error, LogQLSemanticError) and error.line == 2 and error.column == 3
    assert "with unwrap" in error.message
    error = validate('{app="api"}\n\n\n  | regexp "no names"')
    assert (error.line, error.column) == (4, 5) and error.pos == len('{app="api"}\n\n\n  | ')


def test_non_string_input_is_a_type_error():
    with pytest.raises(TypeError):
        parse(None)  # type: ignore[arg-type]
