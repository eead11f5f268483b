"""What every suite's run shares: the model under test, item selection, the per-item
prediction cache that makes a run resumable, and the loop with its progress bar.

The cache is one JSONL file per suite in the output folder: a header line naming the
settings the predictions were made with (model, adapter, split, k, n ...), then one line
per item. A rerun with the same settings reuses every cached prediction; a run that was
stopped (Ctrl-C, a crash) continues where it stopped. Only predictions are cached:
scoring is cheap and always redone, so a scoring fix applies to old predictions.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from nl2logql.errors import DataError, Nl2LogQLError
from nl2logql.generation.models import Model, load_model

T = TypeVar("T")


class Interrupted(Nl2LogQLError):
    """Ctrl-C during a run; the message says how to resume."""


# ---- the model under test ---------------------------------------------------------------------

@dataclass
class ModelChoice:
    """What the user asked to evaluate (command-line options)."""

    base_model: str | None = None
    adapter: str | None = None          # a folder, "none", or None (the default adapter, if any)
    endpoint: str | None = None
    endpoint_model: str | None = None


@dataclass
class ResolvedModel:
    """The model a suite runs, after the default adapter is chosen and checked."""

    choice: ModelChoice
    adapter: str | None                 # the adapter folder used, or None
    adapter_source: str                 # "explicit" | "default" | "none" | "endpoint"
    card: dict | None                   # the adapter's card.json
    split: str                          # the split whose train side retrieval (and training) used
    replay: Any = None                  # answers played back (evaluation.replay.Replay), or None

    def describe(self) -> dict[str, Any]:
        described = {"base_model": self.choice.base_model, "adapter": self.adapter,
                     "adapter_source": self.adapter_source, "endpoint": self.choice.endpoint,
                     "endpoint_model": self.choice.endpoint_model, "split": self.split,
                     "adapter_card": self.card}
        if self.replay is not None:
            described["replayed_from"] = str(self.replay.path)
        return described

    def tag(self) -> str:
        """A short name for folder names and plot legends."""
        if self.choice.endpoint:
            return _safe(self.choice.endpoint_model or "endpoint")
        base = _safe(Path(self.choice.base_model).name) if self.choice.base_model else "gemma-3-270m"
        return f"{base}+{_safe(Path(self.adapter).name)}" if self.adapter else base


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_.+" else "-" for c in text).strip("-") or "model"


def resolve_model(choice: ModelChoice, split: str, *, check: bool = True) -> ResolvedModel:
    """Pick the adapter as :func:`~nl2logql.generation.models.resolve_adapter` does (by
    default the installed adapter for ``split`` on the default base model) and, with
    ``check``, make sure it was trained on ``split``'s train side (its card)."""
    from nl2logql.evaluation.leakage import LeakageError, check_adapter
    from nl2logql.generation.models import NO_ADAPTER, installed_adapters, resolve_adapter

    if choice.endpoint:
        if choice.adapter and choice.adapter.lower() != NO_ADAPTER:
            raise Nl2LogQLError("an adapter applies to local weights; serve it from the endpoint instead")
        return ResolvedModel(choice, None, "endpoint", None, split)
    folder = resolve_adapter(choice.base_model, choice.adapter, split)
    if folder is None:
        installed = sorted(installed_adapters())
        if check and choice.adapter is None and choice.base_model is None and installed:
            raise LeakageError(f"no installed adapter was trained on split {split!r} (installed: "
                               f"{', '.join(installed)}); evaluate the split of an installed one, "
                               f"pass --adapter DIR trained on {split!r}, or --adapter none for "
                               f"the base model alone")
        return ResolvedModel(choice, None, "none", None, split)
    source = "default" if choice.adapter is None else "explicit"
    card = check_adapter(folder, split) if check else _card_or_none(folder)
    return ResolvedModel(choice, str(folder), source, card, split)


def _card_or_none(folder: Path) -> dict | None:
    from nl2logql.training.card import read_card

    try:
        return read_card(folder)
    except (OSError, ValueError):
        return None


def open_model(resolved: ResolvedModel) -> Model:
    """Load the resolved model (tests replace this function with a scripted model)."""
    from nl2logql.generation.models import NO_ADAPTER

    choice = resolved.choice
    adapter = None if choice.endpoint else (resolved.adapter or NO_ADAPTER)
    return load_model(base_model=choice.base_model, adapter=adapter, endpoint=choice.endpoint,
                      endpoint_model=choice.endpoint_model, split=resolved.split)


# ---- items --------------------------------------------------------------------------------------

def select(items: Sequence[T], limit: int | None, seed: int = 0) -> list[T]:
    """``limit`` items drawn with ``seed`` (in their original order), or all of them."""
    if not limit or limit >= len(items):
        return list(items)
    chosen = sorted(random.Random(seed).sample(range(len(items)), limit))
    return [items[i] for i in chosen]


# ---- the prediction cache -------------------------------------------------------------------------

def fingerprint(settings: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[:16]


class PredictionCache:
    """Predictions of one suite, keyed by item, made with one set of ``settings``."""

    def __init__(self, path: Path, settings: dict[str, Any]):
        self.path = Path(path)
        self.settings = settings
        self.records: dict[str, dict] = {}

    def load(self) -> dict[str, dict]:
        """The cached predictions; a half-written last line (an interrupted run) is dropped."""
        if not self.path.is_file():
            return {}
        lines = self.path.read_text(encoding="utf-8").split("\n")
        good_bytes, rows = 0, []
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                good_bytes += len(text.encode()) + 1
                continue
            try:
                rows.append(json.loads(text))
            except json.JSONDecodeError:
                if number >= len(lines) - 1:  # the last line: cut off by an interruption
                    with open(self.path, "r+b") as handle:
                        handle.truncate(good_bytes)
                    break
                raise DataError(f"{self.path}:{number}: not JSON; delete the file or rerun "
                                f"with --fresh") from None
            good_bytes += len(text.encode()) + 1
        if not rows:
            return {}
        header = rows[0].get("settings") if isinstance(rows[0], dict) else None
        if header is None:
            raise DataError(f"{self.path}: not a prediction cache (no settings header); "
                            f"delete it or rerun with --fresh")
        if fingerprint(header) != fingerprint(self.settings):
            changed = sorted(k for k in set(header) | set(self.settings)
                             if header.get(k) != self.settings.get(k))
            raise DataError(f"{self.path.parent.parent} holds predictions made with other settings "
                            f"({', '.join(changed)}); use another --out or rerun with --fresh")
        for row in rows[1:]:
            if not (isinstance(row, dict) and "key" in row and "record" in row):
                raise DataError(f"{self.path}: malformed cache line; delete it or rerun with --fresh")
            self.records[row["key"]] = row["record"]
        return self.records

    def add(self, key: str, record: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.is_file() or self.path.stat().st_size == 0
        with open(self.path, "a", encoding="utf-8") as handle:
            if new:
                handle.write(json.dumps({"settings": self.settings}, default=str) + "\n")
            handle.write(json.dumps({"key": key, "record": record}, default=str) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self.records[key] = record

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
        self.records = {}


# ---- the loop ---------------------------------------------------------------------------------

def predict_all(items: Sequence[T], key: Callable[[T], str], predict: Callable[[T], dict],
                cache: PredictionCache, *, progress: bool = True, desc: str = "items") -> dict[str, dict]:
    """{key: prediction record} for every item: cached ones reused, the others predicted
    (and cached at once, so an interruption loses at most the item in progress)."""
    from tqdm import tqdm

    cached = cache.load()
    todo = [item for item in items if key(item) not in cached]
    bar = tqdm(total=len(items), initial=len(items) - len(todo), desc=desc, unit="item",
               disable=not progress, file=sys.stderr, dynamic_ncols=True, leave=True)
    try:
        for item in todo:
            started = time.perf_counter()
            record = predict(item)
            record.setdefault("seconds", time.perf_counter() - started)
            cache.add(key(item), record)
            bar.update(1)
            bar.set_postfix_str(f"last {record['seconds']:.1f} s", refresh=False)
    except KeyboardInterrupt:
        done = sum(1 for item in items if key(item) in cache.records)
        raise Interrupted(f"interrupted: {done} of {len(items)} predictions are cached in "
                          f"{cache.path}; run the same command again to resume") from None
    finally:
        bar.close()
    return {key(item): cache.records[key(item)] for item in items}


def settings_of(resolved: ResolvedModel, **extra: Any) -> dict[str, Any]:
    """The settings a suite's predictions depend on (the cache's identity); a retrained
    adapter has a new card, so its predictions are never mixed with the old ones'."""
    card = fingerprint(resolved.card) if resolved.card else None
    settings = {**asdict(resolved.choice), "adapter": resolved.adapter, "adapter_card": card,
                "split": resolved.split, **extra}
    if resolved.replay is not None:  # never mixed with the recorded run's own predictions
        settings["replayed"] = resolved.replay.fingerprint()
    return settings
