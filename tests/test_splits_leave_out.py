"""The leave-one-system-out splits (data/splits/leave-out-<system>.json)."""

from __future__ import annotations

import pytest

from nl2logql.datasets import (EXEC_SYSTEMS, LEAVE_OUT_SPLITS, SPLIT_NAMES, all_pairs,
                               exec_validation, load_exec_split, load_split, template_key)
from nl2logql.errors import DataError


@pytest.fixture(scope="module", params=EXEC_SYSTEMS)
def system_and_split(request):
    return request.param, load_split(f"leave-out-{request.param}", keep_invalid=True,
                                     keep_flagged=True)


def test_names_follow_the_first_two():
    assert SPLIT_NAMES[:2] == ("random", "unseen-template")
    assert LEAVE_OUT_SPLITS == ("leave-out-hdfs", "leave-out-openssh", "leave-out-openstack")
    assert set(LEAVE_OUT_SPLITS) <= set(SPLIT_NAMES)


def test_no_system_crosses_sides(system_and_split):
    system, split = system_and_split
    assert {p.system for p in split.train + split.validation} == set(EXEC_SYSTEMS) - {system}
    assert {p.system for p in split.test + split.exec_test} == {system}
    every = [p for p in all_pairs().values() if p.source == "nl2ql" and p.system == system]
    assert [p.id for p in split.test] == [p.id for p in every]


def test_exec_test_is_the_systems_exec_test_side(system_and_split):
    system, split = system_and_split
    pairs = all_pairs()
    exec_split = load_exec_split()
    assert [p.id for p in split.exec_test] == [i for i in exec_split["test"]
                                               if pairs[i].system == system]
    train_ids = {p.id for p in split.train + split.validation}
    assert not train_ids & set(exec_split["test"])  # no system's exec test item trains
    others = {i for i in exec_split["train"] if pairs[i].system != system}
    assert others <= train_ids


def test_sides_are_disjoint_and_validation_is_template_disjoint(system_and_split):
    _, split = system_and_split
    sides = [[p.id for p in side] for side in
             (split.train, split.validation, split.test, split.exec_test)]
    every = [i for side in sides for i in side]
    assert len(every) == len(set(every))
    assert not ({template_key(p.question) for p in split.train}
                & {template_key(p.question) for p in split.validation})
    assert 0.07 <= len(split.validation) / (len(split.train) + len(split.validation)) <= 0.13


def test_exec_validation_is_the_held_out_systems_exec_train_side(system_and_split):
    system, split = system_and_split
    validation = exec_validation(split)
    exec_train = set(load_exec_split()["train"])
    assert validation and {p.system for p in validation} == {system}
    assert {p.id for p in validation} == {p.id for p in all_pairs().values()
                                          if p.id in exec_train and p.system == system}
    seen = {p.id for p in split.train + split.validation + split.test + split.exec_test}
    assert not seen & {p.id for p in validation}


@pytest.mark.parametrize("name", ["random", "unseen-template"])
def test_exec_validation_needs_a_leave_out_split(name):
    with pytest.raises(DataError, match="only under a leave-out split"):
        exec_validation(load_split(name))
