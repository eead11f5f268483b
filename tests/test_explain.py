"""LogQL → plain-English steps (nl2logql.logql.explain)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nl2logql.errors import QueryError
from nl2logql.logql.explain import Step, duration_words, explain, explain_text
from nl2logql.logql.parser import parse, validate
from nl2logql.logql.units import parse_duration

GOLD = Path("/work/shared/data/nl2ql/nl2ql.jsonl")

SEL = 'Select log streams where app is "api"'

# query → the text of every step, in order.
CASES = [
    ('{application="openssh-eu-west", hostname=~"LabSZ.*"}',
     ['Select log streams where application is "openssh-eu-west" and hostname matches regex "LabSZ.*"']),
    ('{a="1", b!="2", c!~"x|y"}',
     ['Select log streams where a is "1", b is not "2" and c does not match regex "x|y"']),
    ('{app="api"} |= "Failed password"', [SEL, 'Keep lines containing "Failed password"']),
    ('{app="api"} != "x"', [SEL, 'Drop lines containing "x"']),
    ('{app="api"} |~ "err(or)?"', [SEL, 'Keep lines matching regex "err(or)?"']),
    ('{app="api"} !~ `\\d+`', [SEL, 'Drop lines matching regex "\\d+"']),
    ('{app="api"} |= "a" or "b"', [SEL, 'Keep lines containing "a" or "b"']),
    ('{app="api"} |= ip("10.0.0.0/8")', [SEL, "Keep lines from an IP in 10.0.0.0/8"]),
    ('{app="api"} != ip("1.2.3.4")', [SEL, "Drop lines from IP 1.2.3.4"]),
    ('{app="api"} |> "<_> GET <_>"', [SEL, 'Keep lines matching pattern "<_> GET <_>"']),
    ('{app="api"} | regexp "(?P<user>\\\\w+) from (?P<ip>\\\\S+)"',
     [SEL, "Extract labels with a regular expression: user, ip"]),
    ('{app="api"} | json', [SEL, "Parse each line as JSON and extract all fields as labels"]),
    ('{app="api"} | json status="response.status"',
     [SEL, 'Parse each line as JSON and extract status from "response.status"']),
    ('{app="api"} | logfmt --strict', [SEL, "Parse logfmt key=value pairs (strict) into labels"]),
    ('{app="api"} | logfmt', [SEL, "Parse logfmt key=value pairs into labels"]),
    ('{app="api"} | pattern "<_> user <user> from <ip>"',
     [SEL, 'Extract labels user and ip with the pattern "<_> user <user> from <ip>"']),
    ('{app="api"} | unpack', [SEL, ("Unpack each JSON line packed by Promtail, restoring the "
                                    "original line and its labels")]),
    ('{app="api"} | json | status >= 500 and (method="GET" or latency > 250ms)',
     [SEL, "Parse each line as JSON and extract all fields as labels",
      'Keep lines where status >= 500 and (method is "GET" or latency > 250ms)']),
    ('{app="api"} | logfmt | size > 10KB, level=~"warn|error"',
     [SEL, "Parse logfmt key=value pairs into labels",
      'Keep lines where size > 10KB and level matches regex "warn|error"']),
    ('{app="api"} | logfmt | addr = ip("192.168.0.0/16")',
     [SEL, "Parse logfmt key=value pairs into labels", "Keep lines where addr is an IP in 192.168.0.0/16"]),
    ('{app="api"} | json | __error__=""',
     [SEL, "Parse each line as JSON and extract all fields as labels",
      "Drop lines with parsing or formatting errors"]),
    ('{app="api"} | line_format "{{.msg}}"', [SEL, 'Rewrite each line as "{{.msg}}"']),
    ('{app="api"} | label_format dst=src', [SEL, "Rename label src to dst"]),
    ('{app="api"} | label_format x="{{.a}}-{{.b}}"', [SEL, 'Set label x to "{{.a}}-{{.b}}"']),
    ('{app="api"} | drop level, pod="x" | keep host', [SEL, 'Drop labels level and pod (when pod is "x")',
                                                       "Keep only label host"]),
    ('{app="api"} | decolorize', [SEL, "Strip ANSI color codes from each line"]),
    ('count_over_time({app="api"}[5m])', [SEL, "Count lines per 5-minute window"]),
    ('rate({app="api"} |= "error" [5m])',
     [SEL, 'Keep lines containing "error"', "Per-second rate of lines over 5-minute windows"]),
    ('bytes_over_time({app="api"}[1h])', [SEL, "Total bytes of lines per 1-hour window"]),
    ('avg_over_time({app="api"} | logfmt | unwrap duration(latency) [1h])',
     [SEL, "Parse logfmt key=value pairs into labels",
      "Use the value of label latency (as a duration in seconds) as the sample value",
      "Average of the values over 1-hour windows"]),
    ('quantile_over_time(0.95, {app="api"} | json | unwrap latency | __error__="" [5m]) by (route)',
     [SEL, "Parse each line as JSON and extract all fields as labels",
      "Use the value of label latency as the sample value", "Drop samples with conversion errors",
      "95th percentile of the values over 5-minute windows, per route"]),
    ('max_over_time({app="api"} | unwrap bytes(size) [1h30m] offset 1h)',
     [SEL, "Use the value of label size (as a byte size) as the sample value",
      "Maximum of the values over 90-minute windows, shifted 1 hour back"]),
    ('sum by (ip) (count_over_time({app="api"}[5m]))',
     [SEL, "Count lines per 5-minute window", "Sum by ip"]),
    ('sum(count_over_time({app="api"}[5m]))',
     [SEL, "Count lines per 5-minute window", "Sum across all series"]),
    ('avg without (pod, host) (rate({app="api"}[1m]))',
     [SEL, "Per-second rate of lines over 1-minute windows", "Average without pod and host"]),
    ('topk(10, sum by (ip) (count_over_time({app="api"}[1d])))',
     [SEL, "Count lines per 1-day window", "Sum by ip", "Top 10 series by value"]),
    ('sort_desc(count_over_time({app="api"}[10s]))',
     [SEL, "Count lines per 10-second window", "Sort series by value, descending"]),
    ('sum(rate({app="api"} |= "error" [5m])) / on(app) sum(rate({app="api"}[5m]))',
     [SEL, 'Keep lines containing "error"', "Per-second rate of lines over 5-minute windows",
      "Sum across all series", SEL, "Per-second rate of lines over 5-minute windows",
      "Sum across all series", "Divide the left result by the right result, matching on (app)"]),
    ('count_over_time({app="api"}[5m]) > bool 5',
     [SEL, "Count lines per 5-minute window", "True (1) when the left result is greater than 5, else false (0)"]),
    ('count_over_time({app="api"}[5m]) > 5',
     [SEL, "Count lines per 5-minute window", "Keep only the series where the left result is greater than 5"]),
    ('sum(count_over_time({app="api"}[5m])) * 100',
     [SEL, "Count lines per 5-minute window", "Sum across all series", "Multiply the left result by 100"]),
    ('sum(count_over_time({app="api"}[5m])) or vector(0)',
     [SEL, "Count lines per 5-minute window", "Sum across all series", "A constant series with value 0",
      "All left series, plus the right series that have no match on the left"]),
    ('label_replace(rate({app="api"}[1m]), "svc", "$1", "app", "(.*)")',
     [SEL, "Per-second rate of lines over 1-minute windows",
      'Set label svc to "$1" where label app matches regex "(.*)"']),
    ('count(sum by (user) (count_over_time({app="api"}[1h])))',
     [SEL, "Count lines per 1-hour window", "Sum by user", "Number of series"]),
    ('count by (host) (rate({app="api"}[1m]))',
     [SEL, "Per-second rate of lines over 1-minute windows", "Number of series by host"]),
    ("1 + 2", ["Add 1 and 2"]),
    ("42", ["The number 42"]),
]


@pytest.mark.parametrize("query, texts", CASES, ids=[q for q, _ in CASES])
def test_step_texts_in_evaluation_order(query, texts):
    assert [step.text for step in explain(query)] == texts


def test_step_kinds_follow_evaluation_order():
    query = ('topk(3, sum by (user) (avg_over_time({app="api"} |= "login" | json | status >= 400 '
             '| line_format "{{.user}}" | label_format u=user | unwrap duration(latency) [5m])))')
    assert [step.kind for step in explain(query)] == [
        "selector", "filter", "parser", "label_filter", "format", "labels", "unwrap", "range",
        "aggregation", "aggregation"]
    assert [s.kind for s in explain('count_over_time({app="api"}[5m]) / 2')][-1] == "binary"
    assert [s.kind for s in explain("vector(1)")] == ["literal"]


def test_fragments_name_the_logql_each_step_describes():
    steps = explain('sum by (ip) (count_over_time({app="api"} |= "error" | json [5m]))')
    selector, line_filter, parser, rng, agg = (step.fragment for step in steps)
    assert selector.replace(" ", "") == '{app="api"}'
    assert line_filter.startswith("|=") and '"error"' in line_filter
    assert parser.startswith("|") and "json" in parser
    # Wrapping nodes show what earlier steps explained as <expr>.
    assert rng.startswith("count_over_time(<expr>") and "[5m]" in rng
    assert agg.startswith("sum") and "(<expr>)" in agg and "ip" in agg
    binary = explain('rate({a="b"}[1m]) / rate({a="c"}[1m])')[-1]
    assert binary.fragment.replace(" ", "") == "<expr>/<expr>"


def test_an_ast_explains_like_its_text():
    query = 'sum(rate({app="api"} | logfmt | level="error" [5m])) by (host)'
    assert [s.text for s in explain(parse(query))] == [s.text for s in explain(query)]


def test_explain_text_numbers_the_steps():
    text = explain_text('count_over_time({app="api"}[5m])')
    lines = text.splitlines()
    assert lines[0] == '1. Select log streams where app is "api"'
    assert "2. Count lines per 5-minute window" in lines


def test_step_is_a_small_record():
    step = explain('{app="api"}')[0]
    assert isinstance(step, Step)
    assert set(step.to_dict()) == {"text", "fragment", "kind"}


def test_invalid_query_raises_query_error():
    with pytest.raises(QueryError):
        explain('{app="api"} |=')


@pytest.mark.parametrize("text, adjective, words", [
    ("5m", True, "5-minute"), ("1h30m", True, "90-minute"), ("1h", False, "1 hour"),
    ("2h", False, "2 hours"), ("7d", True, "7-day"), ("500ms", True, "500-millisecond"),
    ("90s", True, "90-second"), ("24h", False, "1 day"),
])
def test_duration_words(text, adjective, words):
    assert duration_words(parse_duration(text), adjective=adjective) == words


@pytest.mark.skipif(not GOLD.exists(), reason="NL2QL gold data not available")
def test_every_valid_gold_query_explains():
    explained = 0
    for line in GOLD.read_text().splitlines():
        query = json.loads(line)["logql"]
        if validate(query) is not None:
            continue
        steps = explain(query)
        assert steps, query
        assert all(step.text and step.kind for step in steps), query
        explained += 1
    assert explained > 250
