"""The real default model (Gemma 3 270M, converted once from its GGUF package) answers
NL2QL questions with valid queries that name only labels the sample store has."""

from __future__ import annotations

import pytest

from nl2logql.datasets import load_split
from nl2logql.engine.loaders import sample_store
from nl2logql.logql import ast
from nl2logql.logql.parser import parse

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def assistant():
    from nl2logql.generation.pipeline import Assistant

    return Assistant(backend=sample_store(), n=4)


def test_five_nl2ql_questions_give_valid_queries_naming_existing_labels(assistant):
    known = set(sample_store().labels())
    questions = [pair.question for pair in load_split("random").test[:5]]
    for question in questions:
        answer = assistant.ask(question)
        assert answer.valid, (question, answer.message, [c.text for c in answer.candidates])
        names = {m.name for s in parse(answer.query).find_all(ast.Selector) for m in s.matchers}
        assert names <= known, (question, answer.query)


def test_run_returns_loki_shaped_data(assistant):
    answer = assistant.ask("How many failed password attempts were there in the last day "
                           "for openssh-us-east?", run=True)
    assert answer.valid
    assert answer.result["resultType"] in ("vector", "streams", "matrix")
