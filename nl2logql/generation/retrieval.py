"""The k training pairs most similar to a question (BM25 over the questions).

Only a split's train side is indexed (:meth:`ExampleIndex.for_split`), so test items and
NL2QL-exec's test side never leak into prompts. Ties are broken by index order, so the
same question always gets the same examples.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from functools import cached_property
from pathlib import Path

import bm25s
import numpy as np

from nl2logql.datasets import Pair, load_split, source_files, splits_dir
from nl2logql.generation import startcache

# Words that say nothing about which query to write.
STOPWORDS = frozenset("""
a an the and or of for in on at to from by with is are was were be been do does did
me my we our i you it its this that these those there what which who how show give list
please can could would should all any each
""".split())

_TOKEN = re.compile(r"[a-z0-9_]+(?:[-.:/][a-z0-9_]+)*")
_PART = re.compile(r"[a-z0-9_]+")


def tokenize(text: str) -> list[str]:
    """Lower-case words; a compound like ``openssh-eu-west`` or ``10.250.14.224`` counts
    whole and by its parts, so an exact deployment name scores higher than its system."""
    tokens = []
    for match in _TOKEN.finditer(text.lower()):
        word = match.group()
        parts = _PART.findall(word)
        if len(parts) > 1:
            tokens.append(word)
        tokens.extend(part for part in parts if part not in STOPWORDS)
    return tokens


class ExampleIndex:
    """BM25 index over the questions of some pairs."""

    def __init__(self, pairs: Iterable[Pair]):
        self.pairs: list[Pair] = list(pairs)
        self._position = {pair.id: i for i, pair in enumerate(self.pairs)}
        self._bm25 = bm25s.BM25()
        if self.pairs:
            # An empty token list breaks bm25s' indexing; a question of stopwords gets a dummy.
            corpus = [tokenize(pair.question) or ["_"] for pair in self.pairs]
            self._bm25.index(corpus, show_progress=False)

    @classmethod
    def for_split(cls, name: str) -> ExampleIndex:
        """An index over the train side of a committed split (invalid golds left out)."""
        return cls(train_pairs(name))

    def __len__(self) -> int:
        return len(self.pairs)

    @cached_property
    def systems(self) -> frozenset[str]:
        """The systems its pairs are about (lower-case)."""
        return frozenset(pair.system.lower() for pair in self.pairs if pair.system)

    def search(self, question: str, k: int = 4, exclude_ids: Sequence[str] = ()) -> list[Pair]:
        """The ``k`` best-matching pairs, best first; ``exclude_ids`` (e.g. the training
        item itself) never come back. Pairs sharing no word with the question come last,
        in index order, so ``k`` pairs come back whenever there are that many."""
        if not self.pairs or k <= 0:
            return []
        tokens = tokenize(question)
        scores = (np.asarray(self._bm25.get_scores(tokens), dtype=np.float64) if tokens
                  else np.zeros(len(self.pairs)))
        for pair_id in exclude_ids:
            if pair_id in self._position:
                scores[self._position[pair_id]] = -np.inf
        # Stable sort on the negated scores: equal scores keep index order.
        order = np.argsort(-scores, kind="stable")
        return [self.pairs[i] for i in order[:k] if scores[i] != -np.inf]


def train_pairs(name: str) -> list[Pair]:
    """A committed split's train side, kept in the start cache: checking every pair's
    gold against its question (:mod:`nl2logql.hygiene`) takes half a second."""
    split_file = splits_dir() / f"{name}.json"
    if not split_file.is_file():
        return load_split(name).train  # says which splits there are
    return startcache.cached(
        "examples", slot=str(split_file.resolve()),
        inputs=lambda: [startcache.files_digest([split_file, *source_files()]), startcache.code_digest()],
        build=lambda: load_split(name).train, save=save_pairs, load=read_pairs, suffix=".json",
        what=f"{name} split's examples")


def save_pairs(pairs: list[Pair], path: Path) -> None:
    path.write_text(json.dumps([asdict(pair) for pair in pairs]), encoding="utf-8")


def read_pairs(path: Path) -> list[Pair]:
    return [Pair(**fields) for fields in json.loads(path.read_text(encoding="utf-8"))]
