"""The embedded store: streams, dedup, selection, label APIs, delegation to the evaluator."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from nl2logql.engine.store import LabelMatcher as M
from nl2logql.engine.store import LogStore, Stream, label_key
from nl2logql.errors import LogQLSemanticError

S = 1_000_000_000


@pytest.fixture
def store() -> LogStore:
    return LogStore.from_streams([
        ({"app": "web", "env": "prod"}, [1 * S, 2 * S, 3 * S], ["a", "b", "c"]),
        ({"app": "web", "env": "dev"}, [2 * S], ["d"]),
        ({"app": "db"}, [5 * S, 4 * S], ["late", "early"]),
        ({"app": "web\nnewline", "env": "prod"}, [6 * S], ["e"]),
    ])


def apps(streams) -> list[tuple]:
    return [s.key for s in streams]


# -- Stream ------------------------------------------------------------------------------

def test_stream_sorts_stably_and_drops_repeats():
    stream = Stream.build({"a": "1"}, [3, 1, 2, 1, 1, 3, 1],
                          ["x", "one", "two", "uno", "one", "x", "uno"])
    assert stream.timestamps.tolist() == [1, 1, 2, 3]
    # equal times keep their order; a (time, line) seen before in the stream is dropped
    assert stream.lines == ["one", "uno", "two", "x"]
    assert stream.timestamps.dtype == np.int64 and not stream.timestamps.flags.writeable


def test_stream_keeps_equal_lines_at_different_times():
    stream = Stream.build({"a": "1"}, [1, 2, 2], ["x", "x", "x"])
    assert list(stream.entries()) == [(1, "x"), (2, "x")]


def test_stream_metadata_follows_its_entries():
    stream = Stream.build({"a": "1"}, [2, 1], ["b", "a"], [{"trace": "t2"}, None])
    assert stream.lines == ["a", "b"] and stream.metadata == [None, {"trace": "t2"}]
    assert Stream.build({"a": "1"}, [1], ["a"], [None]).metadata is None  # none: kept cheap


def test_stream_between_is_start_inclusive_end_exclusive():
    stream = Stream.build({"a": "1"}, [10, 20, 20, 30], ["a", "b", "c", "d"])
    assert stream.between(20, 30) == (1, 3)
    assert list(stream.entries(11, 31)) == [(20, "b"), (20, "c"), (30, "d")]
    assert stream.between(40, 50) == (4, 4) and stream.between(30, 10) == (3, 3)
    assert all(type(ts) is int for ts, _ in stream.entries())


def test_label_key_is_sorted_and_drops_empty_values():
    assert label_key({"b": "2", "a": "1", "c": ""}) == (("a", "1"), ("b", "2"))


def test_build_checks_lengths():
    with pytest.raises(ValueError):
        Stream.build({"a": "1"}, [1, 2], ["x"])


# -- building a store ----------------------------------------------------------------------

def test_parts_with_one_label_set_merge_into_one_stream():
    store = LogStore.from_streams([
        ({"a": "1"}, [1, 3], ["x", "z"]),
        ({"a": "1", "empty": ""}, [2, 3], ["y", "z"]),  # same set: empty labels do not count
    ])
    assert store.stats.streams == 1
    assert list(store.streams[0].entries()) == [(1, "x"), (2, "y"), (3, "z")]


def test_add_merges_into_existing_stream(store):
    store.add({"env": "dev", "app": "web"}, [1 * S, 2 * S], ["first", "d"])
    assert store.stream({"app": "web", "env": "dev"}).lines == ["first", "d"]
    assert store.stats.entries == 8 and store.start == 1 * S


def test_stream_without_labels_is_refused():
    with pytest.raises(ValueError):
        LogStore().add({"a": ""}, [1], ["x"])


def test_frozen_store_refuses_additions(store):
    store.freeze()
    with pytest.raises(RuntimeError):
        store.add({"app": "x"}, [1], ["x"])


def test_stats_and_bounds(store):
    assert store.stats.streams == 4 and store.stats.entries == 7
    assert store.stats.bytes == len("abcdlateearlye".encode())
    assert (store.start, store.end) == (1 * S, 6 * S)
    assert store.stream({"app": "db"}).lines == ["early", "late"]


def test_stats_count_utf8_bytes():
    assert LogStore.from_streams([({"a": "1"}, [1], ["é"])]).stats.bytes == 2


def test_defaults_follow_the_newest_entry(store):
    assert store.default_time() == 7 * S
    assert store.default_range() == (6 * S - 30 * 86_400 * S, 7 * S)


def test_the_default_range_reaches_back_to_the_oldest_entry_of_a_longer_log():
    year = 365 * 86_400 * S
    store = LogStore.from_streams([({"app": "hpc"}, [1 * S, 3 * year], ["old", "new"])])
    assert store.default_range() == (1 * S, 3 * year + S)
    assert [v[1] for r in store.query_range('{app="hpc"}')["result"] for v in r["values"]] == \
        ["new", "old"]


def test_empty_store():
    store = LogStore()
    assert store.start is None and store.end is None and store.labels() == []
    assert store.select([M("a", "=", "")]) == [] and store.stats.entries == 0


# -- selection -------------------------------------------------------------------------------

@pytest.mark.parametrize("matchers, expected", [
    ([M("app", "=", "web")], [("web", "dev"), ("web", "prod")]),
    ([M("app", "!=", "web")], [("db", ""), ("web\nnewline", "prod")]),
    ([M("app", "=~", "w.b")], [("web", "dev"), ("web", "prod")]),  # anchored: no "web\n…"
    ([M("app", "=~", "web.*")], [("web", "dev"), ("web", "prod"), ("web\nnewline", "prod")]),
    ([M("app", "!~", "we.*")], [("db", "")]),
    ([M("app", "=~", "db|web"), M("env", "!=", "prod")], [("db", ""), ("web", "dev")]),
    ([M("env", "=", "")], [("db", "")]),  # a missing label is the empty string
    ([M("env", "!=", "")], [("web", "dev"), ("web", "prod"), ("web\nnewline", "prod")]),
    ([M("env", "=~", ".*")], [("db", ""), ("web", "dev"), ("web", "prod"),
                              ("web\nnewline", "prod")]),
    ([M("env", "=~", ".+")], [("web", "dev"), ("web", "prod"), ("web\nnewline", "prod")]),
    ([M("nope", "=", "x")], []),
])
def test_select(store, matchers, expected):
    got = [(s.labels["app"], s.labels.get("env", "")) for s in store.select(matchers)]
    assert sorted(got) == expected


def test_select_by_time_keeps_streams_with_entries_in_range(store):
    assert [s.labels["app"] for s in store.select([M("app", "=~", ".+")], start=4 * S,
                                                   end=6 * S)] == ["db"]


def test_bad_regex_is_a_query_error(store):
    with pytest.raises(LogQLSemanticError):
        store.select([M("app", "=~", "(")])


def test_regex_is_re2_so_no_backreferences(store):
    with pytest.raises(LogQLSemanticError):
        store.select([M("app", "=~", r"(a)\1")])


# -- label APIs --------------------------------------------------------------------------------

def test_labels_and_values(store):
    assert store.labels() == ["app", "env"]
    assert store.label_values("env") == ["dev", "prod"]
    assert store.label_values("app") == ["db", "web", "web\nnewline"]
    assert store.label_values("missing") == []


def test_label_apis_honour_time_bounds(store):
    assert store.labels(start=4 * S, end=5 * S) == ["app"]
    assert store.label_values("app", start=3 * S, end=3 * S) == ["web"]  # end inclusive


def test_series(store):
    assert store.series(['{app="web", env="prod"}', '{app="db"}']) == [
        {"app": "db"}, {"app": "web", "env": "prod"}]
    assert len(store.series([])) == 4
    assert store.series(['{env=~"d.*"}'], start=3 * S) == []


def test_series_rejects_a_query_with_a_pipeline(store):
    with pytest.raises(LogQLSemanticError):
        store.series(['{app="web"} |= "x"'])


# -- running queries: handed to the evaluator with defaults filled in -----------------------

class FakeEvaluator:
    calls: list = []

    def __init__(self, backend):
        self.backend = backend

    def query(self, logql, **kwargs):
        self.calls.append(("query", logql, kwargs))
        return {"resultType": "vector", "result": []}

    def query_range(self, logql, **kwargs):
        self.calls.append(("query_range", logql, kwargs))
        return {"resultType": "streams", "result": []}


def test_queries_go_to_the_evaluator_with_defaults(store, monkeypatch):
    module = types.ModuleType("nl2logql.engine.evaluator")
    module.Evaluator = FakeEvaluator
    monkeypatch.setitem(sys.modules, "nl2logql.engine.evaluator", module)
    FakeEvaluator.calls = []
    store.query("count_over_time({app=\"db\"}[1m])")
    store.query_range("{app=\"db\"}", limit=5, direction="forward")
    store.query_range("{app=\"db\"}", start=1, end=2, step=3)
    assert FakeEvaluator.calls == [
        ("query", "count_over_time({app=\"db\"}[1m])",
         {"time": 7 * S, "limit": None, "direction": "backward"}),
        ("query_range", "{app=\"db\"}", {"start": 6 * S - 30 * 86_400 * S, "end": 7 * S,
                                         "step": None, "limit": 5, "direction": "forward"}),
        ("query_range", "{app=\"db\"}", {"start": 1, "end": 2, "step": 3, "limit": None,
                                         "direction": "backward"}),
    ]
