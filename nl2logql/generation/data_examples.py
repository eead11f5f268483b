"""Examples made from the logs being asked about.

A split's train pairs are written over other logs (or other deployments): their filter
texts, fields and regexps fit those. Pairs synthesized from the backend's own patterns
(:mod:`nl2logql.synthesis`, every query run and returning data) show the model this
data's applications, wording and extractions; a prompt takes :data:`DATA_EXAMPLES` of its
``k`` examples from them when the split has no pair of the system asked about (your own
logs, a held-out system). Where it has, its pairs were written for those very logs and
the synthesized ones displace them: on validation sides, 2 of 4 examples synthesized
raised systems the split lacks (NL2QL-exec leave-one-system-out, 123 items: 0.074 →
0.129) and lowered those it has (NL2QL `unseen-template` and `random`, 37 items: scores summing
to 11.4 → 9.4); ``eval/results/data-examples/``.

Synthesis runs queries, so it is done once per store and kept: in memory per store, and on
disk in the start cache under a digest of the store's content; never for a store whose
systems the split all has. A Loki gets none (each pair would cost it queries at every
start).
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING

from nl2logql.datasets import Pair
from nl2logql.engine.backend import Backend
from nl2logql.generation import startcache

# Retrieval (bm25s) and synthesis load on first use: the CLI imports this module at start-up
# for DATA_EXAMPLES, an option's default.
if TYPE_CHECKING:
    from nl2logql.generation.retrieval import ExampleIndex

DATA_PAIRS = 2000   # pairs synthesized per store
SYNTH_SECONDS = 30  # ... or fewer, on a store whose queries are slow (kept as made)
DATA_EXAMPLES = 2   # of a prompt's k examples (1, 2, 3 swept on the validation sides above)
SEED = 0

_indexes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def data_index(backend: Backend, known: frozenset[str] = frozenset()) -> ExampleIndex | None:
    """The store's synthesized pairs as a retrieval index; None for a backend that is not
    an embedded store, or whose systems are all ``known`` (a split's: none of its pairs
    would be shown, :func:`choose_examples`)."""
    from nl2logql.engine.store import LogStore
    from nl2logql.generation.retrieval import ExampleIndex, read_pairs, save_pairs

    if not isinstance(backend, LogStore) or store_systems(backend) <= known:
        return None
    with _lock:
        index = _indexes.get(backend)
        if index is None or index[0] != backend.stats:
            pairs = startcache.cached(
                "data-examples", slot=store_digest(backend),
                inputs=lambda: [startcache.code_digest(), DATA_PAIRS, SEED],
                build=lambda: synthesized(backend), save=save_pairs, load=read_pairs,
                suffix=".json", what="examples synthesized from these logs")
            index = (backend.stats, ExampleIndex(pairs))
            _indexes[backend] = index
        return index[1]


def store_systems(store: Backend) -> set[str]:
    """The systems (lower case) of a store's applications, as synthesis names them."""
    from nl2logql.synthesis.catalog import application_label, family

    return {family(name).lower() for name in store.label_values(application_label(store))}


def synthesized(backend: Backend) -> list[Pair]:
    from nl2logql.synthesis.generate import synthesize

    made = synthesize(backend, count=DATA_PAIRS, seed=SEED, seconds=SYNTH_SECONDS)
    if len(made) < DATA_PAIRS:
        startcache.note(f"{len(made):,} examples synthesized from these logs in "
                        f"{SYNTH_SECONDS} s (of {DATA_PAIRS:,})")
    return [Pair(p.id, p.question, p.logql, p.system, p.source) for p in made]


def choose_examples(question: str, k: int, split_index: ExampleIndex, data: ExampleIndex | None,
                    *, data_k: int = DATA_EXAMPLES, exclude_ids: Sequence[str] = ()) -> list[Pair]:
    """``k`` examples: the ``data_k`` best of ``data`` first (a prompt drops its last
    examples when it runs out of room), one per query (synthesis words each query several
    ways), then the split's best; ``exclude_ids`` from neither. When the split has pairs
    of the system the best of ``data`` is about, the split's examples alone: written for
    those logs, they beat synthesized ones (measured, see the module's note)."""
    from nl2logql.synthesis.generate import PHRASINGS

    if k <= 0:
        return []
    own: list[Pair] = []
    wanted = min(data_k, k)
    if data is not None and wanted:
        for pair in data.search(question, k=wanted * PHRASINGS, exclude_ids=exclude_ids):
            if len(own) < wanted and all(pair.logql != seen.logql for seen in own):
                own.append(pair)
    if own and own[0].system.lower() in split_index.systems:
        own = []
    return own + split_index.search(question, k=k - len(own), exclude_ids=exclude_ids)


def store_digest(store) -> str:
    """A digest of a store's streams: their labels, timestamps and lines."""
    digest = hashlib.sha256()
    for stream in store.streams:
        digest.update(json.dumps(sorted(stream.labels.items())).encode())
        digest.update(stream.timestamps.tobytes())
        for line in stream.lines:
            digest.update(line.encode("utf-8", "replace"))
            digest.update(b"\n")
    return digest.hexdigest()[:32]
