"""The evaluator against real Loki: every stored Loki answer on the sample store.

- ``tests/fixtures/nl2ql_on_sample_store.loki.json``: Loki's responses to the NL2QL gold
  queries (those Loki could parse), with the request each came from;
- ``data/nl2ql-exec/*.jsonl``: 240 queries with non-empty Loki answers (log answers over
  200 lines are summarised as a line count and the newest line).

Same result type, same series, values within 1e-9 relative, same lines in the same order.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from nl2logql.engine.loaders import sample_store
from nl2logql.timeutil import parse_time

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "nl2ql_on_sample_store.loki.json"
EXEC_FILES = sorted((ROOT / "data" / "nl2ql-exec").glob("*.jsonl"))


def _fixture_cases():
    cases = json.loads(FIXTURE.read_text())
    return [pytest.param(c, id=f"nl2ql-{c['id']}") for c in cases if "loki_parse_error" not in c]


def _exec_cases():
    cases = []
    for path in EXEC_FILES:
        for line in path.read_text().splitlines():
            if line.strip():
                case = json.loads(line)
                cases.append(pytest.param(case, id=case["id"]))
    return cases


@pytest.fixture(scope="module")
def store():
    return sample_store()


def _close(expected: str, got: str) -> bool:
    if expected == got:
        return True
    a, b = float(expected), float(got)
    if math.isnan(a) and math.isnan(b):
        return True
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def assert_same_data(expected: dict, got: dict) -> None:
    assert got["resultType"] == expected["resultType"]
    kind = expected["resultType"]
    if kind == "scalar":
        assert got["result"][0] == expected["result"][0]
        assert _close(expected["result"][1], got["result"][1])
        return
    label_field = {"streams": "stream", "vector": "metric", "matrix": "metric"}[kind]

    def by_labels(data):
        return {tuple(sorted(r[label_field].items())): r for r in data["result"]}

    want, have = by_labels(expected), by_labels(got)
    assert sorted(have) == sorted(want), "different series"
    for key, series in want.items():
        mine = have[key]
        if kind == "streams":
            assert mine["values"] == series["values"], f"lines differ in {dict(key)}"
        elif kind == "vector":
            assert mine["value"][0] == series["value"][0]
            assert _close(series["value"][1], mine["value"][1]), f"value differs in {dict(key)}"
        else:
            assert [t for t, _ in mine["values"]] == [t for t, _ in series["values"]]
            assert all(_close(a, b) for (_, a), (_, b) in zip(series["values"], mine["values"]))


@pytest.mark.parametrize("case", _fixture_cases())
def test_nl2ql_gold_queries_match_loki(store, case):
    request = case["request"]
    if request["endpoint"] == "query":
        got = store.query(case["logql"], time=parse_time(request["time"]))
    else:
        got = store.query_range(case["logql"], start=parse_time(request["start"]),
                                end=parse_time(request["end"]), limit=request.get("limit"),
                                direction=request.get("direction", "backward"))
    assert_same_data(case["data"], got)


@pytest.mark.parametrize("case", _exec_cases())
def test_nl2ql_exec_queries_match_loki(store, case):
    expected = case["loki"]
    if case["kind"] == "metric":
        got = store.query(case["logql"])
    else:
        got = store.query_range(case["logql"])
    if "lines" not in expected:
        assert_same_data(expected, got)
        return
    assert got["resultType"] == "streams"
    values = [v for stream in got["result"] for v in stream["values"]]
    assert len(values) == expected["lines"]
    newest = max(values, key=lambda v: int(v[0]))
    assert newest[1] == expected["newest"]


def test_every_case_is_collected():
    assert len(_fixture_cases()) == 312
    assert len(_exec_cases()) == 240
