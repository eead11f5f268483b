"""Datasets and the committed splits (data/splits/*.json)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from nl2logql.datasets import (LEAVE_OUT_SPLITS, SPLIT_NAMES, data_sha256, is_valid,
                               load_exec_split, load_nl2ql, load_nl2ql_exec, load_pairs,
                               load_split, normalize_question, splits_dir, template_key)
from nl2logql.errors import DataError

ROOT = Path(__file__).resolve().parents[1]
NL2QL_SIZE, NL2QL_INVALID = 339, 27


# ---- loaders ----------------------------------------------------------------------------

def test_nl2ql_loads_with_ids_and_skips_invalid_golds(caplog):
    with caplog.at_level(logging.WARNING):
        valid = load_nl2ql()
    every = load_nl2ql(keep_invalid=True)
    assert len(every) == NL2QL_SIZE
    assert len(valid) == NL2QL_SIZE - NL2QL_INVALID
    assert every[0].id == "nl2ql-0" and every[0].source == "nl2ql"
    assert {p.system for p in every} == {"openssh", "openstack", "hdfs"}
    assert "27 invalid gold queries skipped (lines 1, 9," in caplog.text


def test_nl2ql_exec_keeps_its_ids():
    pairs = load_nl2ql_exec()
    assert len(pairs) == 240
    assert "ssh-003" in {p.id for p in pairs}
    assert all(is_valid(p.logql) for p in pairs)


def test_user_jsonl_and_csv(tmp_path):
    jsonl = tmp_path / "mine.jsonl"
    jsonl.write_text('{"question": "errors in app", "logql": "{app=\\"x\\"} |= \\"error\\""}\n\n'
                     '{"id": "q2", "question": "all of app", "logql": "{app=\\"x\\"}"}\n')
    pairs = load_pairs(jsonl)
    assert [p.id for p in pairs] == ["mine-1", "q2"]
    assert pairs[0].logql == '{app="x"} |= "error"' and pairs[0].source == "mine.jsonl"

    table = tmp_path / "mine.csv"
    table.write_text('question,logql\n"errors, in app","{app=""x""} |= ""error"""\n')
    assert load_pairs(table)[0].question == "errors, in app"


@pytest.mark.parametrize("name, text, where", [
    ("bad.jsonl", '{"question": "q", "logql": "{a=\\"b\\"}"}\n{not json\n', "bad.jsonl:2:"),
    ("bad.jsonl", '["a list"]\n', "bad.jsonl:1:"),
    ("bad.jsonl", '{"question": "q"}\n', "bad.jsonl:1: missing or empty 'logql'"),
    ("bad.csv", 'question,query\nq,"{a=""b""}"\n', "bad.csv:2: missing or empty 'logql'"),
    ("bad.csv", "", "bad.csv:1: empty file"),
])
def test_malformed_user_data_names_file_and_line(tmp_path, name, text, where):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(DataError) as error:
        load_pairs(path)
    assert where in str(error.value) and "\n" not in str(error.value)


def test_invalid_user_golds_reported_by_line(tmp_path, caplog):
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"question": "ok", "logql": "{a=\\"b\\"}"}\n'
                    '{"question": "broken", "logql": "{a=\\"b\\" | json"}\n')
    with caplog.at_level(logging.WARNING):
        assert [p.question for p in load_pairs(path)] == ["ok"]
    assert "(lines 2)" in caplog.text
    assert len(load_pairs(path, keep_invalid=True)) == 2


# ---- templates --------------------------------------------------------------------------

def test_template_key_merges_deployment_variants():
    keys = {template_key(q) for q in [
        "What is the average time taken to build instances in the past week for "
        "application 'openstack-us-east'?",
        "What is the average time taken to build instances in the last 7 days for "
        "openstack-ap-south-1?",
        "What is the average time taken to build instances for application openstack-eu-west?",
    ]}
    assert len(keys) == 1
    assert template_key("How many compute nodes are there in openstack-eu-west?") not in keys


def test_template_key_masks_addresses_and_numbers():
    a = template_key("Requests to DataNode 10.250.14.224:50010 in the last 6 hours on LabSZ-us-east")
    b = template_key("Requests to DataNode 10.0.0.1:1 in the past day on LabSZ")
    assert a == b


# ---- splits -----------------------------------------------------------------------------

@pytest.fixture(scope="module", params=SPLIT_NAMES)
def split(request):
    return load_split(request.param, keep_invalid=True, keep_flagged=True)


@pytest.fixture(scope="module", params=[n for n in SPLIT_NAMES if n not in LEAVE_OUT_SPLITS])
def split_80_20(request):
    """The 80/20 splits (the leave-one-system-out ones: tests/test_splits_leave_out.py)."""
    return load_split(request.param, keep_invalid=True, keep_flagged=True)


def _spec(name: str) -> dict:
    return json.loads((splits_dir() / f"{name}.json").read_text())


def test_split_sizes_and_stratification(split_80_20):
    split = split_80_20
    nl2ql_train = [p for p in split.train + split.validation if p.source == "nl2ql"]
    assert len(nl2ql_train) + len(split.test) == NL2QL_SIZE
    assert 0.17 <= len(split.test) / NL2QL_SIZE <= 0.23
    every = Counter(p.system for p in load_nl2ql(keep_invalid=True))
    held_out = Counter(p.system for p in split.test)
    for system, total in every.items():
        assert 0.12 <= held_out[system] / total <= 0.28, system
    train_side = len(split.train) + len(split.validation)
    assert 0.07 <= len(split.validation) / train_side <= 0.13


def test_exec_sides_are_kept_apart(split_80_20):
    split = split_80_20
    exec_split = load_exec_split()
    train_ids = {p.id for p in split.train + split.validation}
    assert set(exec_split["train"]) <= train_ids
    assert [p.id for p in split.exec_test] == exec_split["test"] and len(split.exec_test) == 117
    assert not train_ids & set(exec_split["test"])
    assert not {p.id for p in split.test} & set(exec_split["test"])


@pytest.mark.parametrize("key", [normalize_question, template_key])
def test_no_question_on_both_sides(split, key):
    if key is template_key and split.name != "unseen-template":
        pytest.skip("only the unseen-template split keeps templates apart")
    train = {key(p.question) for p in split.train}
    validation = {key(p.question) for p in split.validation}
    test = {key(p.question) for p in split.test}
    exec_test = {key(p.question) for p in split.exec_test}
    assert not (train | validation) & test
    assert not train & validation
    assert not (train | validation) & exec_test


def test_invalid_golds_are_marked_and_left_out_of_training(split):
    spec = _spec(split.name)
    assert len(spec["invalid"]) == NL2QL_INVALID
    default = load_split(split.name, keep_flagged=True)
    assert not {p.id for p in default.train + default.validation} & set(spec["invalid"])
    assert all(is_valid(p.logql) for p in default.train)
    # The test side keeps them: they are data to measure.
    assert [p.id for p in default.test] == [p.id for p in split.test]
    trained_invalid = {p.id for p in split.train + split.validation} & set(spec["invalid"])
    assert trained_invalid or split.name == "leave-out-openstack"  # all 27 are openstack's
    assert len(split.train) + len(split.validation) == \
        len(default.train) + len(default.validation) + len(trained_invalid)


def test_split_files_hold_ids_and_the_data_hash(split):
    spec = _spec(split.name)
    assert spec["data_sha256"] == data_sha256()
    assert all(isinstance(i, str) for key in ("train", "validation", "test") for i in spec[key])
    text = json.dumps(spec, ensure_ascii=False)
    assert not any(p.question in text for p in split.test + split.train)


def test_unknown_split_is_a_data_error():
    with pytest.raises(DataError, match="unknown split 'nope'"):
        load_split("nope")


def test_make_splits_reproduces_the_committed_files(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_splits.py"), "--out",
                    str(tmp_path)], check=True, capture_output=True)
    for name in SPLIT_NAMES:
        assert (tmp_path / f"{name}.json").read_bytes() == \
            (splits_dir() / f"{name}.json").read_bytes(), name
