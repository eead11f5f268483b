"""Synthesized pairs: deterministic, verified on their source, covering every family and
LogQL feature, never a test item; the time phrases they use read back as written."""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

from nl2logql.cli import main
from nl2logql.datasets import SPLIT_NAMES, load_split, normalize_question
from nl2logql.engine.loaders import sample_store
from nl2logql.engine.store import LogStore
from nl2logql.evaluation.features import features
from nl2logql.evaluation.nl2ql import run_query
from nl2logql.logql.parser import parse
from nl2logql.logql.printer import format_ast
from nl2logql.patterns import sources
from nl2logql.paths import PROJECT_DATA
from nl2logql.synthesis import FAMILIES, synthesize
from nl2logql.synthesis import wording
from nl2logql.synthesis.generate import _has_data
from nl2logql.timephrases import Window, find_windows, phrases

NOW = 1_735_689_600 * 10**9
COMMITTED = PROJECT_DATA / "synth" / "sample-store.jsonl"
# The LogQL features NL2QL-exec's feature table lists, as nl2logql.evaluation.features names them.
FEATURES = ["line_filter", "negative_filter", "regex_line_filter", "logfmt_parser",
            "pattern_parser", "regexp_parser", "label_filter", "count_over_time", "rate",
            "bytes_over_time", "sum_over_time", "avg_over_time", "max_or_min_over_time",
            "quantile_over_time", "unwrap", "by_grouping", "without_grouping", "topk_bottomk",
            "offset", "binary_op", "absent", "line_format", "label_format"]


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NL2LOGQL_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(sources, "_memory", {})


@pytest.fixture(scope="module")
def pairs():
    return synthesize(sample_store(), count=3000, seed=0)


def test_the_same_seed_gives_the_same_pairs():
    first = synthesize(sample_store(), count=200, seed=7)
    again = synthesize(sample_store(), count=200, seed=7)
    other = synthesize(sample_store(), count=200, seed=8)
    assert first == again
    assert [p.question for p in first] != [p.question for p in other]


def test_a_time_limit_keeps_the_same_pairs_fewer_of_them():
    whole = synthesize(sample_store(), count=200, seed=7)
    assert synthesize(sample_store(), count=200, seed=7, seconds=60) == whole
    assert synthesize(sample_store(), count=200, seed=7, seconds=0) == []


def test_every_query_parses_is_canonical_and_returns_data_on_its_source(pairs):
    store = sample_store()
    for pair in random.Random(0).sample(pairs, 400):
        assert format_ast(parse(pair.logql)) == pair.logql
        kind = "log" if pair.family in {"line_filter", "negative_filter", "regex_filter",
                                        "stream_label", "field_equals", "field_regex",
                                        "numeric_filter", "logfmt_parser", "line_format"} else "metric"
        data, error, _ = run_query(store, pair.logql, kind)
        assert error is None and _has_data(data), pair


def test_pairs_and_questions_are_distinct_with_provenance(pairs):
    assert len(pairs) == 3000
    assert len({normalize_question(p.question) for p in pairs}) == len(pairs)
    assert len({p.logql for p in pairs}) >= len(pairs) // 4
    assert {p.system for p in pairs} == {"hdfs", "openssh", "openstack"}
    assert all(p.pattern for p in pairs if p.family == "line_filter")
    assert all(p.application in p.logql or "=~" in p.logql for p in pairs)


def test_every_family_and_feature_is_covered(pairs):
    # json_parser needs JSON lines: covered on a store that has them, below.
    made = {p.family for p in pairs}
    assert {"line_filter", "negative_filter", "regex_filter", "topk_bottomk", "offset",
            "period_diff", "threshold", "ratio", "absent", "line_format", "label_format",
            "regex_selector", "logfmt_parser", "quantile_over_time"} <= made
    seen = {feature for p in pairs for feature in features(p.logql)}
    assert set(FEATURES) <= seen, set(FEATURES) - seen


def test_an_average_or_a_quantile_extracts_the_value_alone(pairs):
    """Another field extracted would split the series, one per value: the average of their
    averages (or a quantile per value) is not the one asked."""
    from nl2logql.logql import ast
    from nl2logql.logql.explain import parser_fields

    valued = [p for p in pairs if p.family in ("avg_over_time", "quantile_over_time")]
    assert len(valued) > 50
    for pair in valued:
        expr = parse(pair.logql)
        [unwrap] = expr.find_all(ast.Unwrap)
        extracted = [f for stage in expr.find_all(ast.PatternParser, ast.RegexpParser)
                     for f in parser_fields(stage)]
        assert extracted == [unwrap.label], pair.logql


def test_json_lines_get_the_json_parser():
    store = LogStore()
    levels = ["info", "warn", "error"]
    lines = [json.dumps({"level": levels[i % 3], "msg": "request done", "status": 200 + i % 5,
                         "path": f"/api/v{i % 2}"}) for i in range(300)]
    store.add({"app": "api"}, [NOW - (300 - i) * 10**9 for i in range(300)], lines)
    pairs = synthesize(store, count=300, seed=0)
    parsed = [p for p in pairs if p.family == "json_parser"]
    assert parsed and all("| json" in p.logql for p in parsed)


def test_no_test_question_or_gold_query_is_synthesized(pairs):
    """The generator never reads a test side; nothing it writes equals a test item."""
    committed = [json.loads(line) for line in COMMITTED.read_text().splitlines()]
    questions = {normalize_question(p.question) for p in pairs}
    questions |= {normalize_question(row["question"]) for row in committed}
    queries = {p.logql for p in pairs} | {row["logql"] for row in committed}
    for name in SPLIT_NAMES:
        split = load_split(name)
        for item in split.test + split.exec_test:
            assert normalize_question(item.question) not in questions, item.id
            assert item.logql.strip() not in queries, item.id
            try:
                assert format_ast(parse(item.logql)) not in queries, item.id
            except Exception:  # an invalid NL2QL gold cannot match a parsed query
                pass


def test_the_committed_file_is_what_the_command_writes(tmp_path):
    out = tmp_path / "pairs.jsonl"
    result = CliRunner().invoke(main, ["synth", "--out", str(out), "--count", "6000"])
    assert result.exit_code == 0, result.output
    assert out.read_text() == COMMITTED.read_text()


def test_cli_unknown_family_lists_the_known_ones(tmp_path):
    result = CliRunner().invoke(main, ["synth", "--out", str(tmp_path / "x.jsonl"),
                                       "--family", "nope"])
    assert result.exit_code != 0
    assert "unknown query family 'nope'" in result.output and "topk" not in result.output.split("known:")[0]
    assert not (tmp_path / "x.jsonl").exists()


def test_cli_writes_only_the_families_asked_for(tmp_path):
    out = tmp_path / "x.jsonl"
    result = CliRunner().invoke(main, ["synth", "--out", str(out), "--count", "30",
                                       "--family", "rate", "--family", "offset"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 30 and {row["family"] for row in rows} == {"rate", "offset"}


@pytest.mark.parametrize("window", [Window(300), Window(900), Window(1800), Window(3600),
                                    Window(5400), Window(43200), Window(86400), Window(172800),
                                    Window(604800), Window(2592000), Window(3600, 3600),
                                    Window(300, 300), Window(86400, 86400)])
def test_every_time_phrase_reads_back_as_its_window(window):
    for text in phrases(window):
        assert find_windows(f"how many errors {text} on api?") == [window], text


@pytest.mark.parametrize("question, expected", [
    ("errors in the last 24h", [Window(86400)]),
    ("past 90 minutes", [Window(5400)]),
    ("failed logins today", [Window(86400)]),
    ("the hour before last", [Window(3600, 3600)]),
    ("in the past month", [Window(2592000)]),
    ("core files in the last year", [Window(365 * 86400)]),
    ("over the past 2 years", [Window(2 * 365 * 86400)]),
    ("last 5 min", [Window(300)]),
    ("requests per second", []),
    ("what happened 3 hours ago", []),
    ("in the one-hour window that ended an hour ago", [Window(3600, 3600)]),
    ("during the 12-hour window that ended exactly one day ago", [Window(43200, 86400)]),
    ("errors in the 2 hours that ended 30 minutes ago", [Window(7200, 1800)]),
    ("in the hour before the most recent one", [Window(3600, 3600)]),
    ("in the 5 minutes before the most recent 5 minutes", [Window(300, 300)]),
])
def test_time_phrases_in_questions(question, expected):
    assert find_windows(question) == expected


def test_typos_never_touch_names_numbers_quotes_or_kept_words():
    rng = random.Random(0)
    text = "how many 'Failed password' lines per user on openssh-eu-west in the last 12 hours"
    for _ in range(200):
        changed = wording.typo(text, rng, keep=frozenset({"user"}))
        assert "'Failed password'" in changed and "openssh-eu-west" in changed
        assert " user " in changed and "12" in changed
