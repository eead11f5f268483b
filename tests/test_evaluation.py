"""Evaluation metrics and parts, each on hand-made cases with known answers."""

from __future__ import annotations

import json
import math

import pytest

from nl2logql.datasets import Pair
from nl2logql.errors import DataError
from nl2logql.evaluation import metrics, nl2ql, runner, suites
from nl2logql.evaluation.features import features
from nl2logql.evaluation.leakage import LeakageError, check_adapter, training_data_sha256


def vector(*series):
    return {"resultType": "vector",
            "result": [{"metric": labels, "value": [1735689601, value]} for labels, value in series]}


def streams(*streams_):
    return {"resultType": "streams",
            "result": [{"stream": labels, "values": values} for labels, values in streams_]}


# ---- metric results ---------------------------------------------------------------------------

def test_values_equal_within_a_millionth_relative_and_nan_equals_nan():
    assert metrics.close("100", "100.00001")          # 1e-7 relative
    assert not metrics.close("100", "100.001")        # 1e-5 relative
    assert metrics.close("NaN", "NaN")
    assert not metrics.close("NaN", "0") and not metrics.close("1", "NaN")
    assert metrics.close("+Inf", "+Inf") and not metrics.close("+Inf", "-Inf")
    assert metrics.close("0", "0") and not metrics.close("0", "1e-300")


def test_same_series_ignores_series_order_and_label_order():
    gold = vector(({"ip": "1.2.3.4", "user": "root"}, "3"), ({"ip": "5.6.7.8", "user": "x"}, "1"))
    pred = vector(({"user": "x", "ip": "5.6.7.8"}, "1.0000000001"), ({"user": "root", "ip": "1.2.3.4"}, "3"))
    assert metrics.same_series(gold, pred)


def test_tied_values_in_another_order_still_match_but_another_tied_series_does_not():
    gold = vector(({"ip": "a"}, "5"), ({"ip": "b"}, "5"))
    assert metrics.same_series(gold, vector(({"ip": "b"}, "5"), ({"ip": "a"}, "5")))
    assert not metrics.same_series(gold, vector(({"ip": "a"}, "5"), ({"ip": "c"}, "5")))


def test_different_label_sets_values_or_series_counts_differ():
    gold = vector(({"ip": "a"}, "5"))
    assert not metrics.same_series(gold, vector(({"host": "a"}, "5")))
    assert not metrics.same_series(gold, vector(({"ip": "a"}, "6")))
    assert not metrics.same_series(gold, vector(({"ip": "a"}, "5"), ({"ip": "b"}, "1")))
    assert not metrics.same_series(gold, streams(({"ip": "a"}, [["1", "x"]])))


def test_nan_values_match_only_nan():
    gold = vector(({}, "NaN"))
    assert metrics.same_series(gold, vector(({}, "NaN")))
    assert not metrics.same_series(gold, vector(({}, "0")))


def test_empty_gold_counts_only_with_an_empty_prediction():
    empty = vector()
    assert metrics.execution_verdict("metric", empty, vector())["exec"] == 1.0
    assert metrics.execution_verdict("metric", empty, vector(({}, "0")))["exec"] == 0.0
    assert metrics.execution_verdict("metric", empty, None)["exec"] == 0.0  # failed to run
    log_empty = streams()
    assert metrics.execution_verdict("log", log_empty, streams())["exec"] == 1.0
    assert metrics.execution_verdict("log", log_empty, streams(({"a": "1"}, [["1", "x"]])))["exec"] == 0.0


def test_a_scalar_is_one_unlabelled_series():
    assert metrics.same_series({"resultType": "scalar", "result": [1735689601, "2"]}, vector(({}, "2")))


# ---- log results ----------------------------------------------------------------------------

def test_line_precision_recall_f1_known_answer():
    labels = {"application": "openssh"}
    gold = streams((labels, [["4", "d"], ["3", "c"], ["2", "b"], ["1", "a"]]))
    pred = streams((labels, [["3", "c"], ["1", "a"], ["9", "z"]]))
    scores = metrics.line_scores(gold, pred)
    assert scores["precision"] == pytest.approx(2 / 3)
    assert scores["recall"] == pytest.approx(1 / 2)
    assert scores["f1"] == pytest.approx(4 / 7)


def test_lines_match_by_timestamp_stream_and_line():
    gold = streams(({"a": "1"}, [["1", "x"]]))
    assert metrics.line_scores(gold, streams(({"a": "2"}, [["1", "x"]])))["f1"] == 0   # other stream
    assert metrics.line_scores(gold, streams(({"a": "1"}, [["2", "x"]])))["f1"] == 0   # other time
    assert metrics.line_scores(gold, streams(({"a": "1"}, [["1", "y"]])))["f1"] == 0   # other line
    assert metrics.line_scores(gold, streams(({"a": "1"}, [["1", "x"]])))["f1"] == 1


def test_lines_at_the_same_timestamp_are_separate_entries():
    gold = streams(({"a": "1"}, [["5", "x"], ["5", "y"]]))
    scores = metrics.line_scores(gold, streams(({"a": "1"}, [["5", "y"]])))
    assert (scores["precision"], scores["recall"]) == (1.0, 0.5)


def test_a_metric_answer_to_a_log_question_scores_zero():
    gold = streams(({"a": "1"}, [["5", "x"]]))
    assert metrics.execution_verdict("log", gold, vector(({}, "1")))["exec"] == 0.0


def test_exact_match_is_equivalence():
    assert metrics.exact_match('{b="2", a="1"} |= "x"', '{a="1",b="2"} |= "x"')
    assert not metrics.exact_match('{a="1"} |= "y"', '{a="1"} |= "x"')
    assert not metrics.exact_match('{a="1"', '{a="1"}')
    assert not metrics.exact_match(None, '{a="1"}')


# ---- aggregation ----------------------------------------------------------------------------

def test_percentiles_interpolate():
    assert metrics.percentile([4, 1, 3, 2], 50) == 2.5
    assert metrics.percentile([1, 2, 3, 4], 90) == pytest.approx(3.7)
    assert metrics.percentile([], 50) is None


def record(kind="metric", informative=True, exec_=1.0, exact=True, status="ok", valid=True, seconds=1.0):
    verdicts = {"syntax_valid": valid, "valid": valid}
    if status == "ok":
        verdicts.update({"exact": exact, "exec": exec_})
    return {"gold_status": status, "informative": informative, "gold_kind": kind,
            "verdicts": verdicts, "timings": {"generate": seconds}, "system": "HDFS", "features": []}


def test_summary_keeps_informative_and_all_items_apart_and_leaves_gold_problems_out():
    records = [record(exec_=1.0), record(exec_=0.0, exact=False),               # informative metric
               record(informative=False, exec_=1.0),                             # empty gold, matched
               record(kind="log", exec_=0.5, exact=False),                       # informative log
               record(status="invalid", kind=None, informative=False, valid=False, seconds=3.0)]
    s = metrics.summarize(records)
    assert (s["n"], s["n_scored"], s["n_informative"]) == (5, 4, 3)
    assert s["exec_informative"] == pytest.approx(1.5 / 3)
    assert s["exec_all"] == pytest.approx(2.5 / 4)
    assert s["metric_accuracy_informative"] == 0.5 and s["metric_accuracy_all"] == pytest.approx(2 / 3)
    assert s["log_f1_informative"] == 0.5
    assert s["exact"] == 0.5                      # over the 4 scorable items
    assert s["valid"] == 0.8                      # over all 5
    assert s["latency_p50"] == 1.0


def test_an_empty_group_has_no_scores_rather_than_zero():
    s = metrics.summarize([record(status="run_error", kind="metric", informative=False)])
    assert s["exec_informative"] is None and s["exact"] is None and s["n_scored"] == 0


# ---- features -----------------------------------------------------------------------------

@pytest.mark.parametrize("query, expected", [
    ('{a="1"} |= "x" != "y"', ["line_filter", "negative_filter"]),
    ('{a="1"} |~ "x" | json | line_format "{{.a}}"', ["json_parser", "line_format", "regex_line_filter"]),
    ('topk(3, sum by (ip) (count_over_time({a="1"} | regexp "(?P<ip>\\\\S+)" [1h])))',
     ["by_grouping", "count_over_time", "regexp_parser", "topk_bottomk"]),
    ('avg_over_time({a="1"} | logfmt | unwrap d | d > 1 [5m] offset 1h)',
     ["avg_over_time", "label_filter", "logfmt_parser", "offset", "unwrap"]),
    ('sum(rate({a="1"} | pattern "<_> <x>" [1m])) / 2', ["binary_op", "pattern_parser", "rate"]),
])
def test_features_of_hand_made_queries(query, expected):
    assert features(query) == expected


def test_features_agree_with_nl2ql_exec_annotations():
    from nl2logql.datasets import EXEC_DIR, data_root

    for path in sorted((data_root() / EXEC_DIR).glob("*.jsonl")):
        for line in path.read_text().splitlines():
            row = json.loads(line)
            mine, theirs = set(features(row["logql"])), set(row["features"])
            if "logfmt_or_json" in theirs:
                theirs.discard("logfmt_or_json")
                assert mine & {"json_parser", "logfmt_parser"}, row["id"]
                mine -= {"json_parser", "logfmt_parser"}
            assert mine == theirs, row["id"]


# ---- items and one prediction on the sample store ------------------------------------------

@pytest.fixture(scope="module")
def store():
    from nl2logql.engine.loaders import sample_store

    return sample_store()


GOLD = 'sum(count_over_time({application="openssh-us-east"} |= "Failed password" [30d]))'


def test_exec_suite_needs_the_same_application_but_nl2ql_does_not(store):
    pair = Pair("x-1", "failed passwords on openssh-us-east", GOLD, "openssh")
    other_deployment = GOLD.replace("openssh-us-east", "openssh-eu-west")  # same lines, same count
    exec_item = nl2ql.gold_item(pair, "exec", store)
    verdicts, _ = nl2ql.score(exec_item, other_deployment, store)
    assert verdicts["same_series"] and not verdicts["same_applications"] and verdicts["exec"] == 0.0
    nl2ql_item = nl2ql.gold_item(pair, "nl2ql", store)
    assert nl2ql.score(nl2ql_item, other_deployment, store)[0]["exec"] == 1.0
    assert nl2ql.score(exec_item, GOLD, store)[0]["exec"] == 1.0


def test_gold_problems_carry_their_reason(store):
    bad = nl2ql.gold_item(Pair("x-2", "q", '{application="openssh"', "openssh"), "nl2ql", store,
                          loki_error="syntax error: unexpected end")
    assert bad.gold_status == "invalid" and "does not parse" in bad.gold_error and "Loki" in bad.gold_error
    differs = nl2ql.gold_item(Pair("x-3", "q", GOLD, "openssh"), "exec", store,
                              loki_data=vector(({}, "519")))
    assert differs.gold_status == "differs_from_loki" and differs.reference == "differs"
    verdicts, _ = nl2ql.score(differs, GOLD, store)
    assert "exec" not in verdicts and verdicts["valid"]     # never counted as a win


def test_an_empty_gold_is_not_informative_and_invalid_predictions_score_zero(store):
    item = nl2ql.gold_item(Pair("x-4", "q", '{application="hdfs"} |= "no such line anywhere"', "hdfs"),
                           "nl2ql", store, loki_data=streams())
    assert item.gold_status == "ok" and not item.informative and item.reference == "match"
    verdicts, _ = nl2ql.score(item, '{application="hdfs" |= "x"', store)
    assert not verdicts["syntax_valid"] and verdicts["exec"] == 0.0 and verdicts["exact"] is False
    semantic, _ = nl2ql.score(item, '{application="hdfs"} | regexp "x"', store)
    assert semantic["syntax_valid"] and not semantic["valid"]


def test_stored_loki_answers_match_our_engine_on_the_exec_test_side(store):
    items = nl2ql.load_items("exec", "random", store)
    assert len(items) == 117
    assert all(item.gold_status == "ok" and item.informative and item.reference == "match" for item in items)


def test_the_exec_validation_side_is_the_held_out_systems_train_side_and_checked_too(store):
    items = nl2ql.load_items("exec", "leave-out-hdfs", store, side="validation")
    assert len(items) == 41 and {item.system for item in items} == {"HDFS"}
    assert all(item.gold_status == "ok" and item.reference == "match" for item in items)
    assert suites.suite_key("exec", "leave-out-hdfs", "validation") == "exec-validation"
    with pytest.raises(DataError, match="leave-out"):
        nl2ql.load_items("exec", "random", store, side="validation")


# ---- the prediction cache and item selection -------------------------------------------------

def test_cache_drops_a_half_written_last_line_and_keeps_the_rest(tmp_path):
    cache = runner.PredictionCache(tmp_path / "c.jsonl", {"model": "m"})
    cache.add("a", {"prediction": "1"})
    cache.add("b", {"prediction": "2"})
    with open(cache.path, "a") as handle:
        handle.write('{"key": "c", "rec')           # killed mid-write
    again = runner.PredictionCache(tmp_path / "c.jsonl", {"model": "m"})
    assert again.load() == {"a": {"prediction": "1"}, "b": {"prediction": "2"}}
    again.add("c", {"prediction": "3"})
    assert set(runner.PredictionCache(tmp_path / "c.jsonl", {"model": "m"}).load()) == {"a", "b", "c"}


def test_cache_refuses_other_settings_and_a_corrupt_middle(tmp_path):
    cache = runner.PredictionCache(tmp_path / "cache" / "c.jsonl", {"model": "m", "k": 4})
    cache.add("a", {})
    with pytest.raises(DataError, match="other settings \\(k\\)"):
        runner.PredictionCache(cache.path, {"model": "m", "k": 2}).load()
    lines = cache.path.read_text().splitlines()
    cache.path.write_text("\n".join([lines[0], "not json", lines[1]]) + "\n")
    with pytest.raises(DataError, match=":2: not JSON"):
        runner.PredictionCache(cache.path, {"model": "m", "k": 4}).load()


def test_select_is_seeded_and_keeps_order():
    items = list(range(100))
    first = runner.select(items, 5, seed=1)
    assert first == runner.select(items, 5, seed=1) == sorted(first)
    assert first != runner.select(items, 5, seed=2)
    assert runner.select(items, None) == items and runner.select(items, 500) == items


# ---- leakage --------------------------------------------------------------------------------

def fake_adapter(folder, split="random", **recipe):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "adapter_config.json").write_text("{}")
    recipe = {"split": split, "limit": 3, **recipe}
    card = {"split": split, "recipe": recipe, "data_sha256": None}
    card["data_sha256"] = training_data_sha256(card)
    (folder / "card.json").write_text(json.dumps(card))
    return folder


def test_an_adapter_trained_on_the_split_passes(tmp_path):
    card = check_adapter(fake_adapter(tmp_path / "a"), "random")
    assert card["split"] == "random"


def test_an_adapter_of_another_split_is_refused_in_one_line(tmp_path):
    with pytest.raises(LeakageError) as error:
        check_adapter(fake_adapter(tmp_path / "a", "random"), "unseen-template")
    assert "trained on split 'random'" in str(error.value) and "\n" not in str(error.value)


def test_a_changed_training_data_hash_is_refused(tmp_path):
    folder = fake_adapter(tmp_path / "a")
    card = json.loads((folder / "card.json").read_text())
    card["data_sha256"] = "0" * 64
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(LeakageError, match="hash does not match"):
        check_adapter(folder, "random")


def test_an_adapter_without_a_card_is_refused(tmp_path):
    (tmp_path / "a").mkdir()
    with pytest.raises(LeakageError, match="no card.json"):
        check_adapter(tmp_path / "a", "random")


def test_the_default_adapter_of_another_split_is_never_used(tmp_path, monkeypatch):
    monkeypatch.setenv("NL2LOGQL_ADAPTERS", str(tmp_path))
    fake_adapter(tmp_path / "random", "random")
    chosen = runner.resolve_model(runner.ModelChoice(), "random")
    assert chosen.adapter_source == "default" and chosen.card["split"] == "random"
    with pytest.raises(LeakageError, match="no installed adapter was trained on split 'unseen-template'"):
        runner.resolve_model(runner.ModelChoice(), "unseen-template")
    base = runner.resolve_model(runner.ModelChoice(adapter="none"), "unseen-template")
    assert base.adapter is None and base.adapter_source == "none"


def test_nan_survives_results_json_round_trip(tmp_path):
    from nl2logql.evaluation.report import write_json_atomic

    write_json_atomic(tmp_path / "r.json", {"x": float("nan")})
    assert math.isnan(json.loads((tmp_path / "r.json").read_text())["x"])
