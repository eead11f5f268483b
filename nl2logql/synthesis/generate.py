"""Verified question/LogQL pairs from a backend's own labels and patterns.

Families take turns (so rare features are not crowded out), each draws an application
and an event, and writes a query and several phrasings of it. A query is kept only when
it parses and returns data on the backend; repeated queries and questions are dropped.
Seeded: the same backend and seed give the same pairs, byte for byte.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterable

from nl2logql.datasets import normalize_question
from nl2logql.engine.backend import Backend
from nl2logql.errors import QueryError
from nl2logql.logql.parser import parse
from nl2logql.logql.printer import format_ast
from nl2logql.synthesis import wording
from nl2logql.synthesis.catalog import build_catalog
from nl2logql.synthesis.families import FAMILIES

PHRASINGS = 3          # questions per query
RUN_TIMEOUT = 5.0      # seconds a candidate query may take
ATTEMPTS_PER_PAIR = 12  # gives up when the backend offers too little to vary


@dataclass(frozen=True)
class SynthPair:
    """One synthesized pair and where it came from."""

    id: str
    question: str
    logql: str
    system: str           # the application family it was made from ("openssh")
    family: str           # the query family ("topk_bottomk")
    pattern: str          # the source pattern's id ("" when none)
    application: str
    seed: int
    source: str = "synth"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


def synthesize(backend: Backend, *, count: int = 5000, seed: int = 0,
               phrasings: int = PHRASINGS, families: Iterable[str] | None = None,
               progress: Callable[[int], None] | None = None,
               seconds: float | None = None) -> list[SynthPair]:
    """Up to ``count`` verified pairs from ``backend``; ``progress(n)`` hears each new pair.
    ``seconds``: stop there with what is made (the same pairs, fewer of them, when slower)."""
    from nl2logql.evaluation.nl2ql import run_query

    started = time.perf_counter()
    rng = random.Random(seed)
    catalog = build_catalog(backend)
    apps = [app for app in catalog.applications if app.events]
    names = list(families or FAMILIES)
    unknown = sorted(set(names) - set(FAMILIES))
    if unknown:
        raise ValueError(f"unknown query families: {', '.join(unknown)} (known: {', '.join(FAMILIES)})")
    if not apps:
        return []
    pairs: list[SynthPair] = []
    seen_queries: set[str] = set()
    seen_questions: set[str] = set()
    for attempt in range(count * ATTEMPTS_PER_PAIR):
        if len(pairs) >= count or (seconds is not None and time.perf_counter() - started > seconds):
            break
        family = names[attempt % len(names)]
        app = rng.choice(apps)
        draft = FAMILIES[family](app, catalog, rng)
        if draft is None:
            continue
        try:
            query = format_ast(parse(draft.query))
        except QueryError:
            continue  # a family wrote something the grammar rejects: skip, never emit
        if query in seen_queries:
            continue
        seen_queries.add(query)
        data, error, _ = run_query(backend, query, draft.kind, RUN_TIMEOUT)
        if error or not _has_data(data):
            continue
        keep = frozenset(re.findall(r"[a-z]+", query.lower()))  # names stay as the query has them
        for _ in range(phrasings):
            question = wording.casual(draft.ask(rng), rng, keep=keep)
            key = normalize_question(question)
            if key in seen_questions or len(pairs) >= count:
                continue
            seen_questions.add(key)
            pairs.append(SynthPair(id=f"synth-{seed}-{len(pairs):05d}", question=question,
                                   logql=query, system=app.family, family=draft.family,
                                   pattern=draft.pattern, application=app.name, seed=seed))
            if progress:
                progress(len(pairs))
    return pairs


def _has_data(data: dict | None) -> bool:
    """Informative as evaluation counts it (:func:`~nl2logql.evaluation.metrics.is_empty`),
    and for a metric some finite sample: a ratio of nothing is NaN."""
    from nl2logql.evaluation.metrics import is_empty

    if not data or is_empty(data):
        return False
    result = data["result"]
    if data["resultType"] == "streams":
        return True
    if data["resultType"] == "scalar":
        return _finite(result[1])
    return any(_finite(value) for series in result
               for _, value in series.get("values") or [series["value"]])


def _finite(value) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def write_pairs(pairs: Iterable[SynthPair], path: str | Path) -> Path:
    """JSONL, one pair per line, written whole or not at all (temp file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            for pair in pairs:
                out.write(pair.to_json() + "\n")
        os.chmod(temp, 0o644)  # mkstemp's 0600 is for the temp file, not the result
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path
