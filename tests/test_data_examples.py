"""Examples synthesized from the logs asked about, and how a prompt mixes them in."""

from __future__ import annotations

import pytest

from nl2logql.datasets import Pair
from nl2logql.engine.loaders import sample_store
from nl2logql.engine.store import LogStore
from nl2logql.evaluation.nl2ql import run_query
from nl2logql.generation import data_examples
from nl2logql.generation.data_examples import choose_examples, data_index
from nl2logql.generation.models import ScriptedModel
from nl2logql.generation.pipeline import Assistant
from nl2logql.generation.retrieval import ExampleIndex
from nl2logql.logql import ast
from nl2logql.logql.parser import parse

SECOND = 1_000_000_000


def _pair(n: int, question: str, logql: str = '{app="x"}', system: str = "openssh") -> Pair:
    return Pair(id=f"p{n}", question=question, logql=logql, system=system)


def _web_store() -> LogStore:
    """A small store of one application: three events, with numbers and users in them."""
    lines = []
    for i in range(300):
        kind = i % 3
        if kind == 0:
            lines.append(f"GET /api/items/{i % 7} status={200 if i % 2 else 500} took={i % 50}ms")
        elif kind == 1:
            lines.append(f"login failed for user u{i % 5} from 10.0.0.{i % 9}")
        else:
            lines.append(f"cache evicted {i % 11} entries")
    timestamps = [1_700_000_000 * SECOND + i * SECOND for i in range(len(lines))]
    return LogStore.from_streams([({"application": "web"}, timestamps, lines)])


SPLIT = ExampleIndex([
    _pair(0, "failed logins per user on openssh", 'sum by (user) (count_over_time({a="s"}[1h]))'),
    _pair(1, "bytes of logs on hdfs"),
])
DATA = ExampleIndex([
    _pair(10, "failed logins for web in the last hour", "q1", "web"),
    _pair(11, "how many failed logins on web in the past hour", "q1", "web"),  # q1 worded again
    _pair(12, "failed logins per user on web", "q2", "web"),
    _pair(13, "cache evictions on web", "q3", "web"),
    _pair(14, "failed logins per user on openssh-eu-west", "q4"),
])


@pytest.mark.parametrize("k, data_k, expected", [
    (4, 2, ["p10", "p12", "p0", "p1"]),  # the data's first, one per query, then the split's
    (2, 2, ["p10", "p12"]),
    (3, 0, ["p0", "p1"]),                # the split has only two
    (1, 2, ["p10"]),
    (0, 2, []),
])
def test_data_examples_come_first_one_per_query(k, data_k, expected):
    chosen = choose_examples("failed logins on web", k, SPLIT, DATA, data_k=data_k)
    assert [pair.id for pair in chosen] == expected


def test_a_system_the_split_knows_gets_the_splits_examples_alone():
    chosen = choose_examples("failed logins per user on openssh-eu-west", 4, SPLIT, DATA)
    assert [pair.id for pair in chosen] == ["p0", "p1"]


def test_without_data_examples_the_split_fills_k():
    assert [p.id for p in choose_examples("failed logins", 4, SPLIT, None)] == ["p0", "p1"]


def test_a_stores_examples_are_its_own_verified_pairs():
    store = _web_store()
    index = data_index(store)
    assert index is not None and len(index) > 20
    for pair in index.pairs:
        expr = parse(pair.logql)
        data, error, _ = run_query(store, pair.logql, ast.kind(expr))
        assert error is None and data["result"], pair.logql
        assert all('application="web"' in format_selector
                   for format_selector in _selectors(pair.logql)), pair.logql
    assert data_index(store) is index  # kept for the store


def _selectors(logql: str) -> list[str]:
    from nl2logql.logql.printer import format_ast

    return [format_ast(selector) for selector in parse(logql).find_all(ast.Selector)]


def test_a_grown_store_gets_new_examples_and_a_kept_one_is_read_back(monkeypatch):
    store = _web_store()
    first = data_index(store)
    store.add({"application": "api"}, [1_700_000_500 * SECOND + i * SECOND for i in range(60)],
              [f"worker {i % 4} restarted after {i} s" for i in range(60)])
    grown = data_index(store)
    assert grown is not first
    assert any('application="api"' in pair.logql for pair in grown.pairs)
    # A new process (memory forgotten) reads the pairs back from the start cache.
    monkeypatch.setattr(data_examples, "_indexes", type(data_examples._indexes)())
    monkeypatch.setattr(data_examples, "synthesized",
                        lambda *a, **kw: pytest.fail("synthesized again"))
    assert [p.logql for p in data_index(store).pairs] == [p.logql for p in grown.pairs]


def test_a_backend_that_is_not_a_store_gets_none(fake_loki):
    from nl2logql.engine.loki import LokiBackend

    assert data_index(LokiBackend(fake_loki.url)) is None


@pytest.mark.parametrize("split, data_k, shown", [
    ("leave-out-openssh", 2, True),   # the split has no OpenSSH pair
    ("leave-out-openssh", 0, False),
    ("random", 2, False),             # it has: its own OpenSSH examples
])
def test_the_prompt_shows_the_datas_own_examples_for_a_system_the_split_lacks(split, data_k, shown):
    store = sample_store()
    question = "how many failed password lines on openssh-eu-west in the last hour?"
    bot = Assistant(model=ScriptedModel(['{application="openssh-eu-west"}']), backend=store,
                    split=split, constrain=False, data_examples=data_k)
    prompt = bot.ask(question).prompt
    own = data_index(store).search(question, k=1)[0]
    assert (own.question.strip() in prompt) == shown


def test_training_prompts_show_data_examples_of_own_logs_but_no_held_out_system():
    from nl2logql.training.config import TrainConfig
    from nl2logql.training.data import load_training_data

    config = TrainConfig(split="leave-out-openssh", augment=False, data_examples=2)
    data = load_training_data(config)
    store = sample_store()
    assert {pair.system for pair in data.data_examples(store).pairs} == {"hdfs", "openstack"}
    every = load_training_data(TrainConfig(split="random", augment=False)).data_examples(store)
    assert "openssh" in {pair.system for pair in every.pairs}
    # A pair over the user's own logs is prompted with examples synthesized from them,
    # never with itself.
    web = _web_store()
    data.schema_backends["web.log"] = web
    shown = data.data_examples(web)
    own = Pair("own-1", "how many failed logins per user on web today?",
               'sum by (user) (count_over_time({application="web"} |= "login failed" [1d]))',
               "web", "web.log")
    assert shown.search(own.question, k=1)[0].question.strip() in data.prompt(own, config)
    synthesized = shown.pairs[0]
    assert f"### Question: {synthesized.question.strip()}\n### LogQL:\n{synthesized.logql}" \
        not in data.prompt(Pair(**{**synthesized.__dict__, "source": "web.log"}), config)
    assert shown.search(own.question, k=1)[0].question.strip() not in data.prompt(
        own, TrainConfig(split="leave-out-openssh"))  # the recipe's 0
