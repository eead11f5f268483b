"""BM25 example retrieval."""

from __future__ import annotations

import pytest

from nl2logql.datasets import Pair, load_exec_split, load_split
from nl2logql.generation.retrieval import ExampleIndex, tokenize


def _pair(n: int, question: str) -> Pair:
    return Pair(id=f"p{n}", question=question, logql='{app="x"}', system="test")


@pytest.fixture(scope="module")
def split_index():
    return ExampleIndex.for_split("random")


def test_tokens_keep_compounds_and_their_parts():
    tokens = tokenize("Failed logins on openssh-eu-west from 10.1.2.3?")
    assert {"openssh-eu-west", "openssh", "eu", "west", "10.1.2.3", "failed"} <= set(tokens)
    assert "on" not in tokens and "from" not in tokens


def test_relevant_example_ranks_first():
    index = ExampleIndex([
        _pair(0, "How many failed password attempts for root on openssh-us-east?"),
        _pair(1, "Average time to build instances for openstack-eu-west"),
        _pair(2, "Blocks added to the invalidSet for hdfs-tenant-1"),
        _pair(3, "Accepted password logins on openssh-eu-west"),
    ])
    assert index.search("time taken to build an instance on openstack", k=1)[0].id == "p1"
    assert index.search("invalidSet blocks in hdfs-us-east", k=1)[0].id == "p2"
    # The exact deployment name outweighs a shared system name.
    assert index.search("password logins openssh-eu-west", k=1)[0].id == "p3"


def test_relevant_examples_from_the_split(split_index):
    hits = split_index.search("What is the average time taken to build instances in the past "
                              "week for openstack-us-east?", k=2)
    assert all("build instance" in p.question for p in hits)
    hits = split_index.search("How many blocks were added to the invalidSet in hdfs-eu-west?")
    assert "invalidSet" in hits[0].question


def test_exclude_ids_leaves_the_item_out(split_index):
    item = split_index.pairs[10]
    assert split_index.search(item.question, k=1)[0].id == item.id
    hits = split_index.search(item.question, k=4, exclude_ids=[item.id])
    assert len(hits) == 4 and item.id not in {p.id for p in hits}


def test_ties_keep_index_order():
    index = ExampleIndex([_pair(n, "same words here") for n in range(6)])
    assert [p.id for p in index.search("same words", k=6)] == [f"p{n}" for n in range(6)]
    # No shared word at all: still k pairs, in index order.
    assert [p.id for p in index.search("zzz", k=2)] == ["p0", "p1"]


def test_split_index_never_returns_held_out_items(split_index):
    split = load_split("random")
    held_out = {p.id for p in split.test + split.validation} | set(load_exec_split()["test"])
    for pair in split.test + split.exec_test:
        assert not held_out & {p.id for p in split_index.search(pair.question, k=8)}
    assert len(split_index) == len(split.train)


def test_edge_cases():
    assert ExampleIndex([]).search("anything") == []
    index = ExampleIndex([_pair(0, "the of and"), _pair(1, "errors in app")])
    assert [p.id for p in index.search("errors", k=1)] == ["p1"]
    assert len(index.search("", k=5)) == 2
    assert index.search("errors", k=0) == []
