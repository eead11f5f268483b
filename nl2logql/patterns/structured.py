"""Loghub's structured CSV for a log file: how log parsers exchange their results.

One row per line of the file (``LineId`` from 1), its ``Content`` (the line after its
header), ``EventId`` and ``EventTemplate`` (the template with its named fields), then one
column per named field, holding the line's value where its template has that field.
"""

from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nl2logql.errors import DataError
from nl2logql.patterns.describe import describe_cluster, template_regex

FIXED_COLUMNS = ("LineId", "Content", "EventId", "EventTemplate")


@dataclass
class StructuredSummary:
    lines: int
    patterns: int
    fields: int


def read_lines(path: str | Path) -> list[str]:
    """The file's lines, undecodable bytes replaced (a log is never refused for them)."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise DataError(f"cannot read {path}: {error.strerror or error}") from None
    return data.decode("utf-8", errors="replace").splitlines()


def structured_rows(lines: list[str]) -> tuple[list[str], list[dict[str, str]]]:
    """The columns and one row per line."""
    from nl2logql.patterns.mining import mine

    mining = mine(lines)
    templates: dict[int, tuple[str, str, list[str], object]] = {}
    columns: list[str] = []
    for cluster in mining.clusters:
        pattern, _ = describe_cluster(cluster, mining, lines)
        if pattern is None:  # no member fits its own template: keep Drain's text
            templates[cluster.id] = (f"E{cluster.id + 1}", " ".join(cluster.tokens), [], None)
            continue
        names = [f.name for f in pattern.fields]
        columns.extend(name for name in names if name not in columns)
        templates[cluster.id] = (f"E{cluster.id + 1}", pattern.template, names,
                                 template_regex(cluster.tokens))
    rows = []
    for index, line in enumerate(lines):
        start, cluster_id = int(mining.content_start[index]), int(mining.assignment[index])
        row = {"LineId": str(index + 1), "Content": line[start:]}
        if cluster_id >= 0:
            event_id, template, names, regex = templates[cluster_id]
            row.update(EventId=event_id, EventTemplate=template)
            found = regex.match(line, start) if regex is not None else None
            if found:
                row.update(zip(names, found.groups()))
        rows.append(row)
    return [*FIXED_COLUMNS, *sorted(set(columns) - set(FIXED_COLUMNS))], rows


def write_structured(path: str | Path, out_path: str | Path) -> StructuredSummary:
    """Mine ``path`` and write its structured CSV to ``out_path`` (atomically)."""
    lines = read_lines(path)
    columns, rows = structured_rows(lines)
    out = Path(out_path)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=columns, restval="")
            writer.writeheader()
            writer.writerows(rows)
        os.replace(temp, out)
    except OSError as error:
        raise DataError(f"cannot write {out}: {error.strerror or error}") from None
    events = {row.get("EventId") for row in rows if row.get("EventId")}
    return StructuredSummary(lines=len(rows), patterns=len(events),
                             fields=len(columns) - len(FIXED_COLUMNS))
