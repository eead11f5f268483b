"""JSON inputs: JSON lines (one entry per line) and Loki push-API payloads.

JSON lines, one object per line (``logcli --output=jsonl`` writes this shape)::

    {"line": "GET /", "timestamp": "2025-01-01T00:00:00Z", "labels": {"app": "web"}}

- the line: ``line``, ``message``, ``msg`` or ``log`` (the first present; a string);
- the time (optional): ``timestamp``, ``ts``, ``time`` or ``@timestamp``: RFC 3339 (or
  ISO 8601 with a space and no offset, as Python's logging writes it: UTC, or the zone
  given), or an epoch number (or numeric string) in s, ms, µs or ns, told apart by
  magnitude; entries without one take the previous entry's (file order if none has one);
- labels (optional): ``labels`` or ``stream``, an object of strings, over the caller's;
  an entry with no labels at all gets ``filename``;
- structured metadata (optional): ``structured_metadata`` or ``metadata``;
- the level (optional): ``level``, ``severity`` or ``lvl``, of the entry or of its
  metadata; else one found in the line (:mod:`~nl2logql.engine.loaders.levels`), else
  ``unknown``: it becomes the ``detected_level`` metadata, unless the metadata has one
  already;
- anything else is ignored.

Push payloads are what Loki's ``/loki/api/v1/push`` takes::

    {"streams": [{"stream": {"app": "web"},
                  "values": [["1735689600000000000", "GET /"],
                             ["1735689600000000001", "POST /", {"trace_id": "abc"}]]}]}
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Mapping

from nl2logql.engine.backend import DETECTED_LEVEL, UNKNOWN_LEVEL
from nl2logql.engine.loaders.files import (FILE_ORDER_SPACING, PathArg, check_labels,
                                          check_time_options, load_inputs, read_text,
                                          with_remarks)
from nl2logql.engine.loaders.levels import (known_levels, level_metadata,
                                            levels_note, line_level, normal_level)
from nl2logql.engine.loaders.timestamps import (Localize, epoch_scale, fill_times, iso8601,
                                                scaled_epoch, time_zone)
from nl2logql.engine.store import LogStore, Metadata, label_key
from nl2logql.errors import DataError
from nl2logql.timeutil import now_ns, parse_time

LINE_FIELDS = ("line", "message", "msg", "log")
TIME_FIELDS = ("timestamp", "ts", "time", "@timestamp")
LABEL_FIELDS = ("labels", "stream")
METADATA_FIELDS = ("structured_metadata", "metadata")
LEVEL_FIELDS = ("level", "severity", "lvl")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


def _time_value(value: Any, localize: Localize | None = None) -> int:
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, (int, float)):
        value = repr(value)  # the digits as written, without float rounding
    if not isinstance(value, str):
        raise ValueError(f"not a time: {value!r}")
    text = value.strip()
    if _NUMBER.match(text):
        return scaled_epoch(text, epoch_scale(abs(float(text))))
    try:
        return parse_time(text)  # RFC 3339
    except ValueError:
        iso = iso8601(localize)  # 2025-01-01 00:00:00,123 (Python logging's asctime)
        found = iso.regex.fullmatch(text)
        if found is None:
            raise
        return iso.convert(found)


def _first(obj: dict, fields: tuple[str, ...]) -> Any:
    return next((obj[f] for f in fields if f in obj), None)


def _string_map(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError(f"{what} must be an object of strings")
    return value


def read_jsonl(path: Path, labels: Mapping[str, str], *, now: int | None = None,
               tz: str | None = None, notes: list[str] | None = None
               ) -> list[tuple[dict[str, str], list[int], list[str], list]]:
    """One JSON-lines file as ``(labels, timestamps, lines, metadata)`` parts; what was
    found about its times is appended to ``notes`` as one line."""
    localize = time_zone(tz)
    keys, times, lines, metadata = [], [], [], []
    key_of: dict[tuple, tuple] = {}  # an entry's own labels -> its label set, checked once
    remarks: list[str] = []
    for number, text in enumerate(read_text(path, remarks).split("\n"), start=1):
        if not text.strip():
            continue
        try:
            entry = json.loads(text)
        except json.JSONDecodeError as error:
            raise DataError(f"{path}:{number}: invalid JSON ({error.msg})") from None
        try:
            if not isinstance(entry, dict):
                raise ValueError("expected a JSON object")
            line = _first(entry, LINE_FIELDS)
            if not isinstance(line, str):
                raise ValueError(f"no string field {' / '.join(LINE_FIELDS)}")
            stamp = _first(entry, TIME_FIELDS)
            meta = _first(entry, METADATA_FIELDS)
            meta = _string_map(meta, "metadata") if meta is not None else None
            own = _first(entry, LABEL_FIELDS)
            own = tuple(_string_map(own, "labels").items()) if own is not None else ()
            if own not in key_of:
                key_of[own] = _label_set(labels, dict(own), path)
            times.append(None if stamp is None else _time_value(stamp, localize))
        except (ValueError, DataError) as error:
            raise DataError(f"{path}:{number}: {error}") from None
        keys.append(key_of[own])
        lines.append(line)
        metadata.append(_with_level(meta, entry, line))
    timestamps = fill_times(times, now_ns() if now is None else now, FILE_ORDER_SPACING)
    if notes is not None:
        levels = levels_note(known_levels(metadata), len(metadata), "entries")
        notes.append(with_remarks(_jsonl_note(path, len(lines) - times.count(None), len(lines)),
                                  [levels, *remarks] if levels else remarks))
    parts: dict[tuple, tuple[list, list, list]] = {}
    for key, ts, line, meta in zip(keys, timestamps, lines, metadata):
        part = parts.setdefault(key, ([], [], []))
        part[0].append(ts)
        part[1].append(line)
        part[2].append(meta)
    return [(dict(key), *part) for key, part in parts.items()]


def _with_level(meta: dict[str, str] | None, entry: dict, line: str) -> Metadata:
    """The entry's metadata with its ``detected_level``: the metadata's own (normalised,
    as Loki does), else a level field's, else one found in the line, else ``unknown``."""
    if meta and DETECTED_LEVEL in meta:
        given = meta[DETECTED_LEVEL]
        return {**meta, DETECTED_LEVEL: normal_level(given) or given}
    values = (source.get(name) for source in (entry, meta or {}) for name in LEVEL_FIELDS)
    level = next(filter(None, (normal_level(v) for v in values if isinstance(v, str))), None)
    found = level_metadata(level) if level else line_level(line) or level_metadata(UNKNOWN_LEVEL)
    return {**meta, **found} if meta else found


def _jsonl_note(path: Path, own: int, total: int) -> str:
    if not own:
        return (f"no timestamps found in {path}: every entry gets the load time "
                "(1 ms apart, in file order)")
    rest = "" if own == total else " (the others keep the previous entry's time)"
    return (f"{path}: timestamps: JSON field {' / '.join(TIME_FIELDS)}, "
            f"{own:,} of {total:,} entries{rest}")


def _label_set(defaults: Mapping[str, str], own: dict[str, str], path: Path) -> tuple:
    labels = check_labels({**defaults, **own})
    return label_key(labels) or label_key({"filename": str(path.absolute())})


def load_jsonl(paths_or_globs: PathArg, labels: Mapping[str, str] | None = None, *,
               now: int | None = None, tz: str | None = None,
               keep_duplicates: bool = False) -> LogStore:
    """A store of JSON-lines files (fields: see the module doc); ``notes`` as
    :func:`~nl2logql.engine.loaders.files.load_files`."""
    check_time_options(None, tz, None)
    return load_inputs(paths_or_globs, labels,
                       lambda path, labels, notes: read_jsonl(path, labels, now=now, tz=tz,
                                                              notes=notes),
                       keep_duplicates=keep_duplicates)


def push_streams(payload: Any, where: str = "payload"
                 ) -> list[tuple[dict[str, str], list[int], list[str], list]]:
    """A decoded push payload as ``(labels, timestamps, lines, metadata)`` parts."""
    if not isinstance(payload, dict) or not isinstance(payload.get("streams"), list):
        raise DataError(f"{where}: expected an object with a \"streams\" list")
    parts = []
    for i, item in enumerate(payload["streams"]):
        at = f"{where}: streams[{i}]"
        try:
            if not isinstance(item, dict):
                raise ValueError("expected an object")
            labels = check_labels(_string_map(item.get("stream", {}), "stream"))
            values = item.get("values")
            if not isinstance(values, list):
                raise ValueError("\"values\" must be a list")
        except (ValueError, DataError) as error:
            raise DataError(f"{at}: {error}") from None
        timestamps, lines, metadata = [], [], []
        for j, value in enumerate(values):
            try:
                if not isinstance(value, list) or len(value) not in (2, 3):
                    raise ValueError("expected [\"<ns>\", \"line\"] or [\"<ns>\", \"line\", {...}]")
                stamp, line = value[0], value[1]
                if isinstance(stamp, bool) or not isinstance(stamp, (str, int)):
                    raise ValueError(f"timestamp must be a string of nanoseconds, not {stamp!r}")
                if not isinstance(line, str):
                    raise ValueError("line must be a string")
                timestamps.append(int(stamp))
                lines.append(line)
                metadata.append(_string_map(value[2], "metadata") or None
                                if len(value) == 3 else None)
            except ValueError as error:
                raise DataError(f"{at}.values[{j}]: {error}") from None
        if not label_key(labels):
            raise DataError(f"{at}: a stream needs at least one label")
        parts.append((labels, timestamps, lines, metadata))
    return parts


def read_push(path: Path, *, notes: list[str] | None = None
              ) -> list[tuple[dict[str, str], list[int], list[str], list]]:
    """A push payload file as ``(labels, timestamps, lines, metadata)`` parts."""
    remarks: list[str] = []
    try:
        payload = json.loads(read_text(path, remarks))
    except json.JSONDecodeError as error:
        raise DataError(f"{path}:{error.lineno}: invalid JSON ({error.msg})") from None
    parts = push_streams(payload, str(path))
    if notes is not None:
        entries = sum(len(part[2]) for part in parts)
        notes.append(with_remarks(f"{path}: push payload: {entries:,} entries in "
                                  f"{len(parts):,} streams, each with its own timestamp", remarks))
    return parts


def load_push(source: str | os.PathLike | Mapping) -> LogStore:
    """A store from a push payload: a decoded object or the path of a JSON file."""
    if isinstance(source, Mapping):
        return LogStore.from_streams(push_streams(source))
    return LogStore.from_streams(read_push(Path(source)))
