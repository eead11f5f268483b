#!/usr/bin/env python
"""Score the assistant on an unseen-systems devset (logs of systems it never saw).

It asks the 30 questions of ``data/devsets/<set>.jsonl`` (``unseen-systems``: Apache,
Zookeeper, Linux; ``-2``: Hadoop, HealthApp, Proxifier; ``-3``: Spark, Mac, BGL; ``-4``:
Windows, Thunderbird, Android; ``-5``: HPC, BGL, Android; ``-6``: composition over nine of
them) and scores its queries against the answers computed from
the Loghub structured CSVs (``scripts/make_unseen_devset.py``).

For each system the raw ``<System>_2k.log`` is loaded as ``nl2logql generate --logs FILE
--label application=NAME`` loads it (``load_paths``, timestamps detected), and its first
and last times are checked against the CSV's. The assistant is the default model with the
shipped adapter, as ``generate`` builds it (``--checks`` picks the check mode). Each
answer is run as the devset's time reference says:

- metric questions: instant query at the newest line's time + 1 s; correct when the
  returned values (sorted multiset; labels ignored) equal the expected ones within 1e-6
  relative;
- log questions: range query over [oldest line, newest line + 1 s), at most 5,000 lines;
  scored by the F1 of the returned lines against the expected ones (multisets of line
  contents, trailing whitespace ignored); correct when F1 = 1.

A query of the other kind than the question's is wrong (F1 0). Prints a table per system
(execution accuracy, valid, mean log F1, p50 latency of ``Assistant.ask``) and writes
``results.json`` and ``report.md`` to ``--out``.

Usage: python scripts/eval_unseen_devset.py [--set NAME] [--checks none|rank|repair] [--out DIR]
       [--limit N] [--devset FILE] [--loghub DIR] [--adapter DIR|NAME] [--patterns N]

``--adapter`` and ``--patterns`` measure what earlier work gave: e.g. the adapter of the
commit before the patterns issue, with no patterns in the prompt.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_unseen_devset as devset  # noqa: E402  (the CSV side: times, rows)
from nl2logql.paths import loghub_root  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEVSET = devset.OUT
SECOND = devset.SECOND
LOG_LIMIT = 5000       # log questions: every line the query returns (the files have 2,000)
RUN_TIMEOUT = 30.0     # seconds for one query on the store
REL_TOL = 1e-6


# -- the devset and the stores ----------------------------------------------------------------

def load_devset(path: Path = DEVSET) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def open_store(loghub: Path, record: dict):
    """The system's raw log, loaded as ``generate --logs FILE --label application=APP``."""
    from nl2logql.engine.loaders import load_paths

    return load_paths([str(loghub / record["file"])], {"application": record["application"]})


def _month_day_time(ns: int) -> tuple:
    moment = datetime.fromtimestamp(ns // SECOND, timezone.utc)
    return moment.month, moment.day, moment.hour, moment.minute, moment.second, ns % SECOND


def alignment(store, loghub: Path, system: str) -> dict:
    """The store's oldest and newest times against the CSV's (month, day and time when the
    log has no year): the devset's time reference is the CSV's newest line + 1 s."""
    spec = devset.SYSTEMS[system]
    rows, _ = devset.read_rows(loghub, system)
    times = [spec.time(r) for r in rows]
    csv_first, csv_last = min(times), max(times)
    if spec.yearless:
        agrees = (_month_day_time(store.start) == _month_day_time(csv_first)
                  and _month_day_time(store.end) == _month_day_time(csv_last))
    else:
        agrees = (store.start, store.end) == (csv_first, csv_last)
    return {"store_first": devset._iso(store.start), "store_last": devset._iso(store.end),
            "csv_first": spec.shown(csv_first), "csv_last": spec.shown(csv_last),
            "entries": len(store), "agrees": agrees}


def run_query(store, query: str, kind: str) -> dict:
    """The query's result at the devset's time reference (see the module docstring)."""
    from nl2logql.engine.backend import with_timeout

    end = store.end + SECOND  # newest line + 1 s (= store.default_time())
    if kind == "metric":
        return with_timeout(lambda: store.query(query, time=end), RUN_TIMEOUT)
    return with_timeout(lambda: store.query_range(query, start=store.start, end=end,
                                                  limit=LOG_LIMIT), RUN_TIMEOUT)


# -- scoring ------------------------------------------------------------------------------------

def metric_values(data: dict) -> list[float] | None:
    """The values of an instant query's result (None: not a metric result)."""
    kind = data.get("resultType")
    if kind == "vector":
        return [float(item["value"][1]) for item in data["result"]]
    if kind == "scalar":
        return [float(data["result"][1])]
    if kind == "matrix":  # not from an instant query; the last point of each series
        return [float(item["values"][-1][1]) for item in data["result"] if item["values"]]
    return None


def log_lines(data: dict) -> list[str] | None:
    if data.get("resultType") != "streams":
        return None
    return [line for stream in data["result"] for _, line in stream["values"]]


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)


def score(record: dict, data: dict | None) -> dict:
    """``correct`` (and for log questions ``f1``, ``precision``, ``recall``) of a result."""
    if record["kind"] == "metric":
        expected = sorted(float(s["value"]) for s in record["answer"]["series"])
        got = metric_values(data) if data is not None else None
        correct = (got is not None and len(got) == len(expected)
                   and all(_close(a, b) for a, b in zip(sorted(got), expected)))
        return {"correct": correct, "got": None if got is None else sorted(got)[:20],
                "expected": expected}
    expected = Counter(line.rstrip() for line in record["answer"]["lines"])
    lines = log_lines(data) if data is not None else None
    got = Counter(line.rstrip() for line in lines) if lines is not None else Counter()
    common = sum((expected & got).values())
    precision = common / sum(got.values()) if got else 0.0
    recall = common / sum(expected.values()) if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if common else 0.0
    return {"correct": f1 == 1.0, "f1": f1, "precision": precision, "recall": recall,
            "got_lines": sum(got.values()), "expected_lines": sum(expected.values())}


# -- the run ------------------------------------------------------------------------------------

def summarize(items: list[dict]) -> dict:
    logs = [i["f1"] for i in items if i["kind"] == "log"]
    latencies = [i["latency_s"] for i in items]
    return {
        "n": len(items),
        "exec_accuracy": sum(i["correct"] for i in items) / len(items) if items else 0.0,
        "valid": sum(i["valid"] for i in items) / len(items) if items else 0.0,
        "metric_accuracy": _mean([i["correct"] for i in items if i["kind"] == "metric"]),
        "log_f1": _mean(logs),
        "p50_latency_s": statistics.median(latencies) if latencies else 0.0,
    }


def _mean(values: list) -> float | None:
    return sum(values) / len(values) if values else None


def table(summary: dict) -> str:
    rows = ["| system | n | execution accuracy | valid | metric acc. | log F1 (mean) "
            "| p50 latency |", "|---|---|---|---|---|---|---|"]
    for name, s in summary.items():
        metric = "-" if s["metric_accuracy"] is None else f"{s['metric_accuracy']:.2f}"
        log = "-" if s["log_f1"] is None else f"{s['log_f1']:.2f}"
        rows.append(f"| {name} | {s['n']} | {s['exec_accuracy']:.2f} | {s['valid']:.2f} | "
                    f"{metric} | {log} | {s['p50_latency_s']:.2f} s |")
    return "\n".join(rows)


def report(results: dict) -> str:
    lines = [
        "# Unseen systems: " + ", ".join(name for name in results["summary"] if name != "all"),
        "",
        f"Devset `{results['devset']}` ({results['questions']} questions; answers computed "
        "from the Loghub structured CSVs). Model: "
        f"`{results['model']}`, checks `{results['checks']}`"
        + ("" if results.get("patterns") is None else f", {results['patterns']} log patterns in the prompt")
        + ". Metric questions run as an "
        "instant query at the newest line + 1 s (correct: the sorted values equal the "
        "expected within 1e-6 relative); log questions over [oldest line, newest + 1 s) "
        f"(at most {LOG_LIMIT} lines; F1 of the line contents; correct: F1 = 1).",
        "",
        table(results["summary"]),
        "",
        "Store times against the CSV: " + "; ".join(
            f"{name}: {a['store_first']} .. {a['store_last']} "
            f"({'agrees' if a['agrees'] else 'DIFFERS'}: CSV {a['csv_first']} .. "
            f"{a['csv_last']}), {a['entries']} entries"
            for name, a in results["alignment"].items()) + ".",
        "",
        "| id | kind | correct | F1 | got / expected | level | latency | query |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for item in results["items"]:
        f1 = "" if item.get("f1") is None else f"{item['f1']:.2f}"
        query = (item["query"] or f"(none: {item.get('message') or ''})").replace("|", "\\|")
        lines.append(f"| {item['id']} | {item['kind']} | {'yes' if item['correct'] else 'no'} "
                     f"| {f1} | {_got(item)} | {item.get('level') or ''} "
                     f"| {item['latency_s']:.1f} s | `{query}` |")
    return "\n".join(lines) + "\n"


def _got(item: dict) -> str:
    """What the query returned against the answer, briefly: values, or line counts."""
    if item["kind"] == "log":
        return f"{item['got_lines']} / {item['expected_lines']} lines"

    def shown(values):
        text = ", ".join(f"{v:g}" for v in values[:5])
        return f"[{text}{', ...' if len(values) > 5 else ''}]"

    got = "-" if item["got"] is None else shown(item["got"])
    return f"{got} / {shown(item['expected'])}"


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(temporary, 0o644)  # mkstemp makes it private
    os.replace(temporary, path)


def main(argv: list[str]) -> int:
    from nl2logql.verify.findings import CHECK_MODES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", choices=CHECK_MODES, default="repair")
    parser.add_argument("--set", choices=sorted(devset.DEVSETS), default="unseen-systems",
                        help="which devset (default: unseen-systems)")
    parser.add_argument("--out", type=Path, default=None,
                        help="default: eval/results/<set>")
    parser.add_argument("--limit", type=int, default=None,
                        help="at most N questions per system")
    parser.add_argument("--devset", type=Path, default=None,
                        help="a devset file (default: the set's data/devsets/<set>.jsonl)")
    parser.add_argument("--loghub", type=Path, default=None)
    parser.add_argument("--adapter", default=None,
                        help="a LoRA adapter folder or installed name (default: the shipped one)")
    parser.add_argument("--patterns", type=int, default=None,
                        help="log patterns shown in the prompt (default: the pipeline's; 0: none)")
    args = parser.parse_args(argv)
    args.devset = args.devset or devset.devset_path(args.set)
    args.out = args.out or ROOT / "eval" / "results" / args.set
    loghub = args.loghub or loghub_root()
    if loghub is None:
        print("Loghub samples not found: give their folder with --loghub", file=sys.stderr)
        return 2

    from tqdm import tqdm

    from nl2logql.generation.models import load_model
    from nl2logql.generation.pipeline import Assistant

    records = load_devset(args.devset)
    systems: dict[str, list[dict]] = {}
    for record in records:
        systems.setdefault(record["system"], []).append(record)
    if args.limit is not None:
        systems = {name: items[:args.limit] for name, items in systems.items()}
    total = sum(len(items) for items in systems.values())

    clock = time.perf_counter()
    model = load_model(adapter=args.adapter)  # default: Gemma 3 270M + the shipped adapter
    print(f"model {getattr(model, 'name', type(model).__name__)} loaded in "
          f"{time.perf_counter() - clock:.1f} s", file=sys.stderr)
    items, aligned = [], {}
    with tqdm(total=total, desc=f"checks={args.checks}", unit="q") as bar:
        for system, questions in systems.items():
            store = open_store(loghub, questions[0])
            aligned[system] = alignment(store, loghub, system)
            if not aligned[system]["agrees"]:
                tqdm.write(f"warning: {system}: the store's times differ from the CSV's: "
                           f"{aligned[system]}")
            assistant = Assistant(model=model, backend=store, checks=args.checks,
                                  patterns=args.patterns)
            for record in questions:
                bar.set_postfix_str(record["id"])
                started = time.perf_counter()
                answer = assistant.ask(record["question"])
                latency = time.perf_counter() - started
                data, error = None, None
                if answer.valid:
                    try:
                        data = run_query(store, answer.query, answer.kind)
                    except Exception as failure:  # a query that fails to run scores 0
                        error = f"{type(failure).__name__}: {failure}"
                verdict = score(record, data if answer.kind == record["kind"] else None)
                items.append({
                    "id": record["id"], "system": system, "kind": record["kind"],
                    "question": record["question"], "query": answer.query,
                    "query_kind": answer.kind, "valid": answer.valid, "level": answer.level,
                    "message": answer.message, "run_error": error,
                    "warnings": [w.check for w in answer.warnings],
                    "repairs": list(answer.repairs), "latency_s": round(latency, 3),
                    **verdict,
                })
                bar.update(1)

    summary = {name: summarize([i for i in items if i["system"] == name]) for name in systems}
    summary["all"] = summarize(items)
    results = {
        "devset": str(args.devset.relative_to(ROOT) if args.devset.is_relative_to(ROOT)
                      else args.devset),
        "questions": len(items), "checks": args.checks,
        "model": getattr(model, "name", type(model).__name__), "patterns": args.patterns,
        "time_reference": "metric: instant query at newest + 1 s; log: range "
                          "[oldest, newest + 1 s)",
        "alignment": aligned, "summary": summary, "items": items,
    }
    print(table(summary))
    write_atomic(args.out / "results.json", json.dumps(results, indent=2, default=str) + "\n")
    write_atomic(args.out / "report.md", report(results))
    print(f"wrote {args.out / 'results.json'} and {args.out / 'report.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
