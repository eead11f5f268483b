"""The suites end to end: items → predictions (cached) → verdicts → one suite result.

- ``nl2ql``: NL2QL's test side of a split (comparable with the NL2QL paper), or its
  validation side (for choosing a recipe without looking at the test side);
- ``exec``: NL2QL-exec's fixed test side (the headline execution measure);
- ``logeval``: LogEval-style log-analysis tasks (:mod:`nl2logql.evaluation.logeval`).

A suite result is a JSON-ready dict that :mod:`nl2logql.evaluation.report` merges into
``results.json`` under :func:`suite_key`.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from nl2logql.errors import Nl2LogQLError
from nl2logql.evaluation import metrics, nl2ql, runner
from nl2logql.generation.data_examples import DATA_EXAMPLES

SUITE_NAMES = ("nl2ql", "exec", "logeval")
TITLES = {"exec": "NL2QL-exec", "nl2ql": "NL2QL", "logeval": "LogEval"}


def suite_key(suite: str, split: str | None = None, side: str = "test") -> str:
    """``exec`` (``exec-validation``), ``nl2ql-<split>`` (``nl2ql-<split>-validation``) or
    ``logeval``: where a suite's result lives."""
    sided = "" if side == "test" else f"-{side}"
    if suite == "exec":
        return f"exec{sided}"
    if suite != "nl2ql":
        return suite
    return f"nl2ql-{split}{sided}"


@dataclass
class RunOptions:
    out: Path
    limit: int | None = None
    seed: int = 0
    fresh: bool = False
    progress: bool = True


# ---- NL2QL and NL2QL-exec --------------------------------------------------------------------

def run_nl2ql(suite: str, resolved: runner.ResolvedModel, options: RunOptions, *, k: int = 4,
              data_k: int = DATA_EXAMPLES, n: int = 1, constrain: bool = True,
              checks: str = "repair", resample: int = 0,
              timeout: float = nl2ql.RUN_TIMEOUT, side: str = "test") -> dict[str, Any]:
    """Generate a query per question of ``side`` with the Assistant (retrieval over the
    split's train side), then score every prediction against its gold on the sample store."""
    from nl2logql.engine.loaders import sample_store

    store = sample_store()
    split = resolved.split
    every = nl2ql.load_items(suite, split, store, timeout=timeout, side=side)
    items = runner.select(every, options.limit, options.seed)
    key = suite_key(suite, split, side)
    settings = runner.settings_of(resolved, suite=suite, k=k, data_k=data_k, n=n,
                                  constrain=constrain, checks=checks, resample=resample)
    cache = runner.PredictionCache(options.out / "cache" / f"{key}.jsonl", settings)
    if options.fresh:
        cache.clear()
    assistant = None

    def predict(item: nl2ql.EvalItem) -> dict:
        nonlocal assistant
        if assistant is None:  # a fully cached rerun never loads the model
            from nl2logql.generation.pipeline import Assistant

            model = resolved.replay.model() if resolved.replay else runner.open_model(resolved)
            assistant = Assistant(model=model, backend=store, split=split,
                                  k=k, n=n, constrain=constrain, checks=checks,
                                  resample=resample, data_examples=data_k)
        started = time.perf_counter()
        generation = assistant.ask(item.question)
        seconds = time.perf_counter() - started
        if resolved.replay is not None:  # the model's time as recorded, the rest as today
            generation.timings["model"] = assistant.model.model_seconds(item.question)
            seconds += generation.timings["model"]
        best = generation.candidates[0] if generation.candidates else None
        return {
            "prediction": generation.query or (best.text if best else None),
            "generated_valid": generation.valid,
            "message": generation.message,
            "level": generation.level,
            "warnings": [w.to_dict() for w in generation.warnings],
            "repairs": generation.repairs,
            "candidates": [{"text": c.text, "valid": c.valid, "error": c.error,
                            "shortened_from": c.shortened_from} for c in generation.candidates],
            "model_name": getattr(assistant.model, "name", None),
            "timings": generation.timings,
            "seconds": seconds,
        }

    predictions = runner.predict_all(items, lambda item: item.id, predict, cache,
                                     progress=options.progress, desc=f"{TITLES[suite]} {split} {side}")
    records = []
    for item in items:
        cached = predictions[item.id]
        verdicts, run_seconds = nl2ql.score(item, cached["prediction"], store, timeout=timeout)
        records.append({**item.to_dict(), "prediction": cached["prediction"],
                        "generated_valid": cached.get("generated_valid"),
                        "message": cached.get("message"), "candidates": cached.get("candidates", []),
                        "level": cached.get("level"), "warnings": cached.get("warnings", []),
                        "repairs": cached.get("repairs", []),
                        "verdicts": verdicts,
                        "timings": {"generate": cached["seconds"], "execute": run_seconds,
                                    "model": (cached.get("timings") or {}).get("model")}})
    model_name = next((p.get("model_name") for p in predictions.values() if p.get("model_name")), None)
    return {
        "suite": suite,
        "key": key,
        "title": TITLES[suite] + (f" ({split} split{'' if side == 'test' else f', {side} side'})"
                                  if suite == "nl2ql" or side != "test" else ""),
        "split": split,
        "side": side,
        "model": {**resolved.describe(), "name": model_name},
        "settings": {"k": k, "data_examples": data_k, "n": n, "constrain": constrain,
                     "checks": checks, "resample": resample,
                     "limit": options.limit,
                     "seed": options.seed, "run_timeout": timeout,
                     **({"replayed_from": str(resolved.replay.path)} if resolved.replay else {})},
        "items_total": len(every),
        **summarize_records(records),
        "items": records,
    }


def summarize_records(records: list[dict]) -> dict[str, Any]:
    """The summary, the breakdowns and the gold problems of NL2QL item records."""
    return {
        "summary": metrics.summarize(records),
        "checks": metrics.checks_summary(records),
        "by_system": metrics.breakdown(records, lambda r: [r["system"]]),
        "by_kind": metrics.breakdown(records, lambda r: [r["gold_kind"] or "unparsed"]),
        "by_system_kind": metrics.breakdown(
            records, lambda r: [f"{r['system']} / {r['gold_kind'] or 'unparsed'}"]),
        "by_feature": metrics.breakdown(records, lambda r: r["features"]),
        "gold_problems": [{"id": r["id"], "system": r["system"], "status": r["gold_status"],
                           "reason": r["gold_error"], "gold": r["gold"]}
                          for r in records if r["gold_status"] != "ok"],
    }


# ---- LogEval ----------------------------------------------------------------------------------

def _logeval():
    try:
        from nl2logql.evaluation import logeval
    except ImportError as error:
        raise Nl2LogQLError(f"the LogEval suite is not available: {error}") from None
    return logeval


def run_logeval(resolved: runner.ResolvedModel, options: RunOptions, *,
                data_dir: Path | None = None, tasks: list[str] | None = None,
                prompt_sets: list[str] | None = None) -> dict[str, Any]:
    """Each LogEval item's prompt completed once (greedy), its answer extracted and scored.
    Closed-set items (anomaly detection, fault diagnosis) are also answered a second way,
    decoded under a grammar that admits only their labels, and scored apart."""
    logeval = _logeval()
    items = logeval.load_items(data_dir, tasks=tasks, prompt_sets=prompt_sets,
                               limit=options.limit, seed=options.seed)
    if not items:
        raise Nl2LogQLError("no LogEval items were selected")
    settings = runner.settings_of(resolved, suite="logeval",
                                  data_dir=str(data_dir) if data_dir else None)
    caches = {"free": runner.PredictionCache(options.out / "cache" / "logeval.jsonl", settings),
              "labels": runner.PredictionCache(options.out / "cache" / "logeval-labels.jsonl",
                                               {**settings, "answers": "label-constrained"})}
    if options.fresh:
        for cache in caches.values():
            cache.clear()
    model = None
    stop = list(logeval.STOP)

    def predictor(labels: bool):
        def predict(item) -> dict:
            nonlocal model
            if model is None:
                model = runner.open_model(resolved)
            started = time.perf_counter()
            if labels:
                budget = logeval.CHOICE_MAX_NEW_TOKENS
                grammar = logeval.choice_grammar(logeval.answer_choices(item))
            else:
                budget, grammar = logeval.MAX_NEW_TOKENS[item.task], None
            completion = model.complete(logeval.build_prompt(item), n=1, max_new_tokens=budget,
                                        grammar=grammar, temperature=0.0, stop=stop)[0]
            return {"raw": completion.text, "finished": completion.finished,
                    "model_name": getattr(model, "name", None),
                    "seconds": time.perf_counter() - started}
        return predict

    key = lambda item: item.id  # noqa: E731
    predictions = runner.predict_all(items, key, predictor(False), caches["free"],
                                     progress=options.progress, desc="LogEval")
    closed = [item for item in items if item.task in logeval.CLOSED_SET_TASKS]
    labelled = runner.predict_all(closed, key, predictor(True), caches["labels"],
                                  progress=options.progress, desc="LogEval, label-constrained")

    def answer_of(item, raw: str) -> str:
        return logeval.extract_answer(item.task, raw, instruction=item.instruction)

    records = []
    for item in items:
        cached = predictions[item.id]
        answer = answer_of(item, cached["raw"])
        record = {**asdict(item), "raw": cached["raw"], "answer": answer,
                  "verdicts": logeval.score_item(item, answer),
                  "timings": {"generate": cached["seconds"]}}
        if item.id in labelled:
            label = answer_of(item, labelled[item.id]["raw"])
            record["label_constrained"] = {"raw": labelled[item.id]["raw"], "answer": label,
                                           "verdicts": logeval.score_item(item, label),
                                           "seconds": labelled[item.id]["seconds"]}
        records.append(record)
    model_name = next((p.get("model_name") for p in predictions.values() if p.get("model_name")), None)
    return {
        "suite": "logeval",
        "key": "logeval",
        "title": "LogEval",
        "model": {**resolved.describe(), "name": model_name},
        "settings": {"limit": options.limit, "seed": options.seed, "tasks": tasks,
                     "prompt_sets": prompt_sets, "data_dir": str(data_dir) if data_dir else None,
                     "stop": stop},
        "summary": logeval.summarize(items, [r["answer"] for r in records]),
        "summary_label_constrained": logeval.summarize(
            closed, [r["label_constrained"]["answer"] for r in records if "label_constrained" in r]),
        "main_metric": dict(logeval.MAIN_METRIC),
        "published": logeval.PUBLISHED,
        "latency_p50": metrics.percentile([r["timings"]["generate"] for r in records], 50),
        "latency_p90": metrics.percentile([r["timings"]["generate"] for r in records], 90),
        "items": records,
    }

