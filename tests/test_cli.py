"""The nl2logql command line (click's CliRunner; no subprocesses)."""

from __future__ import annotations

import importlib.util
import json

import pytest
from click.testing import CliRunner

from nl2logql import __version__
from nl2logql.cli import main

VALID = 'sum by (host) (count_over_time({app="api"} |= "error" [5m]))'
INVALID = '{app="api" |= "x"'


def has_printer() -> bool:
    return importlib.util.find_spec("nl2logql.logql.printer") is not None


needs_printer = pytest.mark.skipif(not has_printer(), reason="nl2logql.logql.printer not written yet")


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


# ---- validate ----------------------------------------------------------------------------

def test_validate_a_valid_query():
    result = run("validate", VALID)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok  metric  sum")
    assert run("validate", '{app="api"}').stdout.startswith("ok  log  {app=")


def test_validate_an_invalid_query_shows_the_caret():
    result = run("validate", INVALID)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("syntax error at line 1, column 12:")
    assert lines[1] == INVALID
    assert lines[2] == " " * 11 + "^^"
    assert "Traceback" not in result.output


def test_validate_json_shape():
    ok = json.loads(run("validate", "--json", VALID).stdout)
    assert ok == {"line": None, "query": VALID, "valid": True, "kind": "metric",
                  "formatted": ok["formatted"], "error": None}
    bad = json.loads(run("validate", "--json", INVALID).stdout)
    assert bad["valid"] is False and bad["kind"] is None
    assert bad["error"]["kind"] == "syntax error"
    assert bad["error"]["column"] == 12 and bad["error"]["offending"] == "|="


def test_validate_plain_file(tmp_path):
    path = tmp_path / "queries.txt"
    path.write_text(f"# a comment\n\n{VALID}\n{INVALID}\n{{app=\"web\"}}\n")
    result = run("validate", "-f", str(path))
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    assert out[0].startswith("ok  metric  ")
    assert out[1].startswith(f"{path}:4: syntax error at line 1, column 12")
    assert out[2] == INVALID
    assert out[-1].startswith("ok  log  ")
    assert result.stderr.strip() == "2 valid, 1 invalid"


def test_validate_jsonl_file(tmp_path):
    path = tmp_path / "gold.jsonl"
    records = [{"id": 1, "logql": VALID}, {"id": 2, "logql": "sum(\n  rate({app=\"x\"}[5m])\n)"},
               {"id": 3, "logql": INVALID}]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = run("validate", "-f", str(path), "--json")
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3]
    assert [r["valid"] for r in rows] == [True, True, False]
    assert rows[1]["query"] == records[1]["logql"]
    assert rows[2]["error"]["message"].startswith("unexpected")
    assert result.stderr.strip() == "2 valid, 1 invalid"


def test_jsonl_is_detected_by_content_not_by_a_leading_brace(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_text(json.dumps({"logql": VALID}) + "\n" + '{app="api"} |= "x"\n')
    result = run("validate", "-f", str(path))
    assert result.exit_code == 0, result.output
    assert [line.split("  ")[1] for line in result.stdout.splitlines()] == ["metric", "log"]


def test_a_jsonl_line_without_logql_is_invalid(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"question": "no query here"}\n')
    result = run("validate", "-f", str(path))
    assert result.exit_code == 1
    assert f"{path}:1: " in result.stdout and "logql" in result.stdout


def test_all_valid_file_exits_zero(tmp_path):
    path = tmp_path / "ok.txt"
    path.write_text(f"{VALID}\n")
    result = run("validate", "-f", str(path))
    assert result.exit_code == 0
    assert result.stderr.strip() == "1 valid, 0 invalid"


def test_missing_file_is_one_line_and_exit_2(tmp_path):
    missing = tmp_path / "nope.txt"
    result = run("validate", "-f", str(missing))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"cannot read {missing}: No such file or directory"]
    assert "Traceback" not in result.output


def test_validate_needs_a_query_or_a_file():
    assert run("validate").exit_code == 2
    assert run("validate", VALID, "-f", "x.txt").exit_code == 2


def test_validate_reads_stdin_with_dash():
    result = run("validate", "-f", "-", input=f"{VALID}\n")
    assert result.exit_code == 0 and result.stdout.startswith("ok  metric")


# ---- format ------------------------------------------------------------------------------

@needs_printer
def test_format_prints_canonical_text():
    from nl2logql.logql.printer import format as format_query
    from nl2logql.logql.printer import pretty

    messy = 'sum(count_over_time({app="api"}|="error"[5m]))by(host)'
    result = run("format", messy)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == format_query(messy)
    assert run("format", "--pretty", messy).stdout.strip() == pretty(messy).strip()


def test_format_invalid_query_is_a_caret_message():
    result = run("format", INVALID)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:3] == [INVALID, " " * 11 + "^^"]
    assert "Traceback" not in result.output


# ---- explain -----------------------------------------------------------------------------

def test_explain_text():
    result = run("explain", VALID)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == '1. Select log streams where app is "api"'
    assert any(line.startswith("4. Sum by host") for line in lines)


def test_explain_json_shape():
    result = run("explain", "--json", VALID)
    payload = json.loads(result.stdout)
    assert payload["query"] == VALID and payload["kind"] == "metric"
    assert [s["kind"] for s in payload["steps"]] == ["selector", "filter", "range", "aggregation"]
    assert set(payload["steps"][0]) == {"text", "fragment", "kind"}


def test_explain_semantic_error_exit_1():
    result = run("explain", '{app=~".*"}')
    assert result.exit_code == 1
    assert result.stderr.startswith("semantic error at line 1, column 1")
    assert "Traceback" not in result.output


# ---- the group ---------------------------------------------------------------------------

def test_version():
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.stdout


@pytest.mark.parametrize("command", [[], ["validate"], ["format"], ["explain"]])
def test_help_shows_an_example(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout and "nl2logql " in result.stdout
