"""Agreement with real Loki's parser on its own test cases (valid / invalid verdict).

The case file is derived from Loki (AGPL-3.0), so it is never copied into this project:
it is read from the shared data folder when present, and the test skips otherwise.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from nl2logql.logql.parser import validate

ROOT = Path(__file__).resolve().parent.parent
CANDIDATES = [Path(os.environ["LOKI_CONFORMANCE_DIR"])] if os.environ.get("LOKI_CONFORMANCE_DIR") else []
CANDIDATES += [Path("/work/shared/data/conformance"), ROOT.parent / "shared" / "data" / "conformance",
               ROOT / "shared" / "data" / "conformance"]
CASES = next((d / "loki_parser_cases.json" for d in CANDIDATES if (d / "loki_parser_cases.json").exists()),
             None)


@pytest.mark.skipif(CASES is None, reason="loki_parser_cases.json not available (shared data)")
def test_verdicts_agree_with_loki():
    cases = json.loads(CASES.read_text())
    disagreements = []
    for case in cases:
        error = validate(case["query"])
        if (error is None) != case["valid"]:
            disagreements.append((case["query"], case["valid"], error and str(error)))
    agreed = len(cases) - len(disagreements)
    print(f"\nLoki parser conformance: {agreed}/{len(cases)} verdicts agree")
    assert not disagreements, "\n".join(f"{q!r}: loki valid={v}, ours: {e}" for q, v, e in disagreements)
