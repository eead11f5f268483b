"""Group log lines into templates: cut the header, mask the variables, run Drain.

    result = mine(lines)
    for cluster in result.clusters:
        print(cluster.count, " ".join(cluster.tokens))

Drain (the ``drain3`` package, He et al. ICWS 2017) is fed each distinct masked message once:
identical messages get the cluster of their first occurrence from a dict, which is what makes
a million lines cheap. Clusters whose final templates are equal are merged, as Loghub's
evaluation does (it groups lines by template text).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from drain3.drain import Drain, LogCluster

from nl2logql.patterns.header import Header
from nl2logql.patterns.masking import PLACEHOLDER as _HOLE, WILDCARD, mask

SIMILARITY = 0.7        # Drain's sim_th: share of equal tokens to join a cluster
DEPTH = 5               # Drain's tree depth (root, token count, then depth-3 leading tokens)
MAX_CLUSTERS = 5000     # templates kept; lines of further new templates go to one overflow cluster
MAX_CONTENT_CHARS = 4000  # a longer message is cut here before masking
MAX_TOKENS = 300        # ... and to this many tokens before Drain
_LONG = 600             # only messages longer than this can have MAX_TOKENS tokens worth counting
# After this many distinct messages, more templates than this share of them means the
# lines do not repeat (random text, binary junk): Drain's search would only grow costly.
NOVELTY_CHECK = 2000
NOVELTY_RATIO = 0.6
_RAW_CACHE = 200_000    # raw message -> masked message; cleared when full
_MASKED_CACHE = 1_000_000  # masked message -> cluster; cleared when full


class _Drain(Drain):
    """Drain that knows the masking placeholders.

    A token holding a placeholder (``<NUM>``, ``<IP>:<NUM>``) is a variable, like a token with
    digits: it takes the tree's wildcard branch, so messages starting ``<NUM>`` and ``<HEX>``
    meet. When comparing a message with a template, such tokens match when their shapes
    match whatever the placeholder types (``<NUM>`` and ``<HEX>``: an id can be all digits).
    """

    @staticmethod
    def has_numbers(s: str) -> bool:
        return any(char.isdigit() for char in s) or ("<" in s and _HOLE.search(s) is not None)

    def get_seq_distance(self, seq1, seq2, include_params: bool):
        if not seq1:
            return 1.0, 0
        sim = param_count = 0
        for token1, token2 in zip(seq1, seq2):
            if token1 == WILDCARD:
                param_count += 1
            elif token1 == token2:
                sim += 1
            elif "<" in token1 and "<" in token2 and _shape(token1) == _shape(token2):
                sim += 1
        if include_params:
            sim += param_count
        return sim / len(seq1), param_count


_SHAPES: dict[str, str] = {}


def _shape(token: str) -> str:
    """The token with every placeholder made the same (cached: templates repeat tokens)."""
    shape = _SHAPES.get(token)
    if shape is None:
        if len(_SHAPES) > 100_000:
            _SHAPES.clear()
        shape = _SHAPES[token] = _HOLE.sub("<>", token)
    return shape


@dataclass
class Cluster:
    """One template: its tokens (literal text, ``<*>`` and masking placeholders) and members."""

    id: int                  # 0..k-1, in order of first appearance
    tokens: tuple[str, ...]  # the masked content template, split on whitespace
    count: int               # member lines
    first: int               # index of the first member line in the input

    @property
    def template(self) -> str:
        return " ".join(self.tokens)


@dataclass
class Mining:
    """The clusters, each line's cluster (-1: no content) and where each line's content starts."""

    clusters: list[Cluster]
    assignment: np.ndarray     # int32 cluster id per line
    content_start: np.ndarray  # int32 offset of each line's content (after its header)
    header: Header
    _order: np.ndarray | None = field(default=None, repr=False)
    _offsets: np.ndarray | None = field(default=None, repr=False)

    def members(self, cluster_id: int, limit: int | None = None) -> np.ndarray:
        """Indices of the lines of ``cluster_id``, in input order (the first ``limit``)."""
        if self._order is None:
            # One stable argsort serves every cluster: members are a slice of it.
            self._order = np.argsort(self.assignment, kind="stable")
            counts = np.bincount(self.assignment + 1, minlength=len(self.clusters) + 1)
            self._offsets = np.concatenate(([0], np.cumsum(counts)))
        begin, end = self._offsets[cluster_id + 1], self._offsets[cluster_id + 2]
        if limit is not None:
            end = min(end, begin + limit)
        return self._order[begin:end]


def mine(lines: Sequence[str], *, similarity: float = SIMILARITY, depth: int = DEPTH,
         max_clusters: int | None = MAX_CLUSTERS) -> Mining:
    """Mine the templates of ``lines`` (raw log lines, headers and all)."""
    header = Header.learn(lines)
    drain = _Drain(depth=depth, sim_th=similarity, max_clusters=max_clusters,
                  param_str=WILDCARD)
    n = len(lines)
    assignment = np.empty(n, dtype=np.int32)
    starts = np.empty(n, dtype=np.int32)
    masked_of: dict[str, str] = {}      # raw content -> masked content
    cluster_of: dict[str, object] = {}  # masked content -> Drain's cluster
    drain_ids: dict[int, int] = {}      # Drain's cluster id -> our running id
    found: list[object] = []            # Drain's clusters by running id
    start_of = header.content_start
    # Past max_clusters templates, lines of yet another template share one overflow cluster.
    cap = max_clusters if max_clusters else n + 1
    full, distinct = False, 0
    overflow = LogCluster([WILDCARD], 0)  # Drain numbers its clusters from 1
    for i, line in enumerate(lines):
        start = start_of(line)
        starts[i] = start
        content = line[start:start + MAX_CONTENT_CHARS] if start else line[:MAX_CONTENT_CHARS]
        masked = masked_of.get(content)
        if masked is None:
            masked = mask(content)
            if len(masked) > _LONG:
                masked = " ".join(masked.split()[:MAX_TOKENS])
            if len(masked_of) >= _RAW_CACHE:
                masked_of.clear()
            masked_of[content] = masked
        cluster = cluster_of.get(masked)
        if cluster is None:
            if not masked or masked.isspace():
                assignment[i] = -1
                continue
            distinct += 1
            if distinct == NOVELTY_CHECK and len(found) > NOVELTY_RATIO * distinct:
                full = True  # lines that hardly repeat: no templates to find, stop early
            if full:
                cluster = overflow  # no room (or no reason) for another template
            else:
                cluster = drain.add_log_message(masked)[0]
            if len(cluster_of) >= _MASKED_CACHE:
                cluster_of.clear()
            cluster_of[masked] = cluster
        running = drain_ids.get(cluster.cluster_id)
        if running is None:
            running = drain_ids[cluster.cluster_id] = len(found)
            found.append(cluster)
            full = full or len(found) >= cap
        assignment[i] = running
    return _finish(found, assignment, starts, header)


def _finish(found: list, assignment: np.ndarray, starts: np.ndarray, header: Header) -> Mining:
    """Merge clusters of equal final templates and number them by first appearance."""
    final: dict[tuple[str, ...], int] = {}
    remap = np.empty(len(found) + 1, dtype=np.int32)
    remap[-1] = -1  # assignment -1 indexes the last slot
    for running, cluster in enumerate(found):
        remap[running] = final.setdefault(cluster.log_template_tokens, len(final))
    assignment = remap[assignment] if len(assignment) else assignment
    counts = np.bincount(assignment[assignment >= 0], minlength=len(final))
    valid = np.flatnonzero(assignment >= 0)
    firsts = np.full(len(final), -1, dtype=np.int64)
    # First member of each cluster: reversed assignment leaves the smallest index.
    firsts[assignment[valid][::-1]] = valid[::-1]
    clusters = [Cluster(id=cid, tokens=tokens, count=int(counts[cid]), first=int(firsts[cid]))
                for tokens, cid in final.items()]
    return Mining(clusters, assignment, starts, header)
