"""The sample store: three Loghub 2k samples, seven deployments each.

Built exactly as ``docs/sample-store.md`` says, so that queries return what the
reference Loki returned (``tests/fixtures/nl2ql_on_sample_store.loki.json``): a line is
the ``Content`` column, header columns become labels, and each system's timeline is
shifted so that its last line falls at ``end``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from nl2logql.engine.store import LogStore, Stream, label_key
from nl2logql.errors import DataError
from nl2logql.paths import DATA_ENV, data_root
from nl2logql.timeutil import parse_time

DEFAULT_END = "2025-01-01T00:00:00Z"
DEPLOYMENT_SUFFIXES = (
    "us-east", "eu-west", "asia-pacific", "south-america", "tenant-1", "tenant-2")
_MONTHS = {m: i for i, m in enumerate(
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), start=1)}
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

Row = dict[str, str]


def _epoch_us(year: int, month: int, day: int, clock: str) -> int:
    """Microseconds since the epoch for a UTC date and ``HH:MM:SS[.fff]``."""
    hms, _, fraction = clock.partition(".")
    hour, minute, second = (int(part) for part in hms.split(":"))
    days = date(year, month, day).toordinal() - _EPOCH_ORDINAL
    seconds = ((days * 24 + hour) * 60 + minute) * 60 + second
    return seconds * 1_000_000 + int(fraction.ljust(6, "0")[:6] or 0)


def _openssh_time(row: Row) -> int:  # "Dec" "10" "06:55:46", read as 2024
    return _epoch_us(2024, _MONTHS[row["Date"]], int(row["Day"]), row["Time"])


def _openstack_time(row: Row) -> int:  # "2017-05-16" "00:00:00.008"
    year, month, day = (int(part) for part in row["Date"].split("-"))
    return _epoch_us(year, month, day, row["Time"])


def _hdfs_time(row: Row) -> int:  # "081109" "203615" (yyMMdd HHmmss)
    d, t = row["Date"], row["Time"]
    return _epoch_us(2000 + int(d[:2]), int(d[2:4]), int(d[4:6]), f"{t[:2]}:{t[2:4]}:{t[4:6]}")


def _suffixed_hostname(labels: dict[str, str], suffix: str) -> dict[str, str]:
    return {**labels, "hostname": f"{labels['hostname']}-{suffix}"}


@dataclass(frozen=True)
class SampleSystem:
    """How one Loghub system becomes streams."""

    name: str  # Loghub's name, as in the file name
    labels: Callable[[Row], dict[str, str]]  # header columns -> labels (besides application)
    time_us: Callable[[Row], int]
    deployment: Callable[[dict[str, str], str], dict[str, str]] = field(
        default=lambda labels, suffix: labels)  # per-deployment label changes

    @property
    def service(self) -> str:
        return self.name.lower()

    @property
    def filename(self) -> str:
        return f"{self.name}_2k.log_structured.csv"


SYSTEMS = (
    SampleSystem("OpenSSH", lambda row: {"hostname": row["Component"]}, _openssh_time,
                 _suffixed_hostname),
    SampleSystem("OpenStack", lambda row: {
        "log_file_type": row["Logrecord"].split(".log", 1)[0],
        "component": row["Component"],
        "log_level": row["Level"],
    }, _openstack_time),
    SampleSystem("HDFS", lambda row: {"component": row["Component"], "log_level": row["Level"]},
                 _hdfs_time),
)


def data_dir() -> Path:
    """Where the sample CSVs are: ``$NL2LOGQL_DATA`` (the data folder or its ``logs/``),
    else the project's ``data/logs``."""
    root = data_root()
    return root / "logs" if (root / "logs").is_dir() else root


def sample_store(end: str | int = DEFAULT_END, *, directory: str | Path | None = None) -> LogStore:
    """The sample store ending at ``end`` (RFC 3339 or ns). Cached per process and
    read-only: every caller shares one instance."""
    try:
        end_ns = parse_time(end)
    except ValueError as error:
        raise DataError(str(error)) from None
    return _cached_sample_store(end_ns, str(Path(directory) if directory else data_dir()))


@lru_cache(maxsize=4)
def _cached_sample_store(end_ns: int, directory: str) -> LogStore:
    streams: list[Stream] = []
    for system in SYSTEMS:
        streams.extend(_system_streams(system, Path(directory) / system.filename, end_ns))
    return LogStore(streams).freeze()


def _system_streams(system: SampleSystem, path: Path, end_ns: int) -> list[Stream]:
    rows = _read_rows(path)
    micros, groups = [], {}
    for line_number, row in rows:
        try:
            micros.append(system.time_us(row))
            labels = system.labels(row)
        except (KeyError, ValueError, IndexError) as error:
            raise DataError(f"{path}:{line_number}: bad row ({error!r})") from None
        groups.setdefault(label_key(labels), []).append(len(micros) - 1)
    # The reference Loki was loaded from float seconds shifted by (end - last line);
    # doing the same float arithmetic reproduces its timestamps to the nanosecond
    # (OpenStack's milliseconds come out as e.g. 1735689294162999808).
    seconds = np.array(micros, dtype=np.int64) / 1e6
    shift = end_ns / 1e9 - seconds.max()
    timestamps = ((seconds + shift) * 1e9).astype(np.int64)

    streams = []
    for key, indices in groups.items():
        base = Stream.build(key, timestamps[indices], [rows[i][1]["Content"] for i in indices])
        for application, suffix in [(system.service, None)] + [
                (f"{system.service}-{s}", s) for s in DEPLOYMENT_SUFFIXES]:
            labels = dict(key)
            if suffix:
                labels = system.deployment(labels, suffix)
            labels.update(application=application, service_name=system.service)
            # Deployments share one timestamp array and one line list.
            streams.append(Stream(label_key(labels), base.timestamps, base.lines))
    return streams


def _read_rows(path: Path) -> list[tuple[int, Row]]:
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            return [(reader.line_num, row) for row in reader]
    except OSError as error:
        raise DataError(f"cannot read sample data {path}: {error.strerror or error} "
                        f"(set {DATA_ENV} to the folder holding the Loghub CSVs)") from None
    except (csv.Error, UnicodeDecodeError) as error:
        raise DataError(f"{path}: not a readable CSV ({error})") from None
