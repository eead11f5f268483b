"""Ways to fill a :class:`~nl2logql.engine.store.LogStore`.

- :func:`sample_store`: the deterministic sample store (``docs/sample-store.md``);
- :func:`load_files`: plain log files, timestamps read from each line;
- :func:`load_jsonl`: JSON lines (``logcli --output=jsonl`` shape);
- :func:`load_push`: a Loki push-API payload;
- :func:`load_paths`: any of the three file kinds, chosen by extension.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from nl2logql.engine.backend import register_backend
from nl2logql.engine.loaders.files import (PathArg, check_time_options, expand_paths,
                                          load_files, load_inputs, read_plain)
from nl2logql.engine.loaders.jsonlog import load_jsonl, load_push, read_jsonl, read_push
from nl2logql.engine.loaders.sample import DEFAULT_END, data_dir, sample_store
from nl2logql.engine.store import LogStore
from nl2logql.timeutil import now_ns

JSONL_SUFFIXES = (".jsonl", ".ndjson")
PUSH_SUFFIXES = (".json",)
COMPRESSED_SUFFIXES = (".gz", ".bz2")  # app.jsonl.gz is JSON lines

__all__ = ["sample_store", "load_files", "load_jsonl", "load_push", "load_paths", "data_dir",
           "embedded_backend", "DEFAULT_END"]


def kind_suffix(path: Path) -> str:
    """The suffix that tells a file's kind, under any compression suffix."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] in COMPRESSED_SUFFIXES:
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def load_paths(paths_or_globs: PathArg, labels: Mapping[str, str] | None = None,
               time_format: str | None = None, *, year: int | None = None,
               now: int | None = None, tz: str | None = None, keep_duplicates: bool = False,
               multiline: bool = True, glob_pattern: str = "*",
               label_from_path: str | None = None) -> LogStore:
    """One store from files of any supported kind: ``*.jsonl``/``*.ndjson`` are JSON
    lines, ``*.json`` push payloads, anything else (standard input too) plain text; each
    may be gzip or bzip2 compressed. The options are :func:`load_files`'s (``multiline``,
    ``time_format`` and ``year`` concern plain text only). The store's ``notes`` say what
    was found in each file, one line a file."""
    check_time_options(time_format, tz, year)  # a bad option fails before any reading
    now = now_ns() if now is None else now  # one load time for every file

    def read(path: Path, labels: dict[str, str], notes: list[str]) -> list[tuple]:
        suffix = kind_suffix(path)
        if suffix in JSONL_SUFFIXES:
            return read_jsonl(path, labels, now=now, tz=tz, notes=notes)
        if suffix in PUSH_SUFFIXES:
            return read_push(path, notes=notes)
        return [read_plain(path, labels, time_format, year=year, now=now, tz=tz,
                           multiline=multiline, notes=notes)]

    return load_inputs(paths_or_globs, labels, read, glob_pattern=glob_pattern,
                       label_from_path=label_from_path, keep_duplicates=keep_duplicates)


@register_backend("embedded")
def embedded_backend(paths: PathArg | None = None, labels: Mapping[str, str] | None = None,
                     time_format: str | None = None, end: str | int = DEFAULT_END,
                     **options) -> LogStore:
    """``--backend embedded``: the user's files if given (``options``: ``year``, ``tz``,
    ``keep_duplicates``, ``multiline``, ``glob_pattern``, ``label_from_path``...), else
    the sample store."""
    if paths:
        return load_paths(paths, labels, time_format, **options)
    return sample_store(end)
