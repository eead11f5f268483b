"""The patterns of a backend's streams, grouped by application.

- The embedded store (the sample store, the user's files and JSON lines): each group's
  lines are mined locally (:mod:`nl2logql.patterns.mining`), and the result is cached in
  memory and on disk by a hash of the group's content, so the same data is mined once.
- A real Loki: its own ``/loki/api/v1/patterns`` (Loki ≥ 3.0 with the pattern ingester),
  each pattern named and checked on lines it matches (``|> "<pattern>"``); a Loki without
  that endpoint gives a bounded sample of recent lines per group, mined locally.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence, TypeVar

from nl2logql.engine.backend import Backend
from nl2logql.errors import BackendError, DataError
from nl2logql.logql.parser import quote, unquote
from nl2logql.patterns.describe import (Pattern, as_written, describe, describe_cluster,
                                         literal_runs, names_event)

log = logging.getLogger(__name__)
T = TypeVar("T")

# Labels that usually name the application: streams sharing its value form one group.
APPLICATION_LABELS = ("application", "app", "service_name", "service", "job", "namespace")
MAX_PATTERNS = 300          # per group, the most frequent first
LOKI_SAMPLE_LINES = 5000    # recent lines per group when a Loki has no patterns endpoint
LOKI_EXAMPLES = 50          # lines fetched to name and check one of Loki's patterns


@dataclass
class StreamPatterns:
    """The patterns of one group of streams (one application)."""

    selector: str                 # {application="openssh-eu-west"}
    lines: int                    # lines mined (or counted by Loki)
    patterns: list[Pattern] = field(default_factory=list)  # most frequent first
    header: str = "none"          # what precedes the message on each line
    source: str = "mined"         # "mined", "loki" (its patterns endpoint) or "loki-sample"
    labels: list[str] = field(default_factory=list)  # label names on these streams
    unmatched: int = 0            # lines no pattern shown covers (rare or unrepeated lines)

    def to_dict(self) -> dict:
        return {**{k: v for k, v in self.__dict__.items() if k != "patterns"},
                "patterns": [p.to_dict() for p in self.patterns]}

    @classmethod
    def from_dict(cls, data: dict) -> StreamPatterns:
        return cls(**{**data, "patterns": [Pattern.from_dict(p) for p in data["patterns"]]})


def mine_lines(lines: Sequence[str], *, selector: str = "{}", reserved: Iterable[str] = (),
               max_patterns: int = MAX_PATTERNS) -> StreamPatterns:
    """Mine ``lines`` (one group's) into described, checked patterns."""
    from nl2logql.patterns.mining import mine

    mining = mine(lines)
    reserved = tuple(reserved)
    found, samples = [], []
    clusters = sorted(mining.clusters, key=lambda c: (-c.count, c.first))
    for cluster in clusters[:max_patterns]:
        pattern, sample = describe_cluster(cluster, mining, lines, reserved=reserved)
        if pattern is not None:
            found.append(pattern)
            samples.append(sample)
    _own_lines(found, samples)
    mined = int((mining.assignment >= 0).sum())
    return StreamPatterns(selector=selector, lines=mined, patterns=found,
                          header=mining.header.describe(), labels=sorted(reserved),
                          unmatched=mined - sum(p.count for p in found))


MAX_EXCLUSIONS = 2


def _filter_texts(found: list[Pattern], samples: list[list[str]],
                  joined: list[str]) -> dict[int, list[str]]:
    """The ``|=`` texts of each pattern's filter (by ``id``): its longest fixed run, and,
    where other patterns' lines hold that too, the run of its template that the fewest of
    them hold, a run with a word that names something (not "from /"): "DHCPOFFER on <ip>
    to <ip_2>:e3:ba:c3 via eth1" is ``|= ":e3:ba:c3 via eth1" |= "DHCPOFFER on"``, as
    every DHCP message of that host ends in ":e3:ba:c3 via eth1". ``joined``: each
    pattern's ``samples``, one string."""
    everything = "\n".join(joined)
    texts = {}
    for pattern, sample, own_lines in zip(found, samples, joined):
        if not (pattern.line_filter and pattern.line_filter.startswith("|= ")):
            continue
        own = unquote(pattern.line_filter.removeprefix("|= "))
        texts[id(pattern)] = [own]

        def held(text: str) -> int:  # by other patterns' lines (times it occurs there)
            return everything.count(text) - own_lines.count(text)

        if not held(own):
            continue
        written = filter(None, (as_written(run, sample) for run in literal_runs(pattern.template)
                                if names_event(run)))
        fewest = min(written, key=held, default=own)  # (of as few, the first: the longest)
        if held(fewest) < held(own):
            texts[id(pattern)].append(fewest)
    return texts


def _own_lines(found: list[Pattern], samples: list[list[str]]) -> None:
    """Make each line filter keep its own pattern's lines only: its texts
    (:func:`_filter_texts`), then a ``!=`` where one can: ``|= "Failed password for"``
    also keeps "Failed password for invalid user ..." lines, so it gains ``!= "Failed
    password for invalid user"``: the text of another pattern whose lines hold all of
    this one's, which none of this one's lines hold."""
    joined = ["\n".join(sample) for sample in samples]
    texts = _filter_texts(found, samples, joined)
    for pattern, own_lines in zip(found, joined):
        own = texts.get(id(pattern))
        if own is None:
            continue
        excluded = []
        for other, their_lines, their_sample in zip(found, joined, samples):
            theirs = texts.get(id(other), [None])[0]
            if (other is pattern or theirs is None or theirs in own or theirs in excluded
                    or own[0] not in their_lines or theirs in own_lines
                    or not any(all(text in line for text in own) for line in their_sample)):
                continue
            excluded.append(theirs)
            if len(excluded) == MAX_EXCLUSIONS:
                break
        pattern.line_filter = " ".join([*(f"|= {quote(text)}" for text in own),
                                        *(f"!= {quote(text)}" for text in excluded)])


# ---- groups ------------------------------------------------------------------------------

def group_label(label_names: Iterable[str]) -> str | None:
    """The label that names applications, if the data has one."""
    names = set(label_names)
    return next((name for name in APPLICATION_LABELS if name in names), None)


def group_selector(labels: dict[str, str]) -> str:
    return "{" + ", ".join(f"{name}={quote(value)}" for name, value in sorted(labels.items())) + "}"


# Every question's prompt asks for patterns: a backend's answer is remembered, for a store
# until it changes, for a Loki (each pattern costs a query) for RECENT_SECONDS.
RECENT_SECONDS = 300
_recent: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_recent_lock = threading.Lock()


def patterns(backend: Backend, selector: str | None = None, *,
             max_patterns: int = MAX_PATTERNS) -> list[StreamPatterns]:
    """The patterns of each application (each stream, where no label names one) that
    ``selector`` selects (all when None), ordered by selector."""
    from nl2logql.engine.store import LogStore

    # A store only grows: its counts change with its content.
    stamp = (backend.stats if isinstance(backend, LogStore)
             else int(time.monotonic() // RECENT_SECONDS))
    key = (selector, max_patterns)
    with _recent_lock:
        remembered = _recent.get(backend, {}).get(key)
    if remembered is not None and remembered[0] == stamp:
        return remembered[1]
    found = _patterns(backend, selector, max_patterns)
    with _recent_lock:
        _recent.setdefault(backend, {})[key] = (stamp, found)
    return found


def _patterns(backend: Backend, selector: str | None, max_patterns: int) -> list[StreamPatterns]:
    from nl2logql.engine.loki import LokiBackend
    from nl2logql.engine.store import LogStore

    if isinstance(backend, LogStore):
        return _store_patterns(backend, selector, max_patterns)
    if isinstance(backend, LokiBackend):
        return _loki_patterns(backend, selector, max_patterns)
    return _sampled_patterns(backend, selector, max_patterns, source="sample")


def group_identical(groups: Sequence[StreamPatterns]) -> list[tuple[list[str], StreamPatterns]]:
    """Groups with identical pattern lists (same templates and counts, in order) merged:
    ``(selectors, the first of them)`` per entry, in the given order. Deployments of one
    system that log the same lines make one entry."""
    merged: dict[tuple, tuple[list[str], StreamPatterns]] = {}
    for group in groups:
        key = tuple((p.template, p.count) for p in group.patterns)
        if key in merged:
            merged[key][0].append(group.selector)
        else:
            merged[key] = ([group.selector], group)
    return list(merged.values())


def _groups(items: Iterable[T], labels_of: Callable[[T], dict[str, str]] = dict
            ) -> dict[str, list[T]]:
    """Streams (label sets, or anything ``labels_of`` reads labels from) by group selector;
    Loki's internal ``__labels__`` play no part."""
    items = list(items)
    visible = [{k: v for k, v in labels_of(item).items() if not k.startswith("__")}
               for item in items]
    name = group_label({k for labels in visible for k in labels})
    groups: dict[str, list[T]] = {}
    for item, labels in zip(items, visible):
        key = {name: labels[name]} if name and name in labels else labels
        groups.setdefault(group_selector(key), []).append(item)
    return dict(sorted(groups.items()))


def _label_names(label_sets: Iterable[dict[str, str]]) -> list[str]:
    return sorted({name for labels in label_sets for name in labels if not name.startswith("__")})


# ---- the embedded store ------------------------------------------------------------------

_memory: dict[str, StreamPatterns] = {}
_lock = threading.Lock()


def _store_patterns(store, selector: str | None, max_patterns: int) -> list[StreamPatterns]:
    from nl2logql.engine.store import selector_matchers

    streams = store.select(selector_matchers(selector)) if selector else store.streams
    out = []
    for group, chosen in _groups(streams, lambda stream: stream.labels).items():
        lines = [line for stream in chosen for line in stream.lines]
        found = cached_mining(lines, _label_names(s.labels for s in chosen), max_patterns)
        out.append(StreamPatterns(**{**found.__dict__, "selector": group}))
    return out


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the code that makes patterns: a change to it invalidates the cache."""
    from nl2logql.patterns import describe, header, masking, mining

    digest = hashlib.sha256()
    for path in (describe.__file__, header.__file__, masking.__file__, mining.__file__,
                 __file__):  # this one's mine_lines too
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:16]


def content_hash(lines: Sequence[str], reserved: Sequence[str] = ()) -> str:
    """What the cache is keyed by: the lines, the labels that field names avoid, and the
    code that mines and describes them."""
    digest = hashlib.sha256(f"{code_version()}\0{','.join(reserved)}\0".encode())
    for start in range(0, len(lines), 65536):
        digest.update("\n".join(lines[start:start + 65536]).encode("utf-8", "replace"))
        digest.update(b"\n")
    return digest.hexdigest()[:32]


def cache_path(key: str) -> Path:
    from nl2logql.paths import cache_dir

    return cache_dir() / "patterns" / f"{key}.json"


def cached_mining(lines: Sequence[str], reserved: Sequence[str] = (),
                  max_patterns: int = MAX_PATTERNS) -> StreamPatterns:
    """:func:`mine_lines`, remembered in memory and on disk by :func:`content_hash`."""
    key = f"{content_hash(lines, reserved)}-{max_patterns}"
    with _lock:
        if key in _memory:
            return _memory[key]
        found = _read_cache(key)
        if found is None:
            found = mine_lines(lines, reserved=reserved, max_patterns=max_patterns)
            _write_cache(key, found)
        _memory[key] = found
        return found


def _read_cache(key: str) -> StreamPatterns | None:
    path = cache_path(key)
    try:
        return StreamPatterns.from_dict(json.loads(path.read_text("utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:  # a damaged file: mine again
        log.warning("ignoring the damaged pattern cache %s: %s", path, error)
        return None


def _write_cache(key: str, found: StreamPatterns) -> None:
    path = cache_path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A temporary file, then a rename: a reader never sees half a file.
        handle, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(found.to_dict(), out)
        os.replace(temp, path)
    except OSError as error:  # a read-only cache is no reason to fail
        log.warning("could not cache patterns in %s: %s", path.parent, error)


# ---- a real Loki -------------------------------------------------------------------------

_LOKI_VARIABLE = re.compile(r"<_>")


def _loki_patterns(loki, selector: str | None, max_patterns: int) -> list[StreamPatterns]:
    from nl2logql.errors import PatternsUnavailable

    groups = _groups(loki.series([selector or _any_stream(loki)]))
    out = []
    for group, members in groups.items():
        reserved = _label_names(members)
        try:
            found = loki.patterns(group)
        except PatternsUnavailable as error:
            log.info("Loki serves no patterns (%s): sampling recent lines instead", error)
            return _sampled_patterns(loki, selector, max_patterns, source="loki-sample")
        out.append(_described_loki(loki, group, found, reserved, max_patterns))
    return out


def _any_stream(backend: Backend) -> str:
    name = group_label(backend.labels()) or next(
        (n for n in backend.labels() if not n.startswith("__")), None)
    if name is None:
        raise DataError("the data has no labels, so no stream can be selected")
    return f'{{{name}=~".+"}}'


def _described_loki(loki, group: str, found: list[dict], reserved: Sequence[str],
                    max_patterns: int) -> StreamPatterns:
    """Loki's patterns (variables as ``<_>``), each named and checked on lines it matches."""
    described = []
    ranked = sorted(found, key=lambda item: -item.get("count", 0))[:max_patterns]
    for item in ranked:
        text = item["pattern"]
        tokens = [_LOKI_VARIABLE.sub("<*>", token) for token in text.split()]
        while tokens and tokens[0] == "<*>":  # leading variables are the header
            tokens.pop(0)
        if not tokens:
            continue
        try:
            data = loki.query_range(f"{group} |> {quote(text)}", limit=LOKI_EXAMPLES)
        except BackendError as error:
            log.info("no example lines for Loki's pattern %r: %s", text, error)
            continue
        lines = [line for stream in data.get("result", []) for _, line in stream["values"]]
        pattern = describe(tokens, int(item.get("count", 0)), lines, None, reserved=reserved)
        if pattern is not None:
            described.append(pattern)
    return StreamPatterns(selector=group, lines=sum(p.count for p in described),
                          patterns=described, header="(Loki)", source="loki",
                          labels=list(reserved))


def _sampled_patterns(backend: Backend, selector: str | None, max_patterns: int,
                      source: str) -> list[StreamPatterns]:
    """Mine a bounded sample of each group's most recent lines."""
    out = []
    for group, members in _groups(backend.series([selector or _any_stream(backend)])).items():
        data = backend.query_range(group, limit=LOKI_SAMPLE_LINES)
        lines = [line for stream in data.get("result", []) for _, line in stream["values"]]
        found = cached_mining(lines, _label_names(members), max_patterns)
        out.append(StreamPatterns(**{**found.__dict__, "selector": group, "source": source}))
    return out
