"""`nl2logql eval` end to end with a scripted model: both NL2QL suites, LogEval wiring,
resume, compare, and the one-line errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from nl2logql.cli import main
from nl2logql.datasets import all_pairs, load_split
from nl2logql.evaluation import runner
from nl2logql.evaluation.logeval import choice_grammar
from nl2logql.generation.contracts import Completion
from nl2logql.generation.models import Model
from nl2logql.generation.prompt import QUESTION_MARKER

PNG = b"\x89PNG"


class OracleModel(Model):
    """Answers each question with its gold query, except the questions in ``wrong``
    (answered with the given text); LogEval prompts get ``logeval_answer``."""

    name = "oracle"

    def __init__(self, wrong: dict[str, str] | None = None, logeval_answer: str = "normal"):
        self.golds = {" ".join(p.question.split()): p.logql for p in all_pairs().values()}
        self.wrong = wrong or {}
        self.logeval_answer = logeval_answer
        self.calls = 0
        self.grammars: list[str | None] = []

    def complete(self, prompt, **options):
        self.calls += 1
        if QUESTION_MARKER not in prompt:
            self.grammars.append(options.get("grammar"))
            return [Completion(self.logeval_answer)]
        question = prompt.rsplit(QUESTION_MARKER, 1)[1].split("\n", 1)[0].strip()
        for item_id, text in self.wrong.items():
            if all_pairs()[item_id].question.split() == question.split():
                return [text if isinstance(text, Completion) else Completion(text)]
        return [Completion(" ".join(self.golds[question].split()))]


class NoModel(Model):
    def complete(self, prompt, **options):
        raise AssertionError("a fully cached run must not call the model")


@pytest.fixture
def use_model(monkeypatch):
    def install(model):
        monkeypatch.setattr(runner, "open_model", lambda resolved: model)
        return model
    return install


def invoke(*args):
    result = CliRunner().invoke(main, ["eval", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def items_of(folder, key):
    return {r["id"]: r for r in json.loads((folder / "results.json").read_text())["suites"][key]["items"]}


def test_both_suites_run_report_plot_and_resume(tmp_path, use_model):
    out = tmp_path / "run"
    wrong_id = runner.select(load_split("random").exec_test, 5, seed=0)[0].id
    model = use_model(OracleModel(wrong={wrong_id: '{application="openssh"} |= "nothing like this"'}))
    result = invoke("exec", "--limit", "5", "--out", str(out), "--adapter", "none", "--no-progress")
    assert result.exit_code == 0, result.output
    assert "NL2QL-exec: execution 0.800 over 5 informative items" in result.output
    assert model.calls == 5
    # (no checks here: they take one stream's `avg(avg_over_time(…))`, NL2QL's way, bare)
    result = invoke("nl2ql", "--split", "unseen-template", "--limit", "5", "--seed", "3", "--out", str(out),
                    "--adapter", "none", "--no-progress", "--checks", "none")
    assert result.exit_code == 0, result.output

    data = json.loads((out / "results.json").read_text())
    assert list(data["suites"]) == ["exec", "nl2ql-unseen-template"]
    assert data["run"]["versions"]["nl2logql"] and "git_commit" in data["run"]
    exec_suite = data["suites"]["exec"]
    assert exec_suite["summary"]["exec_informative"] == pytest.approx(0.8)
    assert exec_suite["model"]["adapter_source"] == "none" and exec_suite["model"]["name"] == "oracle"
    item = exec_suite["items"][0]
    assert item["id"] == wrong_id and item["verdicts"]["exec"] == 0.0
    assert {"question", "gold", "prediction", "verdicts", "timings", "features", "system"} <= set(item)
    assert set(exec_suite["by_system_kind"]) and set(exec_suite["by_feature"])
    nl2ql_suite = data["suites"]["nl2ql-unseen-template"]
    assert len(nl2ql_suite["items"]) == 5 and nl2ql_suite["split"] == "unseen-template"
    assert nl2ql_suite["summary"]["exact"] == 1.0  # the oracle answers every scorable gold

    report = (out / "report.md").read_text()
    for heading in ("## Headline: NL2QL-exec", "## NL2QL (unseen-template split)", "by system × kind",
                    "by LogQL feature", "beside the published NL2QL numbers", "GPT-4o fine-tuned",
                    "informative (gold returns data)", "all scorable items"):
        assert heading in report, heading
    for name in ("exec-system-kind.png", "exec-features.png", "nl2ql-unseen-template-features.png",
                 "nl2ql-published.png"):
        assert (out / name).read_bytes().startswith(PNG), name

    # Resume: everything cached, so the model is never called and the results are the same.
    use_model(NoModel())
    again = invoke("exec", "--limit", "5", "--out", str(out), "--adapter", "none", "--no-progress")
    assert again.exit_code == 0 and "execution 0.800" in again.output


def test_the_validation_side_is_scored_apart_from_the_test_side(tmp_path, use_model):
    out = tmp_path / "run"
    model = use_model(OracleModel())
    # no checks: they rightly rewrite a few NL2QL golds (a 30-day count / 24 "per hour")
    result = invoke("nl2ql", "--split", "unseen-template", "--side", "validation", "--out", str(out),
                    "--adapter", "none", "--checks", "none", "--no-progress", "--no-plots")
    assert result.exit_code == 0, result.output
    assert "NL2QL (unseen-template split, validation side): execution 1.000" in result.output
    suite = json.loads((out / "results.json").read_text())["suites"]["nl2ql-unseen-template-validation"]
    split = load_split("unseen-template")
    assert {r["id"] for r in suite["items"]} == {p.id for p in split.validation}
    assert not {r["id"] for r in suite["items"]} & {p.id for p in split.test + split.train}
    assert suite["side"] == "validation" and model.calls == len(split.validation)
    assert f"{len(split.validation)} validation items" in (out / "report.md").read_text()
    wrong = invoke("exec", "--side", "validation", "--split", "random", "--adapter", "none",
                   "--out", str(tmp_path / "no"), "--no-progress")
    assert wrong.exit_code == 1 and "only under a leave-out split" in wrong.output
    assert "Traceback" not in wrong.output
    # Under a leave-out split: the held-out system's NL2QL-exec train items.
    held_out = invoke("exec", "--split", "leave-out-hdfs", "--side", "validation", "--limit", "3",
                      "--adapter", "none", "--out", str(out), "--no-progress", "--no-plots")
    assert held_out.exit_code == 0, held_out.output
    suite = json.loads((out / "results.json").read_text())["suites"]["exec-validation"]
    assert {r["system"] for r in suite["items"]} == {"HDFS"} and suite["side"] == "validation"


def test_a_replay_plays_the_recorded_answers_back_through_the_checks(tmp_path, use_model):
    items = runner.select(load_split("random").exec_test, 5, seed=0)
    kept = 'sum(count_over_time({application="openssh"} [1h]))'
    use_model(OracleModel(wrong={
        items[0].id: '{application="openssh"} |= "Failed pasword"',  # the checks repair it
        items[1].id: Completion(kept + " / (", finished=False, complete_prefixes=[kept]),
        items[2].id: Completion("sum(count_over_time(", finished=False),
    }))
    recorded = tmp_path / "recorded"
    assert invoke("exec", "--limit", "5", "--out", str(recorded), "--adapter", "none",
                  "--no-progress", "--no-plots").exit_code == 0
    use_model(NoModel())  # a replay never loads the model

    def replay(out, *options):
        result = invoke("exec", "--limit", "5", "--replay", str(recorded / "results.json"),
                        "--out", str(tmp_path / out), "--no-progress", "--no-plots", *options)
        assert result.exit_code == 0, result.output
        return items_of(tmp_path / out, "exec")

    same, before = replay("same"), items_of(recorded, "exec")
    for item_id, record in before.items():
        for field in ("prediction", "verdicts", "candidates", "warnings", "repairs", "message"):
            assert same[item_id][field] == record[field], (item_id, field)
    assert before[items[0].id]["repairs"] and before[items[1].id]["message"]
    unchecked = replay("unchecked", "--checks", "none")
    assert unchecked[items[0].id]["prediction"] == '{application="openssh"} |= "Failed pasword"'
    results = json.loads((tmp_path / "same" / "results.json").read_text())
    settings = results["suites"]["exec"]["settings"]
    assert settings["replayed_from"] == str(recorded / "results.json")
    assert "played back from" in (tmp_path / "same" / "report.md").read_text()
    refused = invoke("exec", "--replay", str(recorded / "results.json"), "-n", "2",
                     "--out", str(tmp_path / "no"))
    assert refused.exit_code == 2 and "--replay plays back the recorded answers" in refused.output
    missing = invoke("nl2ql", "--replay", str(recorded / "results.json"),
                     "--out", str(tmp_path / "no"))
    assert missing.exit_code == 1
    assert "holds no 'nl2ql-random' run (it holds: exec)" in missing.output


def test_a_stopped_run_continues_where_it_stopped(tmp_path, use_model):
    out = tmp_path / "run"
    use_model(OracleModel())
    assert invoke("exec", "--limit", "3", "--out", str(out), "--adapter", "none", "--no-progress").exit_code == 0
    cache = out / "cache" / "exec.jsonl"
    lines = cache.read_text().splitlines()
    cache.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][:20])  # the last item half written
    model = use_model(OracleModel())
    result = invoke("exec", "--limit", "3", "--out", str(out), "--adapter", "none", "--no-progress")
    assert result.exit_code == 0 and model.calls == 1


def test_other_settings_in_the_same_folder_are_refused(tmp_path, use_model):
    out = tmp_path / "run"
    use_model(OracleModel())
    invoke("exec", "--limit", "2", "--out", str(out), "--adapter", "none", "--no-progress")
    result = invoke("exec", "--limit", "2", "-k", "2", "--out", str(out), "--adapter", "none", "--no-progress")
    assert result.exit_code == 1
    assert "other settings (k)" in result.output and len(result.output.strip().splitlines()) == 1


def test_logeval_is_wired_into_results_report_and_plots(tmp_path, use_model):
    out = tmp_path / "run"
    model = use_model(OracleModel(logeval_answer="abnormal"))
    result = invoke("logeval", "--limit", "2", "--tasks", "anomaly_detection,summarization",
                    "--prompt-sets", "zero-shot,few-shot", "--out", str(out), "--adapter", "none",
                    "--no-progress")
    assert result.exit_code == 0, result.output
    assert "(label-constrained" in result.output
    suite = json.loads((out / "results.json").read_text())["suites"]["logeval"]
    assert len(suite["items"]) == 8
    assert set(suite["summary"]) == {"anomaly_detection/zero-shot", "anomaly_detection/few-shot",
                                     "summarization/zero-shot", "summarization/few-shot"}
    anomaly = [r for r in suite["items"] if r["task"] == "anomaly_detection"]
    assert all(r["answer"] == "abnormal" for r in anomaly)
    # Free answers first (no grammar), then the closed-set items again under their labels' grammar.
    assert model.grammars[:8] == [None] * 8
    assert model.grammars[8:] == [choice_grammar(["normal", "abnormal"])] * 4
    assert all(r["label_constrained"]["answer"] == "abnormal" for r in anomaly)
    assert not any("label_constrained" in r for r in suite["items"] if r["task"] == "summarization")
    assert set(suite["summary_label_constrained"]) == {"anomaly_detection/zero-shot",
                                                       "anomaly_detection/few-shot"}
    report = (out / "report.md").read_text()
    assert "## LogEval" in report and "ours, label-constrained" in report
    assert (out / "logeval.png").read_bytes().startswith(PNG)
    # Both passes are cached: a rerun asks nothing.
    use_model(NoModel())
    assert invoke("logeval", "--limit", "2", "--tasks", "anomaly_detection,summarization",
                  "--prompt-sets", "zero-shot,few-shot", "--out", str(out), "--adapter", "none",
                  "--no-progress").exit_code == 0


def test_compare_prints_differences_and_plots(tmp_path, use_model):
    a, b = tmp_path / "a", tmp_path / "b"
    use_model(OracleModel())
    invoke("exec", "--limit", "3", "--out", str(a), "--adapter", "none", "--no-progress")
    first = next(iter(items_of(a, "exec")))
    use_model(OracleModel(wrong={first: '{application="hdfs"}'}))
    invoke("exec", "--limit", "3", "--out", str(b), "--adapter", "none", "--no-progress")
    result = invoke("compare", str(a), str(b), "--plot", str(tmp_path / "runs.png"))
    assert result.exit_code == 0, result.output
    assert "exec_informative" in result.output and "-0.333" in result.output
    assert f"worse:  {first}" in result.output
    assert (tmp_path / "runs.png").read_bytes().startswith(PNG)


@pytest.mark.parametrize("setup, message", [
    (lambda d: None, "no results.json here"),
    (lambda d: (d / "results.json").write_text("{not json"), "not valid JSON (line 1"),
    (lambda d: (d / "results.json").write_text('{"suites": []}'), "not an nl2logql eval results file"),
    (lambda d: (d / "results.json").write_text(
        '{"format": "nl2logql-eval/1", "suites": {"exec": {"suite": "exec"}}}'), "suite 'exec' is malformed"),
])
def test_a_malformed_results_folder_is_a_one_line_error(tmp_path, setup, message):
    folder = tmp_path / "bad"
    folder.mkdir()
    setup(folder)
    for args in (["compare", str(folder), str(folder)], ["report", str(folder)]):
        result = invoke(*args)
        assert result.exit_code == 1 and message in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1


def test_an_unknown_suite_is_a_one_line_error():
    result = invoke("nl2sql", "--limit", "5")
    assert result.exit_code == 1
    assert result.output.strip() == ("unknown suite 'nl2sql' (suites: nl2ql, exec, logeval; "
                                     "other commands: compare, report)")


def test_an_adapter_of_another_split_is_refused_before_any_work(tmp_path, use_model):
    from test_evaluation import fake_adapter

    use_model(NoModel())
    adapter = fake_adapter(tmp_path / "random-adapter", "random")
    result = invoke("nl2ql", "--split", "unseen-template", "--adapter", str(adapter),
                    "--out", str(tmp_path / "run"), "--no-progress")
    assert result.exit_code == 1
    assert "trained on split 'random'" in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "run").exists()


class StopsAfter(OracleModel):
    def __init__(self, answers: int):
        super().__init__()
        self.answers = answers

    def complete(self, prompt, **options):
        if self.calls == self.answers:
            raise KeyboardInterrupt
        return super().complete(prompt, **options)


def test_ctrl_c_keeps_the_predictions_made_and_says_how_to_resume(tmp_path, use_model):
    out = tmp_path / "run"
    use_model(StopsAfter(2))
    result = invoke("exec", "--limit", "4", "--out", str(out), "--adapter", "none", "--no-progress")
    assert result.exit_code == 130
    assert "interrupted: 2 of 4 predictions are cached" in result.output
    assert len(result.output.strip().splitlines()) == 1 and not (out / "results.json").exists()
    model = use_model(OracleModel())
    assert invoke("exec", "--limit", "4", "--out", str(out), "--adapter", "none", "--no-progress").exit_code == 0
    assert model.calls == 2
