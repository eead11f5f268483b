"""The embedded log store: streams of labelled, timestamped lines, held in memory.

A stream is one distinct label set and its entries in time order. Timestamps live in
one read-only numpy ``int64`` array per stream (8 bytes an entry, searchable with
``np.searchsorted``); lines are a plain ``list[str]``; structured metadata is ``None``
unless some entry has it. Nothing else is kept per entry, so the store costs little
more than its text (streams that share lines, like the sample store's deployments,
share one list).

Like Loki, an entry equal to an earlier one of its stream (same timestamp, same line)
is dropped (unless ``keep_duplicates`` moves it 1 ns later), and entries with equal
timestamps keep the order they were added in.
Evaluation lives in :mod:`nl2logql.engine.evaluator`; this module only stores, selects
and describes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Callable, Iterable, Iterator, Mapping, Protocol, Sequence

import numpy as np

from nl2logql.engine.backend import DETECTED_LEVEL, Backend, Data
from nl2logql.errors import LogQLSemanticError
from nl2logql.logql.checks import compile_regex
from nl2logql.logql.units import DAY, SECOND
from nl2logql.timeutil import now_ns

LabelKey = tuple[tuple[str, str], ...]
Metadata = dict[str, str]

DEFAULT_LOOKBACK = 30 * DAY  # a log query with no range covers the last 30 days at least


class Matcher(Protocol):
    """A label matcher as the parser builds it (``name``, ``op``, ``value``)."""

    name: str
    op: str  # "=", "!=", "=~", "!~"
    value: str


@dataclass(frozen=True)
class LabelMatcher:
    """A plain matcher, for callers that do not go through the parser."""

    name: str
    op: str
    value: str

    def matches(self, value: str) -> bool:
        return value_test(self.op, self.value)(value)


def label_key(labels: Mapping[str, str] | Iterable[tuple[str, str]]) -> LabelKey:
    """The canonical form of a label set: sorted pairs, empty values dropped (as Loki)."""
    pairs = labels.items() if isinstance(labels, Mapping) else labels
    return tuple(sorted((name, value) for name, value in pairs if value != ""))


@dataclass(eq=False)
class Stream:
    """One label set and its entries, oldest first.

    Build with :meth:`build` (sorts and drops duplicates); the constructor trusts that
    ``timestamps`` is a sorted, duplicate-free int64 array matching ``lines``.
    ``lines`` may be shared with other streams: never mutate it.
    """

    key: LabelKey
    timestamps: np.ndarray
    lines: list[str]
    metadata: list[Metadata | None] | None = None

    @classmethod
    def build(cls, labels: Mapping[str, str] | LabelKey, timestamps: Sequence[int] | np.ndarray,
              lines: Sequence[str], metadata: Sequence[Metadata | None] | None = None, *,
              keep_duplicates: bool = False) -> Stream:
        """``keep_duplicates``: instead of dropping a repeated (time, line), move each later
        copy 1 ns after the one before, so every line of the input stays."""
        key = label_key(labels)
        ts = np.array(timestamps, dtype=np.int64)  # a copy: we sort it and freeze it
        lines = list(lines)
        if len(ts) != len(lines) or (metadata is not None and len(metadata) != len(lines)):
            raise ValueError("timestamps, lines and metadata must have the same length")
        metadata = list(metadata) if metadata is not None and any(metadata) else None
        ts, lines, metadata = _sorted(ts, lines, metadata)
        drop = _duplicates(ts, lines)
        while keep_duplicates and drop:
            _separate(ts, lines, drop)  # a moved copy may meet another: check again
            ts, lines, metadata = _sorted(ts, lines, metadata)
            drop = _duplicates(ts, lines)
        if drop:
            keep = np.ones(len(ts), dtype=bool)
            keep[drop] = False
            ts = ts[keep]
            dropped = set(drop)
            lines = [line for i, line in enumerate(lines) if i not in dropped]
            if metadata is not None:
                metadata = [m for i, m in enumerate(metadata) if i not in dropped]
        ts.flags.writeable = False
        return cls(key, ts, lines, metadata)

    @cached_property
    def labels(self) -> dict[str, str]:
        return dict(self.key)

    def __len__(self) -> int:
        return len(self.lines)

    @property
    def start(self) -> int:
        return int(self.timestamps[0])

    @property
    def end(self) -> int:
        return int(self.timestamps[-1])

    @cached_property
    def nbytes(self) -> int:
        """Line bytes (UTF-8), as Loki counts them."""
        return sum(len(line.encode("utf-8")) for line in self.lines)

    @cached_property
    def _metadata_codes(self) -> tuple[np.ndarray, list[Metadata]]:
        """Each entry's metadata as a number, its place in the list of the distinct ones."""
        distinct: dict[tuple, int] = {}
        codes = np.fromiter((distinct.setdefault(tuple(sorted(meta.items())) if meta else (),
                                                 len(distinct)) for meta in self.metadata),
                            np.int64, len(self.lines))
        return codes, [dict(kind) for kind in distinct]

    def split_by_metadata(self, indices: np.ndarray) -> list[tuple[dict[str, str],
                                                                   np.ndarray | slice]]:
        """The entries at ``indices`` grouped by their metadata: each group's labels (the
        stream's and the metadata, which wins) and which of ``indices`` it holds."""
        if self.metadata is None:
            return [(self.labels, slice(None))]
        codes, kinds = self._metadata_codes
        picked = codes[indices]
        return [({**self.labels, **kinds[code]}, picked == code)
                for code in np.unique(picked).tolist()]

    @cached_property
    def detected_levels(self) -> frozenset[str]:
        """The values of its entries' ``detected_level`` metadata."""
        if self.metadata is None:
            return frozenset()
        return frozenset(meta[DETECTED_LEVEL] for meta in self.metadata
                         if meta and DETECTED_LEVEL in meta)

    def between(self, start: int | None = None, end: int | None = None) -> tuple[int, int]:
        """Index range ``[i, j)`` of the entries with ``start <= ts < end`` (Loki's log range)."""
        i = 0 if start is None else int(np.searchsorted(self.timestamps, start, "left"))
        j = len(self) if end is None else int(np.searchsorted(self.timestamps, end, "left"))
        return i, max(i, j)

    def overlaps(self, start: int | None, end: int | None) -> bool:
        i, j = self.between(start, end)
        return j > i

    def entries(self, start: int | None = None, end: int | None = None
                ) -> Iterator[tuple[int, str]]:
        """``(timestamp, line)`` pairs with ``start <= ts < end``, oldest first, as Python ints."""
        i, j = self.between(start, end)
        return zip(self.timestamps[i:j].tolist(), self.lines[i:j])

    def merged(self, other: Stream) -> Stream:
        """This stream's entries, then ``other``'s, re-sorted and deduplicated."""
        meta = None
        if self.metadata is not None or other.metadata is not None:
            meta = (self.metadata or [None] * len(self)) + (other.metadata or [None] * len(other))
        return Stream.build(self.key, np.concatenate([self.timestamps, other.timestamps]),
                            self.lines + other.lines, meta)


def _sorted(ts: np.ndarray, lines: list[str], metadata: list | None
            ) -> tuple[np.ndarray, list[str], list | None]:
    if len(ts) > 1 and np.any(ts[1:] < ts[:-1]):
        order = np.argsort(ts, kind="stable")  # stable: equal times keep their order
        ts = ts[order]
        lines = [lines[i] for i in order.tolist()]
        if metadata is not None:
            metadata = [metadata[i] for i in order.tolist()]
    return ts, lines, metadata


def _separate(ts: np.ndarray, lines: Sequence[str], repeats: list[int]) -> None:
    """Move the n-th repeat of a (time, line) n ns later, in place."""
    copies: dict[tuple[int, str], int] = {}
    for k, t in zip(repeats, ts[repeats].tolist()):
        n = copies[t, lines[k]] = copies.get((t, lines[k]), 0) + 1
        ts[k] = t + n


def _duplicates(ts: np.ndarray, lines: Sequence[str]) -> list[int]:
    """Indices of entries equal to an earlier one (same time, same line); ``ts`` sorted."""
    same = np.flatnonzero(ts[1:] == ts[:-1]) + 1  # entries sharing the previous one's time
    drop: list[int] = []
    previous = -2
    seen: set[str] = set()
    for k in same.tolist():
        if k != previous + 1:  # a new run of equal times starts at k - 1
            seen = {lines[k - 1]}
        if lines[k] in seen:
            drop.append(k)
        else:
            seen.add(lines[k])
        previous = k
    return drop


@dataclass(frozen=True)
class StoreStats:
    streams: int
    entries: int
    bytes: int


@lru_cache(maxsize=4096)
def value_test(op: str, value: str) -> Callable[[str], bool]:
    """One label-value test (``=``, ``!=``, ``=~``, ``!~``); regexes match the whole value
    with "." matching newlines, as in Prometheus. Shared by selectors, label filters and
    drop/keep. A bad regexp raises :class:`LogQLSemanticError`."""
    if op == "=":
        return value.__eq__
    if op == "!=":
        return value.__ne__
    if op not in ("=~", "!~"):
        raise ValueError(f"unknown label matcher operator {op!r}")
    try:
        regex = compile_regex(value, anchored=True)
    except ValueError as error:
        raise LogQLSemanticError(f"invalid regex {value!r} in label matcher: {error}") from None
    if op == "=~":
        return lambda v: regex.match(v) is not None
    return lambda v: regex.match(v) is None


def matcher_predicate(matcher: Matcher) -> Callable[[str], bool]:
    """A test for one label value; a missing label is the empty string."""
    return value_test(matcher.op, matcher.value)


def matches(labels: Mapping[str, str], matchers: Iterable[Matcher]) -> bool:
    return all(matcher_predicate(m)(labels.get(m.name, "")) for m in matchers)


class LogStore(Backend):
    """An in-memory Loki: holds streams, selects them by label matchers, runs LogQL."""

    name = "embedded"

    def __init__(self, streams: Iterable[Stream] = ()):
        self._streams: dict[LabelKey, Stream] = {}
        self.notes: list[str] = []  # what loading found, one line a file (see loaders)
        self._frozen = False
        for stream in streams:
            self.add_stream(stream)

    @classmethod
    def from_streams(cls, streams: Iterable[tuple], *, keep_duplicates: bool = False
                     ) -> LogStore:
        """Build from ``(labels, timestamps, lines)`` or ``(labels, timestamps, lines,
        metadata)`` tuples; parts with the same label set become one stream.
        ``keep_duplicates``: see :meth:`Stream.build`."""
        parts: dict[LabelKey, list[tuple]] = {}
        for labels, timestamps, lines, *rest in streams:
            parts.setdefault(label_key(labels), []).append(
                (timestamps, lines, rest[0] if rest else None))
        # One build per stream: concatenating first sorts and deduplicates only once.
        return cls(Stream.build(key, *(chunks[0] if len(chunks) == 1 else _concatenate(chunks)),
                                keep_duplicates=keep_duplicates)
                   for key, chunks in parts.items())

    # -- building -------------------------------------------------------------------

    def add(self, labels: Mapping[str, str], timestamps: Sequence[int] | np.ndarray,
            lines: Sequence[str], metadata: Sequence[Metadata | None] | None = None) -> Stream:
        """Add entries to the stream with these labels (created if new); returns it."""
        return self.add_stream(Stream.build(labels, timestamps, lines, metadata))

    def add_stream(self, stream: Stream) -> Stream:
        if self._frozen:
            raise RuntimeError("this store is shared and read-only; build your own LogStore")
        if not stream.key:
            raise ValueError("a stream needs at least one label with a non-empty value")
        if len(stream) == 0:
            return stream
        existing = self._streams.get(stream.key)
        merged = existing.merged(stream) if existing is not None else stream
        self._streams[stream.key] = merged
        self._changed()
        return merged

    def freeze(self) -> LogStore:
        """Refuse further additions (for stores shared through a cache)."""
        self._frozen = True
        return self

    def _changed(self) -> None:
        for name in ("streams", "stats", "start", "end"):
            self.__dict__.pop(name, None)

    # -- describing -----------------------------------------------------------------

    @cached_property
    def streams(self) -> list[Stream]:
        """All streams, ordered by label set."""
        return [self._streams[key] for key in sorted(self._streams)]

    def stream(self, labels: Mapping[str, str]) -> Stream | None:
        return self._streams.get(label_key(labels))

    @cached_property
    def stats(self) -> StoreStats:
        return StoreStats(
            streams=len(self._streams),
            entries=sum(len(s) for s in self._streams.values()),
            bytes=sum(s.nbytes for s in self._streams.values()),
        )

    @cached_property
    def start(self) -> int | None:
        """The oldest entry's time, or ``None`` for an empty store."""
        return min((s.start for s in self._streams.values()), default=None)

    @cached_property
    def end(self) -> int | None:
        """The newest entry's time, or ``None`` for an empty store."""
        return max((s.end for s in self._streams.values()), default=None)

    def __len__(self) -> int:
        return self.stats.entries

    def __repr__(self) -> str:
        s = self.stats
        return f"LogStore({s.streams} streams, {s.entries} entries, {s.bytes} bytes)"

    def select(self, matchers: Iterable[Matcher], *, start: int | None = None,
               end: int | None = None) -> list[Stream]:
        """Streams whose labels satisfy every matcher (and, if given, with entries in
        ``[start, end)``), ordered by label set."""
        tests = [(m.name, matcher_predicate(m)) for m in matchers]
        return [
            stream for stream in self.streams
            if all(test(stream.labels.get(name, "")) for name, test in tests)
            and (start is None and end is None or stream.overlaps(start, end))
        ]

    def _in_range(self, start: int | None, end: int | None) -> list[Stream]:
        # Label queries are inclusive of ``end``, like Loki's label and series APIs.
        if start is None and end is None:
            return self.streams
        return [s for s in self.streams if s.overlaps(start, None if end is None else end + 1)]

    def labels(self, *, start: int | None = None, end: int | None = None) -> list[str]:
        """Label names, sorted; ``start``/``end`` (ns, default: no bound) limit the streams."""
        return sorted({name for s in self._in_range(start, end) for name, _ in s.key})

    def label_values(self, name: str, *, start: int | None = None,
                     end: int | None = None) -> list[str]:
        return sorted({s.labels[name] for s in self._in_range(start, end) if name in s.labels})

    def detected_levels(self) -> list[str]:
        return sorted(set().union(*(s.detected_levels for s in self.streams)))

    def series(self, match: list[str], *, start: int | None = None,
               end: int | None = None) -> list[dict[str, str]]:
        """Label sets of the streams any selector in ``match`` selects (all if empty)."""
        candidates = self._in_range(start, end)
        if not match:
            return [dict(s.labels) for s in candidates]
        selectors = [selector_matchers(text) for text in match]
        return [
            dict(s.labels) for s in candidates
            if any(matches(s.labels, matchers) for matchers in selectors)
        ]

    def default_time(self) -> int:
        """One second after the newest entry (now, for an empty store)."""
        return now_ns() if self.end is None else self.end + SECOND

    def default_range(self) -> tuple[int, int]:
        """The last 30 days up to :meth:`default_time`, or back to the oldest entry where
        the store holds older ones: a file of years is searched whole, as "show me the
        lines where ..." about it means."""
        end = self.default_time()
        start = end - SECOND - DEFAULT_LOOKBACK
        return (start if self.start is None else min(start, self.start)), end

    # -- running --------------------------------------------------------------------

    def query(self, logql: str, *, time: int | None = None, limit: int | None = None,
              direction: str = "backward") -> Data:
        from nl2logql.engine.evaluator import Evaluator  # the evaluator imports this module

        time = self.default_time() if time is None else time
        return Evaluator(self).query(logql, time=time, limit=limit, direction=direction)

    def query_range(self, logql: str, *, start: int | None = None, end: int | None = None,
                    step: int | None = None, limit: int | None = None,
                    direction: str = "backward") -> Data:
        from nl2logql.engine.evaluator import Evaluator

        default_start, default_end = self.default_range()
        return Evaluator(self).query_range(
            logql,
            start=default_start if start is None else start,
            end=default_end if end is None else end,
            step=step, limit=limit, direction=direction,
        )

    def trace(self, logql: str, *, start: int | None = None,
              end: int | None = None) -> list[tuple[str, int]]:
        """``(stage, lines left after it)`` for each stage: why a query returns nothing."""
        from nl2logql.engine.evaluator import Evaluator

        return Evaluator(self).trace(logql, start=start, end=end)


def selector_matchers(text: str) -> list[Matcher]:
    """The label matchers of a stream selector such as ``{app="x", env=~"p.*"}``."""
    from nl2logql.logql import ast
    from nl2logql.logql.parser import parse

    node = parse(text)
    if not isinstance(node, ast.LogQuery) or node.stages:
        raise LogQLSemanticError("expected a stream selector such as {app=\"x\"}", query=text)
    return list(node.selector.matchers)


def _concatenate(chunks: list[tuple]) -> tuple:
    timestamps = np.concatenate([np.asarray(ts, dtype=np.int64) for ts, _, _ in chunks])
    lines = [line for _, chunk_lines, _ in chunks for line in chunk_lines]
    metadata = None
    if any(meta is not None for _, _, meta in chunks):
        metadata = [m for ts, _, meta in chunks for m in (meta or [None] * len(ts))]
    return timestamps, lines, metadata
