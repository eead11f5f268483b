"""Plain log files: one stream per file, timestamps read from the start of each line.

Each file becomes a stream with the caller's labels plus ``filename`` (its absolute
path, as Promtail adds it). A line keeps its full text, timestamp included; blank lines
are skipped. Lines without a timestamp (stack traces, continuation lines) take the
previous line's. If no timestamp is found at all, lines keep file order: 1 ms apart,
the last one at load time.
"""

from __future__ import annotations

import glob
import os
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Mapping

from nl2logql.engine.loaders.timestamps import detect, fill_times, named_format
from nl2logql.engine.store import LogStore
from nl2logql.errors import DataError
from nl2logql.logql.checks import is_label_name
from nl2logql.timeutil import now_ns

FILE_ORDER_SPACING = 1_000_000  # 1 ms between lines of a file without timestamps
_GLOB_CHARS = re.compile(r"[*?\[]")

PathArg = str | os.PathLike | Iterable[str | os.PathLike]


def expand_paths(paths_or_globs: PathArg) -> list[Path]:
    """Paths in the order given, globs expanded (sorted, ``**`` recursive)."""
    items = [paths_or_globs] if isinstance(paths_or_globs, (str, os.PathLike)) else paths_or_globs
    found: list[Path] = []
    for item in items:
        text = os.fspath(item)
        if _GLOB_CHARS.search(text) and not os.path.exists(text):
            matched = sorted(p for p in glob.glob(text, recursive=True) if os.path.isfile(p))
            if not matched:
                raise DataError(f"no file matches {text}")
            found.extend(Path(p) for p in matched)
        else:
            found.append(Path(text))
    if not found:
        raise DataError("no log files given")
    return found


def check_labels(labels: Mapping[str, str] | None) -> dict[str, str]:
    labels = dict(labels or {})
    for name, value in labels.items():
        if not isinstance(name, str) or not is_label_name(name):
            raise DataError(f"invalid label name {name!r} (use letters, digits and _)")
        if not isinstance(value, str):
            raise DataError(f"label {name} must have a string value, not {value!r}")
    return labels


def read_text(path: Path) -> str:
    """The whole file as text (undecodable bytes replaced); ``DataError`` if unreadable."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise DataError(f"cannot read {path}: {error.strerror or error}") from None
    return data.decode("utf-8", errors="replace")


def split_lines(text: str) -> list[str]:
    # split("\n") rather than splitlines(): form feeds and U+2028 belong to the line.
    return [line.rstrip("\r") for line in text.split("\n") if line.strip()]


def read_plain(path: Path, labels: Mapping[str, str], time_format: str | None = None,
               *, year: int | None = None, now: int | None = None
               ) -> tuple[dict[str, str], list[int], list[str]]:
    """One file as a ``(labels, timestamps, lines)`` triple."""
    lines = split_lines(read_text(path))
    year = year or datetime.now(timezone.utc).year
    fmt = named_format(time_format, year) if time_format else detect(lines, year)
    times = [fmt.parse(line) for line in lines] if fmt else [None] * len(lines)
    if time_format and lines and all(t is None for t in times):
        raise DataError(f"{path}: no line starts with a time in format {time_format!r}")
    timestamps = fill_times(times, now_ns() if now is None else now, FILE_ORDER_SPACING)
    return {**labels, "filename": str(path.absolute())}, timestamps, lines


def load_files(paths_or_globs: PathArg, labels: Mapping[str, str] | None = None,
               time_format: str | None = None, *, year: int | None = None,
               now: int | None = None) -> LogStore:
    """A store of plain log files, one stream per file (see the module doc).

    ``time_format``: ``None`` to detect, a name (``iso8601``, ``syslog``, ``yymmdd``,
    ``unix``, ``unix_ms``, ``unix_ns``) or a strptime format. ``year`` completes
    syslog times (default: this year); ``now`` is the load time for files without
    timestamps (default: the clock).
    """
    labels = check_labels(labels)
    if time_format:
        named_format(time_format, year or 2000)  # an unknown format fails before any reading
    return LogStore.from_streams(
        read_plain(path, labels, time_format, year=year, now=now)
        for path in expand_paths(paths_or_globs))
