"""JSON inputs: JSON lines (one entry per line) and Loki push-API payloads.

JSON lines, one object per line (``logcli --output=jsonl`` writes this shape)::

    {"line": "GET /", "timestamp": "2025-01-01T00:00:00Z", "labels": {"app": "web"}}

- the line: ``line``, ``message``, ``msg`` or ``log`` (the first present; a string);
- the time (optional): ``timestamp``, ``ts``, ``time`` or ``@timestamp``: RFC 3339, or
  an epoch number (or numeric string) in s, ms, µs or ns, told apart by magnitude;
  entries without one take the previous entry's (file order if none has one);
- labels (optional): ``labels`` or ``stream``, an object of strings, over the caller's;
  an entry with no labels at all gets ``filename``;
- structured metadata (optional): ``structured_metadata`` or ``metadata``;
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

from nl2logql.engine.loaders.files import (FILE_ORDER_SPACING, PathArg, check_labels,
                                          expand_paths, read_text)
from nl2logql.engine.loaders.timestamps import fill_times, scaled_epoch
from nl2logql.engine.store import LogStore, label_key
from nl2logql.errors import DataError
from nl2logql.timeutil import now_ns, parse_time

LINE_FIELDS = ("line", "message", "msg", "log")
TIME_FIELDS = ("timestamp", "ts", "time", "@timestamp")
LABEL_FIELDS = ("labels", "stream")
METADATA_FIELDS = ("structured_metadata", "metadata")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


def epoch_scale(magnitude: float) -> int:
    """Nanoseconds per unit of an epoch time this big: s, ms, µs or ns."""
    return (1_000_000_000 if magnitude < 1e11 else 1_000_000 if magnitude < 1e14
            else 1_000 if magnitude < 1e17 else 1)


def _time_value(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, (int, float)):
        value = repr(value)  # the digits as written, without float rounding
    if not isinstance(value, str):
        raise ValueError(f"not a time: {value!r}")
    text = value.strip()
    if _NUMBER.match(text):
        return scaled_epoch(text, epoch_scale(abs(float(text))))
    return parse_time(text)  # RFC 3339


def _first(obj: dict, fields: tuple[str, ...]) -> Any:
    return next((obj[f] for f in fields if f in obj), None)


def _string_map(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError(f"{what} must be an object of strings")
    return value


def read_jsonl(path: Path, labels: Mapping[str, str], *, now: int | None = None
               ) -> list[tuple[dict[str, str], list[int], list[str], list]]:
    """One JSON-lines file as ``(labels, timestamps, lines, metadata)`` parts."""
    keys, times, lines, metadata = [], [], [], []
    key_of: dict[tuple, tuple] = {}  # an entry's own labels -> its label set, checked once
    for number, text in enumerate(read_text(path).split("\n"), start=1):
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
            times.append(None if stamp is None else _time_value(stamp))
        except (ValueError, DataError) as error:
            raise DataError(f"{path}:{number}: {error}") from None
        keys.append(key_of[own])
        lines.append(line)
        metadata.append(meta or None)
    timestamps = fill_times(times, now_ns() if now is None else now, FILE_ORDER_SPACING)
    parts: dict[tuple, tuple[list, list, list]] = {}
    for key, ts, line, meta in zip(keys, timestamps, lines, metadata):
        part = parts.setdefault(key, ([], [], []))
        part[0].append(ts)
        part[1].append(line)
        part[2].append(meta)
    return [(dict(key), *part) for key, part in parts.items()]


def _label_set(defaults: Mapping[str, str], own: dict[str, str], path: Path) -> tuple:
    labels = check_labels({**defaults, **own})
    return label_key(labels) or label_key({"filename": str(path.absolute())})


def load_jsonl(paths_or_globs: PathArg, labels: Mapping[str, str] | None = None, *,
               now: int | None = None) -> LogStore:
    """A store of JSON-lines files (fields: see the module doc)."""
    labels = check_labels(labels)
    return LogStore.from_streams(
        part for path in expand_paths(paths_or_globs) for part in read_jsonl(path, labels, now=now))


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


def read_push(path: Path) -> list[tuple[dict[str, str], list[int], list[str], list]]:
    """A push payload file as ``(labels, timestamps, lines, metadata)`` parts."""
    try:
        payload = json.loads(read_text(path))
    except json.JSONDecodeError as error:
        raise DataError(f"{path}:{error.lineno}: invalid JSON ({error.msg})") from None
    return push_streams(payload, str(path))


def load_push(source: str | os.PathLike | Mapping) -> LogStore:
    """A store from a push payload: a decoded object or the path of a JSON file."""
    if isinstance(source, Mapping):
        return LogStore.from_streams(push_streams(source))
    return LogStore.from_streams(read_push(Path(source)))
