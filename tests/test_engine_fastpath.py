"""The batch paths of the evaluator give exactly what the per-line path gives.

- ``RegexpParser`` matches on UTF-8 bytes with RE2 called directly (``match``,
  ``process_many``); the reference is google-re2's ``str`` API, which the parser used
  before;
- range aggregations over ``selector |= ... | regexp ... [| unwrap x]`` skip the
  per-line label builder (``_BatchExtract``), and an enclosing ``sum`` pushes its
  grouping down into the sample extraction, as Loki does.
"""

from __future__ import annotations

import pytest
import re2

from nl2logql.engine import evaluator as ev
from nl2logql.engine.labels import LabelsBuilder
from nl2logql.engine.stages import DropLabels, RegexpParser
from nl2logql.engine.store import LogStore
from nl2logql.errors import ExecutionError
from nl2logql.logql.units import MINUTE, SECOND

T0 = 1_700_000_000 * SECOND

LINES = [
    "Failed password for invalid user admin from 10.0.0.1 port 22 ssh2",
    "Failed password for root from 10.0.0.2 port 2222 ssh2",
    "Failed password for invalid user jörg from 10.0.0.3 port 80 ssh2",  # non-ASCII
    "Failed password for 日本語 from 10.0.0.4 port 443 ssh2",
    "Accepted password for bob from 10.0.0.5 port 22 ssh2",  # no "Failed"
    "Failed password for",  # the regex does not match
    "",
    "Failed password for 🎉émoji from ::1 port 7 ssh2",
    "two\nlines: Failed password for carol port 9\nport 10",  # a newline inside the line
    "a\nb a b",
    "port abc",  # not a number for unwrap
]

PATTERNS = [
    r"Failed password for (invalid user )?(?P<user>\S+)",
    r"port (?P<port>\d+)",
    r"(?P<user>\S+) from (?P<ip>\S+)(?P<missing>zzz)?",
    r"(?s)(?P<span>a.b)",  # can match "\n"
    r"(?P<ws>\s+)(?P<word>\w+)",  # \s matches "\n"
    r"(?P<notx>[^x]+)",  # a negated class spans lines
    r"^(?P<first>\w+)",
    r"(?P<last>\w+)$",
    r"(?m)^(?P<mline>\w+)$",
    r"(?P<any>.)",
    r"(?P<x>x)?(?P<opt>é|日)",
    r"(?i)(?P<ci>FAILED)",
    r"\b(?P<word>p\w+)\b",
]


def reference_values(pattern: str, line: str):
    """What the parser did before: google-re2's str API."""
    m = re2.compile(pattern).search(line)
    if m is None:
        return None
    parser = RegexpParser(pattern)
    return tuple(m.group(i) or "" for i in parser.names)


def reference_process(pattern: str, line: str, lbs: LabelsBuilder) -> None:
    """The per-line stage as it was written before the batch path."""
    from nl2logql.engine.stages import _extracted_name, sanitize_label_key

    parser = RegexpParser(pattern)
    match = re2.compile(pattern).search(line)
    if match is None:
        return
    skip = lbs.parsed_names()
    for index, name in parser.names.items():
        name = _extracted_name(lbs, sanitize_label_key(name, True))
        if name in skip:
            continue
        lbs.set(name, match.group(index) or "")


@pytest.mark.parametrize("pattern", PATTERNS)
def test_process_many_matches_the_str_api(pattern):
    parser = RegexpParser(pattern)
    want = [reference_values(pattern, line) for line in LINES]
    assert parser.process_many(LINES) == want
    assert [parser.match(line) for line in LINES] == want


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("base", [{}, {"user": "x", "port": "1", "app": "a"},
                                  {"user": "x", "user_extracted": "y"}])
def test_process_sets_the_same_labels(pattern, base):
    for line in LINES:
        mine, theirs = LabelsBuilder(dict(base)), LabelsBuilder(dict(base))
        RegexpParser(pattern).process(0, line, mine)
        reference_process(pattern, line, theirs)
        assert mine.labels() == theirs.labels(), line


def test_earlier_parsed_and_dropped_labels():
    base = {"app": "a", "user": "stream"}
    line = LINES[0]
    for prepare in (lambda lbs: lbs.set("user_extracted", "earlier"),
                    lambda lbs: DropLabels(["user"]).process(0, line, lbs),
                    lambda lbs: DropLabels(["user_extracted"]).process(0, line, lbs),
                    lambda lbs: lbs.set("port", "1")):
        mine, theirs = LabelsBuilder(dict(base)), LabelsBuilder(dict(base))
        prepare(mine)
        prepare(theirs)
        RegexpParser(PATTERNS[0]).process(0, line, mine)
        RegexpParser(PATTERNS[1]).process(0, line, mine)
        reference_process(PATTERNS[0], line, theirs)
        reference_process(PATTERNS[1], line, theirs)
        assert mine.labels() == theirs.labels()


def test_error_label_names_go_through_set():
    lbs = LabelsBuilder({"app": "a"})
    RegexpParser(r"(?P<__error__>\w+) (?P<b>\w+)").process(0, "oops here", lbs)
    assert lbs.labels() == {"app": "a", "__error__": "oops", "b": "here"}


# ---- the evaluator ---------------------------------------------------------------------------

def make_store() -> LogStore:
    store = LogStore()
    for n, labels in enumerate([{"app": "ssh", "host": "h1"},
                                {"app": "ssh", "host": "h2", "user": "already"},
                                {"app": "ssh", "host": "h3", "port": "5"}]):
        lines = LINES[n:] + LINES[:n]
        store.add(labels, [T0 + (k + 1) * SECOND + n for k in range(len(lines))], lines)
    # structured metadata: the batch extractor leaves these streams to the per-line path
    store.add({"app": "ssh", "host": "meta"}, [T0 + SECOND, T0 + 2 * SECOND],
              LINES[:2], [{"user": "meta"}, None])
    return store


def per_line_only(monkeypatch):
    monkeypatch.setattr(ev._BatchExtract, "make", classmethod(lambda cls, *a: None))
    monkeypatch.setattr(ev.Pipeline, "batch_parser", lambda self: None)


QUERIES = [
    ('count_over_time({app="ssh"} |= "Failed" | regexp "Failed password for '
     '(invalid user )?(?P<user>\\\\S+)" [1m])'),
    ('sum by (user) (count_over_time({app="ssh"} |= "Failed password" '
     '| regexp "Failed password for (invalid user )?(?P<user>\\\\S+)" [1m]))'),
    'sum without (host) (count_over_time({app="ssh"} | regexp "(?P<user>\\\\S+) from" [1m]))',
    'sum(rate({app="ssh"} | regexp "(?s)(?P<span>a.b)" [1m]))',
    'sum by (span) (bytes_over_time({app="ssh"} | regexp "(?s)(?P<span>a.b)" [1m]))',
    'sum by (ws) (count_over_time({app="ssh"} | regexp "(?P<ws>\\\\s+)(?P<word>\\\\w+)" [1m]))',
    'count_over_time({app="ssh"} | regexp "^(?P<first>\\\\w+)" [1m])',
    ('sum(sum_over_time({app="ssh"} |= "port" | regexp "port (?P<port>\\\\d+)" '
     '| unwrap port [1m]))'),
    'sum_over_time({app="ssh"} |= "port" | regexp "port (?P<port>\\\\d+)" | unwrap port [1m])',
    ('sum by (host) (sum_over_time({app="ssh"} |= "port" | regexp "port (?P<port>\\\\d+)" '
     '| unwrap port [1m]))'),
    'avg_over_time({app="ssh"} |= "port" | regexp "port (?P<port>\\\\d+)" | unwrap port [1m])',
    ('max_over_time({app="ssh"} |= "port" | regexp "port (?P<port>\\\\d+)" '
     '| unwrap port [1m]) by (host)'),
    ('sum by (user) (count_over_time({app="ssh"} | regexp "for (?P<user>\\\\S+)" '
     '| user != "root" [1m]))'),
    ('sum(count_over_time({app="ssh"} | regexp "(?P<user>\\\\S+) from" | line_format "{{.user}}" '
     '|= "o" [1m]))'),
]


@pytest.mark.parametrize("query", QUERIES)
def test_batch_path_equals_per_line_path(query, monkeypatch):
    store = make_store()
    at = T0 + MINUTE
    fast = store.query(query, time=at)
    ranged = store.query_range(query, start=T0, end=at, step=10 * SECOND)
    per_line_only(monkeypatch)
    assert store.query(query, time=at) == fast
    assert store.query_range(query, start=T0, end=at, step=10 * SECOND) == ranged


@pytest.mark.parametrize("query", [q for q in QUERIES if q.startswith("sum") and "rate" not in q])
def test_grouping_push_down_changes_no_sum(query, monkeypatch):
    """Integer values: summing per series then per group is the same as per group (not
    for rate: sum(c1/r + c2/r) and (c1+c2)/r may round apart; Loki computes the latter)."""
    store = make_store()
    at = T0 + MINUTE
    pushed = store.query(query, time=at)
    monkeypatch.setattr(ev, "_PUSHABLE", ())
    assert store.query(query, time=at) == pushed


def test_push_down_keeps_the_unwrapped_label_when_grouped_by_it():
    # Loki's LabelExtractorWithStages keeps a `by` label even when it is the unwrapped one.
    store = make_store()
    got = store.query('sum by (port) (sum_over_time({host="h1"} |= "port" '
                      '| regexp "port (?P<port>\\\\d+)" | unwrap port [1m]))', time=T0 + MINUTE)
    ports = {r["metric"].get("port"): float(r["value"][1]) for r in got["result"]}
    assert ports == {"22": 44.0, "2222": 2222.0, "80": 80.0, "443": 443.0, "7": 7.0, "9": 9.0}


@pytest.mark.parametrize("fast", [True, False])
def test_conversion_errors_fail_alike(fast, monkeypatch):
    if not fast:
        per_line_only(monkeypatch)
    store = make_store()
    with pytest.raises(ExecutionError, match="SampleExtractionErr") as error:
        store.query('sum(sum_over_time({host="h1"} | regexp "port (?P<port>\\\\w+)" '
                    '| unwrap port [1m]))', time=T0 + MINUTE)
    assert 'port abc' not in str(error.value)
    assert "host=\"h1\"" in str(error.value)


def test_series_fed_by_several_streams_are_sorted_by_time():
    # keep merges the two streams into one series on the per-line path: their samples
    # interleave in time and every step's window must still see them in order.
    store = LogStore()
    store.add({"app": "x", "host": "a"}, [T0 + SECOND, T0 + 4 * SECOND], ["v=1", "v=4"])
    store.add({"app": "x", "host": "b"}, [T0 + 2 * SECOND, T0 + 3 * SECOND], ["v=2", "v=3"])
    got = store.query_range('count_over_time({app="x"} | regexp "v=(?P<v>\\\\d)" | keep app [2s])',
                            start=T0 + 2 * SECOND, end=T0 + 4 * SECOND, step=2 * SECOND)
    assert [(r["metric"], [v for _, v in r["values"]]) for r in got["result"]] == [
        ({"app": "x"}, ["2", "2"])]
