"""`nl2logql query`: data sources, time options, outputs and one-line errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from nl2logql.cli import main

FAILED = 'sum(count_over_time({application="openssh"} |= "Failed password" [30d]))'


def run(*args, env=None):
    result = CliRunner().invoke(main, ["query", *args], env=env)
    assert "Traceback" not in result.output
    return result


def failed_password_count() -> int:
    from nl2logql.engine.loaders import data_dir
    import csv

    with open(data_dir() / "OpenSSH_2k.log_structured.csv", encoding="utf-8") as f:
        return sum("Failed password" in row["Content"] for row in csv.DictReader(f))


def test_metric_query_on_the_sample_store_prints_loki_json():
    result = run(FAILED, "--output", "json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["status"] == "success"
    assert body["data"]["resultType"] == "vector"
    [sample] = body["data"]["result"]
    assert sample["value"] == [1735689601, str(failed_password_count())]


def test_log_query_table_has_time_labels_line_and_a_count():
    result = run('{application="openssh-eu-west"} |= "Failed password"', "--limit", "3")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("20") and 'application="openssh-eu-west"' in lines[0]
    assert "Failed password" in lines[0]
    assert lines[-1] == "(3 lines in 1 streams)"


def test_raw_output_prints_lines_only_and_forward_reverses_order():
    newest = run('{application="openssh"} |= "Failed password"', "-o", "raw", "--limit", "1")
    oldest = run('{application="openssh"} |= "Failed password"', "-o", "raw", "--limit", "1",
                 "--forward")
    assert newest.exit_code == oldest.exit_code == 0
    assert newest.output != oldest.output
    assert newest.output.startswith("Failed password")


def test_since_is_relative_to_the_store_clock():
    everything = json.loads(run(FAILED, "-o", "json").output)["data"]["result"]
    last_hour = run('sum(count_over_time({application="openssh"} |= "Failed password" [1h]))',
                    "-o", "json")
    assert last_hour.exit_code == 0
    assert float(json.loads(last_hour.output)["data"]["result"][0]["value"][1]) < float(
        everything[0]["value"][1])


def test_range_query_with_step_returns_a_matrix():
    result = run('sum(count_over_time({application="hdfs"}[1h]))', "--since", "3h", "--step", "1h",
                 "-o", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)["data"]
    assert data["resultType"] == "matrix"
    assert len(data["result"][0]["values"]) >= 3


def test_user_log_files_with_labels(tmp_path):
    log = tmp_path / "api.log"
    log.write_text("2025-01-01T00:00:00Z level=error msg=boom\n"
                   "2025-01-01T00:00:01Z level=info msg=ok\n")
    result = run('{app="api"} | logfmt | level="error"', "--logs", str(log), "--label", "app=api",
                 "-o", "raw")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "2025-01-01T00:00:00Z level=error msg=boom"


def test_trace_shows_where_lines_went():
    result = CliRunner().invoke(
        main, ["query", '{application="openssh"} |= "Failed password" |= "no such text"', "--trace"])
    assert result.exit_code == 0, result.output
    assert "lines left after each stage" in result.stderr
    assert "no such text" in result.stderr


@pytest.mark.parametrize("args, message", [
    (['{application="openssh"'], "syntax error at line 1, column 23"),
    ([FAILED, "--since", "5x"], "--since"),
    ([FAILED, "--step", "0s"], "--step must be a positive duration"),
    ([FAILED, "--start", "yesterday-ish"], "--start"),
    ([FAILED, "--sample", "--logs", "x.log"], "choose one data source"),
    ([FAILED, "--label", "app=api"], "--label and --time-format describe --logs files"),
    ([FAILED, "--logs", "/nonexistent/*.log"], "/nonexistent"),
])
def test_bad_input_is_one_clear_message(args, message):
    result = run(*args)
    assert result.exit_code != 0
    assert message in result.output


def test_loki_source_forwards_the_query(fake_loki):
    result = run('{job="api"} |= "error"', "--loki", fake_loki.url, "--org-id", "team-a",
                 "-o", "json")
    assert result.exit_code == 0, result.output
    assert fake_loki.last.path.endswith("/query_range")
    assert fake_loki.last.param("query") == '{job="api"} |= "error"'
    assert fake_loki.last.headers.get("X-Scope-OrgID") == "team-a"


def test_unreachable_loki_is_one_line():
    result = run('{job="api"}', "--loki", "http://127.0.0.1:9")
    assert result.exit_code == 1
    assert "cannot reach Loki" in result.output
    assert len(result.output.strip().splitlines()) == 1
