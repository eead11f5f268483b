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


def test_answers_are_byte_identical_without_the_start_cache_with_it_and_from_a_server(tmp_path):
    """The shipped model and adapter: the same CLI answers (query, candidates, explanation,
    warnings, repairs) from a process that builds nothing from the cache, one that builds
    it, one that loads it, and a kept-warm server."""
    import json
    import os
    import subprocess
    import sys

    questions = ["how many failed SSH logins per source IP in the last hour on openssh-eu-west?",
                 "show error lines from hdfs in the last 5 minutes"]
    env = {**os.environ, "NL2LOGQL_START_CACHE": str(tmp_path / "start"),
           "NL2LOGQL_RUN_DIR": str(tmp_path / "run")}

    def answers(extra_env=None, extra_args=()):
        out = []
        for question in questions:
            done = subprocess.run([sys.executable, "-m", "nl2logql", "generate", question, "--json",
                                   "-n", "2", *extra_args], env={**env, **(extra_env or {})},
                                  capture_output=True, text=True, timeout=600)
            answer = json.loads(done.stdout)
            answer.pop("timings")
            out.append(answer)
        return out

    uncached = answers({"NL2LOGQL_NO_START_CACHE": "1"})
    assert answers() == uncached  # builds the cache
    assert (tmp_path / "start" / "model").is_dir()
    assert answers() == uncached  # loads it
    try:
        assert answers(extra_args=["--keep-warm"]) == uncached
        assert answers() == uncached
    finally:
        subprocess.run([sys.executable, "-m", "nl2logql", "serve", "--stop"], env=env, timeout=60)
