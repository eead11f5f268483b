"""Schema context: labels, values and sample lines from a backend."""

from __future__ import annotations

import pytest

from nl2logql.engine.loaders import sample_store
from nl2logql.engine.store import LogStore
from nl2logql.errors import BackendError
from nl2logql.generation.schema import SchemaContext, mentioned

QUESTION = "How many failed password attempts on openssh-eu-west in the last hour?"


@pytest.fixture(scope="module")
def context():
    return SchemaContext.from_backend(sample_store(), QUESTION)


def test_labels_and_values_of_the_sample_store(context):
    assert list(context.labels) == ["application", "component", "hostname", "log_file_type",
                                    "log_level", "service_name"]
    assert "openssh-eu-west" in context.labels["application"]
    assert context.labels["log_file_type"] == ["nova-api", "nova-compute", "nova-scheduler"]
    assert context.mentioned["application"] == ["openssh-eu-west"]


def test_sample_lines_come_from_the_mentioned_stream(context):
    assert context.sample_selector == '{application="openssh-eu-west"}'
    assert "hostname" in context.sample_labels and "component" not in context.sample_labels
    assert 1 <= len(context.sample_lines) <= 3
    text = context.render()
    assert "Sample lines of {application=\"openssh-eu-west\"}" in text
    assert all(line in text for line in context.sample_lines)


def test_without_a_mention_the_largest_application_is_sampled():
    context = SchemaContext.from_backend(sample_store())
    assert context.sample_selector.startswith("{application=")
    assert context.sample_lines


@pytest.mark.parametrize("budget", [2500, 900, 400, 150])
def test_render_respects_the_budget(context, budget):
    text = context.render(budget)
    assert len(text) <= budget
    if budget >= 400:  # the mentioned value outlives the cuts
        assert "openssh-eu-west" in text


def test_budget_from_the_constructor():
    context = SchemaContext.from_backend(sample_store(), QUESTION, budget_chars=500)
    assert len(context.render()) <= 500


def _tiny_store() -> LogStore:
    store = LogStore()
    for n in range(40):
        lines = [f"GET /item/{n} status={200 + n % 3}"] * (n % 4 + 1)
        store.add({"app": f"svc-{n:02d}", "env": "prod"}, list(range(1, len(lines) + 1)), lines)
    store.add({"app": "svc-05", "env": "dev"}, [5], ["extra stream for svc-05"])
    return store


def test_many_values_keep_the_busiest_and_the_mentioned():
    context = SchemaContext.from_backend(_tiny_store(), "errors for svc-39 please",
                                         max_values=5)
    values = context.labels["app"]
    assert "svc-39" in values and "svc-05" in values  # named; on the most streams
    assert len(values) == 6
    assert context.sample_selector == '{app="svc-39"}'
    assert "(+34 more)" in context.render()


def test_internal_labels_are_skipped_and_labels_capped():
    store = LogStore()
    store.add({"__internal": "x", "b": "1", "a": "2", "c": "3"}, [1], ["line"])
    context = SchemaContext.from_backend(store, "what about c?", max_labels=2)
    assert "__internal" not in context.labels
    assert list(context.labels) == ["a", "c"]  # named label first, then by name


def test_empty_store_renders_just_a_header():
    context = SchemaContext.from_backend(LogStore(), "anything")
    assert context.labels == {} and context.sample_lines == []
    assert context.render() == "Labels and their values:"


def test_unreachable_backend_errors_propagate():
    class Down(LogStore):
        def labels(self, **_):
            raise BackendError("cannot reach Loki at http://localhost:3100")

    with pytest.raises(BackendError, match="cannot reach"):
        SchemaContext.from_backend(Down(), QUESTION)


@pytest.mark.parametrize("text, question, expected", [
    ("openssh-eu-west", "failures on openssh-eu-west.", True),
    ("openssh", "failures on openssh-eu-west", False),
    ("INFO", "info lines", True),
    ("INFO", "information", False),
    ("", "anything", False),
])
def test_mentioned(text, question, expected):
    assert mentioned(text, question) is expected
