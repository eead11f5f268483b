"""Regenerate tests/fixtures/nl2ql_verdicts.json: our parser's verdict on every NL2QL gold query.

Each entry records what ``nl2logql.logql.parser.parse`` says (valid, error class, line,
column, message) next to what real Loki said (``loki_error``, from the recorded run of the
gold queries against Loki) and a short human ``why`` for the invalid ones.

    python scripts/make_nl2ql_verdicts.py [path/to/nl2ql_on_sample_store.loki.json]

The Loki recording defaults to tests/fixtures/, else ../shared/data/conformance/.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from nl2logql.errors import QueryError
from nl2logql.logql.parser import parse

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "data" / "nl2ql" / "nl2ql.jsonl"
OUTPUT = ROOT / "tests" / "fixtures" / "nl2ql_verdicts.json"
LOKI_RECORDINGS = [ROOT / "tests" / "fixtures" / "nl2ql_on_sample_store.loki.json",
                   ROOT.parent / "shared" / "data" / "conformance" / "nl2ql_on_sample_store.loki.json"]

# Loki's error text → why a person would say the query is wrong (first match wins).
WHY = [
    ("invalid char escape", "invalid char escape in string (e.g. \\[ or \\d inside \"...\")"),
    ("at least one named capture", "regexp without named capture (an unescaped \" cut the pattern short)"),
    ("error parsing regexp", "RE2 rejects regexp (an unescaped \" cut the pattern short)"),
    ("unexpected SUM", "two queries concatenated"),
    ("vector aggregation", "vector aggregation of a log query"),
]


def why(loki_error: str) -> str:
    for needle, reason in WHY:
        if needle in loki_error:
            return reason
    return "other: " + loki_error


def verdict(entry: dict, loki_error: str | None) -> dict:
    result = {"id": entry["id"], "valid": True, "error_class": None, "line": None,
              "column": None, "message": None, "loki_error": loki_error, "why": None}
    try:
        parse(entry["logql"])
    except QueryError as error:
        result.update(valid=False, error_class="syntax" if error.kind == "syntax error" else "semantic",
                      line=error.line, column=error.column, message=error.message)
    if loki_error:
        result["why"] = why(loki_error)
    return result


def main(argv: list[str]) -> None:
    recording = Path(argv[1]) if len(argv) > 1 else next(p for p in LOKI_RECORDINGS if p.exists())
    loki_errors = {e["id"]: e.get("loki_parse_error") for e in json.loads(recording.read_text())}
    entries = [json.loads(line) for line in DATASET.read_text().splitlines() if line.strip()]
    verdicts = [verdict(e, loki_errors.get(e["id"])) for e in entries]
    # One entry a line: diffs show which verdicts changed.
    lines = (json.dumps(v, ensure_ascii=False) for v in verdicts)
    OUTPUT.write_text("[\n" + ",\n".join(lines) + "\n]\n")
    invalid = sum(not v["valid"] for v in verdicts)
    disagree = [v["id"] for v in verdicts if v["valid"] != (v["loki_error"] is None)]
    print(f"{len(verdicts)} queries, {invalid} invalid, {len(disagree)} disagree with Loki {disagree}")


if __name__ == "__main__":
    main(sys.argv)
