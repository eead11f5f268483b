"""Training data: pairs → the inference prompt + target → token ids with loss on the query.

Each pair becomes exactly what :class:`~nl2logql.generation.pipeline.Assistant` sends at
inference: :func:`build_prompt` with the sample store's schema for the question and the
``k`` most similar train pairs (the pair itself left out), followed by :func:`target` and
the end-of-sequence token the decoder stops at. Only those target tokens carry a label.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from nl2logql.datasets import Pair, Split, load_pairs, load_split, template_key
from nl2logql.generation.data_examples import choose_examples, data_index
from nl2logql.generation.prompt import build_prompt, target
from nl2logql.generation.retrieval import ExampleIndex
from nl2logql.generation.schema import SchemaContext, mentioned
from nl2logql.paths import PROJECT_DATA, cache_dir
from nl2logql.timephrases import UNIT_SECONDS

if TYPE_CHECKING:
    from datasets import Dataset

    from nl2logql.engine.backend import Backend

    from nl2logql.training.config import TrainConfig

log = logging.getLogger(__name__)

IGNORE = -100  # the label torch's cross-entropy skips: prompt tokens and padding
AUGMENT_ID = "~aug"
# Bumped when the record layout below changes, so stale cached datasets are not reused.
FORMAT_VERSION = 1


@dataclass
class TrainingData:
    """The pairs a run trains and validates on, and the index its prompts retrieve from."""

    train: list[Pair]
    validation: list[Pair]
    index: ExampleIndex
    # Pairs made from other logs (``Pair.source`` → their backend) are prompted with that
    # backend's schema, as `generate` over those logs would; all others with the sample store.
    schema_backends: dict[str, Backend] = field(default_factory=dict)
    # Systems a leave-out split holds out: their pairs synthesized from the sample store are
    # no example in a prompt either.
    held_out: frozenset[str] = frozenset()
    synthetic_ids: frozenset[str] = frozenset()  # the pairs of ``config.synthetic``
    _data_indexes: dict[int, ExampleIndex | None] = field(default_factory=dict, repr=False)

    def schema_backend(self, pair: Pair) -> Backend:
        from nl2logql.engine.loaders.sample import sample_store

        return self.schema_backends.get(pair.source) or sample_store()

    def data_examples(self, backend: Backend) -> ExampleIndex | None:
        """The examples synthesized from ``backend`` that prompts may show: on the sample
        store, none of a held-out system; on the user's own logs, all."""
        if id(backend) not in self._data_indexes:
            index = data_index(backend)
            if index is not None and self.held_out and backend not in self.schema_backends.values():
                index = ExampleIndex([p for p in index.pairs if p.system not in self.held_out])
            self._data_indexes[id(backend)] = index
        return self._data_indexes[id(backend)]

    def prompt(self, pair: Pair, config: TrainConfig) -> str:
        """``pair``'s prompt as inference builds it over its schema backend."""
        backend = self.schema_backend(pair)
        data = self.data_examples(backend) if config.data_examples else None
        return prompt_for(pair, self.index, config.k, backend=backend, data=data,
                          data_k=config.data_examples)

    def sha256(self) -> str:
        """Identifies the training pairs (and so the cached tokenised dataset)."""
        digest = hashlib.sha256()
        for pair in self.train:
            digest.update(json.dumps([pair.id, pair.question, pair.logql]).encode())
        return digest.hexdigest()


def load_training_data(config: TrainConfig) -> TrainingData:
    """The split's train side, the user's ``--data`` and (``augment``) swapped variants.
    Retrieval uses the split's train side only, as ``generate`` does at inference."""
    split = load_split(config.split)
    index = ExampleIndex(split.train)
    pairs = list(split.train)
    if config.data:
        pairs += load_pairs(config.data, keep_invalid=config.keep_invalid)
    if config.augment:
        held_out = {template_key(p.question) for p in split.test + split.exec_test + split.validation}
        pairs += augment(pairs, held_out, random.Random(config.seed))
    synthetic = synthetic_pairs(config, split) if config.synthetic else []
    pairs += synthetic
    if config.limit:
        pairs = pairs[: config.limit]
    return TrainingData(train=pairs, validation=list(split.validation), index=index,
                        held_out=frozenset(held_out_systems(split)),
                        synthetic_ids=frozenset(pair.id for pair in synthetic))


def synthetic_pairs(config: TrainConfig, split: Split) -> list[Pair]:
    """``config.synthetic``'s pairs, without those of a system the split holds out (one its
    test sides have and its train side lacks) unless they were synthesized from the user's
    own logs, ``synthetic_count`` of them drawn by seed."""
    path = Path(config.synthetic)
    if not path.is_absolute() and not path.exists():
        path = PROJECT_DATA.parent / path  # a recipe names it from the project root
    pairs = load_pairs(path)
    if not config.synthetic_own:
        held_out = held_out_systems(split)
        pairs = [pair for pair in pairs if pair.system not in held_out]
    if config.synthetic_count and len(pairs) > config.synthetic_count:
        chosen = sorted(random.Random(config.seed).sample(range(len(pairs)), config.synthetic_count))
        pairs = [pairs[i] for i in chosen]
    return pairs


def held_out_systems(split: Split) -> set[str]:
    """Systems the split's test sides have and its train side lacks."""
    trained = {pair.system for pair in split.train}
    return {pair.system for pair in split.test + split.exec_test} - trained


# ---- prompts ----------------------------------------------------------------------------


def origin_id(pair: Pair) -> str:
    """The pair an augmented pair was made from (itself for an original)."""
    return pair.id.split(AUGMENT_ID, 1)[0]


def prompt_for(pair: Pair, index: ExampleIndex, k: int, *, exclude_self: bool = True,
               backend: Backend | None = None, data: ExampleIndex | None = None,
               data_k: int = 0) -> str:
    """The inference prompt for ``pair``'s question over ``backend`` (the sample store by
    default), ``data_k`` of its examples from ``data`` (synthesized from that backend); a
    training pair (and the pair it was augmented from) never shows up among its own
    examples."""
    from nl2logql.engine.loaders.sample import sample_store

    schema = SchemaContext.from_backend(backend or sample_store(), pair.question)
    exclude = sorted({pair.id, origin_id(pair)} if exclude_self else set())
    examples = choose_examples(pair.question, k, index, data, data_k=data_k, exclude_ids=exclude)
    return build_prompt(pair.question, schema=schema, examples=examples)


def encode(tokenizer, prompt: str, query: str) -> dict[str, list[int]]:
    """Token ids of prompt + target + EOS, labels ``IGNORE`` on the prompt. The two parts
    are tokenised apart, as at inference (the model continues the prompt's tokens)."""
    prompt_ids = tokenizer(prompt, add_special_tokens=True).input_ids
    target_ids = tokenizer(target(query), add_special_tokens=False).input_ids + [tokenizer.eos_token_id]
    return {"input_ids": prompt_ids + target_ids,
            "labels": [IGNORE] * len(prompt_ids) + target_ids,
            "length": len(prompt_ids) + len(target_ids)}


def tokenized_dataset(data: TrainingData, tokenizer, config: TrainConfig, *,
                      tokenizer_id: str) -> Dataset:
    """The training pairs as a 🤗 dataset of ``input_ids``/``labels``/``length``, cached
    on disk under a key of the pairs, ``k``, the tokenizer and the prompt code's version.
    Pairs longer than ``max_length`` are dropped (cutting would teach half queries)."""
    from datasets import Dataset, disable_progress_bars

    disable_progress_bars()
    key = _cache_key(data, config, tokenizer_id)
    folder = cache_dir() / "training" / "datasets"
    folder.mkdir(parents=True, exist_ok=True)
    rows = Dataset.from_list([{"id": p.id, "question": p.question, "logql": p.logql,
                               "system": p.system, "source": p.source} for p in data.train])

    def to_tokens(row: dict) -> dict:
        pair = Pair(row["id"], row["question"], row["logql"], row["system"], row["source"])
        return encode(tokenizer, data.prompt(pair, config), pair.logql)

    encoded = rows.map(to_tokens, remove_columns=["question", "logql", "system", "source"],
                       cache_file_name=str(folder / f"{key}.arrow"), new_fingerprint=key)
    kept = encoded.filter(lambda row: row["length"] <= config.max_length,
                          cache_file_name=str(folder / f"{key}-max{config.max_length}.arrow"),
                          new_fingerprint=f"{key}-max{config.max_length}")
    if len(kept) < len(encoded):
        log.warning("%d of %d pairs are longer than max_length=%d tokens and were skipped",
                    len(encoded) - len(kept), len(encoded), config.max_length)
    return kept


def _cache_key(data: TrainingData, config: TrainConfig, tokenizer_id: str) -> str:
    from nl2logql.generation import data_examples, prompt, retrieval, schema
    from nl2logql.patterns.sources import code_version
    from nl2logql.synthesis import families, generate, wording

    digest = hashlib.sha256()
    digest.update(f"{FORMAT_VERSION}|{config.k}|{config.data_examples}|{tokenizer_id}|"
                  f"{data.sha256()}".encode())
    # A changed prompt format (or the synthesized examples in it) must not reuse old text.
    synthesis = (families, generate, wording) if config.data_examples else ()
    for module in (prompt, retrieval, schema, data_examples, *synthesis):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(code_version().encode())  # the patterns the schema shows
    for pair in data.index.pairs:
        digest.update(pair.id.encode())
    digest.update(",".join(sorted(data.held_out)).encode())
    for source, backend in sorted(data.schema_backends.items()):  # whose schema prompts them
        digest.update(f"{source}|{getattr(backend, 'stats', backend.name)}".encode())
    return digest.hexdigest()[:24]


# ---- augmentation -------------------------------------------------------------------------

_NAME_IN_QUERY = re.compile(r'\b(application|hostname)="([^"\\]+)"')
_WINDOW_IN_QUESTION = re.compile(
    r"\b(last|past|previous) (?:(\d+) )?(second|minute|hour|day|week)s?\b", re.I)
_RANGE_IN_QUERY = re.compile(r"\[(\d+)([smhdw])\]")
_WINDOWS = [(5, "minute"), (10, "minute"), (15, "minute"), (30, "minute"), (1, "hour"),
            (2, "hour"), (6, "hour"), (12, "hour"), (24, "hour"), (3, "day"), (7, "day")]


def augment(pairs: list[Pair], held_out_templates: set[str], rng: random.Random) -> list[Pair]:
    """One variant per pair with every swappable name and the time window changed
    consistently in question and query. A variant must parse and must not have the
    template of a held-out question; pairs of held-out templates are not varied at all."""
    from nl2logql.datasets import is_valid

    names = _known_names()
    variants = []
    for pair in pairs:
        if template_key(pair.question) in held_out_templates:
            continue
        question, query = _swap_names(pair.question, pair.logql, names, rng)
        question, query = _swap_window(question, query, rng)
        if question == pair.question or not is_valid(query):
            continue
        if template_key(question) in held_out_templates:
            continue
        variants.append(replace(pair, id=f"{pair.id}{AUGMENT_ID}", question=question,
                                logql=query, source=f"{pair.source}+augment"))
    log.info("augmentation added %d pairs", len(variants))
    return variants


def _known_names() -> dict[str, dict[str, list[str]]]:
    """label → name prefix (``openssh``, ``LabSZ``) → the sample store's values."""
    from nl2logql.engine.loaders.sample import sample_store

    store = sample_store()
    known: dict[str, dict[str, list[str]]] = {}
    for label in ("application", "hostname"):
        for value in store.label_values(label):
            known.setdefault(label, {}).setdefault(value.split("-")[0], []).append(value)
    return known


def _swap_names(question: str, query: str, names: dict, rng: random.Random) -> tuple[str, str]:
    """Each name the query selects and the question mentions becomes another known name
    of the same system; names the question does not mention stay (both sides must agree)."""
    for label, value in sorted(set(_NAME_IN_QUERY.findall(query))):
        choices = [v for v in names.get(label, {}).get(value.split("-")[0], [])
                   if v != value and not mentioned(v, question)]
        if not choices or not mentioned(value, question):
            continue
        new = rng.choice(choices)
        query = query.replace(f'{label}="{value}"', f'{label}="{new}"')
        question = re.sub(rf"(?<![\w.-]){re.escape(value)}(?![\w-])", new, question, flags=re.I)
    return question, query


def _swap_window(question: str, query: str, rng: random.Random) -> tuple[str, str]:
    """A question with one time window whose query ranges all equal it gets another one."""
    windows = list(_WINDOW_IN_QUESTION.finditer(question))
    ranges = _RANGE_IN_QUERY.findall(query)
    if len(windows) != 1 or not ranges:
        return question, query
    window = windows[0]
    count = int(window.group(2) or 1)
    seconds = count * UNIT_SECONDS[window.group(3)[0].lower()]
    if any(int(n) * UNIT_SECONDS[unit] != seconds for n, unit in ranges):
        return question, query
    new_count, new_unit = rng.choice([w for w in _WINDOWS if w[0] * UNIT_SECONDS[w[1][0]] != seconds])
    phrase = f"{window.group(1)} {new_unit}" if new_count == 1 else f"{window.group(1)} {new_count} {new_unit}s"
    question = question[: window.start()] + phrase + question[window.end():]
    query = _RANGE_IN_QUERY.sub(f"[{new_count}{new_unit[0]}]", query)
    return question, query
