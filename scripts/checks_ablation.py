#!/usr/bin/env python
"""Tabulate the answer-checks ablation: NL2QL-exec runs with the same model and adapter and
different ``--checks`` / ``-n`` / ``--resample``, one folder each under FOLDER.

Writes FOLDER/README.md (deterministic: rerunning reproduces it). The runs themselves::

    for mode in none rank repair; do for n in 1 4; do
      nl2logql eval exec --checks $mode -n $n --out FOLDER/$mode-n$n --fresh
    done; done
    nl2logql eval exec --checks repair --resample 3 --out FOLDER/repair-n1-resample3 --fresh

Usage: python scripts/checks_ablation.py FOLDER
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from nl2logql.evaluation.report import fmt, read_results

MODES = {"none": "no checks (likelihood, data returned)", "rank": "ranking by the checks",
         "repair": "ranking + repair"}


def runs(folder: Path) -> list[tuple[str, dict]]:
    found = []
    for path in sorted(folder.iterdir()):
        suites = read_results(path)["suites"] if (path / "results.json").is_file() else {}
        if "exec" in suites:
            found.append((path.name, suites["exec"]))
    order = list(MODES)
    return sorted(found, key=lambda item: (item[1]["settings"]["n"],
                                           item[1]["settings"].get("resample", 0),
                                           order.index(item[1]["settings"].get("checks", "none"))))


def table(found: list[tuple[str, dict]]) -> list[str]:
    lines = ["| run | checks | n | resample | execution | valid | exact | p50 | p90 |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, suite in found:
        settings, s = suite["settings"], suite["summary"]
        lines.append(f"| `{name}` | {MODES[settings.get('checks', 'none')]} | {settings['n']} | "
                     f"{settings.get('resample', 0)} | {fmt(s['exec_informative'])} | "
                     f"{fmt(s['valid'])} | {fmt(s['exact'])} | {s['latency_p50']:.2f} s | "
                     f"{s['latency_p90']:.2f} s |")
    return lines


def precision(found: list[tuple[str, dict]]) -> list[str]:
    lines = []
    for name, suite in found:
        if suite["settings"].get("checks", "none") == "none":
            continue
        checks = suite["checks"]
        lines += [f"### `{name}`", "",
                  "| check | answers warned | of them wrong | precision |", "|---|---|---|---|"]
        lines += [f"| {check} | {w['fired']} | {w['on_wrong']} | {fmt(w['precision'])} |"
                  for check, w in checks["warnings"].items()] or ["| (none) | 0 | 0 | |"]
        levels = ", ".join(f"{level} {v['n']} ({fmt(v['exec'])})"
                           for level, v in checks["levels"].items())
        repaired = checks["repaired"]
        lines += ["", f"Answer levels (items, execution): {levels}. Repaired answers: "
                  f"{repaired['n']} (execution {fmt(repaired['exec'])}).", ""]
    return lines


def silent_empty_filters(suite: dict) -> tuple[int, int]:
    """``(answers with a line filter that matches nothing in its streams and range and no
    warning that says so, answers checked)``, found directly on the store, not by the
    checks. A ``selector`` warning says so too (the streams have no line there at all);
    under ``absent_over_time`` no line is the answer sought, not a fault."""
    from nl2logql.engine.loaders import sample_store
    from nl2logql.logql import ast
    from nl2logql.logql.parser import parse
    from nl2logql.logql.printer import format_ast

    store = sample_store()
    silent = checked = 0
    for item in suite["items"]:
        if not item.get("generated_valid") or not item.get("prediction"):
            continue
        expr, checked = parse(item["prediction"]), checked + 1
        absent = {r.range for r in expr.find_all(ast.RangeAggregation)
                  if r.op == "absent_over_time"}
        ranges = ([(expr, 30 * 86400 * 10**9 + 10**9, 0)] if isinstance(expr, ast.LogQuery)
                  else [(r.query, r.range, r.offset) for r in expr.find_all(ast.LogRange)
                        if r not in absent])
        empty = False
        for query, length, offset in ranges:
            for stage in query.stages:
                if isinstance(stage, ast.LineFilter) and stage.op in ("|=", "|~"):
                    for term in stage.terms:
                        probe = ast.LogRange(ast.LogQuery(query.selector, (stage.replace(terms=(term,)),)),
                                             length, offset)
                        text = format_ast(ast.VectorAggregation(
                            "sum", ast.RangeAggregation("count_over_time", probe)))
                        empty |= not store.query(text)["result"]
        warned = any(w["check"] in ("line_filter", "selector") for w in item.get("warnings") or [])
        silent += empty and not warned
    return silent, checked


def render(folder: Path) -> str:
    found = runs(folder)
    model = found[0][1]["model"] if found else {}
    lines = ["# Answer checks: ablation on NL2QL-exec's test side", "",
             f"Same model and adapter in every run ({model.get('name')}, adapter "
             f"`{Path(model.get('adapter') or 'none').name}`), the sample store, k = 4. "
             "Execution is over the informative items; p50/p90 are seconds per question on "
             "the 2-core CPU machine. Written by `scripts/checks_ablation.py`; the commands "
             "are in its docstring.", ""]
    lines += table(found) + [""]
    for name, suite in found:
        if suite["settings"].get("checks", "none") != "none":
            silent, checked = silent_empty_filters(suite)
            lines.append(f"- `{name}`: {silent} of {checked} returned answers have a line filter "
                         "that matches no line of their streams in their range without a "
                         "warning that says so (checked on the store directly).")
    lines.append("")
    lines += ["## How often each warning was on a wrong answer", "",
              "A warning's precision is the share of the returned answers carrying it that "
              "were wrong (execution below 1).", ""]
    lines += precision(found)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    folder = parser.parse_args(argv).folder
    text = render(folder)
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".README.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(temp, 0o644)
    os.replace(temp, folder / "README.md")
    print(f"wrote {folder / 'README.md'} ({len(runs(folder))} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
