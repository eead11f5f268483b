"""Ways to fill a :class:`~nl2logql.engine.store.LogStore`.

- :func:`sample_store`: the deterministic sample store (``docs/sample-store.md``);
- :func:`load_files`: plain log files, timestamps read from each line;
- :func:`load_jsonl`: JSON lines (``logcli --output=jsonl`` shape);
- :func:`load_push`: a Loki push-API payload;
- :func:`load_paths`: any of the three file kinds, chosen by extension.
"""

from __future__ import annotations

from collections.abc import Mapping

from nl2logql.engine.backend import register_backend
from nl2logql.engine.loaders.files import (PathArg, check_labels, expand_paths, load_files,
                                          read_plain)
from nl2logql.engine.loaders.jsonlog import load_jsonl, load_push, read_jsonl, read_push
from nl2logql.engine.loaders.sample import DEFAULT_END, data_dir, sample_store
from nl2logql.engine.loaders.timestamps import named_format
from nl2logql.engine.store import LogStore

JSONL_SUFFIXES = (".jsonl", ".ndjson")
PUSH_SUFFIXES = (".json",)

__all__ = ["sample_store", "load_files", "load_jsonl", "load_push", "load_paths", "data_dir",
           "embedded_backend", "DEFAULT_END"]


def load_paths(paths_or_globs: PathArg, labels: Mapping[str, str] | None = None,
               time_format: str | None = None, *, year: int | None = None,
               now: int | None = None) -> LogStore:
    """One store from files of any supported kind: ``*.jsonl``/``*.ndjson`` are JSON
    lines, ``*.json`` push payloads, anything else plain text (``time_format``,
    ``year`` and ``now`` as in :func:`load_files`)."""
    labels = check_labels(labels)
    if time_format:
        named_format(time_format, year or 2000)  # an unknown format fails before any reading
    parts = []
    for path in expand_paths(paths_or_globs):
        suffix = path.suffix.lower()
        if suffix in JSONL_SUFFIXES:
            parts.extend(read_jsonl(path, labels, now=now))
        elif suffix in PUSH_SUFFIXES:
            parts.extend(read_push(path))
        else:
            parts.append(read_plain(path, labels, time_format, year=year, now=now))
    return LogStore.from_streams(parts)


@register_backend("embedded")
def embedded_backend(paths: PathArg | None = None, labels: Mapping[str, str] | None = None,
                     time_format: str | None = None, end: str | int = DEFAULT_END) -> LogStore:
    """``--backend embedded``: the user's files if given, else the sample store."""
    if paths:
        return load_paths(paths, labels, time_format)
    return sample_store(end)
