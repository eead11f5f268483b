"""Local model speed: load, prefill and decode on the default Gemma 3 270M (or --model).

    python benchmarks/bench_model.py [--model PATH] [--reps N] [--new-tokens N] [--questions N]

The prompt is a ~600-token few-shot block of NL2QL pairs followed by one question, the
shape of the pipeline's prompt. Prints the load time, prefill tokens/s (cold and with
the instruction block's KV cache warmed), decode tokens/s with the full and the pruned
output head, for 1 and all threads, float32 and bfloat16, free and under a constraint
(ForcedText: the best case of grammar-constrained decoding, where few tokens are
allowed), one completion, and how often bf16 and fp32 give the same greedy query. Target: a question in
<= 3 s (prefill + ~60 tokens) on a 2-core CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import torch

from nl2logql.generation.models import ForcedText, LocalModel

ROOT = Path(__file__).resolve().parent.parent
INSTRUCTIONS = (
    "You translate questions about logs into Grafana Loki LogQL queries. "
    "Answer with one query only, on one line.\n\n"
)


def nl2ql_records() -> list[dict]:
    return [json.loads(line) for line in (ROOT / "data/nl2ql/nl2ql.jsonl").read_text().splitlines() if line]


def few_shot_prefix(tokenizer, budget: int = 600) -> str:
    """Instructions and NL2QL examples up to about ``budget`` tokens."""
    prefix = INSTRUCTIONS
    for record in nl2ql_records()[1:]:
        example = f"Question: {record['question']}\nLogQL: {' '.join(record['logql'].split())}\n\n"
        if len(tokenizer(prefix + example).input_ids) > budget - 40:
            break
        prefix += example
    return prefix


def question_prompt(prefix: str, record: dict) -> str:
    return prefix + f"Question: {record['question']}\nLogQL:"


def measure(model: LocalModel, prompt: str, reps: int, new_tokens: int, forced: str | None = None) -> dict[str, float]:
    """Median figures over ``reps`` greedy runs (``forced``: under a ForcedText constraint)."""
    constraint = ForcedText(model.tokenizer, forced) if forced is not None else None
    runs = [model.complete(prompt, max_new_tokens=new_tokens, constraint=constraint)[0] for _ in range(reps)]
    return {
        "prefill_s": statistics.median(r.timings["prefill"] for r in runs),
        "prefill_tok_s": statistics.median(r.timings["prefill_tokens_per_s"] for r in runs),
        "decode_tok_s": statistics.median(r.timings["decode_tokens_per_s"] for r in runs),
        "tokens": runs[0].tokens,
        "total_s": statistics.median(r.timings["prefill"] + r.timings["decode"] for r in runs),
    }


def report(label: str, figures: dict[str, float]) -> None:
    print(
        f"{label:<36} prefill {figures['prefill_s']:.2f} s ({figures['prefill_tok_s']:.0f} tok/s)  "
        f"decode {figures['decode_tok_s']:.1f} tok/s over {figures['tokens']} tokens  total {figures['total_s']:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="model folder (default: the converted Gemma 3 270M)")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--new-tokens", type=int, default=60)
    parser.add_argument("--questions", type=int, default=8, help="questions for the bf16/fp32 agreement")
    args = parser.parse_args()

    cores = os.cpu_count() or 1
    started = time.perf_counter()
    model = LocalModel(args.model, dtype=torch.float32)
    print(f"load from cache: {time.perf_counter() - started:.1f} s (weights {model.load_seconds:.1f} s)")
    started = time.perf_counter()
    size = len(model.pruned_token_ids)
    print(f"pruned head: {size} of {len(model.tokenizer)} tokens, built in {time.perf_counter() - started:.1f} s")

    prefix = few_shot_prefix(model.tokenizer)
    prompt = question_prompt(prefix, nl2ql_records()[0])
    print(f"prompt: {len(model.tokenizer(prompt).input_ids)} tokens, threads available {cores}")
    model.complete(prompt, max_new_tokens=2)  # warm-up: first-call allocations

    def run(label: str, subject: LocalModel, prune: bool, **options) -> None:
        subject.prune_vocab = prune
        report(f"{label} {'pruned' if prune else 'full  '} head", measure(subject, prompt, args.reps, args.new_tokens, **options))

    for threads in sorted({1, cores}):
        torch.set_num_threads(threads)
        for prune in (False, True):
            run(f"fp32 {threads} thr", model, prune)
    [sample] = model.complete(prompt, max_new_tokens=args.new_tokens, stop=["\n"])
    print(f"fp32 completion: {sample.text!r} (finished={sample.finished}, {sample.tokens} tokens)")
    run(f"fp32 {cores} thr forced text", model, True, forced=sample.text)
    model.warm_prefix(prefix)
    run(f"fp32 {cores} thr warm prefix", model, True)
    run(f"fp32 {cores} thr warm+forced", model, True, forced=sample.text)

    bf16 = LocalModel(args.model, dtype=torch.bfloat16)
    bf16.complete(prompt, max_new_tokens=2)
    for prune in (False, True):
        run(f"bf16 {cores} thr", bf16, prune)
    bf16.warm_prefix(prefix)
    run(f"bf16 {cores} thr warm prefix", bf16, True)
    run(f"bf16 {cores} thr warm+forced", bf16, True, forced=sample.text)

    questions = nl2ql_records()[-args.questions :]
    same = 0
    for record in questions:
        prompt = question_prompt(prefix, record)
        texts = [m.complete(prompt, max_new_tokens=args.new_tokens, stop=["\n"])[0].text for m in (model, bf16)]
        same += texts[0] == texts[1]
        print(f"  fp32 {texts[0]!r}\n  bf16 {texts[1]!r}")
    print(f"bf16 and fp32 give the same greedy query for {same} of {len(questions)} questions")


if __name__ == "__main__":
    main()
