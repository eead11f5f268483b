"""Choose how many log patterns the prompt shows (and the prompt budget) on a validation
side: the `random` split's NL2QL validation pairs, never a test side.

    python scripts/choose_patterns_shown.py --settings 0:2200 3:2200 6:2200 6:2800

Each setting is PATTERNS:BUDGET_CHARS. Prints execution (informative items and all
scored items), validity, prompt length and latency per setting; the model is loaded once.
"""

from __future__ import annotations

import argparse
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--settings", nargs="+", default=["0:2200", "3:2200", "6:2200", "6:2800"])
    parser.add_argument("--split", default="random")
    parser.add_argument("--adapter", default=None, help="default: the split's shipped adapter")
    args = parser.parse_args()

    from nl2logql import datasets
    from nl2logql.engine.loaders import sample_store
    from nl2logql.evaluation import metrics, nl2ql
    from nl2logql.generation import prompt, schema
    from nl2logql.generation.pipeline import Assistant

    store = sample_store()
    reference = nl2ql._nl2ql_answers()
    pairs = datasets.load_split(args.split).validation
    items = [nl2ql.gold_item(pair, "nl2ql", store, loki_data=(reference.get(pair.id) or {}).get("data"),
                             loki_error=(reference.get(pair.id) or {}).get("error"))
             for pair in pairs]
    assistant = Assistant(backend=store, split=args.split, adapter=args.adapter)
    print(f"{len(items)} validation items ({sum(i.informative for i in items)} informative)")
    print("patterns  budget  exec(inf)  exec(all)  valid  prompt chars  p50 s")
    for setting in args.settings:
        shown, budget = (int(part) for part in setting.split(":"))
        schema.PATTERNS_SHOWN, prompt.PROMPT_BUDGET_CHARS = shown, budget
        records, seconds, lengths = [], [], []
        for item in items:
            started = time.perf_counter()
            answer = assistant.ask(item.question)
            seconds.append(time.perf_counter() - started)
            lengths.append(len(answer.prompt))
            verdicts, _ = nl2ql.score(item, answer.query, store)
            records.append({**item.to_dict(), "verdicts": verdicts,
                            "timings": {"generate": seconds[-1]}})
        summary = metrics.summarize(records)
        print(f"{shown:>8}  {budget:>6}  {summary['exec_informative']:>9.3f}  "
              f"{summary['exec_all']:>9.3f}  {summary['valid']:>5.2f}  "
              f"{statistics.mean(lengths):>12.0f}  {statistics.median(seconds):>5.2f}", flush=True)


if __name__ == "__main__":
    main()
