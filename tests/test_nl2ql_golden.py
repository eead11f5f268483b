"""Our parser's verdict on every NL2QL gold query matches the recorded golden file.

tests/fixtures/nl2ql_verdicts.json comes from scripts/make_nl2ql_verdicts.py; its
``loki_error`` column is what real Loki said, so the file also shows that we agree
with Loki on which 27 gold queries are invalid. Regenerate it (and review the diff)
when an error position is meant to change.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nl2logql.errors import LogQLSemanticError, LogQLSyntaxError, QueryError
from nl2logql.logql.parser import parse

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "data" / "nl2ql" / "nl2ql.jsonl"
VERDICTS = Path(__file__).parent / "fixtures" / "nl2ql_verdicts.json"

QUERIES = {e["id"]: e["logql"] for e in map(json.loads, DATASET.read_text().splitlines()) if e}
GOLDEN = json.loads(VERDICTS.read_text())
ERROR_CLASSES = {"syntax": LogQLSyntaxError, "semantic": LogQLSemanticError}


def test_golden_covers_the_dataset():
    assert sorted(v["id"] for v in GOLDEN) == sorted(QUERIES) and len(QUERIES) == 339


def test_exactly_27_invalid_and_all_agree_with_loki():
    invalid = [v for v in GOLDEN if not v["valid"]]
    assert len(invalid) == 27
    assert all(v["valid"] == (v["loki_error"] is None) for v in GOLDEN)
    assert all(v["why"] for v in invalid)


@pytest.mark.parametrize("verdict", GOLDEN, ids=lambda v: f"q{v['id']}")
def test_verdict(verdict):
    text = QUERIES[verdict["id"]]
    if verdict["valid"]:
        parse(text)
        return
    with pytest.raises(QueryError) as caught:
        parse(text)
    error = caught.value
    assert type(error) is ERROR_CLASSES[verdict["error_class"]]
    assert (error.line, error.column) == (verdict["line"], verdict["column"])
    assert error.message
