#!/usr/bin/env python
"""Print a Markdown table: timestamp detection on the 16 Loghub 2k samples.

Each raw ``<System>_2k.log`` is read as ``--logs`` reads it, with no ``--time-format``;
the first and last lines' times are checked against the date and time columns of
``<System>_2k.log_structured.csv`` (read here with ``datetime.strptime``, independently
of the loader). Where the log has no year, month, day and time are compared.
``tests/test_timestamps.py`` runs the same measure for each system.

Usage: python scripts/timestamps_table.py [LOGHUB_DIR]
(default: ``$NL2LOGQL_DATA/loghub``, else ``../shared/data/loghub``)
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from nl2logql.engine.loaders.files import read_plain, read_text, split_lines
from nl2logql.engine.loaders.timestamps import detect, read_times
from nl2logql.paths import loghub_root
from nl2logql.timeutil import format_time, strptime_ns

SECOND = 1_000_000_000
SYSTEMS = ["Android", "Apache", "BGL", "HDFS", "HPC", "Hadoop", "HealthApp", "Linux", "Mac",
           "OpenSSH", "OpenStack", "Proxifier", "Spark", "Thunderbird", "Windows", "Zookeeper"]


def _no_year(text: str, fmt: str) -> tuple[int, int, int]:
    """(month, day, ns into the day) of a time written without a year."""
    moment = datetime.strptime(text, fmt)
    into_day = (moment.hour * 3600 + moment.minute * 60 + moment.second) * SECOND
    return moment.month, moment.day, into_day + moment.microsecond * 1000


def _healthapp(time: str) -> int:  # 20171224-1:2:35:789: the last field counts ms
    clock, millis = time.rsplit(":", 1)
    return strptime_ns(clock, "%Y%m%d-%H:%M:%S") + int(millis) * 1_000_000


# system: the CSV row's time, as ns since the epoch (UTC) or, without a year, _no_year's tuple
REFERENCE = {
    "Android": lambda r: _no_year(f"{r['Date']} {r['Time']}", "%m-%d %H:%M:%S.%f"),
    "Apache": lambda r: strptime_ns(r["Time"], "%a %b %d %H:%M:%S %Y"),
    "BGL": lambda r: int(r["Timestamp"]) * SECOND,
    "HDFS": lambda r: strptime_ns(r["Date"] + r["Time"], "%y%m%d%H%M%S"),
    "HPC": lambda r: int(r["Time"]) * SECOND,
    "Hadoop": lambda r: strptime_ns(f"{r['Date']} {r['Time']}", "%Y-%m-%d %H:%M:%S,%f"),
    "HealthApp": lambda r: _healthapp(r["Time"]),
    "Linux": lambda r: _no_year(f"{r['Month']} {r['Date']} {r['Time']}", "%b %d %H:%M:%S"),
    "Mac": lambda r: _no_year(f"{r['Month']} {r['Date']} {r['Time']}", "%b %d %H:%M:%S"),
    "OpenSSH": lambda r: _no_year(f"{r['Date']} {r['Day']} {r['Time']}", "%b %d %H:%M:%S"),
    "OpenStack": lambda r: strptime_ns(f"{r['Date']} {r['Time']}", "%Y-%m-%d %H:%M:%S.%f"),
    "Proxifier": lambda r: _no_year(r["Time"], "%m.%d %H:%M:%S"),
    "Spark": lambda r: strptime_ns(f"{r['Date']} {r['Time']}", "%y/%m/%d %H:%M:%S"),
    "Thunderbird": lambda r: int(r["Timestamp"]) * SECOND,
    "Windows": lambda r: strptime_ns(f"{r['Date']} {r['Time']}", "%Y-%m-%d %H:%M:%S"),
    "Zookeeper": lambda r: strptime_ns(f"{r['Date']} {r['Time']}", "%Y-%m-%d %H:%M:%S,%f"),
}


@dataclass
class Measure:
    system: str
    format: str  # the detected format's name ("" if none)
    title: str
    yearless: bool
    first: int | tuple  # as REFERENCE gives it: ns, or (month, day, ns into the day)
    last: int | tuple
    expected_first: int | tuple
    expected_last: int | tuple
    own: int  # lines with a timestamp of their own
    total: int

    @property
    def matches(self) -> bool:
        return (self.first, self.last) == (self.expected_first, self.expected_last)


def _comparable(ns: int, yearless: bool) -> int | tuple:
    if not yearless:
        return ns
    moment = datetime.fromtimestamp(ns // SECOND, timezone.utc)
    into_day = (moment.hour * 3600 + moment.minute * 60 + moment.second) * SECOND
    return moment.month, moment.day, into_day + ns % SECOND


def measure(system: str, directory: Path) -> Measure:
    path = directory / system / f"{system}_2k.log"
    lines = split_lines(read_text(path))
    fmt = detect(lines)
    own = sum(t is not None for t in read_times(fmt, lines)) if fmt else 0
    times = read_plain(path, {})[1]
    with open(f"{path}_structured.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    yearless = bool(fmt and fmt.yearless)
    return Measure(system, fmt.name if fmt else "", fmt.title if fmt else "no timestamps",
                   yearless, _comparable(int(times[0]), yearless),
                   _comparable(int(times[-1]), yearless), REFERENCE[system](rows[0]),
                   REFERENCE[system](rows[-1]), own, len(lines))


def _shown(value: int | tuple) -> str:
    if isinstance(value, int):
        return format_time(value)
    month, day, into_day = value
    text = format_time(into_day)[11:-1]  # HH:MM:SS[.fff]
    return f"{month:02d}-{day:02d} {text} (no year)"


def table(measures: list[Measure]) -> str:
    rows = ["| system | format detected | name | first | last | lines with own timestamp "
            "| = CSV |", "|---|---|---|---|---|---|---|"]
    for m in measures:
        rows.append(f"| {m.system} | {m.title} | `{m.format}` | {_shown(m.first)} | "
                    f"{_shown(m.last)} | {m.own:,} of {m.total:,} ({m.own / m.total:.0%}) | "
                    f"{'yes' if m.matches else 'NO'} |")
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    directory = Path(argv[0]) if argv else loghub_root()
    if directory is None:
        print("Loghub samples not found: give their folder", file=sys.stderr)
        return 2
    measures = [measure(system, directory) for system in SYSTEMS]
    print(table(measures))
    return 0 if all(m.matches for m in measures) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
