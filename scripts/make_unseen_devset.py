#!/usr/bin/env python
"""Write an unseen-systems devset from the Loghub CSVs.

Each devset has 30 questions about three Loghub systems that the sample store does not
hold, 10 a system, with answers computed here from each system's
``<System>_2k.log_structured.csv`` (the csv module; our engine is not used). Development
sets: never train on them.

- ``unseen-systems`` (``data/devsets/unseen-systems.jsonl``): Apache, Zookeeper, Linux;
- ``unseen-systems-2`` (``data/devsets/unseen-systems-2.jsonl``): Hadoop, HealthApp,
  Proxifier, written in session 21 before any answer of the assistant's to them was seen,
  to check that the answer checks tuned on the first set hold on logs they never met;
- ``unseen-systems-3`` (``data/devsets/unseen-systems-3.jsonl``): Spark, Mac, BGL, written
  in session 21 after the checks the second set led to, first measured fresh, then used;
- ``unseen-systems-4`` (``data/devsets/unseen-systems-4.jsonl``): Windows, Thunderbird,
  Android, written in session 21 after its checks were made, to measure them fresh;
- ``unseen-systems-5`` (``data/devsets/unseen-systems-5.jsonl``): HPC (the one Loghub
  system no set had), and new questions over BGL and Android, written in session 22 after
  its checks were made, to measure them fresh;
- ``unseen-systems-6`` (``data/devsets/unseen-systems-6.jsonl``): composition over nine of
  those systems (numbers read from the lines and averaged, summed or their extreme taken,
  breakdowns and top 3 by a field of the lines, lines kept by a number), written in
  session 24 before any answer of the assistant's to them was seen;
- ``unseen-systems-7`` (``data/devsets/unseen-systems-7.jsonl``): the other compositions
  over ten of them (the fewest, thresholds on a breakdown, distinct values, shares of the
  lines, totals and peaks per key, counts per hour or day, lines kept by what they lack),
  written in session 25 before any answer of the assistant's to them was seen;
- ``unseen-systems-8`` (``data/devsets/unseen-systems-8.jsonl``): new questions of the
  compositions of sets 6 and 7 over twelve systems, written in session 25 after the checks
  its seventh set led to, to measure them fresh;
- ``unseen-systems-9`` (``data/devsets/unseen-systems-9.jsonl``): compositions no set asked
  (percentiles, an average or a minimum per key, the change against the window before) and
  an on-call engineer's wording (time spelled out or abbreviated, "past 90 minutes", "half
  hour", casual asks, a misspelt word) over thirteen systems, written in session 26 before
  any answer of the assistant's to them was seen;
- ``unseen-systems-10`` (``data/devsets/unseen-systems-10.jsonl``): new questions of every
  kind before over the thirteen systems, written in session 26 after the checks its ninth
  set led to, to measure them fresh;
- ``unseen-systems-11`` (``data/devsets/unseen-systems-11.jsonl``): new questions of every
  kind over the thirteen systems (log lines, counts and rates in a window, numbers the lines
  state, breakdowns, the change against the window before, a share, a threshold) in users'
  and on-call engineers' words, written in session 27 after the checks sets 9 and 10 led to
  and before any answer of the assistant's to them was seen;
- ``unseen-systems-12`` (``data/devsets/unseen-systems-12.jsonl``): new questions of every
  kind over the thirteen systems, about events no earlier set asked where a system has any
  left (Apache's and Proxifier's events were all asked: new questions of them), written in
  session 28 after the checks sets 9-11 led to and before any answer of the assistant's to
  them was seen;
- ``unseen-systems-13`` (``data/devsets/unseen-systems-13.jsonl``): new questions of every
  kind over the thirteen systems, about events no earlier set asked where a system has any
  left (Apache's and Proxifier's: new kinds of questions of their events), written in session
  28 after that session's checks were made and before any answer of the assistant's to them
  was seen, to measure them fresh;
- ``unseen-systems-14`` (``data/devsets/unseen-systems-14.jsonl``): new questions of every
  kind over the thirteen systems (log lines, counts and rates in a window, numbers the lines
  state, breakdowns, the change against the window before, a share, a threshold), about
  events no earlier set asked where a system has any left (Apache's and Proxifier's: new
  kinds of questions of their events), written in session 29 before any answer of the
  assistant's to them was seen;
- ``unseen-systems-15`` (``data/devsets/unseen-systems-15.jsonl``): new questions of every
  kind over the thirteen systems (log lines, counts and rates in a window, numbers the lines
  state, breakdowns, the change against the window before, a share, a threshold), about
  events no earlier set asked where a system has any left (Apache's and Proxifier's: new
  kinds of questions of their events), written in session 30 before any answer of the
  assistant's to them was seen;
- ``unseen-systems-16`` (``data/devsets/unseen-systems-16.jsonl``): new questions of every
  kind over the thirteen systems (log lines, counts and rates in a window, numbers the lines
  state, breakdowns, the change against the window before, a share, a threshold), about
  events no earlier set asked where a system has any left (Apache's and Proxifier's: new
  kinds of questions of their events), written in session 30 after that session's checks
  were made and before any answer of the assistant's to them was seen, to measure them
  fresh;
- ``unseen-systems-17`` (``data/devsets/unseen-systems-17.jsonl``): new questions of every
  kind over the thirteen systems (log lines, counts and rates in a window, numbers the lines
  state, breakdowns, the change against the window before, a share, a threshold), about
  events no earlier set asked where a system has any left (Apache's: new kinds of questions
  of its events), written by a helper that saw none of the checks, before any answer of the
  assistant's to them was seen, to measure them fresh;
- ``unseen-systems-18`` (``data/devsets/unseen-systems-18.jsonl``): new questions of every
  kind over the thirteen systems (log lines, counts and rates in a window, numbers the lines
  state, breakdowns, the change against the window before, a share, a threshold), about
  events no earlier set asked where a system has any left (Apache's and Proxifier's: new
  kinds of questions of their events), written by a helper that saw none of the checks,
  before any answer of the assistant's to them was seen, to measure them fresh;
- ``unseen-systems-19`` (``data/devsets/unseen-systems-19.jsonl``): new questions of every
  kind over the thirteen systems (log lines, counts and rates in a window, numbers the lines
  state, breakdowns, the change against the window before, a share, a threshold), about
  events no earlier set asked where a system has any left (Apache's and Proxifier's: new
  kinds of questions of their events), written by a helper that saw none of the checks,
  before any answer of the assistant's to them was seen, to measure them fresh;
- ``unseen-systems-20`` (``data/devsets/unseen-systems-20.jsonl``): new questions of every
  kind over the thirteen systems (log lines, counts and rates in a window, numbers the lines
  state, breakdowns, the change against the window before, a share, a threshold), about
  events no earlier set asked where a system has any left (Apache's and Proxifier's: new
  kinds of questions of their events), written by a helper that saw none of the checks,
  before any answer of the assistant's to them was seen, to measure them fresh.

Each question is written below with the CSV filter it means; the script computes the answer:

- ``metric``: ``{"series": [{"labels": {...}, "value": N}]}`` (labels only for breakdowns;
  score them by the sorted multiset of values, which does not depend on label naming);
- ``log``: ``{"line_ids": [...], "lines": [...]}``: the CSV rows' LineIds and their raw
  lines (line LineId of ``<System>_2k.log``).

Time reference: a metric question is an instant query at the newest line's time + 1 s, so
"in the last hour" is the window (newest + 1 s - 1 h, newest + 1 s]; a log question is a
range query over [oldest, newest + 1 s). Counts are of distinct (time, line) entries:
Loki (and our store) merge identical lines with the same timestamp, and so does this
script (rows equal in every CSV column but LineId/EventId/EventTemplate are one entry).
Linux lines carry no year; the windows are computed in a fixed non-leap year (only
differences of times matter, and the file spans June-July).

Deterministic: rerunning reproduces the file byte for byte.

Usage: python scripts/make_unseen_devset.py [--set NAME] [--loghub DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import calendar
import csv
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from nl2logql.paths import loghub_root
from nl2logql.timeutil import strptime_ns

ROOT = Path(__file__).resolve().parents[1]
DEVSETS_DIR = ROOT / "data" / "devsets"
OUT = DEVSETS_DIR / "unseen-systems.jsonl"
SECOND = 1_000_000_000
UNITS = {"m": 60, "h": 3600, "d": 86400}
NOT_CONTENT = ("LineId", "EventId", "EventTemplate")  # columns that are not the line's text
YEARLESS_YEAR = 2005  # Linux: the year its lines' times are computed in (not a leap year)

Row = dict[str, str]
# Of the numbers a question's rows give: the one value it asks for.
NUMBER_AGGREGATIONS = {"sum": sum, "max": max, "min": min,
                       "avg": lambda numbers: sum(numbers) / len(numbers)}
PER_KEY = {f"{name}_by": name for name in NUMBER_AGGREGATIONS}


def quantile(q: float, numbers: list[float]) -> float:
    """The ``q`` quantile as Prometheus's and Loki's ``quantile_over_time`` interpolate it:
    between the sorted values either side of rank q * (n - 1)."""
    ordered = sorted(numbers)
    rank = q * (len(ordered) - 1)
    lower = int(rank)
    upper = min(lower + 1, len(ordered) - 1)
    weight = rank - lower
    return ordered[lower] * (1 - weight) + ordered[upper] * weight


def _iso(ns: int) -> str:
    """ISO 8601 in UTC, with milliseconds when the time has any."""
    seconds, rest = divmod(ns, SECOND)
    parts = time.gmtime(seconds)
    text = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}".format(
        parts.tm_year, parts.tm_mon, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec)
    return f"{text}.{rest // 1_000_000:03d}Z" if rest else f"{text}Z"


@dataclass(frozen=True)
class System:
    name: str
    application: str               # the label value the file is loaded under
    time: Callable[[Row], int]      # a CSV row's time, ns since the epoch (UTC)
    yearless: bool = False

    def shown(self, ns: int) -> str:
        """A time as the JSONL states it: ISO 8601, or month, day and time without a year."""
        text = _iso(ns)
        if not self.yearless:
            return text
        return f"{calendar.month_abbr[int(text[5:7])]} {int(text[8:10])} {text[11:-1]}"


SYSTEMS = {
    "Apache": System("Apache", "apache", lambda r: strptime_ns(r["Time"], "%a %b %d %H:%M:%S %Y")),
    "Zookeeper": System("Zookeeper", "zookeeper",
                        lambda r: strptime_ns(f"{r['Date']} {r['Time']}", "%Y-%m-%d %H:%M:%S,%f")),
    "Linux": System("Linux", "linux",
                    lambda r: strptime_ns(f"{YEARLESS_YEAR} {r['Month']} {r['Date']} {r['Time']}",
                                   "%Y %b %d %H:%M:%S"), yearless=True),
    "Hadoop": System("Hadoop", "hadoop",
                     lambda r: strptime_ns(f"{r['Date']} {r['Time']}", "%Y-%m-%d %H:%M:%S,%f")),
    "HealthApp": System("HealthApp", "healthapp", lambda r: _healthapp_time(r["Time"])),
    "Spark": System("Spark", "spark",
                    lambda r: strptime_ns(f"{r['Date']} {r['Time']}", "%y/%m/%d %H:%M:%S")),
    "Mac": System("Mac", "mac",
                  lambda r: strptime_ns(f"{YEARLESS_YEAR} {r['Month']} {r['Date']} {r['Time']}",
                                        "%Y %b %d %H:%M:%S"), yearless=True),
    "BGL": System("BGL", "bgl", lambda r: int(r["Timestamp"]) * SECOND),
    "Windows": System("Windows", "windows",
                      lambda r: strptime_ns(f"{r['Date']} {r['Time']}", "%Y-%m-%d %H:%M:%S")),
    "Thunderbird": System("Thunderbird", "thunderbird", lambda r: int(r["Timestamp"]) * SECOND),
    "Android": System("Android", "android",
                      lambda r: strptime_ns(f"{YEARLESS_YEAR}-{r['Date']} {r['Time']}",
                                            "%Y-%m-%d %H:%M:%S.%f"), yearless=True),
    "HPC": System("HPC", "hpc", lambda r: int(r["Time"]) * SECOND),
    "Proxifier": System("Proxifier", "proxifier",
                        lambda r: strptime_ns(f"{YEARLESS_YEAR}.{r['Time']}", "%Y.%m.%d %H:%M:%S"),
                        yearless=True),
}


def _healthapp_time(text: str) -> int:
    """``20171224-1:2:35:789``: fields unpadded, the last a count of milliseconds (``:11``
    is 11 ms), as the loader reads it."""
    day, clock = text.split("-")
    hour, minute, second, millis = (int(part) for part in clock.split(":"))
    return strptime_ns(f"{day} {hour:02d}:{minute:02d}:{second:02d}", "%Y%m%d %H:%M:%S") \
        + millis * 1_000_000


@dataclass(frozen=True)
class Question:
    """One question and what it means on the CSV.

    ``where``/``filter``: the rows it is about (code, and the same in words for ``how``);
    ``window``: "1h", "2d"... (metric questions: the range ending at newest + 1 s);
    ``agg``: "count", "rate" (count / window seconds), "by" (a count per ``key`` value),
    "topk"/"bottomk" (the ``k`` largest/smallest of those counts), "distinct" (how many
    ``key`` values), "ratio" (count / the count of the rows ``of`` keeps), "sum", "max",
    "min" or "avg" (of the number ``key`` extracts from each row), "quantile" (its ``q``
    quantile, interpolated as Prometheus and Loki do), "sum_by"/"max_by"/"min_by"/"avg_by"
    (of the number ``value`` extracts, per ``key`` value), "change" (the count minus the
    count of the window before, as long); ``over``: keep the counts per key above it;
    ``per``: a count per this much time ("1h": the count / the window's hours); ``label``:
    the breakdown's label name."""

    system: str
    question: str
    kind: str
    where: Callable[[Row], bool]
    filter: str
    window: str | None = None
    agg: str = "count"
    key: Callable[[Row], str] | None = None
    key_how: str = ""
    label: str = ""
    k: int = 3
    over: float | None = None
    per: str | None = None
    value: Callable[[Row], float] | None = None
    of: Callable[[Row], bool] | None = None
    q: float = 0.5


def event(*ids: str) -> Callable[[Row], bool]:
    return lambda r: r["EventId"] in ids


def extract(pattern: str) -> Callable[[Row], str]:
    compiled = re.compile(pattern)

    def key(row: Row) -> str:
        found = compiled.search(row["Content"])
        if not found:
            raise ValueError(f"{pattern!r} does not match {row['Content']!r}")
        return found.group(1)

    return key


QUESTIONS = [
    # -- Apache (error log of an Apache httpd with mod_jk; levels notice and error) ----------
    Question("Apache", "How many error lines did apache log in the last hour?", "metric",
             lambda r: r["Level"] == "error", "Level == error", window="1h"),
    Question("Apache", "How many 'Directory index forbidden by rule' errors did apache log in "
             "the last 2 days?", "metric", event("E4"),
             "EventId == E4 (Directory index forbidden by rule); the window covers the whole "
             "file", window="2d"),
    Question("Apache", "How many times did apache report 'mod_jk child workerEnv in error "
             "state' in the last 6 hours?", "metric", event("E3"), "EventId == E3",
             window="6h"),
    Question("Apache", "Count apache log lines per level over the last 24 hours.", "metric",
             lambda r: True, "every line", window="24h", agg="by", key=lambda r: r["Level"],
             key_how="Level", label="level"),
    Question("Apache", "What is the per-second rate of apache 'workerEnv.init() ok' messages "
             "over the last 10 minutes?", "metric", event("E2"), "EventId == E2",
             window="10m", agg="rate"),
    Question("Apache", "Which 3 scoreboard slots appear most often in apache's 'jk2_init() "
             "Found child' messages over the last 2 days, and how many times each?", "metric",
             event("E1"), "EventId == E1 (jk2_init() Found child <*> in scoreboard slot <*>); "
             "the window covers the whole file", window="2d", agg="topk",
             key=extract(r"scoreboard slot (\d+)"), key_how="the slot number", label="slot"),
    Question("Apache", "Break down apache's 'mod_jk child workerEnv in error state' errors by "
             "state number over the last 2 days.", "metric", event("E3"),
             "EventId == E3; the window covers the whole file", window="2d", agg="by",
             key=extract(r"error state (\d+)"), key_how="the state number", label="state"),
    Question("Apache", "Show the apache lines where jk2_init() can't find a child in the "
             "scoreboard.", "log", event("E5"), "EventId == E5"),
    Question("Apache", "Show apache's 'mod_jk child init' lines.", "log", event("E6"),
             "EventId == E6"),
    Question("Apache", "Show the apache log lines that mention client 222.166.160.184.", "log",
             lambda r: "[client 222.166.160.184]" in r["Content"],
             "Content contains '[client 222.166.160.184]'"),

    # -- Zookeeper (a 3-node ensemble; levels INFO, WARN, ERROR) ------------------------------
    Question("Zookeeper", "How many WARN lines did zookeeper log in the last 6 hours?",
             "metric", lambda r: r["Level"] == "WARN", "Level == WARN", window="6h"),
    Question("Zookeeper", "How many 'Cannot open channel to ... at election address' warnings "
             "did zookeeper log in the last 24 hours?", "metric", event("E5"),
             "EventId == E5", window="24h"),
    Question("Zookeeper", "How many zookeeper sessions expired in the last 7 days?", "metric",
             event("E15"), "EventId == E15 (Expiring session <*>, timeout of <*>ms exceeded)",
             window="7d"),
    Question("Zookeeper", "How many zookeeper log lines were there per level over the last 30 "
             "days?", "metric", lambda r: True,
             "every line; the window covers the whole file", window="30d", agg="by",
             key=lambda r: r["Level"], key_how="Level", label="level"),
    Question("Zookeeper", "How many ERROR lines did zookeeper write in the last 30 days?",
             "metric", lambda r: r["Level"] == "ERROR",
             "Level == ERROR; the window covers the whole file", window="30d"),
    Question("Zookeeper", "What are the top 3 client IPs by accepted socket connections on "
             "zookeeper over the last 30 days?", "metric", event("E2"),
             "EventId == E2 (Accepted socket connection from /<*>:<*>); the window covers the "
             "whole file", window="30d", agg="topk",
             key=extract(r"connection from /([\d.]+):"), key_how="the client IP", label="ip"),
    Question("Zookeeper", "How many new sessions did zookeeper establish in the last 7 days?",
             "metric", event("E13"),
             "EventId == E13 (Established session <*> with negotiated timeout <*>)",
             window="7d"),
    Question("Zookeeper", "Show the zookeeper ERROR lines.", "log",
             lambda r: r["Level"] == "ERROR", "Level == ERROR"),
    Question("Zookeeper", "Show the zookeeper lines where a session was closed because the "
             "ZooKeeperServer was not running.", "log", event("E14"), "EventId == E14"),
    Question("Zookeeper", "Show the zookeeper lines where a session with a 20000ms timeout "
             "expired.", "log",
             lambda r: r["EventId"] == "E15" and "timeout of 20000ms" in r["Content"],
             "EventId == E15 and Content contains 'timeout of 20000ms'"),

    # -- Linux (syslog of one host, "combo"; no levels) ---------------------------------------
    Question("Linux", "How many failed SSH logins for root did linux log in the last 7 days?",
             "metric", event("E18"),
             "EventId == E18 (sshd(pam_unix) authentication failure ... user=root)",
             window="7d"),
    Question("Linux", "How many ftp connections did linux receive in the last 3 days?",
             "metric", event("E29"), "EventId == E29 (ftpd: connection from <*>)",
             window="3d"),
    Question("Linux", "How many kernel log lines did linux write in the last hour?", "metric",
             lambda r: r["Component"] == "kernel", "Component == kernel", window="1h"),
    Question("Linux", "How many 'check pass; user unknown' messages did linux log in the last "
             "30 days?", "metric", event("E27"), "EventId == E27", window="30d"),
    Question("Linux", "What are the top 3 linux components by number of log lines in the last "
             "30 days?", "metric", lambda r: True, "every line", window="30d", agg="topk",
             key=lambda r: r["Component"], key_how="Component (the syslog tag, without [pid])",
             label="component"),
    Question("Linux", "How many su sessions were opened per user on linux in the last 30 "
             "days?", "metric",
             lambda r: r["Component"] == "su(pam_unix)" and r["EventId"] == "E102",
             "Component == su(pam_unix) and EventId == E102 (session opened for user <*> by "
             "<*>)", window="30d", agg="by", key=extract(r"session opened for user (\S+)"),
             key_how="the user", label="user"),
    Question("Linux", "Which 3 remote hosts caused the most sshd authentication failures on "
             "linux in the last 30 days?", "metric",
             lambda r: r["Component"] == "sshd(pam_unix)" and r["EventId"] in (
                 "E16", "E17", "E18", "E19"),
             "Component == sshd(pam_unix) and EventId in E16-E19 (authentication failure "
             "... rhost=<*>)", window="30d", agg="topk", key=extract(r"rhost=(\S+)"),
             key_how="rhost", label="rhost"),
    Question("Linux", "Show the linux lines where Kerberos authentication failed.", "log",
             event("E61"), "EventId == E61"),
    Question("Linux", "Show linux sshd authentication failures for user guest.", "log",
             event("E17"), "EventId == E17 (authentication failure ... user=guest)"),
    Question("Linux", "Show the linux kernel lines that mention ACPI.", "log",
             lambda r: r["Component"] == "kernel" and "ACPI" in r["Content"],
             "Component == kernel and Content contains 'ACPI'"),
]


# The second set: three more systems, written before the assistant answered any of them.
SECOND_QUESTIONS = [
    # -- Hadoop (a MapReduce application master; levels INFO, WARN, ERROR, FATAL; 9 minutes) -
    Question("Hadoop", "How many ERROR lines did hadoop log in the last 10 minutes?", "metric",
             lambda r: r["Level"] == "ERROR", "Level == ERROR", window="10m"),
    Question("Hadoop", "How many times did hadoop fail to renew a lease in the last 5 minutes?",
             "metric", event("E44"), "EventId == E44 (Failed to renew lease for <*> ...)",
             window="5m"),
    Question("Hadoop", "Count hadoop log lines per level over the last hour.", "metric",
             lambda r: True, "every line; the window covers the whole file", window="1h",
             agg="by", key=lambda r: r["Level"], key_how="Level", label="level"),
    Question("Hadoop", "What is the per-second rate of hadoop's 'Retrying connect to server' "
             "messages over the last 5 minutes?", "metric", event("E91"), "EventId == E91",
             window="5m", agg="rate"),
    Question("Hadoop", "Which 3 hadoop components wrote the most log lines in the last hour?",
             "metric", lambda r: True, "every line; the window covers the whole file",
             window="1h", agg="topk", key=lambda r: r["Component"],
             key_how="Component (the Java class)", label="component"),
    Question("Hadoop", "How many 'ERROR IN CONTACTING RM' errors did hadoop log in the last 30 "
             "minutes?", "metric", event("E38"), "EventId == E38; the window covers the whole "
             "file", window="30m"),
    Question("Hadoop", "What is the longest time in seconds that hadoop reported failing to "
             "renew a lease in the last hour?", "metric", event("E44"),
             "EventId == E44 (Failed to renew lease for [<*>] for <*> seconds ...); the window "
             "covers the whole file", window="1h", agg="max",
             key=extract(r"for (\d+) seconds"), key_how="the seconds"),
    Question("Hadoop", "Show the hadoop FATAL lines.", "log", lambda r: r["Level"] == "FATAL",
             "Level == FATAL"),
    Question("Hadoop", "Show the hadoop lines that mention attempt_1445144423722_0020_m_000005_0.",
             "log", lambda r: "attempt_1445144423722_0020_m_000005_0" in r["Content"],
             "Content contains 'attempt_1445144423722_0020_m_000005_0'"),
    Question("Hadoop", "Show hadoop's 'Address change detected' warnings.", "log",
             event("E10"), "EventId == E10"),

    # -- HealthApp (an Android step counter's log, pipe-separated; no levels; 3 hours) --------
    Question("HealthApp", "How many onStandStepChanged events did healthapp log in the last "
             "hour?", "metric", event("E42"), "EventId == E42", window="1h"),
    Question("HealthApp", "How many log lines did each healthapp component write in the last 3 "
             "hours?", "metric", lambda r: True, "every line; the window covers the whole "
             "file", window="3h", agg="by", key=lambda r: r["Component"],
             key_how="Component", label="component"),
    Question("HealthApp", "How many times did healthapp's Step_StandReportReceiver receive "
             "SCREEN_ON in the last 3 hours?", "metric", event("E41"),
             "EventId == E41 (onReceive action: android.intent.action.SCREEN_ON, the "
             "Step_StandReportReceiver component's); the window covers the whole file",
             window="3h"),
    Question("HealthApp", "What was the highest totalCalories value healthapp calculated in the "
             "last 2 hours?", "metric", event("E4"),
             "EventId == E4 (calculateCaloriesWithCache totalCalories=<*>)", window="2h",
             agg="max", key=extract(r"totalCalories=(\d+)"), key_how="totalCalories"),
    Question("HealthApp", "How many times did healthapp fail to sync in the last 3 hours?",
             "metric", event("E54"), "EventId == E54 (sendSyncFailedBroadcast); the window "
             "covers the whole file", window="3h"),
    Question("HealthApp", "What is the per-second rate of healthapp TIME_TICK broadcasts over "
             "the last hour?", "metric", event("E44"),
             "EventId == E44 (processHandleBroadcastAction action:android.intent.action."
             "TIME_TICK)", window="1h", agg="rate"),
    Question("HealthApp", "Which 3 healthapp components logged the most lines in the last 2 "
             "hours?", "metric", lambda r: True, "every line", window="2h", agg="topk",
             key=lambda r: r["Component"], key_how="Component", label="component"),
    Question("HealthApp", "Show the healthapp lines from the Step_StandStepCounter component.",
             "log", lambda r: r["Component"] == "Step_StandStepCounter",
             "Component == Step_StandStepCounter"),
    Question("HealthApp", "Show healthapp's 'flush sensor data' lines.", "log", event("E12"),
             "EventId == E12"),
    Question("HealthApp", "Show the healthapp REPORT lines.", "log", event("E47"),
             "EventId == E47 (REPORT : <*> <*> <*> <*>)"),

    # -- Proxifier (a Windows proxy client; no levels; programs; July and October, no year) --
    Question("Proxifier", "How many connections did chrome open through proxifier in the last "
             "24 hours?", "metric",
             lambda r: r["EventId"] in ("E1", "E2") and r["Program"].startswith("chrome.exe"),
             "EventId in E1, E2 (<*> open through proxy <*>) and Program is chrome.exe or "
             "chrome.exe *64", window="24h"),
    Question("Proxifier", "How many connection errors did proxifier log in the last 100 days?",
             "metric", event("E3", "E4", "E5", "E6", "E7"),
             "EventId in E3-E7 (<*> error : ...); the window covers the whole file",
             window="100d"),
    Question("Proxifier", "Which 3 programs opened the most connections through proxifier in "
             "the last 24 hours?", "metric", event("E1", "E2"),
             "EventId in E1, E2 (<*> open through proxy <*>)", window="24h", agg="topk",
             key=lambda r: r["Program"], key_how="Program", label="program"),
    Question("Proxifier", "How many bytes did Dropbox.exe send through proxifier in the last 100 "
             "days?", "metric",
             lambda r: r["EventId"] == "E8" and r["Program"] == "Dropbox.exe",
             "EventId == E8 (<*> close, <*> bytes sent, <*> bytes received, ...) and Program "
             "== Dropbox.exe; the window covers the whole file", window="100d", agg="sum",
             key=extract(r"(\d+) bytes (?:\([^)]*\) )?sent"), key_how="the bytes sent"),
    Question("Proxifier", "What is the total number of bytes received on proxifier connections "
             "closed in the last hour?", "metric", event("E8"), "EventId == E8",
             window="1h", agg="sum", key=extract(r"(\d+) bytes (?:\([^)]*\) )?received"),
             key_how="the bytes received"),
    Question("Proxifier", "How many 'Could not connect to proxy' errors did proxifier log in "
             "the last 100 days?", "metric", event("E3", "E4"),
             "EventId in E3, E4; the window covers the whole file", window="100d"),
    Question("Proxifier", "Count proxifier's closed connections per program over the last 24 "
             "hours.", "metric", event("E8"), "EventId == E8", window="24h", agg="by",
             key=lambda r: r["Program"], key_how="Program", label="program"),
    Question("Proxifier", "Show the proxifier lines where a connection request was canceled.",
             "log", event("E7"), "EventId == E7"),
    Question("Proxifier", "Show the proxifier lines of WeChat.exe.", "log",
             lambda r: r["Program"] == "WeChat.exe", "Program == WeChat.exe"),
    Question("Proxifier", "Show the proxifier connections opened through SOCKS5.", "log",
             event("E1"), "EventId == E1 (<*> open through proxy <*> SOCKS5)"),
]

# The third set: written in session 21 after the second set's checks were made; measured
# fresh with them, then used to make more.
THIRD_QUESTIONS = [
    # -- Spark (an executor's log; INFO only; 31 seconds) ------------------------------------
    Question("Spark", "How many tasks did spark finish in the last 5 minutes?", "metric",
             event("E9"), "EventId == E9 (Finished task <*> in stage <*> ...)", window="5m"),
    Question("Spark", "How many log lines did each spark component write in the last hour?",
             "metric", lambda r: True, "every line; the window covers the whole file",
             window="1h", agg="by", key=lambda r: r["Component"], key_how="Component",
             label="component"),
    Question("Spark", "What are the top 3 spark components by log lines in the last 10 "
             "minutes?", "metric", lambda r: True, "every line; the window covers the whole "
             "file", window="10m", agg="topk", key=lambda r: r["Component"],
             key_how="Component", label="component"),
    Question("Spark", "What is the total number of result bytes spark sent to the driver in "
             "the last hour?", "metric", event("E9"),
             "EventId == E9 (... <*> bytes result sent to driver)", window="1h", agg="sum",
             key=extract(r"(\d+) bytes result sent"), key_how="the bytes"),
    Question("Spark", "How long, in ms, did the slowest broadcast variable read take in spark "
             "over the last hour?", "metric", event("E20"),
             "EventId == E20 (Reading broadcast variable <*> took <*> ms)", window="1h",
             agg="max", key=extract(r"took (\d+) ms"), key_how="the milliseconds"),
    Question("Spark", "How many RDD partitions did spark not find and have to compute in the "
             "last 10 minutes?", "metric", event("E19"),
             "EventId == E19 (Partition rdd_<*> not found, computing it)", window="10m"),
    Question("Spark", "What is the per-second rate of spark 'Got assigned task' messages over "
             "the last minute?", "metric", event("E11"), "EventId == E11", window="1m",
             agg="rate"),
    Question("Spark", "Show spark's 'Saved output of task' lines.", "log", event("E25"),
             "EventId == E25"),
    Question("Spark", "Show the spark lines from the SecurityManager.", "log",
             lambda r: r["Component"] == "spark.SecurityManager",
             "Component == spark.SecurityManager"),
    Question("Spark", "Show the spark lines that mention rdd_42_20.", "log",
             lambda r: "rdd_42_20" in r["Content"], "Content contains 'rdd_42_20'"),

    # -- Mac (a laptop's system log, syslog-like; no levels; a week in July, no year) --------
    Question("Mac", "How many kernel lines did mac log in the last 24 hours?", "metric",
             lambda r: r["Component"] == "kernel", "Component == kernel", window="24h"),
    Question("Mac", "Which 3 mac processes wrote the most lines in the last 7 days?", "metric",
             lambda r: True, "every line; the window covers the whole file", window="7d",
             agg="topk", key=lambda r: r["Component"],
             key_how="Component (the syslog tag, without [pid])", label="process"),
    Question("Mac", "How many 'Thermal pressure state' messages did mac log in the last 7 days?",
             "metric", event("E323"), "EventId == E323; the window covers the whole file",
             window="7d"),
    Question("Mac", "How many lines mentioning mDNSResponder did mac log in the last 7 days?",
             "metric", lambda r: "mDNSResponder" in r["Content"] + r["Component"],
             "Content or Component (the line's program) contains 'mDNSResponder'; the window "
             "covers the whole file",
             window="7d"),
    Question("Mac", "What is the longest earlyWake time in milliseconds that mac's "
             "AppleThunderboltGenericHAL reported in the last 7 days?", "metric",
             event("E122"), "EventId == E122 (AppleThunderboltGenericHAL::earlyWake - "
             "complete - took <*> milliseconds); the window covers the whole file",
             window="7d", agg="max", key=extract(r"took (\d+) milliseconds"),
             key_how="the milliseconds"),
    Question("Mac", "How many lines did each mac host write in the last 7 days?", "metric",
             lambda r: True, "every line; the window covers the whole file", window="7d",
             agg="by", key=lambda r: r["User"], key_how="the host (the CSV's User column)",
             label="host"),
    Question("Mac", "How many 'No network route' connection failures did mac log in the last "
             "7 days?", "metric", lambda r: "No network route" in r["Content"],
             "Content contains 'No network route'; the window covers the whole file",
             window="7d"),
    Question("Mac", "Show the mac lines from QQ.", "log", lambda r: r["Component"] == "QQ",
             "Component == QQ"),
    Question("Mac", "Show mac's 'Cocoa scripting error' lines.", "log", event("E188"),
             "EventId == E188"),
    Question("Mac", "Show the mac kernel lines about Thunderbolt.", "log",
             lambda r: r["Component"] == "kernel" and "Thunderbolt" in r["Content"],
             "Component == kernel and Content contains 'Thunderbolt'"),

    # -- BGL (a Blue Gene/L supercomputer's RAS log; levels; June 2005 to January 2006) ------
    Question("BGL", "How many FATAL lines did bgl log in the last 30 days?", "metric",
             lambda r: r["Level"] == "FATAL", "Level == FATAL", window="30d"),
    Question("BGL", "Count bgl log lines per component over the last year.", "metric",
             lambda r: True, "every line; the window covers the whole file", window="365d",
             agg="by", key=lambda r: r["Component"], key_how="Component (KERNEL, APP...)",
             label="component"),
    Question("BGL", "How many core files did bgl generate in the last year?", "metric",
             event("E67"), "EventId == E67 (generating core.<*>); the window covers the whole "
             "file", window="365d"),
    Question("BGL", "How many 'instruction cache parity error corrected' messages did bgl log "
             "in the last year?", "metric", event("E77"),
             "EventId == E77; the window covers the whole file", window="365d"),
    Question("BGL", "What is the total number of floating point alignment exceptions bgl "
             "reported in the last year?", "metric", event("E4"),
             "EventId == E4 (<*> floating point alignment exceptions); the window covers the "
             "whole file", window="365d", agg="sum",
             key=extract(r"(\d+) floating point alignment exceptions"), key_how="the number"),
    Question("BGL", "Which 3 bgl nodes logged the most lines in the last year?", "metric",
             lambda r: True, "every line; the window covers the whole file", window="365d",
             agg="topk", key=lambda r: r["Node"], key_how="Node", label="node"),
    Question("BGL", "How many data TLB error interrupts did bgl log in the last year?",
             "metric", event("E55"), "EventId == E55; the window covers the whole file",
             window="365d"),
    Question("BGL", "Show the bgl lines where ciod failed to load a program image.", "log",
             event("E25", "E26", "E28"),
             "EventId in E25, E26, E28 (ciod: Error loading <*>: invalid or missing program "
             "image, ...)"),
    Question("BGL", "Show the bgl lines from node R30-M0-N9-C:J16-U01.", "log",
             lambda r: r["Node"] == "R30-M0-N9-C:J16-U01", "Node == R30-M0-N9-C:J16-U01"),
    Question("BGL", "Show bgl's 'Lustre mount FAILED' lines.", "log", event("E81"),
             "EventId == E81"),
]

# The fourth set: written in session 21 after its checks were made and measured fresh
# with them; its misses then led session 22's first checks.
FOURTH_QUESTIONS = [
    # -- Windows (the CBS log of a Windows update; Info only; a day) -------------------------
    Question("Windows", "How many 'Failed to internally open package' errors did windows log "
             "in the last day?", "metric", event("E21"), "EventId == E21", window="24h"),
    Question("Windows", "How many windows log lines did each component write in the last "
             "day?", "metric", lambda r: True, "every line", window="24h", agg="by",
             key=lambda r: r["Component"], key_how="Component (CBS, CSI)", label="component"),
    Question("Windows", "How many WindowsUpdateAgent sessions were initialized on windows in "
             "the last 24 hours?", "metric", event("E36"),
             "EventId == E36 (Session: <*> initialized by client WindowsUpdateAgent.)",
             window="24h"),
    Question("Windows", "What is the per-second rate of windows 'Unrecognized packageExtended "
             "attribute' warnings over the last hour?", "metric", event("E50"),
             "EventId == E50", window="1h", agg="rate"),
    Question("Windows", "How many windows lines mention CBS_E_MANIFEST_INVALID_ITEM in the last "
             "day?", "metric", lambda r: "CBS_E_MANIFEST_INVALID_ITEM" in r["Content"],
             "Content contains 'CBS_E_MANIFEST_INVALID_ITEM'", window="24h"),
    Question("Windows", "How many offline registry hives did windows load in the last day?",
             "metric", event("E24"), "EventId == E24 (Loading offline registry hive: ...)",
             window="24h"),
    Question("Windows", "Show the windows lines where a package failed to open internally.",
             "log", event("E21"), "EventId == E21"),
    Question("Windows", "Show the windows CSI lines.", "log", lambda r: r["Component"] == "CSI",
             "Component == CSI"),
    Question("Windows", "Show windows' 'Unloading offline registry hive' lines.", "log",
             event("E49"), "EventId == E49"),
    Question("Windows", "Show the windows lines that mention WcpInitialize.", "log",
             lambda r: "WcpInitialize" in r["Content"], "Content contains 'WcpInitialize'"),

    # -- Thunderbird (a supercomputer's syslog; no levels; 14 minutes) -----------------------
    Question("Thunderbird", "How many times did thunderbird's gmetad get no answer from a "
             "datasource in the last hour?", "metric", event("E32"),
             "EventId == E32 (data_thread() got not answer from any [<*>] datasource); the "
             "window covers the whole file", window="1h"),
    Question("Thunderbird", "How many ntpd lines did thunderbird write in the last 30 minutes?",
             "metric", lambda r: r["Component"] == "ntpd", "Component == ntpd; the window "
             "covers the whole file", window="30m"),
    Question("Thunderbird", "Which 3 thunderbird programs logged the most lines in the last "
             "hour?", "metric", lambda r: True, "every line; the window covers the whole file",
             window="1h", agg="topk", key=lambda r: r["Component"], key_how="Component",
             label="program"),
    Question("Thunderbird", "How many sessions were opened for root on thunderbird in the last "
             "hour?", "metric", event("E118"), "EventId == E118; the window covers the whole "
             "file", window="1h"),
    Question("Thunderbird", "How many thunderbird lines did each host write in the last hour?",
             "metric", lambda r: True, "every line; the window covers the whole file",
             window="1h", agg="by", key=lambda r: r["User"],
             key_how="the host (the CSV's User column)", label="host"),
    Question("Thunderbird", "How many DHCPDISCOVER requests got no free leases on thunderbird "
             "in the last hour?", "metric", event("E37"), "EventId == E37; the window covers "
             "the whole file", window="1h"),
    Question("Thunderbird", "What is the per-second rate of thunderbird ntpd 'synchronized to' "
             "messages over the last 10 minutes?", "metric", event("E125"),
             "EventId == E125 (synchronized to <*>, stratum <*>)", window="10m", agg="rate"),
    Question("Thunderbird", "Show the thunderbird lines where a data source name failed to "
             "resolve.", "log", event("E146"), "EventId == E146"),
    Question("Thunderbird", "Show thunderbird's 'No topology change' lines.", "log",
             event("E6"), "EventId == E6"),
    Question("Thunderbird", "Show the thunderbird lines from dhcpd.", "log",
             lambda r: r["Component"] == "dhcpd", "Component == dhcpd"),

    # -- Android (logcat of a phone; levels V, D, I, W, E; 2.5 minutes, no year) -------------
    Question("Android", "How many error lines did android log in the last 5 minutes?",
             "metric", lambda r: r["Level"] == "E", "Level == E", window="5m"),
    Question("Android", "Count android log lines per level over the last 10 minutes.",
             "metric", lambda r: True, "every line", window="10m", agg="by",
             key=lambda r: r["Level"], key_how="Level", label="level"),
    Question("Android", "Which 3 android components logged the most lines in the last 10 "
             "minutes?", "metric", lambda r: True, "every line", window="10m", agg="topk",
             key=lambda r: r["Component"], key_how="Component (the logcat tag)",
             label="component"),
    Question("Android", "How many times did android's PowerManagerService release a suspend "
             "blocker in the last 5 minutes?", "metric", event("E109"), "EventId == E109",
             window="5m"),
    Question("Android", "How many getRunningAppProcesses calls were denied REAL_GET_TASKS on "
             "android in the last 5 minutes?", "metric", event("E59"), "EventId == E59",
             window="5m"),
    Question("Android", "What was the highest HBM brightnessOut value android logged in the "
             "last 5 minutes?", "metric", event("E65"), "EventId == E65 (HBM brightnessOut "
             "=<*>)", window="5m", agg="max", key=extract(r"brightnessOut =(\d+)"),
             key_how="brightnessOut"),
    Question("Android", "How many lines did each android process (pid) write in the last 10 "
             "minutes?", "metric", lambda r: True, "every line", window="10m", agg="by",
             key=lambda r: r["Pid"], key_how="Pid", label="pid"),
    Question("Android", "Show the android WindowManager lines.", "log",
             lambda r: r["Component"] == "WindowManager", "Component == WindowManager"),
    Question("Android", "Show android's 'setLightsOn(true)' lines.", "log", event("E123"),
             "EventId == E123"),
    Question("Android", "Show the android warning lines.", "log", lambda r: r["Level"] == "W",
             "Level == W"),
]

# The fifth set: written in session 22 after its first checks and measured fresh with
# them; its misses then led the rest.
FIFTH_QUESTIONS = [
    # -- HPC (a cluster's node and switch events; epoch seconds, Aug 2003 - Apr 2006) ---------
    Question("HPC", "How many 'Linkerror event interval expired' messages did hpc log in the "
             "last 3 years?", "metric", event("E26"), "EventId == E26", window="1095d"),
    Question("HPC", "How many 'not responding' messages did hpc log in the last year?",
             "metric", event("E32"), "EventId == E32", window="365d"),
    Question("HPC", "How many hpc log lines did each component write in the last 3 years?",
             "metric", lambda r: True, "every line", window="1095d", agg="by",
             key=lambda r: r["Component"], key_how="Component (node, switch_module, gige, ...)",
             label="component"),
    Question("HPC", "Which 3 hpc nodes logged the most lines in the last 3 years?", "metric",
             lambda r: True, "every line", window="1095d", agg="topk",
             key=lambda r: r["Node"], key_how="Node", label="node"),
    Question("HPC", "How many fan speed readings did hpc log in the last year?", "metric",
             event("E17", "E18"), "EventId in (E17, E18) (Fan speeds ( <*> ... ))",
             window="365d"),
    Question("HPC", "How many times was a ServerFileSystem domain full on hpc in the last 3 "
             "years?", "metric", event("E40"), "EventId == E40", window="1095d"),
    Question("HPC", "How many boot commands did hpc run in the last year?", "metric",
             event("E4"), "EventId == E4 (boot  (command <*>))", window="365d"),
    Question("HPC", "Show the hpc lines where a component went into the unavailable state.",
             "log", event("E13"), "EventId == E13"),
    Question("HPC", "Show hpc's 'Temperature exceeds warning threshold' lines.", "log",
             event("E44"), "EventId == E44 (Temperature (<*>C) exceeds warning threshold)"),
    Question("HPC", "Show the hpc lines where a ClusterFileSystem domain is no longer served "
             "by a node.", "log", event("E9"), "EventId == E9"),

    # -- BGL (new questions; set 3 asked others) ----------------------------------------------
    Question("BGL", "How many ciod 'Received signal' messages did bgl log in the last year?",
             "metric", event("E41"), "EventId == E41", window="365d"),
    Question("BGL", "How many data storage interrupts did bgl log in the last year?", "metric",
             event("E52"), "EventId == E52 (data storage interrupt; not E53/E54's data store "
             "interrupt caused by ...)", window="365d"),
    Question("BGL", "How many times did bgl's idoproxydb hit an ASSERT condition in the last "
             "year?", "metric", event("E74"), "EventId == E74", window="365d"),
    Question("BGL", "Count bgl log lines per level over the last year.", "metric",
             lambda r: True, "every line", window="365d", agg="by", key=lambda r: r["Level"],
             key_how="Level", label="level"),
    Question("BGL", "How many 'Error reading message prefix' messages did bgl's ciod log in "
             "the last year?", "metric",
             lambda r: "Error reading message prefix" in r["Content"],
             "Content contains 'Error reading message prefix' (E29-E32: after LOAD_MESSAGE, "
             "after LOGIN_MESSAGE, ...)", window="365d"),
    Question("BGL", "How many instruction cache parity errors were corrected on bgl node "
             "R02-M1-N0-C:J12-U11 in the last year?", "metric",
             lambda r: r["EventId"] == "E77" and r["Node"] == "R02-M1-N0-C:J12-U11",
             "EventId == E77 and Node == R02-M1-N0-C:J12-U11", window="365d"),
    Question("BGL", "What is the largest number of double-hummer alignment exceptions one bgl "
             "line reported in the last year?", "metric", event("E3"), "EventId == E3",
             window="365d", agg="max", key=extract(r"^(\d+) double-hummer"),
             key_how="the number before 'double-hummer'"),
    Question("BGL", "Show the bgl lines where a node card is not fully functional.", "log",
             event("E90"), "EventId == E90"),
    Question("BGL", "Show bgl's MACHINE CHECK DCR read timeout lines.", "log", event("E82"),
             "EventId == E82"),
    Question("BGL", "Show the bgl lines where ciod could not chdir at login.", "log",
             event("E37"), "EventId == E37 (ciod: LOGIN chdir(<*>) failed: ...)"),

    # -- Android (new questions; set 4 asked others) ------------------------------------------
    Question("Android", "How many times did android acquire a suspend blocker in the last 5 "
             "minutes?", "metric", event("E11"), "EventId == E11", window="5m"),
    Question("Android", "How many android lines did the PowerManagerService component write "
             "in the last 10 minutes?", "metric",
             lambda r: r["Component"] == "PowerManagerService",
             "Component == PowerManagerService", window="10m"),
    Question("Android", "What was the highest brightness target android animated to in the "
             "last 5 minutes?", "metric", event("E21"), "EventId == E21 (Animating "
             "brightness: target=<*>, rate=<*>)", window="5m", agg="max",
             key=extract(r"target=(\d+)"), key_how="target"),
    Question("Android", "How many surfaces did android destroy in the last 10 minutes?",
             "metric", event("E41"), "EventId == E41 (Destroying surface ...)", window="10m"),
    Question("Android", "How many getTasks calls were limited on android for not holding "
             "REAL_GET_TASKS in the last 5 minutes?", "metric", event("E61"),
             "EventId == E61 (getTasks; not E59's getRunningAppProcesses)", window="5m"),
    Question("Android", "What is the per-second rate of android userActivityNoUpdateLocked "
             "messages over the last 5 minutes?", "metric", event("E164"), "EventId == E164",
             window="5m", agg="rate"),
    Question("Android", "How many android warning lines did each component write in the last "
             "10 minutes?", "metric", lambda r: r["Level"] == "W", "Level == W", window="10m",
             agg="by", key=lambda r: r["Component"], key_how="Component", label="component"),
    Question("Android", "Show the android lines where a key was intercepted before queueing.",
             "log", event("E67"), "EventId == E67"),
    Question("Android", "Show android's 'Skipping, withExcluded' lines.", "log",
             lambda r: r["Content"].startswith("Skipping, withExcluded"),
             "Content starts with 'Skipping, withExcluded' (E134, E135, E136)"),
    Question("Android", "Show the android lines from the PhoneStatusBar component.", "log",
             lambda r: r["Component"] == "PhoneStatusBar", "Component == PhoneStatusBar"),
]

def number(pattern: str) -> Callable[[Row], float]:
    """The number ``pattern``'s first group finds in a row's content."""
    key = extract(pattern)
    return lambda row: float(key(row))


SIXTH_QUESTIONS = [
    # -- composition: numbers read from the lines, breakdowns by a field of the lines, log
    # lines kept by a number (session 24, written before any answer of the assistant's) ---
    Question("Linux", "Which 3 remote hosts (rhost) caused the most authentication failures "
             "on linux in the last 60 days?", "metric", event("E16", "E17", "E18"),
             "EventId in (E16, E17, E18) (authentication failure; ... rhost=<*>)",
             window="60d", agg="topk", key=extract(r"rhost=(\S+)"), key_how="rhost",
             label="rhost"),
    Question("Linux", "How many ftp connections came from each source IP on linux over the "
             "last 60 days?", "metric", event("E29"), "EventId == E29 (connection from <*> "
             "(<*>) at ...)", window="60d", agg="by", key=extract(r"^connection from (\S+)"),
             key_how="the IP after 'connection from'", label="ip"),
    Question("Linux", "top 3 users by sessions opened on linux in the past 60 days",
             "metric", event("E102"), "EventId == E102 (session opened for user <*> by ...)",
             window="60d", agg="topk", key=extract(r"for user (\S+) by"), key_how="user",
             label="user"),
    Question("Zookeeper", "Which 3 client IPs sent zookeeper the most connection requests "
             "in the last 30 days?", "metric", event("E40"), "EventId == E40 (Received "
             "connection request /<*>:<*>)", window="30d", agg="topk",
             key=extract(r"request /([\d.]+):"), key_how="the IP", label="ip"),
    Question("Zookeeper", "What is the longest session timeout zookeeper negotiated with a "
             "client in the last 30 days, in ms?", "metric", event("E13"), "EventId == E13 "
             "(Established session <*> with negotiated timeout <*> ...)", window="30d",
             agg="max", key=number(r"negotiated timeout (\d+)"), key_how="the negotiated "
             "timeout"),
    Question("Zookeeper", "Average negotiated session timeout in zookeeper over the last 30 "
             "days?", "metric", event("E13"), "EventId == E13", window="30d", agg="avg",
             key=number(r"negotiated timeout (\d+)"), key_how="the negotiated timeout"),
    Question("Zookeeper", "How many zookeeper sessions expired in the last 30 days, broken "
             "down by their timeout?", "metric", event("E15"), "EventId == E15 (Expiring "
             "session <*>, timeout of <*>ms exceeded)", window="30d", agg="by",
             key=extract(r"timeout of (\d+)ms"), key_how="the timeout", label="timeout"),
    Question("Zookeeper", "Show the zookeeper notification time outs above 30000 ms.", "log",
             lambda r: r["EventId"] == "E31" and number(r"time out: (\d+)")(r) > 30000,
             "EventId == E31 (Notification time out: <*>) and the number > 30000"),
    Question("Spark", "What is the average size in bytes of the task results spark sent to "
             "the driver in the last hour?", "metric", event("E9"), "EventId == E9 (Finished "
             "task ... <*> bytes result sent to driver)", window="1h", agg="avg",
             key=number(r"\. (\d+) bytes result"), key_how="the bytes"),
    Question("Spark", "longest time spark took to read a broadcast variable in the last hour "
             "(ms)", "metric", event("E20"), "EventId == E20 (Reading broadcast variable <*> "
             "took <*> ms)", window="1h", agg="max", key=number(r"took (\d+) ms"),
             key_how="the ms"),
    Question("Spark", "How many tasks did spark finish in each stage over the last hour?",
             "metric", event("E9"), "EventId == E9", window="1h", agg="by",
             key=extract(r"in stage (\S+) \(TID"), key_how="the stage", label="stage"),
    Question("Spark", "Show the spark task completions that sent more than 2500 bytes of "
             "result to the driver.", "log",
             lambda r: r["EventId"] == "E9" and number(r"\. (\d+) bytes result")(r) > 2500,
             "EventId == E9 and the bytes > 2500"),
    Question("Proxifier", "How many bytes did chrome.exe receive in total over proxifier "
             "connections that closed in the last 100 days?", "metric",
             lambda r: r["EventId"] == "E8" and r["Program"] == "chrome.exe",
             "EventId == E8 (<*> close, ...) and Program == chrome.exe", window="100d",
             agg="sum", key=number(r"(\d+) bytes(?: \([^)]*\))? received"),
             key_how="the bytes received"),
    Question("Proxifier", "Which 3 target hosts did proxifier open the most connections to "
             "in the last 100 days?", "metric", event("E1", "E2"), "EventId in (E1, E2) "
             "(<*>:<*> open through proxy ...)", window="100d", agg="topk",
             key=extract(r"^([^\s:]+):\d+ open"), key_how="the target host", label="host"),
    Question("Proxifier", "What was the largest number of bytes sent on a single proxifier "
             "connection in the last 100 days?", "metric", event("E8"), "EventId == E8",
             window="100d", agg="max", key=number(r"close, (\d+) bytes"),
             key_how="the bytes sent"),
    Question("HealthApp", "What was the lowest step count healthapp's onStandStepChanged "
             "reported in the last 3 hours?", "metric", event("E42"), "EventId == E42 "
             "(onStandStepChanged <*>)", window="3h", agg="min",
             key=number(r"onStandStepChanged (\d+)"), key_how="the step count"),
    Question("HealthApp", "average totalAltitude computed by healthapp over the last 3 hours",
             "metric", event("E3"), "EventId == E3 (calculateAltitudeWithCache "
             "totalAltitude=<*>)", window="3h", agg="avg",
             key=number(r"totalAltitude=(\d+)"), key_how="totalAltitude"),
    Question("HealthApp", "What is the highest totalCalories healthapp calculated in the last "
             "3 hours?", "metric", event("E4"), "EventId == E4 (calculateCaloriesWithCache "
             "totalCalories=<*>)", window="3h", agg="max",
             key=number(r"totalCalories=(\d+)"), key_how="totalCalories"),
    Question("Hadoop", "What is the highest progress a hadoop TaskAttempt reported in the "
             "last hour?", "metric", event("E80"), "EventId == E80 (Progress of TaskAttempt "
             "attempt_<*> is : <*>.<*>)", window="1h", agg="max",
             key=number(r"is : ([\d.]+)"), key_how="the progress"),
    Question("Hadoop", "On average, for how many seconds had hadoop failed to renew a lease "
             "when it logged it, over the last hour?", "metric", event("E44"),
             "EventId == E44 (Failed to renew lease for [...] for <*> seconds)", window="1h",
             agg="avg", key=number(r"\] for (\d+) seconds"), key_how="the seconds"),
    Question("Hadoop", "Which 3 hadoop task attempts reported their progress most often in "
             "the last hour?", "metric", event("E80"), "EventId == E80", window="1h",
             agg="topk", key=extract(r"TaskAttempt (attempt_\S+) is"),
             key_how="the attempt", label="attempt"),
    Question("Apache", "How many 'Found child' messages did apache log per scoreboard slot in "
             "the last 2 days?", "metric", event("E1"), "EventId == E1 (jk2_init() Found "
             "child <*> in scoreboard slot <*>)", window="2d", agg="by",
             key=extract(r"scoreboard slot (\d+)"), key_how="the slot", label="slot"),
    Question("Apache", "Which 3 client IPs were refused a directory index by apache most "
             "often in the last 2 days?", "metric", event("E4"), "EventId == E4 ([client <*>] "
             "Directory index forbidden by rule: <*>)", window="2d", agg="topk",
             key=extract(r"\[client ([\d.]+)\]"), key_how="the client IP", label="client"),
    Question("Apache", "Show the apache 'Found child' lines for scoreboard slots above 9.",
             "log", lambda r: r["EventId"] == "E1" and number(r"scoreboard slot (\d+)")(r) > 9,
             "EventId == E1 and the slot > 9"),
    Question("Thunderbird", "Which 3 time servers did thunderbird synchronize to most often "
             "in the last hour?", "metric", event("E125"), "EventId == E125 (synchronized to "
             "<*>, stratum <*>)", window="1h", agg="topk",
             key=extract(r"synchronized to (\S+),"), key_how="the server", label="server"),
    Question("Thunderbird", "What is the average stratum thunderbird synchronized at over the "
             "last hour?", "metric", event("E125"), "EventId == E125", window="1h", agg="avg",
             key=number(r"stratum (\d+)"), key_how="the stratum"),
    Question("Mac", "What is the longest Thunderbolt early wake on mac in the last 7 days, in "
             "milliseconds?", "metric", event("E122"), "EventId == E122 "
             "(AppleThunderboltGenericHAL::earlyWake - complete - took <*> milliseconds)",
             window="7d", agg="max", key=number(r"took (\d+) milliseconds"),
             key_how="the milliseconds"),
    Question("Mac", "What is the highest number of tries mac's dnssd ConnectToServer reported "
             "in the last 7 days?", "metric", event("E203"), "EventId == E203 (... No of "
             "tries: <*>)", window="7d", agg="max", key=number(r"No of tries: (\d+)"),
             key_how="the tries"),
    Question("Mac", "How many mac AppleCamIn systemWakeCall messages were there per message "
             "type in the last 7 days?", "metric", event("E120"), "EventId == E120 "
             "(AppleCamIn::systemWakeCall - messageType = <*>)", window="7d", agg="by",
             key=extract(r"messageType = (\S+)"), key_how="the messageType",
             label="message_type"),
    Question("Linux", "Which linux users had sessions closed in the last 60 days, and how "
             "many each?", "metric", event("E101"), "EventId == E101 (session closed for user "
             "<*>)", window="60d", agg="by", key=extract(r"for user (\S+)"), key_how="user",
             label="user"),
]

def level(name: str) -> Callable[[Row], bool]:
    return lambda r: r["Level"] == name


def every(row: Row) -> bool:
    return True


PROXIFIER_ERRORS = event("E3", "E4", "E5", "E6", "E7")

SEVENTH_QUESTIONS = [
    # -- the other compositions: the fewest, thresholds, distinct values, shares of the
    # lines, totals and peaks per key, counts per hour or day, lines kept by what they lack
    # (session 25, written before any answer of the assistant's) ---
    Question("Linux", "Which 2 users had the fewest sessions opened on linux in the last 60 "
             "days?", "metric", lambda r: "session opened for user" in r["Content"],
             "Content contains 'session opened for user' (E102, and login's E103: root's one "
             "session)", window="60d", agg="bottomk", key=extract(r"for user (\S+) by"),
             key_how="user", label="user", k=2),
    Question("Linux", "How many distinct remote hosts caused authentication failures on linux "
             "in the last 60 days?", "metric",
             lambda r: re.search(r"authentication failure;.* rhost=\S", r["Content"]) is not None,
             "Content contains 'authentication failure' and a non-empty rhost", window="60d",
             agg="distinct",
             key=extract(r"rhost=(\S*)"), key_how="rhost"),
    Question("Linux", "Show the linux authentication failures that were not for user root.",
             "log", lambda r: "authentication failure" in r["Content"]
             and "user=root" not in r["Content"],
             "Content contains 'authentication failure' and not 'user=root'"),
    Question("Zookeeper", "Which client IPs sent zookeeper more than 95 connection requests "
             "in the last 30 days?", "metric", event("E40"), "EventId == E40 (Received "
             "connection request /<*>:<*>)", window="30d", agg="by",
             key=extract(r"request /([\d.]+):"), key_how="the IP", label="ip", over=95),
    Question("Zookeeper", "What fraction of zookeeper's log lines in the last 30 days were "
             "warnings?", "metric", level("WARN"), "Level == WARN", window="30d", agg="ratio",
             of=every, key_how="every line"),
    Question("Zookeeper", "On average, how many connection requests did zookeeper receive per "
             "day over the last 30 days?", "metric", event("E40"), "EventId == E40",
             window="30d", per="1d"),
    Question("Spark", "How many bytes of task results did spark send to the driver from each "
             "stage in the last hour?", "metric", event("E9"), "EventId == E9 (Finished task "
             "<*> in stage <*> (TID <*>). <*> bytes result sent to driver)", window="1h",
             agg="sum_by", key=extract(r"in stage (\S+) \(TID"), key_how="stage",
             label="stage", value=number(r"\. (\d+) bytes result")),
    Question("Spark", "How many different stages did spark run tasks in during the last "
             "hour?", "metric", event("E24"), "EventId == E24 (Running task <*> in stage <*> "
             "(TID <*>))", window="1h", agg="distinct", key=extract(r"in stage (\S+) \(TID"),
             key_how="stage"),
    Question("Spark", "Which 2 spark stages finished the fewest tasks in the last hour?",
             "metric", event("E9"), "EventId == E9", window="1h", agg="bottomk",
             key=extract(r"in stage (\S+) \(TID"), key_how="stage", label="stage", k=2),
    Question("Proxifier", "How many bytes did each program send through proxifier over the "
             "last 100 days?", "metric", event("E8"), "EventId == E8 (<*> close, <*> bytes<*>"
             "sent, <*> bytes<*>received, lifetime <*>)", window="100d", agg="sum_by",
             key=lambda r: r["Program"], key_how="program", label="program",
             value=number(r"close, (\d+) bytes(?: \([^)]*\))? sent")),
    Question("Proxifier", "Which programs opened more than 20 connections through proxifier "
             "in the last 100 days?", "metric", event("E1", "E2"), "EventId in (E1, E2) (<*>:<*> "
             "open through proxy ...)", window="100d", agg="by", key=lambda r: r["Program"],
             key_how="program", label="program", over=20),
    Question("Proxifier", "What is the ratio of proxifier connection errors to connections "
             "opened through the proxy in the last 100 days?", "metric", PROXIFIER_ERRORS,
             "EventId in (E3, E4, E5, E6, E7) (<*>:<*> error : ...)", window="100d",
             agg="ratio", of=event("E1", "E2"), key_how="EventId in (E1, E2) (open through "
             "proxy)"),
    Question("HealthApp", "Which healthapp components logged more than 100 lines in the last "
             "3 hours?", "metric", every, "every line", window="3h", agg="by",
             key=lambda r: r["Component"], key_how="component", label="component", over=100),
    Question("HealthApp", "On average, how many onStandStepChanged updates did healthapp "
             "report per hour over the last 3 hours?", "metric", event("E42"),
             "EventId == E42 (onStandStepChanged <*>)", window="3h", per="1h"),
    Question("HealthApp", "Show healthapp's processHandleBroadcastAction lines for actions "
             "other than TIME_TICK.", "log",
             lambda r: "processHandleBroadcastAction" in r["Content"]
             and "TIME_TICK" not in r["Content"],
             "Content contains 'processHandleBroadcastAction' and not 'TIME_TICK'"),
    Question("Hadoop", "How many distinct task attempts reported progress in hadoop in the "
             "last hour?", "metric", event("E80"), "EventId == E80 (Progress of TaskAttempt "
             "attempt_<*> is : <*>.<*>)", window="1h", agg="distinct",
             key=extract(r"TaskAttempt (attempt_\S+) is"), key_how="attempt"),
    Question("Hadoop", "What share of hadoop's log lines in the last hour were errors?",
             "metric", level("ERROR"), "Level == ERROR", window="1h", agg="ratio", of=every,
             key_how="every line"),
    Question("Hadoop", "What is the highest progress each hadoop task attempt reported in "
             "the last hour?", "metric", event("E80"), "EventId == E80", window="1h",
             agg="max_by", key=extract(r"TaskAttempt (attempt_\S+) is"), key_how="attempt",
             label="attempt", value=number(r"is : ([\d.]+)")),
    Question("Apache", "Which 2 scoreboard slots had the fewest 'Found child' messages in "
             "apache over the last 2 days?", "metric", event("E1"), "EventId == E1 "
             "(jk2_init() Found child <*> in scoreboard slot <*>)", window="2d",
             agg="bottomk", key=extract(r"scoreboard slot (\d+)"), key_how="the slot",
             label="slot", k=2),
    Question("Apache", "What fraction of apache's log lines in the last 2 days were errors?",
             "metric", level("error"), "Level == error", window="2d", agg="ratio", of=every,
             key_how="every line"),
    Question("Apache", "Show the apache error lines that are not about a workerEnv error "
             "state.", "log", lambda r: r["Level"] == "error" and r["EventId"] != "E3",
             "Level == error and EventId != E3 (mod_jk child workerEnv in error state <*>)"),
    Question("Thunderbird", "Which time servers did thunderbird synchronize to more than 50 "
             "times in the last hour?", "metric", event("E125"), "EventId == E125 "
             "(synchronized to <*>, stratum <*>)", window="1h", agg="by",
             key=extract(r"synchronized to (\S+),"), key_how="the server", label="server",
             over=50),
    Question("Thunderbird", "How many different hosts wrote thunderbird log lines in the last "
             "hour?", "metric", every, "every line", window="1h", agg="distinct",
             key=lambda r: r["User"], key_how="the host (the CSV's User column)"),
    Question("Thunderbird", "Show thunderbird's ntpd lines other than 'synchronized to' "
             "messages.", "log", lambda r: r["Component"].startswith("ntpd")
             and r["EventId"] != "E125", "Component ntpd and EventId != E125"),
    Question("Mac", "How many different message types did mac's AppleCamIn systemWakeCall "
             "report in the last 7 days?", "metric", event("E120"), "EventId == E120 "
             "(AppleCamIn::systemWakeCall - messageType = <*>)", window="7d", agg="distinct",
             key=extract(r"messageType = (\S+)"), key_how="messageType"),
    Question("Mac", "Which mac processes logged more than 100 lines in the last 7 days?",
             "metric", every, "every line", window="7d", agg="by",
             key=lambda r: r["Component"], key_how="the process (the CSV's Component column)",
             label="process", over=100),
    Question("Mac", "On average, how many Cocoa scripting errors did mac log per day over the "
             "last 7 days?", "metric", event("E188"), "EventId == E188 (Cocoa scripting error "
             "for '<*>': ...)", window="7d", per="1d"),
    Question("BGL", "Which bgl nodes logged more than 20 lines in the last year?", "metric",
             every, "every line", window="365d", agg="by", key=lambda r: r["Node"],
             key_how="the node", label="node", over=20),
    Question("BGL", "How many floating point alignment exceptions did each bgl node report in "
             "total over the last year?", "metric", event("E4"), "EventId == E4 (<*> floating "
             "point alignment exceptions)", window="365d", agg="sum_by",
             key=lambda r: r["Node"], key_how="the node", label="node",
             value=number(r"^(\d+) floating point")),
    Question("BGL", "What fraction of bgl's log lines in the last year were FATAL?", "metric",
             level("FATAL"), "Level == FATAL", window="365d", agg="ratio", of=every,
             key_how="every line"),
]


EIGHTH_QUESTIONS = [
    # -- the compositions of sets 6 and 7 over twelve systems, new questions, written in
    # session 25 after its checks were made, to measure them fresh ---
    Question("Windows", "Which windows component logged the fewest lines in the last day?",
             "metric", every, "every line", window="1d", agg="bottomk",
             key=lambda r: r["Component"], key_how="component", label="component", k=1),
    Question("Windows", "How many distinct packages did windows read cached applicability for "
             "in the last day?", "metric", event("E29"), "EventId == E29 (Read out cached "
             "package applicability for package: <*>, ...)", window="1d", agg="distinct",
             key=extract(r"for package: ([^,\s]+),"), key_how="package"),
    Question("Android", "What is the average HBM brightnessIn value android logged in the last "
             "10 minutes?", "metric", event("E64"), "EventId == E64 (HBM brightnessIn =<*>)",
             window="10m", agg="avg", key=number(r"brightnessIn =(\d+)"),
             key_how="brightnessIn"),
    Question("Android", "Which android components logged more than 200 lines in the last 10 "
             "minutes?", "metric", every, "every line", window="10m", agg="by",
             key=lambda r: r["Component"], key_how="component", label="component", over=200),
    Question("Android", "Show the android PowerManagerService lines other than suspend blocker "
             "messages.", "log", lambda r: r["Component"] == "PowerManagerService"
             and "suspend blocker" not in r["Content"],
             "Component == PowerManagerService and Content without 'suspend blocker'"),
    Question("HPC", "Which hpc nodes logged more than 100 lines in the last 3 years?", "metric",
             every, "every line", window="1095d", agg="by", key=lambda r: r["Node"],
             key_how="the node", label="node", over=100),
    Question("HPC", "What fraction of hpc log lines in the last 3 years were 'Linkerror event "
             "interval expired' messages?", "metric", event("E26"), "EventId == E26",
             window="1095d", agg="ratio", of=every, key_how="every line"),
    Question("HPC", "What is the average ambient temperature hpc reported in the last 3 "
             "years?", "metric", event("E2"), "EventId == E2 (ambient=<*>)", window="1095d",
             agg="avg", key=number(r"ambient=(\d+)"), key_how="ambient"),
    Question("BGL", "How many distinct bgl nodes generated core dumps in the last year?",
             "metric", event("E67"), "EventId == E67 (generating core.<*>)", window="365d",
             agg="distinct", key=lambda r: r["Node"], key_how="the node"),
    Question("BGL", "On average, how many data TLB error interrupts did bgl log per day over "
             "the last year?", "metric", event("E55"), "EventId == E55", window="365d",
             per="1d"),
    Question("BGL", "Show the bgl FATAL lines that are not about data TLB errors.", "log",
             lambda r: r["Level"] == "FATAL" and "data TLB error" not in r["Content"],
             "Level == FATAL and Content without 'data TLB error'"),
    Question("Hadoop", "Which 2 hadoop components logged the fewest lines in the last hour?",
             "metric", every, "every line", window="1h", agg="bottomk",
             key=lambda r: r["Component"], key_how="component", label="component", k=2),
    Question("Hadoop", "On average, how many times per minute did hadoop retry connecting to "
             "a server over the last hour?", "metric", event("E91"), "EventId == E91 "
             "(Retrying connect to server: ...)", window="1h", per="1m"),
    Question("Hadoop", "Show the hadoop WARN lines other than lease renewal failures.", "log",
             lambda r: r["Level"] == "WARN" and r["EventId"] != "E44",
             "Level == WARN and EventId != E44 (Failed to renew lease ...)"),
    Question("Spark", "How many distinct tasks (TIDs) did spark run in the last hour?",
             "metric", event("E24"), "EventId == E24 (Running task <*> in stage <*> (TID <*>))",
             window="1h", agg="distinct", key=extract(r"\(TID (\d+)\)"), key_how="TID"),
    Question("Spark", "What is the average total time in spark's 'Times: total = N' lines over "
             "the last hour?", "metric", event("E35"), "EventId == E35 (Times: total = <*>, "
             "...)", window="1h", agg="avg", key=number(r"total = (\d+)"),
             key_how="the total"),
    Question("Spark", "Show the spark 'Times' lines whose total is above 1000.", "log",
             lambda r: r["EventId"] == "E35" and number(r"total = (\d+)")(r) > 1000,
             "EventId == E35 and the total > 1000"),
    Question("Zookeeper", "Which 2 client IPs sent zookeeper the fewest connection requests in "
             "the last 30 days?", "metric", event("E40"), "EventId == E40", window="30d",
             agg="bottomk", key=extract(r"request /([\d.]+):"), key_how="the IP", label="ip",
             k=2),
    Question("Zookeeper", "What fraction of zookeeper's log lines in the last 30 days were "
             "errors?", "metric", level("ERROR"), "Level == ERROR", window="30d", agg="ratio",
             of=every, key_how="every line"),
    Question("Zookeeper", "On average, how many sessions did zookeeper expire per day over the "
             "last 30 days?", "metric", event("E15"), "EventId == E15 (Expiring session <*>, "
             "timeout of <*>ms exceeded)", window="30d", per="1d"),
    Question("Mac", "Which 3 mac processes logged the most lines in the last 7 days?", "metric",
             every, "every line", window="7d", agg="topk", key=lambda r: r["Component"],
             key_how="the process (the CSV's Component column)", label="process"),
    Question("Mac", "What is the total number of tries mac's dnssd ConnectToServer reported in "
             "the last 7 days?", "metric", event("E203"), "EventId == E203", window="7d",
             agg="sum", key=number(r"No of tries: (\d+)"), key_how="the tries"),
    Question("HealthApp", "How many distinct components wrote healthapp log lines in the last "
             "3 hours?", "metric", every, "every line", window="3h", agg="distinct",
             key=lambda r: r["Component"], key_how="component"),
    Question("HealthApp", "What is the average step count healthapp's onStandStepChanged "
             "reported over the last 3 hours?", "metric", event("E42"), "EventId == E42",
             window="3h", agg="avg", key=number(r"onStandStepChanged (\d+)"),
             key_how="the step count"),
    Question("Thunderbird", "Which 2 time servers did thunderbird synchronize to the least "
             "often in the last hour?", "metric", event("E125"), "EventId == E125",
             window="1h", agg="bottomk", key=extract(r"synchronized to (\S+),"),
             key_how="the server", label="server", k=2),
    Question("Thunderbird", "What is the highest stratum thunderbird synchronized at in the "
             "last hour?", "metric", event("E125"), "EventId == E125", window="1h", agg="max",
             key=number(r"stratum (\d+)"), key_how="the stratum"),
    Question("Linux", "What share of linux's log lines in the last 60 days were ftp "
             "connections?", "metric", event("E29"), "EventId == E29 (connection from <*> ...)",
             window="60d", agg="ratio", of=every, key_how="every line"),
    Question("Linux", "On average, how many sessions were opened on linux per day over the last "
             "60 days?", "metric", lambda r: "session opened for user" in r["Content"],
             "Content contains 'session opened for user'", window="60d", per="1d"),
    Question("Apache", "How many distinct client IPs did apache refuse a directory index in the "
             "last 2 days?", "metric", event("E4"), "EventId == E4 ([client <*>] Directory "
             "index forbidden by rule: <*>)", window="2d", agg="distinct",
             key=extract(r"\[client ([\d.]+)\]"), key_how="the client IP"),
    Question("Apache", "Show the apache notice lines other than 'workerEnv.init() ok' ones.",
             "log", lambda r: r["Level"] == "notice" and r["EventId"] != "E2",
             "Level == notice and EventId != E2 (workerEnv.init() ok <*>)"),
]


NINTH_QUESTIONS = [
    # -- compositions no set asked (percentiles, an average or minimum per key, the change
    # against the window before) in an on-call engineer's words, written in session 26
    # before any answer of the assistant's to them was seen ---
    Question("Spark", "What is the 90th percentile of the total in spark's 'Times: total = N' "
             "lines over the last hour?", "metric", event("E35"), "EventId == E35 (Times: "
             "total = <*>, ...)", window="1h", agg="quantile", q=0.9,
             key=number(r"total = (\d+)"), key_how="the total"),
    Question("Spark", "hey, how many result bytes on average did spark send the driver per "
             "finished task in the past 30 mins?", "metric", event("E9"), "EventId == E9 "
             "(... <*> bytes result sent to driver)", window="30m", agg="avg",
             key=number(r"(\d+) bytes result sent"), key_how="the bytes"),
    Question("HealthApp", "How many onStandStepChanged events did healthapp log in the past 90 "
             "minutes?", "metric", event("E42"), "EventId == E42", window="90m"),
    Question("HealthApp", "What's the median totalCalories healthapp calculated over the last "
             "two hours?", "metric", event("E4"), "EventId == E4 (calculateCaloriesWithCache "
             "totalCalories=<*>)", window="2h", agg="quantile", q=0.5,
             key=number(r"totalCalories=(\d+)"), key_how="totalCalories"),
    Question("Zookeeper", "How many more (or fewer) sessions did zookeeper expire in the last 3 "
             "days than in the 3 days before?", "metric", event("E15"), "EventId == E15 "
             "(Expiring session <*>, timeout of <*>ms exceeded)", window="3d", agg="change"),
    Question("Zookeeper", "What is the average negotiated session timeout per client IP on "
             "zookeeper over the last 30 days?", "metric", event("E13"), "EventId == E13 "
             "(Established session <*> with negotiated timeout <*> for client /<*>:<*>)",
             window="30d", agg="avg_by", key=extract(r"for client /([\d.]+):"),
             key_how="the client IP", label="ip", value=number(r"negotiated timeout (\d+)")),
    Question("Zookeeper", "how many sesions did zookeeper expire in the last week?", "metric",
             event("E15"), "EventId == E15 (Expiring session <*>, ...)", window="7d"),
    Question("Proxifier", "What's the average number of bytes received per program on proxifier "
             "over the last 100 days?", "metric", event("E8"), "EventId == E8 (<*> close, <*> "
             "bytes sent, <*> bytes received, ...)", window="100d", agg="avg_by",
             key=lambda r: r["Program"], key_how="Program", label="program",
             value=number(r"(\d+) bytes (?:\([^)]*\) )?received")),
    Question("Proxifier", "What's the 99th percentile of bytes sent per closed proxifier "
             "connection over the last 100 days?", "metric", event("E8"), "EventId == E8 (<*> "
             "close, <*> bytes sent, ...)", window="100d", agg="quantile", q=0.99,
             key=number(r"(\d+) bytes (?:\([^)]*\) )?sent"), key_how="the bytes sent"),
    Question("Thunderbird", "What's the lowest stratum of each time server thunderbird "
             "synchronized to in the last 15 mins?", "metric", event("E125"), "EventId == E125 "
             "(synchronized to <*>, stratum <*>)", window="15m", agg="min_by",
             key=extract(r"synchronized to (\S+),"), key_how="the server", label="server",
             value=number(r"stratum (\d+)")),
    Question("Thunderbird", "how many times did thunderbird's data_thread get no answer from a "
             "datasource in the last 10 min?", "metric", event("E32"), "EventId == E32",
             window="10m"),
    Question("Hadoop", "What's the 95th percentile of the seconds hadoop reported failing to "
             "renew its lease over the last 10 minutes?", "metric", event("E44"),
             "EventId == E44 (Failed to renew lease for [<*>] for <*> seconds ...)",
             window="10m", agg="quantile", q=0.95, key=number(r"for (\d+) seconds"),
             key_how="the seconds"),
    Question("Hadoop", "Did hadoop retry connecting to a server more in the last 3 minutes than "
             "in the 3 minutes before? Give the difference.", "metric", event("E91"),
             "EventId == E91 (Retrying connect to server: ...)", window="3m", agg="change"),
    Question("Hadoop", "What is the average memory headroom in hadoop's 'Recalculating "
             "schedule' lines over the last 10 minutes?", "metric", event("E83"),
             "EventId == E83 (Recalculating schedule, headroom=<memory:<*>, vCores:<*>>)",
             window="10m", agg="avg", key=number(r"headroom=<memory:(\d+)"),
             key_how="the memory"),
    Question("BGL", "What's the average number of floating point alignment exceptions per bgl "
             "node in the last year?", "metric", event("E4"), "EventId == E4 (<*> floating "
             "point alignment exceptions)", window="365d", agg="avg_by",
             key=lambda r: r["Node"], key_how="the node", label="node",
             value=number(r"^(\d+) floating point")),
    Question("BGL", "How many more core dumps did bgl generate in the last 180 days than in "
             "the 180 days before?", "metric", event("E67"), "EventId == E67 (generating "
             "core.<*>)", window="180d", agg="change"),
    Question("BGL", "Show the bgl lines about ddr errors that were detected and corrected.",
             "log", lambda r: "detected and corrected" in r["Content"]
             and "ddr error" in r["Content"],
             "Content contains 'ddr error' and 'detected and corrected' (E1, E2, E118)"),
    Question("HPC", "What's the 90th percentile ambient temperature hpc reported over the last "
             "3 years?", "metric", event("E2"), "EventId == E2 (ambient=<*>)",
             window="1095d", agg="quantile", q=0.9, key=number(r"ambient=(\d+)"),
             key_how="ambient"),
    Question("HPC", "What is the highest ambient temperature per hpc node in the last 3 years?",
             "metric", event("E2"), "EventId == E2 (ambient=<*>)", window="1095d",
             agg="max_by", key=lambda r: r["Node"], key_how="the node", label="node",
             value=number(r"ambient=(\d+)")),
    Question("Windows", "How many CBS_E_MANIFEST_INVALID_ITEM errors did windows log in the past "
             "half hour?", "metric", lambda r: "CBS_E_MANIFEST_INVALID_ITEM" in r["Content"],
             "Content contains 'CBS_E_MANIFEST_INVALID_ITEM' (E18, E20)", window="30m"),
    Question("Windows", "windows: sessions initialized by WindowsUpdateAgent in the last 12 "
             "hrs minus the 12 hrs before?", "metric", event("E36"), "EventId == E36 (Session: "
             "<*>_<*> initialized by client WindowsUpdateAgent.)", window="12h", agg="change"),
    Question("Mac", "What's the median number of tries in mac's dnssd ConnectToServer lines over "
             "the last week?", "metric", event("E203"), "EventId == E203 (... No of tries: "
             "<*>)", window="7d", agg="quantile", q=0.5, key=number(r"No of tries: (\d+)"),
             key_how="the tries"),
    Question("Mac", "How long on average did mac's AppleThunderboltGenericHAL earlyWake take, "
             "in milliseconds, over the past 7 days?", "metric", event("E122"),
             "EventId == E122 (... earlyWake - complete - took <*> milliseconds)",
             window="7d", agg="avg", key=number(r"took (\d+) milliseconds"),
             key_how="the milliseconds"),
    Question("Android", "What's the 90th percentile of android's HBM brightnessOut over the last "
             "5 minutes?", "metric", event("E65"), "EventId == E65 (HBM brightnessOut =<*>)",
             window="5m", agg="quantile", q=0.9, key=number(r"brightnessOut =(\d+)"),
             key_how="brightnessOut"),
    Question("Android", "peak notification shade total android reported in the last 5 min?",
             "metric", event("E163"), "EventId == E163 (updateNotificationShade: total=<*>, "
             "active=<*>)", window="5m", agg="max", key=number(r"total=(\d+)"),
             key_how="the total"),
    Question("Linux", "How many more ftp connections did linux get in the last 7 days than in "
             "the 7 days before?", "metric", event("E29"), "EventId == E29 (connection from "
             "<*> ...)", window="7d", agg="change"),
    Question("Linux", "Show the linux authentification failures for user test.", "log",
             event("E19"), "EventId == E19 (authentication failure ... user=test)"),
    Question("Apache", "How many more error lines did apache log in the last 12 hours than in "
             "the 12 hours before?", "metric", level("error"), "Level == error", window="12h",
             agg="change"),
    Question("Apache", "any apache jk2_init() lines where it couldn't find a child? show me",
             "log", event("E5"), "EventId == E5 (jk2_init() Can't find child <*> in "
             "scoreboard)"),
    Question("Apache", "apache error lines in the last 90 mins?", "metric", level("error"),
             "Level == error", window="90m"),
]


TENTH_QUESTIONS = [
    # -- every kind of the sets before, new questions over thirteen systems, written in
    # session 26 after the checks its ninth set led to, to measure them fresh ---
    Question("Apache", "What's the median child number in apache's 'jk2_init() Found child N' "
             "lines over the last 2 days?", "metric", event("E1"), "EventId == E1 (jk2_init() "
             "Found child <*> in scoreboard slot <*>)", window="2d", agg="quantile", q=0.5,
             key=number(r"Found child (\d+)"), key_how="the child number"),
    Question("Apache", "Show the apache lines about workerEnv error state 6.", "log",
             lambda r: r["EventId"] == "E3" and r["Content"].endswith("error state 6"),
             "EventId == E3 and the state is 6"),
    Question("Zookeeper", "What's the largest session timeout zookeeper negotiated in the past "
             "week?", "metric", event("E13"), "EventId == E13 (Established session <*> with "
             "negotiated timeout <*> ...)", window="7d", agg="max",
             key=number(r"negotiated timeout (\d+)"), key_how="the timeout"),
    Question("Zookeeper", "Show zookeeper's GOODBYE lines.", "log", event("E1"),
             "EventId == E1 (******* GOODBYE /<*>:<*> ********)"),
    Question("Linux", "How many su sessions were closed per user on linux over the past 30 "
             "days?", "metric", lambda r: r["Component"] == "su(pam_unix)"
             and r["EventId"] == "E101", "Component == su(pam_unix) and EventId == E101 "
             "(session closed for user <*>)", window="30d", agg="by",
             key=extract(r"session closed for user (\S+)"), key_how="the user", label="user"),
    Question("Linux", "Show linux's udev lines that created a device node.", "log",
             event("E36"), "EventId == E36 (creating device node '/udev/<*>')"),
    Question("Hadoop", "What is the median progress hadoop task attempts reported in the last "
             "10 minutes?", "metric", event("E80"), "EventId == E80 (Progress of TaskAttempt "
             "attempt_<*> is : <*>)", window="10m", agg="quantile", q=0.5,
             key=number(r"is : ([\d.]+)"), key_how="the progress"),
    Question("Hadoop", "Show the hadoop lines where a container was assigned to an attempt.",
             "log", event("E13"), "EventId == E13 (Assigned container container_<*> to "
             "attempt_<*>)"),
    Question("Hadoop", "average completedMapsForReduceSlowstart hadoop reported over the last "
             "10 min?", "metric", event("E85"), "EventId == E85 (... "
             "completedMapsForReduceSlowstart <*>)", window="10m", agg="avg",
             key=number(r"completedMapsForReduceSlowstart (\d+)"), key_how="the number"),
    Question("HealthApp", "What's the 90th percentile of totalAltitude healthapp calculated over "
             "the last 3 hours?", "metric", event("E3"), "EventId == E3 "
             "(calculateAltitudeWithCache totalAltitude=<*>)", window="3h", agg="quantile",
             q=0.9, key=number(r"totalAltitude=(\d+)"), key_how="totalAltitude"),
    Question("HealthApp", "How many more onStandStepChanged events did healthapp log in the last "
             "hour than in the hour before?", "metric", event("E42"), "EventId == E42",
             window="1h", agg="change"),
    Question("Proxifier", "What's the most bytes one connection received, per program, "
             "through proxifier in the last 100 days?", "metric", event("E8"), "EventId == E8 "
             "(<*> close, <*> bytes sent, <*> bytes received, ...)", window="100d",
             agg="max_by", key=lambda r: r["Program"], key_how="Program", label="program",
             value=number(r"(\d+) bytes (?:\([^)]*\) )?received")),
    Question("Proxifier", "Show the proxifier lines where the proxy could not resolve a host.",
             "log", event("E3"), "EventId == E3 (... Could not resolve <*> error <*>)"),
    Question("Spark", "p90 of the time spark took to read broadcast variables over the last "
             "hour, in ms?", "metric", event("E20"), "EventId == E20 (Reading broadcast "
             "variable <*> took <*> ms)", window="1h", agg="quantile", q=0.9,
             key=number(r"took (\d+) ms"), key_how="the ms"),
    Question("Spark", "How many blocks did spark store as values in memory in the past 30 "
             "mins?", "metric", event("E3"), "EventId == E3 (Block <*> stored as values in "
             "memory ...)", window="30m"),
    Question("Mac", "What's the longest prePCIWake power-up mac reported in the last week, in "
             "microseconds?", "metric", event("E57"), "EventId == E57 (<*>::prePCIWake - "
             "power up complete - took <*> us)", window="7d", agg="max",
             key=number(r"took (\d+) us"), key_how="the microseconds"),
    Question("Mac", "How many Cocoa scripting errors did mac log per day on average over the "
             "past 7 days?", "metric", event("E188"), "EventId == E188", window="7d",
             per="1d"),
    Question("BGL", "What's the 95th percentile of double-hummer alignment exceptions per bgl "
             "line in the last year?", "metric", event("E3"), "EventId == E3 (<*> "
             "double-hummer alignment exceptions)", window="365d", agg="quantile", q=0.95,
             key=number(r"^(\d+) double-hummer"), key_how="the exceptions"),
    Question("BGL", "Show the bgl lines where ciod could not load a program image.", "log",
             lambda r: "invalid or missing program image" in r["Content"],
             "Content contains 'invalid or missing program image' (E25, E26, E28)"),
    Question("BGL", "What's the most core files ciod generated per program on bgl in the last "
             "year?", "metric", event("E34"), "EventId == E34 (ciod: generated <*> core "
             "files for program <*>)", window="365d", agg="max_by",
             key=extract(r"for program (\S+)"), key_how="the program", label="program",
             value=number(r"generated (\d+) core files")),
    Question("HPC", "How many times did an hpc ServerFileSystem domain become full in the last "
             "3 years?", "metric", event("E40"), "EventId == E40 (ServerFileSystem: "
             "ServerFileSystem domain <*> is full)", window="1095d"),
    Question("HPC", "Show the hpc lines about a ServerFileSystem domain no longer served by a "
             "node.", "log", event("E9"), "EventId == E9 (ClusterFileSystem: ServerFileSystem "
             "domain <*> is no longer served by node node-<*>)"),
    Question("Windows", "How many distinct registry hives did windows load offline in the last "
             "day?", "metric", event("E24"), "EventId == E24 (Loading offline registry hive: "
             "<*>, ...)", window="1d", agg="distinct",
             key=extract(r"registry hive: ([^,]+),"), key_how="the hive"),
    Question("Windows", "Show the windows lines where CBS failed to internally open a package.",
             "log", event("E21"), "EventId == E21 (Failed to internally open package. ...)"),
    Question("Thunderbird", "What's the average stratum thunderbird synchronized at in the past "
             "15 minutes?", "metric", event("E125"), "EventId == E125 (synchronized to <*>, "
             "stratum <*>)", window="15m", agg="avg", key=number(r"stratum (\d+)"),
             key_how="the stratum"),
    Question("Thunderbird", "Show thunderbird's ganglia RRD_update errors.", "log",
             event("E111"), "EventId == E111 (RRD_update (...): illegal attempt to update "
             "...)"),
    Question("Android", "What's the median brightness animation rate android used in the last "
             "5 min?", "metric", event("E21"), "EventId == E21 (Animating brightness: "
             "target=<*>, rate=<*>)", window="5m", agg="quantile", q=0.5,
             key=number(r"rate=(\d+)"), key_how="the rate"),
    Question("Android", "How many wake locks did android acquire per tag in the last 10 "
             "minutes?", "metric", event("E10"), "EventId == E10 (acquire lock=<*>, ..., "
             "tag=\"<*>\", ...)", window="10m", agg="by", key=extract(r'tag="([^"]*)"'),
             key_how="the tag", label="tag"),
    Question("Zookeeper", "zookeeper WARN lines in the last 12 hours minus the 12 hours "
             "before?", "metric", level("WARN"), "Level == WARN", window="12h", agg="change"),
    Question("Linux", "What is the average number of ftp connections linux got per hour over "
             "the last 2 days?", "metric", event("E29"), "EventId == E29 (connection from <*> "
             "...)", window="2d", per="1h"),
]


PROXIFIER_ERROR_LINES = "EventId in (E3, E4, E5, E6, E7) (<*>:<*> error : ...)"

ELEVENTH_QUESTIONS = [
    # -- new questions of every kind over the thirteen systems (log lines, counts and rates
    # in a window, a number the lines state, breakdowns, the change against the window
    # before, a share, a threshold), in users' and on-call engineers' words, written after
    # the checks sets 9 and 10 led to and before any answer of the assistant's to them ---
    Question("Apache", "How many times did apache's jk2_init() fail to find a child in the "
             "scoreboard over the past 24 hrs?", "metric", event("E5"), "EventId == E5 "
             "(jk2_init() Can't find child <*> in scoreboard)", window="24h"),
    Question("Apache", "apache: how many more 'workerEnv.init() ok' lines in the last 6 hours "
             "than in the 6 hours before?", "metric", event("E2"), "EventId == E2 "
             "(workerEnv.init() ok <*>)", window="6h", agg="change"),
    Question("Zookeeper", "Show the zookeeper lines where a client tried to renew its session.",
             "log", event("E8"), "EventId == E8 (Client attempting to renew session <*> at "
             "/<*>:<*>)"),
    Question("Zookeeper", "What's the average leader election notification time out zookeeper "
             "logged over the past 30 days, in ms?", "metric", event("E31"), "EventId == E31 "
             "(Notification time out: <*>)", window="30d", agg="avg",
             key=number(r"Notification time out: (\d+)"), key_how="the time out"),
    Question("Zookeeper", "How many times did zookeeper fail to open a channel to each peer "
             "(by server id) in the last 12 hours?", "metric", event("E5"), "EventId == E5 "
             "(Cannot open channel to <*> at election address /<*>:<*>)", window="12h",
             agg="by", key=extract(r"open channel to (\d+) at"), key_how="the peer's id",
             label="peer"),
    Question("Linux", "any anonymous FTP logins on linux? show me the lines", "log",
             event("E9"), "EventId == E9 (ANONYMOUS FTP LOGIN FROM <*>,  (anonymous))"),
    Question("Linux", "how many times did logrotate exit abnormaly on linux in the past week?",
             "metric", event("E8"), "EventId == E8 (logrotate: ALERT exited abnormally with "
             "[1])", window="7d"),
    Question("Linux", "What fraction of the sshd authentication failures on linux in the last "
             "14 days were for user root?", "metric", event("E18"), "EventId == E18 "
             "(sshd(pam_unix) authentication failure; ... user=root)", window="14d",
             agg="ratio", of=lambda r: r["Component"] == "sshd(pam_unix)"
             and "authentication failure" in r["Content"],
             key_how="Component == sshd(pam_unix) and Content contains 'authentication "
             "failure' (E16-E19)"),
    Question("Hadoop", "Show the hadoop lines with a NoRouteToHostException.", "log",
             lambda r: "NoRouteToHostException" in r["Content"],
             "Content contains 'NoRouteToHostException' (E35, E101)"),
    Question("Hadoop", "How many task attempts did hadoop launch in the last 8 minutes?",
             "metric", event("E62"), "EventId == E62 (Launching attempt_<*>)", window="8m"),
    Question("Hadoop", "What's the highest AssignedMaps hadoop's allocator reported in its "
             "'After Scheduling' lines over the last 10 min?", "metric", event("E11"),
             "EventId == E11 (After Scheduling: ... AssignedMaps:<*> ...)", window="10m",
             agg="max", key=number(r"AssignedMaps:(\d+)"), key_how="AssignedMaps"),
    Question("HealthApp", "how many times did the screen turn off according to healthapp in "
             "the past 2 hrs?", "metric", event("E40"), "EventId == E40 (onReceive action: "
             "android.intent.action.SCREEN_OFF)", window="2h"),
    Question("HealthApp", "Add up the size values in healthapp's bulkSaveDetailHiHealthData() "
             "lines over the last 3 hours: what's the total?", "metric", event("E2"),
             "EventId == E2 (bulkSaveDetailHiHealthData() size = <*>,totalTime = <*>)",
             window="3h", agg="sum", key=number(r"size = (\d+)"), key_how="the size"),
    Question("Proxifier", "Which 3 programs hit the most proxifier errors in the last 100 days?",
             "metric", PROXIFIER_ERRORS, PROXIFIER_ERROR_LINES, window="100d", agg="topk",
             key=lambda r: r["Program"], key_how="Program", label="program"),
    Question("Proxifier", "Which target hosts had more than 4 proxifier error lines in the last "
             "100 days?", "metric", PROXIFIER_ERRORS, PROXIFIER_ERROR_LINES, window="100d",
             agg="by", key=extract(r"([^\s:]+):\d+ error :"), key_how="the target host",
             label="host", over=4),
    Question("Spark", "What's the per-second rate of spark storing blocks as bytes in memory "
             "over the last minute?", "metric", event("E2"), "EventId == E2 (Block <*> stored "
             "as bytes in memory ...)", window="1m", agg="rate"),
    Question("Spark", "How many different RDDs did spark find blocks of locally in the past "
             "minute? (rdd_<id>_<partition>: count the ids)", "metric", event("E10"),
             "EventId == E10 (Found block rdd_<*> locally)", window="1m", agg="distinct",
             key=extract(r"Found block rdd_(\d+)_"), key_how="the RDD id"),
    Question("Mac", "Show the mac lines where the AirPort wifi link went down.", "log",
             lambda r: "AirPort: Link Down" in r["Content"],
             "Content contains 'AirPort: Link Down' (E109 awdl0, E110 en0)"),
    Question("Mac", "What's the median time mac's PM response took, in ms, over the past 7 "
             "days?", "metric", event("E288", "E289", "E290"), "EventId in E288, E289, E290 "
             "(PM response took <*> ms (<*>, powerd / QQ / WeChat); corrected after the first "
             "run: E288 alone was the powerd responses, which the question does not single "
             "out)", window="7d", agg="quantile", q=0.5,
             key=number(r"PM response took (\d+) ms"), key_how="the ms"),
    Question("Mac", "Which 2 channels did mac's en0 change to least often over the last week?",
             "metric", event("E208"), "EventId == E208 (en0: channel changed to <*>)",
             window="7d", agg="bottomk", key=extract(r"channel changed to (\S+)"),
             key_how="the channel", label="channel", k=2),
    Question("BGL", "Show the bgl lines where rts panicked and stopped execution.", "log",
             event("E108"), "EventId == E108 (rts panic! - stopping execution)"),
    Question("BGL", "What's the largest 'total interrupts' count one bgl kernel line reported "
             "over the last 60 days?", "metric", event("E12"), "EventId == E12 (<*> total "
             "interrupts. 0 critical input interrupts. ...)", window="60d", agg="max",
             key=number(r"^(\d+) total interrupts"), key_how="the total interrupts"),
    Question("HPC", "How many psu failures did hpc report in the last year?", "metric",
             event("E35"), "EventId == E35 (psu failure\\ ambient=<*>)", window="365d"),
    Question("HPC", "Count hpc's NIFF 'available network connection' messages per interface "
             "over the last year.", "metric", event("E28", "E29", "E30"), "EventId in (E28, "
             "E29, E30) (NIFF: node node-<*> has detected an available network connection on "
             "network <*> via interface <*>)", window="365d", agg="by",
             key=extract(r"via interface (\S+)"), key_how="the interface", label="interface"),
    Question("Windows", "Show the windows SQM lines where an upload failed.", "log",
             event("E38", "E39", "E43"), "EventId in (E38, E39, E43) (SQM: Failed to start "
             "standard sample upload / Failed to start upload with file pattern / Warning: "
             "Failed to upload all unsent reports)"),
    Question("Windows", "How many times did the windows TrustedInstaller service start "
             "successfully in the past 12 hrs?", "metric", event("E48"), "EventId == E48 "
             "(TrustedInstaller service starts successfully.)", window="12h"),
    Question("Thunderbird", "Show thunderbird's sendmail lines where it couldn't qualify its own "
             "domain name.", "log", event("E131"), "EventId == E131 (unable to qualify my own "
             "domain name (<*>) -- using short name)"),
    Question("Thunderbird", "What's the average size of the mails root sent through sendmail on "
             "thunderbird in the last 5 minutes?", "metric", event("E15"), "EventId == E15 "
             "(<*>: from=root, size=<*>, ...)", window="5m", agg="avg",
             key=number(r"size=(\d+)"), key_how="the size"),
    Question("Android", "Show the android lines where a screenshot was taken.", "log",
             event("E149"), "EventId == E149 (Taking screenshot from Surface with crop: ...)"),
    Question("Android", "how many sound efects did android play in the last 2 min?", "metric",
             event("E99"), "EventId == E99 (playSoundEffect   effectType: <*>)", window="2m"),
]


TWELFTH_QUESTIONS = [
    # -- new questions of every kind over the thirteen systems, about events no set asked
    # where a system has any left (Apache and Proxifier have none: new questions of their
    # events), in users' and on-call engineers' words, written in session 28 after the
    # checks sets 9-11 led to and before any answer of the assistant's to them ---
    Question("Apache", "What's the highest child number apache's jk2_init() couldn't find in "
             "the scoreboard over the last 12 hours?", "metric", event("E5"), "EventId == E5 "
             "(jk2_init() Can't find child <*> in scoreboard)", window="12h", agg="max",
             key=number(r"Can't find child (\d+)"), key_how="the child number"),
    Question("Apache", "how many 'mod_jk child init' erors did apache log in the past 12 hrs?",
             "metric", event("E6"), "EventId == E6 (mod_jk child init <*> <*>)",
             window="12h"),
    Question("Zookeeper", "How many distinct client IPs had a zookeeper connection closed after "
             "a session was set up, over the past 30 days?", "metric", event("E10"),
             "EventId == E10 (Closed socket connection for client /<*>:<*> which had "
             "sessionid <*>; not E9's no session established)", window="30d",
             agg="distinct", key=extract(r"for client /([\d.]+):"), key_how="the client IP"),
    Question("Zookeeper", "Show me the zookeeper lines where a follower was getting a snapshot "
             "from the leader.", "log", event("E20"), "EventId == E20 (Getting a snapshot "
             "from leader)"),
    Question("Linux", "How many times did cupsd shut down on linux in the last 3 weeks?",
             "metric", event("E37"), "EventId == E37 (cupsd shutdown succeeded)",
             window="21d"),
    Question("Linux", "Show the linux named lines complaining that a notify question section "
             "had no SOA.", "log", event("E75"), "EventId == E75 (notify question section "
             "contains no SOA)"),
    Question("Linux", "Break down linux's klogind 'Authentication failed from ...' lines by the "
             "reason given, over the past 30 days.", "metric", event("E13", "E14"),
             "EventId in (E13, E14) (Authentication failed from <*> (<*>): Permission denied "
             "in replay cache code / Software caused connection abort; not E61's Kerberos "
             "authentication failed)", window="30d", agg="by",
             key=extract(r"\): (.+?)\s*$"), key_how="the reason", label="reason"),
    Question("Hadoop", "In total, how many containers did hadoop's allocator report it got "
             "allocated over the last 10 minutes?", "metric", event("E46"), "EventId == E46 "
             "(Got allocated containers <*>)", window="10m", agg="sum",
             key=number(r"Got allocated containers (\d+)"), key_how="the containers"),
    Question("Hadoop", "On average, how many times a minute did hadoop resolve a host to "
             "/default-rack over the past 10 min?", "metric", event("E90"), "EventId == E90 "
             "(Resolved <*> to /default-rack)", window="10m", per="1m"),
    Question("Hadoop", "Show the hadoop lines where the container launcher was KILLING a task "
             "attempt.", "log", event("E60"), "EventId == E60 (KILLING attempt_<*>)"),
    Question("HealthApp", "What was the highest step total healthapp saved with "
             "setTodayTotalDetailSteps in the last 2 hours? (the number after the first ##)",
             "metric", event("E58"), "EventId == E58 (setTodayTotalDetailSteps=<*>##<*>##...)",
             window="2h", agg="max", key=number(r"setTodayTotalDetailSteps=\d+##(\d+)##"),
             key_how="the steps"),
    Question("HealthApp", "how many times did healthapp's step timestamp go back in the past 2 "
             "hrs?", "metric", event("E69"), "EventId == E69 (timeStamp back,"
             "extendReportTimeStamp=<*>)", window="2h"),
    Question("Proxifier", "Count proxifier's 'proxy server cannot establish a connection with "
             "the target' errors per status code over the last 100 days.", "metric",
             event("E5"), "EventId == E5 (... Proxy server cannot establish a connection with "
             "the target, status code <*>)", window="100d", agg="by",
             key=extract(r"status code (\d+)"), key_how="the status code", label="status"),
    Question("Proxifier", "Show the proxifier lines where the proxy closed the connection "
             "unexpectedly.", "log", event("E6"), "EventId == E6 (... Could not connect "
             "through proxy <*> - Proxy closed the connection unexpectedly.)"),
    Question("Spark", "What's the per-second rate of hdfs input splits spark read over the past "
             "minute?", "metric", event("E12"), "EventId == E12 (Input split: <*>)",
             window="1m", agg="rate"),
    Question("Spark", "Show spark's lines where a task attempt reported 'Committed'.", "log",
             event("E1"), "EventId == E1 (attempt_<*>: Committed; not E25's Saved output of "
             "task)"),
    Question("Mac", "how many times did QQ get 'hit by torpedo' on the mac in the last 3 days?",
             "metric", lambda r: r["EventId"] == "E49" and "torpedo! QQ." in r["Content"],
             "EventId == E49 (... evaluateCrazyIvan46]_block_invoke CI46 - Hit by torpedo! "
             "<*>) and the app is QQ", window="3d"),
    Question("Mac", "Count mac's AirPort 'Link Up' events per interface over the past week.",
             "metric", event("E111", "E112"), "EventId in (E111, E112) (AirPort: Link Up on "
             "awdl0 / en0)", window="7d", agg="by", key=extract(r"Link Up on (\S+)"),
             key_how="the interface", label="interface"),
    Question("Mac", "How long does mac's hibernate_setup take on avarage, in ms, over the last 7 "
             "days?", "metric", event("E239"), "EventId == E239 (hibernate_setup(<*>) took <*> "
             "ms)", window="7d", agg="avg", key=number(r"took (\d+) ms"), key_how="the ms"),
    Question("BGL", "What's the most integer alignment exceptions one bgl 'Kernel detected' line "
             "reported in the last 30 days?", "metric", event("E78"), "EventId == E78 (Kernel "
             "detected <*> integer alignment exceptions (<*>) ...)", window="30d", agg="max",
             key=number(r"Kernel detected (\d+) integer"), key_how="the exceptions"),
    Question("BGL", "Show the bgl lines where the rts kernel terminated.", "log",
             event("E111", "E112"), "EventId in (E111, E112) (rts: kernel terminated for "
             "reason <*>)"),
    Question("BGL", "Which bgl nodes logged more than 2 'CE sym' correctable error lines in the "
             "last 6 months?", "metric", event("E18"), "EventId == E18 (CE sym <*>, at <*>, "
             "mask <*>)", window="180d", agg="by", key=lambda r: r["Node"],
             key_how="the node", label="node", over=2),
    Question("HPC", "How many 'link errors remain current' errors did hpc's switch modules log "
             "over the last 90 days?", "metric", event("E23"), "EventId == E23 (<*> link "
             "errors remain current)", window="90d"),
    Question("HPC", "Which 3 ServerFileSystem domains did hpc most often report as having no "
             "server in the last 3 years?", "metric", event("E10"), "EventId == E10 "
             "(ClusterFileSystem: There is no server for ServerFileSystem domain <*>)",
             window="1095d", agg="topk", key=extract(r"ServerFileSystem domain (\S+)"),
             key_how="the domain", label="domain"),
    Question("Windows", "Show the windows lines where CBS couldn't create the backup log cab.",
             "log", event("E19"), "EventId == E19 (Failed to create backup log cab. ...)"),
    Question("Windows", "How many times was the windows CSI Store initialized in the last 3 "
             "hours?", "metric", event("E4"), "EventId == E4 (CSI Store <*> (<*>) initialized)",
             window="3h"),
    Question("Thunderbird", "What's the median sendmail priority (pri=) of the mails delivered "
             "to root on thunderbird in the past 10 mins?", "metric", event("E16"),
             "EventId == E16 (<*>: to=root, ..., pri=<*>, ...)", window="10m",
             agg="quantile", q=0.5, key=number(r"pri=(\d+)"), key_how="pri"),
    Question("Thunderbird", "How many more (or fewer) subnet manager sweeps did thunderbird "
             "start in the last 5 minutes than in the 5 minutes before?", "metric",
             event("E8"), "EventId == E8 ([ib_sm_sweep.c:<*>]: ***** NEW SWEEP *****)",
             window="5m", agg="change"),
    Question("Android", "What fraction of android's shouldBlockLocation results in the last 2 "
             "minutes were true?", "metric", event("E129"), "EventId == E129 "
             "(shouldBlockLocation ret:true)", window="2m", agg="ratio",
             of=event("E128", "E129"), key_how="EventId in (E128, E129) (shouldBlockLocation "
             "ret:<*>; not E130's running ...)"),
    Question("Android", "Show the android lines where the permission manager blocked an app "
             "from reading cell info or the cell location.", "log",
             lambda r: "is blocked by permission manager" in r["Content"],
             "Content contains 'is blocked by permission manager' (E49 getAllCellInfo, E50 "
             "getCellLocation)"),
]


THIRTEENTH_QUESTIONS = [
    # -- new questions of every kind over the thirteen systems, about events no set asked
    # where a system has any left (Apache and Proxifier have none: new kinds of questions
    # of their events), in users' and on-call engineers' words, written in session 28 after
    # that session's checks were made and before any answer of the assistant's to them ---
    Question("Apache", "On average, how many times an hour did apache refuse a directory index "
             "over the past day?", "metric", event("E4"), "EventId == E4 ([client <*>] "
             "Directory index forbidden by rule: <*>)", window="24h", per="1h"),
    Question("Apache", "Which workerEnv error states did apache log more than 10 times in the "
             "last 24 hours?", "metric", event("E3"), "EventId == E3 (mod_jk child workerEnv "
             "in error state <*>)", window="24h", agg="by",
             key=extract(r"error state (\d+)"), key_how="the state number", label="state",
             over=10),
    Question("Zookeeper", "any zookeeper warnings about connection requests from old clients? "
             "show me the lines", "log", event("E12"), "EventId == E12 (Connection request "
             "from old client /<*>:<*>; will be dropped if server is in r-o mode)"),
    Question("Zookeeper", "How many session terminations did zookeeper process in the past "
             "week?", "metric", event("E38"), "EventId == E38 (Processed session termination "
             "for sessionid: <*>; not E15's Expiring session)", window="7d"),
    Question("Linux", "how many times did syslogd log 'restart.' on linux over the past 5 "
             "weeks?", "metric", event("E90"), "EventId == E90 (syslogd 1.4.1: restart.; not "
             "E106's syslogd startup succeeded)", window="35d"),
    Question("Linux", "Show the linux ftpd lines where getpeername failed because the transport "
             "endpoint wasn't connected.", "log", event("E47"), "EventId == E47 (getpeername "
             "(ftpd): Transport endpoint is not connected)"),
    Question("Hadoop", "What's the most memory hadoop's getResources() calls reported in their "
             "resourcelimit over the last 10 min? (the memory:N value)", "metric",
             event("E45"), "EventId == E45 (getResources() for application_<*>: ... "
             "resourcelimit=<memory:<*>, vCores:<*>> ...)", window="10m", agg="max",
             key=number(r"resourcelimit=<memory:(\d+),"), key_how="the memory"),
    Question("Hadoop", "How many proxies did hadoop's container launcher open to each host in "
             "the last 10 minutes?", "metric", event("E74"), "EventId == E74 (Opening proxy : "
             "<*>:<*>)", window="10m", agg="by", key=extract(r"Opening proxy : ([^:\s]+):"),
             key_how="the host", label="host"),
    Question("Hadoop", "per-second rate of hadoop JVMs asking for a task over the past 10 "
             "minutes?", "metric", event("E58"), "EventId == E58 (JVM with ID : jvm_<*> asked "
             "for a task)", window="10m", agg="rate"),
    Question("HealthApp", "avg step count healthapp's getTodayTotalDetailSteps returned in the "
             "last 3 hours? (the number after the first ##)", "metric", event("E22"),
             "EventId == E22 (getTodayTotalDetailSteps = <*>##<*>##...; not E58's "
             "setTodayTotalDetailSteps)", window="3h", agg="avg",
             key=number(r"getTodayTotalDetailSteps = \d+##(\d+)##"), key_how="the steps"),
    Question("HealthApp", "How many times did healthapp's auto-sync timer start in the past two "
             "hours?", "metric", event("E65"), "EventId == E65 (startTimer start autoSync)",
             window="2h"),
    Question("Proxifier", "On average, how many connection requests were canceled per hour on "
             "proxifier over the past 3 hours?", "metric", event("E7"), "EventId == E7 (<*>:<*> "
             "error : A connection request was canceled before the completion.)", window="3h",
             per="1h"),
    Question("Proxifier", "How many more connections did proxifier open through the proxy in the "
             "last 2 hours than in the 2 hours before?", "metric", event("E1", "E2"),
             "EventId in (E1, E2) (<*>:<*> open through proxy <*>:<*> SOCKS5 / HTTPS)",
             window="2h", agg="change"),
    Question("Proxifier", "What's the 90th percentile of bytes recieved per closed proxifier "
             "connection in the last hour?", "metric", event("E8"), "EventId == E8 (<*> close, "
             "<*> bytes<*>sent, <*> bytes<*>received, lifetime <*>)", window="1h",
             agg="quantile", q=0.9, key=number(r"(\d+) bytes (?:\([^)]*\) )?received"),
             key_how="the bytes received"),
    Question("Spark", "How many different broadcast variables did spark start reading in the "
             "past minute?", "metric", event("E29"), "EventId == E29 (Started reading "
             "broadcast variable <*>)", window="1m", agg="distinct",
             key=extract(r"broadcast variable (\d+)"), key_how="the broadcast variable"),
    Question("Spark", "Show the spark lines warning that a mapred config key is deprecated.",
             "log", lambda r: "is deprecated" in r["Content"], "Content contains 'is "
             "deprecated' (E13-E17: mapred.<*> is deprecated. Instead, use mapreduce.<*>)"),
    Question("Mac", "Which 3 jobs did mac's com.apple.cts skip most often over the past week "
             "because their start time hadn't come yet?", "metric", event("E189"),
             "EventId == E189 (com.apple.<*>: scheduler_evaluate_activity told me to run this "
             "job; however, but the start time isn't for <*> seconds.  Ignoring.)",
             window="7d", agg="topk", key=extract(r"^(com\.apple\.\S+): scheduler_evaluate"),
             key_how="the job", label="job"),
    Question("Mac", "What's the shortest keepalive interval the mac's wl0 set up in the last 7 "
             "days?", "metric", event("E144"), "EventId == E144 (ARPT: ... wl0: "
             "setup_keepalive: interval <*>, retry_interval <*>, retry_count <*>)",
             window="7d", agg="min", key=number(r"setup_keepalive: interval (\d+)"),
             key_how="the interval"),
    Question("Mac", "Show the mac WindowServer lines where a process failed to act on a ping "
             "before timing out.", "log", event("E305"), "EventId == E305 "
             "(send_datagram_available_ping: pid <*> failed to act on a ping it dequeued before "
             "timing out.)"),
    Question("BGL", "Show the bgl lines where a node card's VPD check found a mismatch.", "log",
             event("E93"), "EventId == E93 (Node card VPD check: U<*> node in processor card "
             "slot J<*> do not match. ...)"),
    Question("BGL", "In total, how many tree receiver re-synch state events did bgl report over "
             "the past 180 days?", "metric", event("E13", "E14"), "EventId in (E13, E14) (<*> "
             "tree receiver <*> in re-synch state event(s) (dcr <*>) detected[ over <*> "
             "seconds])", window="180d", agg="sum",
             key=number(r"^(\d+) tree receiver"), key_how="the events"),
    Question("HPC", "Show the hpc lines where a gige switch reported a critical temprature.",
             "log", event("E15"), "EventId == E15 (gige temperature ... critical)"),
    Question("HPC", "How many temperature warnings did each hpc gige switch log in the last 3 "
             "years?", "metric", event("E46"), "EventId == E46 (gige temperature ... warning; "
             "not E44's switch_module Temperature (<*>C) exceeds warning threshold)",
             window="1095d", agg="by", key=lambda r: r["Node"], key_how="the switch",
             label="switch"),
    Question("HPC", "What share of the hpc gige switches' temperature readings in the last year "
             "were warnings?", "metric", event("E46"), "EventId == E46 (gige temperature ... "
             "warning)", window="365d", agg="ratio", of=event("E15", "E31", "E46"),
             key_how="EventId in (E15, E31, E46) (gige temperature ... critical / normal / "
             "warning)"),
    Question("Windows", "Show the windows CBS scavenge lines.", "log",
             lambda r: "Scavenge:" in r["Content"], "Content contains 'Scavenge:' (E32 Begin "
             "CSI Store, E33 Completed, E34 Starts)"),
    Question("Windows", "How many times did windows load the servicing stack in the past day?",
             "metric", event("E23"), "EventId == E23 (Loaded Servicing Stack <*> with Core: "
             "<*>\\cbscore.dll)", window="24h"),
    Question("Thunderbird", "On average, how many times a minute did thunderbird's subnet "
             "manager report 'No configuration change required' over the last 10 min?",
             "metric", event("E7"), "EventId == E7 ([ib_sm_sweep.c:<*>]: No configuration "
             "change required)", window="10m", per="1m"),
    Question("Thunderbird", "Show the thunderbird lines where xinetd removed a service.", "log",
             event("E106"), "EventId == E106 (xinetd: removing <*>)"),
    Question("Android", "Which 2 apps showed up least often as the top activity in android's "
             "getRecentTasks lines over the past 3 mins?", "metric", event("E56"),
             "EventId == E56 (getRecentTasks: topActivity=ComponentInfo{<*>/<*>})",
             window="3m", agg="bottomk", key=extract(r"ComponentInfo\{([^/]+)/"),
             key_how="the app (package)", label="app", k=2),
    Question("Android", "What's the median overlapAmount android's StackScrollAlgorithm logged "
             "in the last 3 minutes?", "metric", event("E97"), "EventId == E97 "
             "(overlapAmount:<*>, previousNotificationEnd:<*>, ...)", window="3m",
             agg="quantile", q=0.5, key=number(r"overlapAmount:([\d.]+),"),
             key_how="the overlapAmount"),
]


FOURTEENTH_QUESTIONS = [
    # -- new questions of every kind over the thirteen systems, about events no set asked
    # where a system has any left (Apache's and Proxifier's: new kinds of questions of their
    # events), in users' and on-call engineers' words, written in session 29 before any
    # answer of the assistant's to them was seen ---
    Question("Apache", "how many diffrent client IPs did apache refuse a directory listing to "
             "in the last 12 hours?", "metric", event("E4"), "EventId == E4 ([client <*>] "
             "Directory index forbidden by rule: <*>)", window="12h", agg="distinct",
             key=extract(r"\[client ([\d.]+)\]"), key_how="the client IP"),
    Question("Apache", "What's the lowest child number apache's jk2_init() found in the "
             "scoreboard over the past 2 hours?", "metric", event("E1"), "EventId == E1 "
             "(jk2_init() Found child <*> in scoreboard slot <*>; not E5's Can't find child)",
             window="2h", agg="min", key=number(r"Found child (\d+)"),
             key_how="the child number"),
    Question("Zookeeper", "show me the zookeeper lines where a quorum peer went into LOOKING "
             "state", "log", event("E26"), "EventId == E26 (QuorumPeer: LOOKING; not the "
             "election Notification lines E32-E37, which report a peer's state, nor E18/E19's "
             "FOLLOWING)"),
    Question("Zookeeper", "Which 2 client IPs tried to establish a new zookeeper session most "
             "often over the last 4 weeks?", "metric", event("E7"), "EventId == E7 (Client "
             "attempting to establish new session at /<*>:<*>; not E8's attempting to renew "
             "session)", window="28d", agg="topk", key=extract(r"new session at /([\d.]+):"),
             key_how="the client IP", label="ip", k=2),
    Question("Zookeeper", "longest leader election a zookeeper follower reported in the past "
             "month? (ms)", "metric", event("E19"), "EventId == E19 (FOLLOWING - LEADER "
             "ELECTION TOOK - <*>)", window="30d", agg="max",
             key=number(r"LEADER ELECTION TOOK - (\d+)"), key_how="the election time"),
    Question("Linux", "How many times did cupsd start up on linux in the past 28 days?",
             "metric", event("E38"), "EventId == E38 (cups: cupsd startup succeeded; not "
             "E37's cupsd shutdown succeeded)", window="28d"),
    Question("Linux", "Show me linux's udev lines where a device node got removed.", "log",
             event("E89"), "EventId == E89 (removing device node '/udev/<*>'; not E36's "
             "creating device node)"),
    Question("Hadoop", "show the hadoop lines where a task attempt ended up FAILED", "log",
             event("E16"), "EventId == E16 (attempt_<*> TaskAttempt Transitioned from "
             "FAIL_TASK_CLEANUP to FAILED; not E18's RUNNING to FAIL_CONTAINER_CLEANUP nor "
             "E15's FAIL_CONTAINER_CLEANUP to FAIL_TASK_CLEANUP)"),
    Question("Hadoop", "What's the per-second rate of ATTEMPT_START events from hadoop's "
             "speculator over the last 10 mins?", "metric", event("E22"), "EventId == E22 "
             "(DefaultSpeculator: ATTEMPT_START task_<*>)", window="10m", agg="rate"),
    Question("Hadoop", "On average, how many ScheduledMaps did hadoop's allocator report in its "
             "'Before Scheduling' lines over the past 10 minutes?", "metric", event("E24"),
             "EventId == E24 (Before Scheduling: PendingReds:<*> ScheduledMaps:<*> ...; not "
             "E11's After Scheduling)", window="10m", agg="avg",
             key=number(r"ScheduledMaps:(\d+)"), key_how="ScheduledMaps"),
    Question("HealthApp", "how many times did healthapp skip a sync becuase there was no cloud "
             "version, in the last two hours?", "metric", event("E23"), "EventId == E23 "
             "(ifCanSync not! no cloud version)", window="2h"),
    Question("HealthApp", "Break down healthapp's DataStatManager 'new date' stat updates by "
             "data type over the past 3 hours.", "metric", event("E37"), "EventId == E37 "
             "(HiH_DataStatManager: new date =<*>, type=<*>,<*>,old=<*>; not E52's "
             "saveStatData() type =<*>)", window="3h", agg="by",
             key=extract(r"type=(\d+),"), key_how="the data type (the number after type=)",
             label="type"),
    Question("Proxifier", "Show the proxifier connections that stayed open for an hour or "
             "longer.", "log",
             lambda r: r["EventId"] == "E8"
             and re.search(r"lifetime \d+:\d+:\d+\s*$", r["Content"]) is not None,
             "EventId == E8 (<*> close, ..., lifetime <*>) and the lifetime is hh:mm:ss (an "
             "hour or more; shorter lifetimes are mm:ss or <1 sec)"),
    Question("Proxifier", "How many different programs opened connections through proxifier "
             "in the last 6 hours?", "metric", event("E1", "E2"), "EventId in (E1, E2) "
             "(<*>:<*> open through proxy <*>:<*> SOCKS5 / HTTPS)", window="6h",
             agg="distinct", key=lambda r: r["Program"], key_how="Program"),
    Question("Spark", "p90 of the finish time in spark's 'Times: total = ...' lines over the "
             "past minute? (the finish = N value)", "metric", event("E35"), "EventId == E35 "
             "(Times: total = <*>, boot = <*>, init = <*>, finish = <*>)", window="1m",
             agg="quantile", q=0.9, key=number(r"finish = (\d+)"), key_how="finish"),
    Question("Spark", "Show the spark lines where the executor connected to the driver or "
             "registered with it.", "log", event("E6", "E32"), "EventId in (E6, E32) "
             "(Connecting to driver: spark://<*> / Successfully registered with driver; not "
             "E21/E36's BlockManager registration)"),
    Question("Mac", "mac: how many more AirPort 'System Sleep' power changes in the last 3 days "
             "than in the 3 days before?", "metric", event("E126"), "EventId == E126 (ARPT: "
             "<*>: AirPort_<*>::powerChange: System Sleep; not E127's System Wake)",
             window="3d", agg="change"),
    Question("Mac", "show me the mac kernel lines where the AirPort card powered back up on a "
             "system wake", "log", event("E127"), "EventId == E127 (ARPT: <*>: "
             "AirPort_<*>::powerChange: System Wake - Full Wake/ Dark Wake / Maintenance "
             "wake)"),
    Question("BGL", "How many FATAL tree-network packet receive errors did bgl log in the past "
             "60 days?", "metric", event("E60"), "EventId == E60 (Error receiving packet on "
             "tree network, expecting type <*> instead of type <*> ...)", window="60d"),
    Question("BGL", "Show the bgl lines where it couldn't get assembly info for a node card.",
             "log", event("E17"), "EventId == E17 (Can not get assembly information for node "
             "card)"),
    Question("Windows", "How many times did windows' SQM clean up old report files over the "
             "past day?", "metric", event("E37"), "EventId == E37 (SQM: Cleaning up report "
             "files older than <*> days.)", window="24h"),
    Question("Windows", "What share of the CBS sessions windows initialized in the last 24h came "
             "from the SPP client rather than WindowsUpdateAgent?", "metric", event("E35"),
             "EventId == E35 (Session: <*>_<*> initialized by client SPP.)", window="24h",
             agg="ratio", of=event("E35", "E36"), key_how="EventId in (E35, E36) (Session: "
             "<*>_<*> initialized by client SPP / WindowsUpdateAgent)"),
    Question("Thunderbird", "show me the thunderbird sendmail lines where it couldn't figure "
             "out its own unqualified hostname and slept before retrying", "log",
             event("E75"), "EventId == E75 (My unqualified host name (<*>) unknown; sleeping "
             "for retry; not E131's unable to qualify my own domain name)"),
    Question("Thunderbird", "Which thunderbird hosts had more than one root cron session closed "
             "in the last 15 minutes?", "metric", event("E117"), "EventId == E117 "
             "(crond(pam_unix): session closed for user root; not E118's session opened)",
             window="15m", agg="by", key=lambda r: r["User"],
             key_how="the host (the CSV's User column)", label="host", over=1),
    Question("Thunderbird", "how many times did cron kick off get_temps on thunderbird in the "
             "past 10 min?", "metric", event("E2"), "EventId == E2 ((root) CMD "
             "(/projects/tbird/temps/get_temps <*>); not E3's run-parts /etc/cron.hourly)",
             window="10m"),
    Question("Android", "What's the average clipTopAmount android's StackScrollAlgorithm "
             "logged in the last 2 minutes?", "metric", event("E145"), "EventId == E145 "
             "(state.clipTopAmount:<*>, i:<*>)", window="2m", agg="avg",
             key=number(r"clipTopAmount:(-?\d+)"), key_how="clipTopAmount"),
    Question("Android", "how many distinct notification ids did android cancel via "
             "cancelNotificationWithTag in the past 2 min?", "metric", event("E33"),
             "EventId == E33 (cancelNotificationWithTag pid <*>,uid = <*>,tag = null,pkg "
             "=<*>,id =<*>; not E29's cancelNotification,index:<*>)", window="2m",
             agg="distinct", key=extract(r"id =(\d+)"), key_how="the notification id"),
    Question("Android", "How many times did android's status bar suspend autohide in the last "
             "minute?", "metric", event("E148"), "EventId == E148 (PhoneStatusBar: "
             "suspendAutohide; not E113's resumeSuspendedAutohide nor E27's cancelAutohide)",
             window="1m"),
    Question("HPC", "how many times did the hpc full partition go 'blocked' over the last 2 "
             "years?", "metric", event("E3"), "EventId == E3 (full partition status: "
             "blocked)", window="730d"),
    Question("HPC", "What's the average ambient temp in hpc's psu failure lines over the past "
             "year?", "metric", event("E35"), "EventId == E35 (psu failure\\ ambient=<*>; not "
             "E2's plain ambient=<*> readings)", window="365d", agg="avg",
             key=number(r"ambient=(\d+)"), key_how="ambient"),
]


FIFTEENTH_QUESTIONS = [
    # -- new questions of every kind over the thirteen systems (log lines, counts and rates
    # in a window, numbers the lines state, breakdowns, the change against the window before,
    # a share, a threshold), about events no earlier set asked where a system has any left
    # (Apache's and Proxifier's: new kinds of questions of their events), in users' and
    # on-call engineers' words, written in session 30 before any answer of the assistant's
    # to them was seen ---
    Question("Apache", "how many notice lines did apache write in the past 90 min?", "metric",
             level("notice"), "Level == notice (not error)", window="90m"),
    Question("Apache", "What share of apache's error lines over the last day were 'mod_jk "
             "child workerEnv in error state' errors?", "metric", event("E3"),
             "EventId == E3 (mod_jk child workerEnv in error state <*>)", window="24h",
             agg="ratio", of=level("error"), key_how="Level == error"),
    Question("Zookeeper", "Show me the zookeeper lines where it was revalidating a client.",
             "log", event("E41"), "EventId == E41 (Revalidating client: <*>)"),
    Question("Zookeeper", "How many times did zookeeper close a client's socket with no "
             "session established, per client IP, over the past month?", "metric",
             event("E9"), "EventId == E9 (Closed socket connection for client /<*>:<*> (no "
             "session established for client); not E10's which had sessionid <*>)",
             window="30d", agg="by", key=extract(r"for client /([\d.]+):"),
             key_how="the client IP", label="ip"),
    Question("Linux", "Show the linux xinetd warnings where it couldn't get the client "
             "address.", "log", event("E116"), "EventId == E116 (warning: can't get client "
             "address: Connection reset by peer)"),
    Question("Linux", "How many BIOS-e820 'reserved' memory ranges did the linux kernel report "
             "in the last 10 minutes?", "metric", event("E20"), "EventId == E20 (BIOS-e820: "
             "<*> - <*> (reserved); not E21's (usable))", window="10m"),
    Question("Linux", "What processor speed, in MHz, did the linux kernel detect in the past "
             "hour?", "metric", event("E40"), "EventId == E40 (Detected <*>.<*> MHz "
             "processor.)", window="1h", agg="max",
             key=number(r"Detected ([\d.]+) MHz"), key_how="the MHz"),
    Question("Hadoop", "show me the hadoop lines where an attempt was added to the list of "
             "failed maps", "log", event("E2"), "EventId == E2 (Added attempt_<*> to list of "
             "failed maps)"),
    Question("Hadoop", "How many hadoop tasks transitioned from SCHEDULED to RUNNING in the "
             "last 10 minutes?", "metric", event("E104"), "EventId == E104 (task_<*> Task "
             "Transitioned from SCHEDULED to RUNNING; not E102's NEW to SCHEDULED nor the "
             "TaskAttempt transitions)", window="10m"),
    Question("Hadoop", "What's the highest failure count hadoop's RMContainerRequestor "
             "reported for a node ('N failures on node ...') over the past 10 mins?", "metric",
             event("E1"), "EventId == E1 (<*> failures on node MININT-<*>)", window="10m",
             agg="max", key=number(r"^(\d+) failures on node"), key_how="the failures"),
    Question("HealthApp", "Show the healthapp lines where saveOneDetailData failed.", "log",
             event("E50"), "EventId == E50 (saveHealthDetailData() saveOneDetailData fail "
             "hiHealthData = <*>,type = <*>; not E31's bulkSaveDetailHiHealthData fail)"),
    Question("HealthApp", "Add up the size values in healthapp's insertHiHealthData() lines "
             "over the last 3 hours: what's the total?", "metric", event("E34"),
             "EventId == E34 (insertHiHealthData() size = <*>,app = <*>,...; not E2's "
             "bulkSaveDetailHiHealthData() size = <*>)", window="3h", agg="sum",
             key=number(r"insertHiHealthData\(\) size = (\d+)"), key_how="the size"),
    Question("Spark", "Show the spark lines where a service started successfully on a port.",
             "log", event("E33", "E34"), "EventId in (E33, E34) (Successfully started service "
             "'<*>' on port <*>.)"),
    Question("Spark", "What capacity, in GB, did spark's MemoryStore start with over the last "
             "5 minutes?", "metric", event("E18"), "EventId == E18 (MemoryStore started with "
             "capacity <*> GB)", window="5m", agg="max",
             key=number(r"capacity ([\d.]+) GB"), key_how="the GB"),
    Question("Mac", "Count mac's locationd 'Location icon should now be in state ...' messages "
             "per state over the past week.", "metric", event("E258", "E259"),
             "EventId in (E258, E259) (Location icon should now be in state 'Active' / "
             "'Inactive')", window="7d", agg="by", key=extract(r"in state '(\w+)'"),
             key_how="the state", label="state"),
    Question("Mac", "What's the biggest Win size mac's wl0 reported in its 'Updated "
             "seq/ack/win from UserClient' keepalive lines in the last 7 days?", "metric",
             event("E150"), "EventId == E150 (ARPT: ... wl0: wl_update_tcpkeep_seq: Updated "
             "seq/ack/win from UserClient Seq <*>, Ack <*>, Win size <*>; not the 'Original "
             "Seq: ..., Win size: 4096' lines)", window="7d", agg="max",
             key=number(r"Win size (\d+)"), key_how="the Win size"),
    Question("BGL", "any bgl lines where ciod detected the debuger died? show them", "log",
             event("E40"), "EventId == E40 (ciod: pollControlDescriptors: Detected the "
             "debugger died.)"),
    Question("BGL", "How many data cache search parity errors did bgl detect in the past 3 "
             "months?", "metric", event("E51"), "EventId == E51 (data cache search parity "
             "error detected. attempting to correct; not E77's instruction cache parity error "
             "corrected)", window="90d"),
    Question("BGL", "In total, how many torus receiver input pipe errors did bgl detect and "
             "correct over the last year?", "metric", event("E8", "E9", "E10"),
             "EventId in (E8, E9, E10) (<*> torus receiver x+ / y+ / z+ input pipe error(s) "
             "(dcr <*>) detected and corrected; not E11's torus sender retransmission "
             "errors)", window="365d", agg="sum", key=number(r"^(\d+) torus receiver"),
             key_how="the errors"),
    Question("HPC", "Show the hpc lines where NIFF detected a failed network connection.",
             "log", event("E27"), "EventId == E27 (NIFF: node node-<*> detected a failed "
             "network connection on network <*> via interface alt0; not E28-E30's available "
             "network connection)"),
    Question("HPC", "Which hpc nodes were reported 'configured out' more than once in the last "
             "3 years?", "metric", event("E14"), "EventId == E14 (configured out)",
             window="1095d", agg="by", key=lambda r: r["Node"], key_how="the node",
             label="node", over=1),
    Question("HPC", "How many times did an hpc switch link go into reset over the past three "
             "years?", "metric", event("E24"), "EventId == E24 (Link in reset; not E21's Link "
             "error nor E25's Link ok)", window="1095d"),
    Question("Windows", "Show the windows lines where TrustedInstaller started its main loop.",
             "log", event("E44"), "EventId == E44 (Starting the TrustedInstaller main loop.; "
             "not E15's Ending the TrustedInstaller main loop.)"),
    Question("Windows", "How many times did the windows CBS startup processing thread "
             "terminate normally in the past 3 hrs?", "metric", event("E47"),
             "EventId == E47 (Startup processing thread terminated normally)", window="3h"),
    Question("Thunderbird", "thunderbird: how many more sshd 'Local disconnected' messages in "
             "the last 5 minutes than in the 5 minutes before?", "metric", event("E67"),
             "EventId == E67 (Local disconnected: Connection closed.; not E30's connection "
             "lost: 'Connection closed.')", window="5m", agg="change"),
    Question("Thunderbird", "How many PCI interrupts did thunderbird's ACPI route to each IRQ "
             "over the last half hour?", "metric", event("E81"), "EventId == E81 (ACPI: PCI "
             "interrupt <*> -> GSI <*> (level, low) -> IRQ <*>)", window="30m", agg="by",
             key=extract(r"-> IRQ (\d+)"), key_how="the IRQ", label="irq"),
    Question("Android", "What's the per-second rate of android's querySoundEffectsEnabled "
             "calls over the past 2 minutes?", "metric", event("E102"), "EventId == E102 "
             "(querySoundEffectsEnabled...)", window="2m", agg="rate"),
    Question("Android", "Count android's interceptKeyTq key-down events per keycode over the "
             "last 3 min.", "metric", event("E69"), "EventId == E69 (interceptKeyTq "
             "keycode=<*> ... down true canceled false; not E68's down false)", window="3m",
             agg="by", key=extract(r"keycode=(\d+)"), key_how="the keycode",
             label="keycode"),
    Question("Proxifier", "How many connections did proxifier open to port 443 in the past 6 "
             "hrs?", "metric", lambda r: r["EventId"] in ("E1", "E2")
             and ":443 open through proxy" in r["Content"], "EventId in (E1, E2) (<*>:<*> "
             "open through proxy <*>:<*> SOCKS5 / HTTPS) and the target port is 443",
             window="6h"),
    Question("Proxifier", "Break down proxifier's closed conections by target port over the "
             "last 24 hours.", "metric", event("E8"), "EventId == E8 (<*>:<*> close, <*> "
             "bytes<*>sent, <*> bytes<*>received, lifetime <*>)", window="24h", agg="by",
             key=extract(r":(\d+) close,"), key_how="the target port", label="port"),
]


SIXTEENTH_QUESTIONS = [
    # -- new questions of every kind over the thirteen systems (log lines, counts and rates
    # in a window, numbers the lines state, breakdowns, the change against the window before,
    # a share, a threshold), about events no earlier set asked where a system has any left
    # (Apache's and Proxifier's: new kinds of questions of their events), in users' and
    # on-call engineers' words, written in session 30 after that session's checks were made
    # and before any answer of the assistant's to them was seen, to measure them fresh ---
    Question("Apache", "What's the highest scoreboard slot apache's jk2_init() found a child "
             "in over the past 3 hrs?", "metric", event("E1"), "EventId == E1 (jk2_init() "
             "Found child <*> in scoreboard slot <*>; not E5's Can't find child)",
             window="3h", agg="max", key=number(r"scoreboard slot (\d+)"),
             key_how="the slot number"),
    Question("Apache", "For each scoreboard slot, what's the highest child number apache's "
             "jk2_init() found in it over the last hour?", "metric", event("E1"),
             "EventId == E1 (jk2_init() Found child <*> in scoreboard slot <*>)",
             window="1h", agg="max_by", key=extract(r"scoreboard slot (\d+)"),
             key_how="the slot number", label="slot", value=number(r"Found child (\d+)")),
    Question("Zookeeper", "how many 'end of stream' exeptions did zookeeper catch in the past "
             "2 weeks?", "metric", event("E6"), "EventId == E6 (caught end of stream "
             "exception)", window="14d"),
    Question("Zookeeper", "Break down zookeeper's 'Connection broken for id ...' warnings by "
             "the reporting server's own id (my id = N) over the past 4 weeks.", "metric",
             event("E11"), "EventId == E11 (Connection broken for id <*>, my id = <*>, error "
             "=); the window covers the whole file", window="28d", agg="by", key=extract(r"my id = (\d+)"),
             key_how="my id", label="myid"),
    Question("Linux", "any 'ROOT LOGIN ON tty' messages on linux? show me the lines", "log",
             event("E91"), "EventId == E91 (-- root: ROOT LOGIN ON tty2; not the "
             "login(pam_unix) session opened for user root by LOGIN(uid=0) line)"),
    Question("Linux", "What BogoMIPS value did the linux kernel calibrate its delay loop to "
             "in the last hour?", "metric", event("E25"), "EventId == E25 (Calibrating delay "
             "loop... <*>.<*> BogoMIPS)", window="1h", agg="max",
             key=number(r"([\d.]+) BogoMIPS"), key_how="the BogoMIPS"),
    Question("Linux", "linux: ftp connections in the last 7 days minus the 7 days before?", "metric", event("E29"), "EventId == E29 (ftpd: connection from "
             "<*> (<*>) at <*>)", window="7d", agg="change"),
    Question("Hadoop", "How many hadoop task attempts went from NEW to UNASSIGNED in the last "
             "5 minutes?", "metric", event("E17"), "EventId == E17 (attempt_<*> TaskAttempt "
             "Transitioned from NEW to UNASSIGNED; not E21's UNASSIGNED to ASSIGNED)",
             window="5m"),
    Question("Hadoop", "How many task attempts did hadoop put in containers on each "
             "NodeManager host (the 'on NM: [host:port]' part) over the past 10 mins?",
             "metric", event("E105"), "EventId == E105 (TaskAttempt: [attempt_<*>] using "
             "containerId: [container_<*> on NM: [<*>:<*>])", window="10m", agg="by",
             key=extract(r"on NM: \[([^:\]]+):"), key_how="the NodeManager host",
             label="host"),
    Question("HealthApp", "What's the per-second rate of healthapp's Step_LSC onExtend calls "
             "over the last hour?", "metric", event("E39"), "EventId == E39 (onExtend:<*> <*> "
             "<*> <*>)", window="1h", agg="rate"),
    Question("HealthApp", "Show me the healthapp lines where HiSyncControl started a sync "
             "(startSync hiSyncOption = ...).", "log", event("E64"), "EventId == E64 "
             "(startSync hiSyncOption = HiSyncOption{...},app = <*> who = <*>)"),
    Question("Proxifier", "Which target hosts did proxifier close more than 2 connections to "
             "in the last 24 hours?", "metric", event("E8"), "EventId == E8 (<*>:<*> close, "
             "<*> bytes<*>sent, <*> bytes<*>received, lifetime <*>)", window="24h", agg="by",
             key=extract(r"^(\S+):\d+ close,"), key_how="the target host", label="host",
             over=2),
    Question("Proxifier", "Show the proxifier connections that received more than 1 MB.",
             "log", lambda r: r["EventId"] == "E8" and int(re.search(
                 r"(\d+) bytes (?:\([^)]*\) )?received", r["Content"]).group(1)) > 1_000_000,
             "EventId == E8 (<*> close, ..., <*> bytes (<*> MB) received, ...) and the bytes "
             "received are above 1000000 (the lines that state an MB amount received; none "
             "lies between 904350 and 1846301)"),
    Question("Spark", "Show the spark line where the executor started up (executor ID and "
             "host).", "log", event("E30"), "EventId == E30 (Starting executor ID <*> on host "
             "<*>)"),
    Question("Spark", "avg init time in spark's 'Times: total = ...' lines over the past "
             "minute? (the init = N value)", "metric", event("E35"), "EventId == E35 (Times: "
             "total = <*>, boot = <*>, init = <*>, finish = <*>)", window="1m", agg="avg",
             key=number(r"init = (\d+)"), key_how="init"),
    Question("Mac", "Which 2 BSSIDs did the mac's en0 switch to most often over the last "
             "week?", "metric", event("E207"), "EventId == E207 (en0: BSSID changed to <*>)",
             window="7d", agg="topk", key=extract(r"BSSID changed to (\S+)"),
             key_how="the BSSID", label="bssid", k=2),
    Question("Mac", "How many times did captive network support on the mac report en0 as "
             "Authenticated in the past 3 days?", "metric", event("E163"), "EventId == E163 "
             "(Captive: CNPluginHandler en0: Authenticated; not E164's Evaluating nor E165's "
             "Inactive)", window="3d"),
    Question("Mac", "What's the largest slow ByteStream read, in bytes, that mac's "
             "FigByteStream logged over the past 7 days?", "metric", event("E99"),
             "EventId == E99 (FigByteStreamStatsLogOneRead: ByteStream read of <*> bytes @ <*> "
             "took <*> to complete, ...)", window="7d", agg="max",
             key=number(r"ByteStream read of (\d+) bytes"), key_how="the bytes read"),
    Question("BGL", "How many seconds in total did bgl's failed NFS mounts sleep before "
             "retrying over the last 6 months?", "metric", event("E89"), "EventId == E89 (NFS "
             "Mount failed on bglio<*>, slept <*> seconds, retrying (<*>))", window="180d",
             agg="sum", key=number(r"slept (\d+) seconds"), key_how="the seconds slept"),
    Question("BGL", "Show the bgl lines about an illegal instruction program interrupt.",
             "log", event("E101"), "EventId == E101 (program interrupt: illegal "
             "instruction......<*>; not E98's bare program interrupt nor E99/E102/E103/E105's "
             "other kinds)"),
    Question("BGL", "How many 'Ido chip status changed' messages did bgl log over the past "
             "5 months?", "metric", event("E73"), "EventId == E73 (Ido chip status changed: "
             "<*> ip=<*> v=<*> t=<*> status=M <*>)", window="150d"),
    Question("HPC", "Which 3 hpc switches reported a plain 'Link error' most often in the "
             "last 3 years?", "metric", event("E21"), "EventId == E21 (Link error; not E22's "
             "Link error on broadcast tree ...)", window="1095d", agg="topk",
             key=lambda r: r["Node"], key_how="the node (switch)", label="node"),
    Question("HPC", "how many hpc commands completed succesfully over the past 2 years?",
             "metric", event("E12"), "EventId == E12 (Command has completed successfully)",
             window="730d"),
    Question("Windows", "What's the highest seq number of the NT transactions windows' CSI "
             "created in the past 24 hours?", "metric", event("E1"), "EventId == E1 (<*> "
             "Created NT transaction (seq <*>) result <*>, handle @<*>; E2's Creating NT "
             "transaction lines state the same seq numbers)", window="24h", agg="max",
             key=number(r"NT transaction \(seq (\d+)\)"), key_how="the seq number"),
    Question("Windows", "Show the windows lines where TrustedInstaller finished its "
             "initialization.", "log", event("E17"), "EventId == E17 (Ending TrustedInstaller "
             "initialization.; not E46's Starting TrustedInstaller initialization nor E16's "
             "Ending TrustedInstaller finalization)"),
    Question("Thunderbird", "how many times did cron run the hourly jobs (run-parts "
             "/etc/cron.hourly) on thunderbird in the last quarter hour?", "metric",
             event("E3"), "EventId == E3 ((root) CMD (run-parts /etc/cron.hourly); not E2's "
             "get_temps)", window="15m"),
    Question("Thunderbird", "Show the thunderbird lines where an IDE channel's wait for ready "
             "failed before probing.", "log", event("E145"), "EventId == E145 (ide<*>: Wait "
             "for ready failed before probe !)"),
    Question("Android", "What share of android's StackScrollAlgorithm updateClipping calls in "
             "the last 2 minutes had isOverlap:true?", "metric", event("E156"),
             "EventId == E156 (updateClipping isOverlap:true, getTopPadding=<*>, "
             "Translation=<*>)", window="2m", agg="ratio", of=event("E155", "E156"),
             key_how="EventId in (E155, E156) (updateClipping isOverlap:false / true)"),
    Question("Android", "Show me the android lines where the wifi display scan was stopped.",
             "log", event("E146", "E147"), "EventId in (E146, E147) "
             "(stopWifiDisplayScanLocked mWifiDisplayScanRequestCount=<*> / "
             "record.mWifiDisplayScanRequested=false)"),
    Question("Android", "How many setSystemUiVisibility calls did android's status bar log in "
             "the last minute?", "metric", event("E126"), "EventId == E126 "
             "(setSystemUiVisibility vis=<*> mask=<*> ...; not E84's "
             "notifyUiVisibilityChanged)", window="1m"),
]


SEVENTEENTH_QUESTIONS = [
    # -- new questions of every kind over the thirteen systems (log lines, counts and rates
    # in a window, numbers the lines state, breakdowns, the change against the window before,
    # a share, a threshold), about events no earlier set asked where a system has any left
    # (Apache's: new kinds of questions of its events), in users' and on-call engineers'
    # words, written by a helper that saw none of the checks, before any answer of the
    # assistant's to them was seen, to measure them fresh ---
    Question("Apache", "apache: directory index refusals in the last 12 hours minus the 12 "
             "hours before?", "metric", event("E4"), "EventId == E4 ([client <*>] Directory "
             "index forbidden by rule: <*>)", window="12h", agg="change"),
    Question("Apache", "What's the lowest child number apache's jk2_init() could not find in "
             "the scoreboard over the past day?", "metric", event("E5"), "EventId == E5 "
             "(jk2_init() Can't find child <*> in scoreboard; not E1's Found child)",
             window="24h", agg="min", key=number(r"Can't find child (\d+)"),
             key_how="the child number"),
    Question("Zookeeper", "Show me the zookeeper 'Server environment' lines (java version, "
             "host name and so on).", "log", event("E44"), "EventId == E44 (Server "
             "environment:<*>)"),
    Question("Zookeeper", "How many times did a zookeeper RecvWorker log 'Interrupting "
             "SendWorker' over the past 4 weeks?", "metric", event("E25"), "EventId == E25 "
             "(Interrupting SendWorker; not E42's Send worker leaving thread nor E24's "
             "Interrupted while waiting for message on queue)", window="28d"),
    Question("Linux", "which daemons reported 'startup succeeded' on linux? show me those "
             "lines", "log", lambda r: "startup succeeded" in r["Content"], "Content contains "
             "'startup succeeded' (cups' cupsd, syslogd, klogd, irqbalance, portmap, "
             "rpc.statd, rpc.idmapd, hcid, sdpd; not E37's cupsd shutdown succeeded)"),
    Question("Linux", "Break down linux's 'session opened for user' lines over the past 30 "
             "days by the uid that opened the session.", "metric",
             lambda r: "session opened for user" in r["Content"], "Content contains "
             "'session opened for user' (E102: ... by (uid=<*>), E103: ... by "
             "LOGIN(uid=<*>))", window="30d", agg="by", key=extract(r"\(uid=(\d+)\)"),
             key_how="the uid", label="uid"),
    Question("Hadoop", "show me the hadoop lines where a JVM was given a task", "log",
             event("E59"), "EventId == E59 (JVM with ID: jvm_<*> given task: <*>; not E58's "
             "JVM with ID : jvm_<*> asked for a task)"),
    Question("Hadoop", "How many CONTAINER_REMOTE_* events did hadoop's container launcher "
             "process per event type in the last 10 minutes?", "metric", event("E77"),
             "EventId == E77 (Processing the event EventType: CONTAINER_REMOTE_<*> for "
             "container container_<*> taskAttempt attempt_<*>; not E79's TASK_ABORT)",
             window="10m", agg="by", key=extract(r"EventType: (\S+) for container"),
             key_how="the event type", label="event_type"),
    Question("HealthApp", "Show the healthapp initDataPrivacy lines.", "log",
             event("E24", "E25"), "EventId in (E24, E25) (initDataPrivacy the dataPrivacy is "
             "true / initDataPrivacy the dataPrivacy switch is open, start push health data!; "
             "not E27/E28's initUserPrivacy)"),
    Question("HealthApp", "how many times did healthapp's HiSyncControl say the "
             "autoSyncSwitch is open in the last 3 hrs?", "metric", event("E36"), "EventId == "
             "E36 (needAutoSync autoSyncSwitch is open)", window="3h"),
    Question("HealthApp", "What's the median step count in healthapp's REPORT lines over the "
             "past 3 hours? (the first number after 'REPORT :')", "metric", event("E47"),
             "EventId == E47 (REPORT : <*> <*> <*> <*>)", window="3h", agg="quantile",
             q=0.5, key=number(r"REPORT : (\d+)"), key_how="the first number"),
    Question("Proxifier", "What share of proxifier's connection errors over the past 100 days "
             "were requests canceled before completion?", "metric", event("E7"), "EventId == "
             "E7 (<*>:<*> error : A connection request was canceled before the completion.)",
             window="100d", agg="ratio", of=PROXIFIER_ERRORS,
             key_how="EventId in (E3, E4, E5, E6, E7) (<*>:<*> error : ...)"),
    Question("Proxifier", "How many bytes in total did WeChat.exe send over the proxifier "
             "connections it closed in the past 24 hours?", "metric",
             lambda r: r["EventId"] == "E8" and r["Program"] == "WeChat.exe",
             "EventId == E8 (<*>:<*> close, <*> bytes<*>sent, <*> bytes<*>received, lifetime "
             "<*>) and Program == WeChat.exe", window="24h", agg="sum",
             key=number(r"close, (\d+) bytes"), key_how="the bytes sent"),
    Question("Spark", "How many RDD partitions did spark have to compute because they weren't "
             "cached, per RDD, over the past minute? (rdd_<id>_<partition>: by id)", "metric",
             event("E19"), "EventId == E19 (Partition rdd_<*> not found, computing it)",
             window="1m", agg="by", key=extract(r"Partition rdd_(\d+)_"), key_how="the RDD id",
             label="rdd"),
    Question("Spark", "per-second rate of spark's 'Started reading broadcast variable' "
             "messages over the last minute?", "metric", event("E29"), "EventId == E29 "
             "(Started reading broadcast variable <*>; not E20's Reading broadcast variable "
             "<*> took <*> ms)", window="1m", agg="rate"),
    Question("Mac", "Show me the mac lines where the sandbox denied a mach-lookup.", "log",
             lambda r: "deny" in r["Content"] and "mach-lookup" in r["Content"],
             "Content contains 'deny' and 'mach-lookup' (E51: sandboxd's QQ(<*>) deny "
             "mach-lookup com.apple.networking.captivenetworksupport, E299: the kernel's "
             "Sandbox: QQ(<*>) deny(1) mach-lookup ...; not the network-outbound, "
             "file-read-data or ipc-posix-shm denials)"),
    Question("Mac", "How many 'setAwdlAutoMode Resuming AWDL' messages did the mac's kernel "
             "log in the past 3 days?", "metric", event("E58"), "EventId == E58 "
             "(IO80211AWDLPeerManager::setAwdlAutoMode Resuming AWDL; not E60's "
             "setAwdlOperatingMode lines)", window="3d"),
    Question("Mac", "Break down mac's CDScheduler 'Thermal pressure state' messages by "
             "thermal state over the past week.", "metric", event("E323"), "EventId == E323 "
             "(Thermal pressure state: <*> Memory pressure state: <*>)", window="7d",
             agg="by", key=extract(r"Thermal pressure state: (\d+)"),
             key_how="the thermal pressure state", label="state"),
    Question("BGL", "Show the bgl lines where a new ido chip was inserted into the "
             "database.", "log", event("E88"), "EventId == E88 (New ido chip inserted into "
             "the database: <*> ip=<*> v=<*> t=<*>; not E73's Ido chip status changed)"),
    Question("BGL", "On average, how many rbs signal handler reports ('microseconds spent in "
             "the rbs signal handler') did bgl log per day over the past 60 days?", "metric",
             event("E7"), "EventId == E7 (<*> microseconds spent in the rbs signal handler "
             "during <*> calls. ...)", window="60d", per="1d"),
    Question("HPC", "How many times did an hpc switch report 'Link ok' over the past 3 "
             "years?", "metric", event("E25"), "EventId == E25 (Link ok; not E21's Link error "
             "nor E24's Link in reset)", window="1095d"),
    Question("HPC", "What's the hottest tempature an hpc switch module reported above its "
             "warning threshold in the past year, in C?", "metric", event("E44"),
             "EventId == E44 (Temperature (<*>C) exceeds warning threshold)", window="365d",
             agg="max", key=number(r"Temperature \((\d+)C\)"), key_how="the temperature"),
    Question("HPC", "Which hpc nodes were sent more than 2 'wait' commands in the last 3 "
             "years?", "metric", event("E45"), "EventId == E45 (wait  (command <*>), the "
             "node's action start)", window="1095d", agg="by", key=lambda r: r["Node"],
             key_how="the node", label="node", over=2),
    Question("Windows", "How many times did windows' SQM initialize online in the last 24 "
             "hrs?", "metric", event("E40"), "EventId == E40 (SQM: Initializing online with "
             "Windows opt-in: False)", window="24h"),
    Question("Windows", "Break down the windows 'Read out cached package applicability' lines "
             "by CurrentState over the last day.", "metric", event("E29"), "EventId == E29 "
             "(Read out cached package applicability for package: <*>, ApplicableState: <*>, "
             "CurrentState:<*>)", window="24h", agg="by",
             key=extract(r"CurrentState:(\d+)"), key_how="the CurrentState",
             label="current_state"),
    Question("Windows", "How old, in days, do report files have to be before windows' SQM "
             "cleans them up? Take the largest value it logged in the past 24 hours.",
             "metric", event("E37"), "EventId == E37 (SQM: Cleaning up report files older "
             "than <*> days.)", window="24h", agg="max",
             key=number(r"older than (\d+) days"), key_how="the days"),
    Question("Thunderbird", "Show the thunderbird dhcpd lines about a DHCPREQUEST for an "
             "unknown lease.", "log", event("E40"), "EventId == E40 (DHCPREQUEST for <*> "
             "(<*>) from <*> via eth1: unknown lease <*>.; not E39's plain DHCPREQUEST)"),
    Question("Thunderbird", "How many included config files did xinetd read on thunderbird "
             "in the past 5 minutes?", "metric", event("E97"), "EventId == E97 (Reading "
             "included configuration file: <*> [file=<*>] [line=<*>])", window="5m"),
    Question("Android", "Show me the android lines where ActivityManager cleaned up an "
             "aplication record.", "log",
             lambda r: "cleanUpApplicationRecord" in r["Content"], "Content contains "
             "'cleanUpApplicationRecord' (E36: cleanUpApplicationRecord -- <*>, E37: "
             "cleanUpApplicationRecordLocked, pid: <*>, restart: false, E38: "
             "cleanUpApplicationRecordLocked, reset pid: <*>, euid: <*>)"),
    Question("Android", "What's the average num= android's getRecentTasks calls asked for in "
             "the last 3 minutes?", "metric", event("E55"), "EventId == E55 "
             "(getRecentTasks: num=<*>,flags=<*>,totalTasks=<*>; not E56's topActivity "
             "lines)", window="3m", agg="avg", key=number(r"num=(\d+),"),
             key_how="num"),
]


EIGHTEENTH_QUESTIONS = [
    # -- new questions of every kind over the thirteen systems (log lines, counts and rates
    # in a window, numbers the lines state, breakdowns, the change against the window before,
    # a share, a threshold), about events no earlier set asked where a system has any left
    # (Apache's and Proxifier's: new kinds of questions of their events), in users' and
    # on-call engineers' words, written by a helper that saw none of the checks, before any
    # answer of the assistant's to them was seen, to measure them fresh ---
    Question("Apache", "Show me apache's directory index refusals for clients in the "
             "218.x.x.x range.", "log",
             lambda r: r["EventId"] == "E4" and "[client 218." in r["Content"],
             "EventId == E4 ([client <*>] Directory index forbidden by rule: <*>) and the "
             "client IP starts with 218."),
    Question("Apache", "On average, how many 'workerEnv.init() ok' messages did apache log "
             "per minute over the past 2 hours?", "metric", event("E2"), "EventId == E2 "
             "(workerEnv.init() ok <*>)", window="2h", per="1m"),
    Question("Zookeeper", "What's the shortest leader election notification time out "
             "zookeeper logged in the past 30 days, in ms?", "metric", event("E31"),
             "EventId == E31 (Notification time out: <*>)", window="30d", agg="min",
             key=number(r"Notification time out: (\d+)"), key_how="the time out"),
    Question("Zookeeper", "Break down zookeeper's 'Unexpected exception causing shutdown "
             "while sock still open' errors by the follower's IP (the LearnerHandler-/<ip> "
             "thread) over the past month.", "metric", event("E49"), "EventId == E49 "
             "(Unexpected exception causing shutdown while sock still open; the thread is "
             "LearnerHandler-/<ip>:<port>; not E50's Unexpected Exception:); the window "
             "covers the whole file", window="30d", agg="by",
             key=lambda r: re.search(r"LearnerHandler-/([\d.]+)", r["Node"]).group(1),
             key_how="the follower's IP (the CSV's Node column, LearnerHandler-/<ip>)",
             label="ip"),
    Question("Linux", "Break down linux's sshd authentication failures that name a user by "
             "that user, over the past 6 weeks.", "metric",
             lambda r: r["Component"] == "sshd(pam_unix)"
             and "authentication failure" in r["Content"] and " user=" in r["Content"],
             "Component == sshd(pam_unix) and Content contains 'authentication failure' and "
             "' user=' (E17 user=guest, E18 user=root, E19 user=test; not E16's failures "
             "without a user)", window="42d", agg="by", key=extract(r"\suser=(\S+)"),
             key_how="the user", label="user"),
    Question("Linux", "Show the linux kernel's boot lines about hash table entries (dentry, "
             "inode, mount cache and so on).", "log",
             lambda r: "hash table entries" in r["Content"], "Content contains 'hash table "
             "entries' (E39 Dentry cache, E43 Dquot-cache, E55 Inode-cache, E71 Mount-cache, "
             "E84 PID hash table entries)"),
    Question("Hadoop", "show me the hadoop warnings where task cleanup failed for an attempt",
             "log", event("E99"), "EventId == E99 (Task cleanup failed for attempt "
             "attempt_<*>)"),
    Question("Hadoop", "How many times did hadoop's IPC server log a successful job "
             "authentcation ('Auth successful for job_...') in the past 8 minutes?", "metric",
             event("E23"), "EventId == E23 (Auth successful for job_<*> (auth:SIMPLE))",
             window="8m"),
    Question("Hadoop", "What's the highest ContAlloc hadoop's RMContainerAllocator reported "
             "in its 'After Scheduling' lines over the last 10 min?", "metric", event("E11"),
             "EventId == E11 (After Scheduling: PendingReds:<*> ScheduledMaps:<*> ... "
             "ContAlloc:<*> ContRel:<*> ...; not E24's Before Scheduling)", window="10m",
             agg="max", key=number(r"ContAlloc:(\d+)"), key_how="ContAlloc"),
    Question("HealthApp", "How many times did healthapp's HiAppUtil look up the binder "
             "package name (getBinderPackageName) in the past 3 hours?", "metric",
             event("E16"), "EventId == E16 (getBinderPackageName packageName = "
             "com.huawei.health)", window="3h"),
    Question("HealthApp", "Show the healthapp stepSyncOrNot lines.", "log",
             event("E66", "E67"), "EventId in (E66, E67) (stepSyncOrNot appSynTimes is <*> "
             "/ stepSyncOrNot appSynTimes is <*>, statsyncTimes is <*>)"),
    Question("HealthApp", "What's the longest totalTime healthapp's insertHiHealthData() "
             "reported when it ended, over the last 3 hours?", "metric", event("E33"),
             "EventId == E33 (insertHiHealthData() end totalTime = <*>; not E2's or E51's "
             "size = <*>,totalTime = <*>)", window="3h", agg="max",
             key=number(r"end totalTime = (\d+)"), key_how="the totalTime"),
    Question("Proxifier", "Break down proxifier's 'connection attempt failed with error' "
             "errors by program over the past 100 days.", "metric", event("E4"),
             "EventId == E4 (<*>:<*> error : Could not connect to proxy <*>:<*> - connection "
             "attempt failed with error <*>)", window="100d", agg="by",
             key=lambda r: r["Program"], key_how="the program", label="program"),
    Question("Proxifier", "Show the connections git-remote-https.exe opened through "
             "proxifier.", "log",
             lambda r: r["EventId"] in ("E1", "E2") and r["Program"] == "git-remote-https.exe",
             "EventId in (E1, E2) (<*>:<*> open through proxy <*>:<*> SOCKS5 / HTTPS) and "
             "Program == git-remote-https.exe (not its close lines)"),
    Question("Spark", "How many 'File Output Committer Algorithm version is ...' lines did "
             "spark log in the last minute?", "metric", event("E8"), "EventId == E8 (File "
             "Output Committer Algorithm version is <*>)", window="1m"),
    Question("Spark", "In total, how many bytes of hdfs input splits did spark read over the "
             "past minute? (the length after the '+' in 'Input split: ...:<start>+<length>')",
             "metric", event("E12"), "EventId == E12 (Input split: hdfs://<*>:<start>+"
             "<length>)", window="1m", agg="sum", key=number(r"\+(\d+)$"),
             key_how="the split length"),
    Question("Mac", "On average, how many retries did mac's AppleThunderboltNHIType2 "
             "waitForOk2Go2Sx report over the past week?", "metric", event("E55"),
             "EventId == E55 (AppleThunderboltNHIType2::waitForOk2Go2Sx - retries = <*>)",
             window="7d", agg="avg", key=number(r"retries = (\d+)"), key_how="the retries"),
    Question("Mac", "Which Thunderbolt ports did the mac's IOThunderboltSwitch get more than "
             "17 HPD packets for in the last 7 days?", "metric", event("E252"),
             "EventId == E252 (IOThunderboltSwitch<<*>>(<*>)::listenerCallback - Thunderbolt "
             "HPD packet for route = <*> port = <*> unplug = <*>)", window="7d", agg="by",
             key=extract(r"port = (\d+)"), key_how="the port", label="port", over=17),
    Question("BGL", "What's the biggest 'total of N ddr error(s) detected and corrected' "
             "count a bgl line reported over the past year?", "metric",
             event("E118", "E119"), "EventId in (E118, E119) (total of <*> ddr error(s) "
             "detected and corrected[ over <*> seconds])", window="365d", agg="max",
             key=number(r"total of (\d+) ddr"), key_how="the ddr errors"),
    Question("BGL", "Break down bgl's ciod 'invalid or missing program image' load failures "
             "by the error reason over the last year.", "metric",
             lambda r: "invalid or missing program image" in r["Content"], "Content "
             "contains 'invalid or missing program image' (E25 Exec format error, E26 "
             "Permission denied, E28 No such file or directory)", window="365d", agg="by",
             key=extract(r"invalid or missing program image, (.+?)\s*$"),
             key_how="the reason after the comma", label="reason"),
    Question("BGL", "Show the bgl node card status lines that say no ALERTs are active.",
             "log", event("E92"), "EventId == E92 (Node card status: no ALERTs are active. "
             "...; not E91's ALERT <*>, ... is (are) active)"),
    Question("HPC", "How many halt commands did hpc run over the past 3 years?", "metric",
             event("E19"), "EventId == E19 (halt  (command <*>); not E5's boot (command <*>) "
             "Error: HALT asserted)", window="1095d"),
    Question("HPC", "hpc: 'not responding' messages in the past 2 years minus the 2 years "
             "before?", "metric", event("E32"), "EventId == E32 (not responding; not E33's "
             "not-responding)", window="730d", agg="change"),
    Question("Windows", "Show windows' CBS NonStart lines.", "log",
             lambda r: r["Content"].startswith("NonStart:"), "Content starts with "
             "'NonStart:' (E26: Checking to ensure startup processing was not required., "
             "E27: Success, startup processing not required as expected.)"),
    Question("Windows", "How many times did windows' SQM request an upload of all unsent "
             "reports in the last 12 hours?", "metric", event("E42"), "EventId == E42 (SQM: "
             "Requesting upload of all unsent reports.; not E43's Failed to upload all unsent "
             "reports)", window="12h"),
    Question("Thunderbird", "How many DHCPOFFERs did thunderbird's dhcpd send in the past 20 "
             "minutes?", "metric", event("E38"), "EventId == E38 (DHCPOFFER on <*> to <*> "
             "via eth1); the window covers the whole file", window="20m"),
    Question("Thunderbird", "What fraction of thunderbird's DHCPDISCOVER requests in the last "
             "15 min hit 'no free leases'?", "metric", event("E37"), "EventId == E37 "
             "(DHCPDISCOVER from <*> via eth1: network A_net: no free leases)", window="15m",
             agg="ratio", of=event("E36", "E37"), key_how="EventId in (E36, E37) "
             "(DHCPDISCOVER from <*> via eth1[: network A_net: no free leases])"),
    Question("Android", "Show the android ActivityManager lines about the "
             "com.tencent.mobileqq:qzone process.", "log",
             lambda r: "com.tencent.mobileqq:qzone" in r["Content"], "Content contains "
             "'com.tencent.mobileqq:qzone' (E83 new Process, E101 has died, E138 Start proc; "
             "not E117's restart of com.tencent.mobileqq/cooperation.qzone... service)"),
    Question("Android", "What's the per-second rate of android's PanelView closeQs calls over "
             "the last 2 mintues?", "metric", event("E39"), "EventId == E39 (closeQs)",
             window="2m", agg="rate"),
    Question("Android", "Break down android's PowerManagerService wake lock releases "
             "(release:lock=...) by tag over the last 3 minutes.", "metric", event("E108"),
             "EventId == E108 (release:lock=<*>, flg=<*>, tag=\"<*>\", name=<*>, ws=<*>, "
             "uid=<*>, pid=<*>)", window="3m", agg="by", key=extract(r'tag="([^"]*)"'),
             key_how="the tag", label="tag"),
]


NINETEENTH_QUESTIONS = [
    # -- new questions of every kind over the thirteen systems (log lines, counts and rates
    # in a window, numbers the lines state, breakdowns, the change against the window before,
    # a share, a threshold), about events no earlier set asked where a system has any left
    # (Apache's and Proxifier's: new kinds of questions of their events), in users' and
    # on-call engineers' words, written by a helper that saw none of the checks, before any
    # answer of the assistant's to them was seen, to measure them fresh ---
    Question("Apache", "Of apache's jk2_init() messages over the past 24 hours, what share "
             "were 'Can't find child ... in scoreboard' failures?", "metric", event("E5"),
             "EventId == E5 (jk2_init() Can't find child <*> in scoreboard)", window="24h",
             agg="ratio", of=event("E1", "E5"), key_how="EventId in (E1, E5) (jk2_init() "
             "Found child <*> in scoreboard slot <*> / jk2_init() Can't find child <*> in "
             "scoreboard)"),
    Question("Apache", "show me the apache 'mod_jk child workerEnv in error state' errors "
             "where the state is 9 or higher", "log",
             lambda r: r["EventId"] == "E3" and number(r"error state (\d+)")(r) >= 9,
             "EventId == E3 (mod_jk child workerEnv in error state <*>) and the state >= 9 "
             "(states 9 and 10)"),
    Question("Zookeeper", "Break down zookeeper's leader election notifications "
             "('Notification: N (n.leader), ...') by the proposed leader (n.leader) over the "
             "past 30 days.", "metric", lambda r: "(n.leader)" in r["Content"],
             "Content contains '(n.leader)' (E32-E37 Notification: <*> (n.leader), <*> "
             "(n.zxid), ...; not E31's Notification time out); the window covers the whole "
             "file", window="30d", agg="by", key=extract(r"Notification: (\d+) \(n\.leader\)"),
             key_how="n.leader", label="leader"),
    Question("Zookeeper", "How many times did zookeeper write a snapshot to disk "
             "('Snapshotting: <zxid> to <file>') in the past 30 days?", "metric", event("E46"),
             "EventId == E46 (Snapshotting: <*> to <*>; not E20's Getting a snapshot from "
             "leader or E39's Reading snapshot); the window covers the whole file",
             window="30d"),
    Question("Linux", "When the linux kernel booted in the last hour, how many pages did it "
             "report across its memory zones in total (DMA, Normal and HighMem 'zone: N "
             "pages')?", "metric", lambda r: re.search(r"zone: \d+ pages", r["Content"])
             is not None, "Content matches 'zone: <N> pages' (E41 DMA zone, E74 Normal zone, "
             "E50 HighMem zone)", window="1h", agg="sum", key=number(r"zone: (\d+) pages"),
             key_how="the pages"),
    Question("Linux", "Show the BIOS-e820 memory map lines the linux kernel marked as "
             "usable.", "log", event("E21"), "EventId == E21 (BIOS-e820: <*> - <*> (usable); "
             "not E20's (reserved))"),
    Question("Hadoop", "Break down hadoop's 'Task Transitioned from NEW to SCHEDULED' lines "
             "by task type (map or reduce: the _m_ / _r_ in the task id) over the past 10 "
             "minutes.", "metric", event("E102"), "EventId == E102 (task_<*> Task "
             "Transitioned from NEW to SCHEDULED); the window covers the whole file",
             window="10m", agg="by", key=extract(r"task_\d+_\d+_([mr])_"),
             key_how="the task type (m or r)", label="type"),
    Question("Hadoop", "Show me the hadoop task attempt transitions into or out of "
             "FAIL_CONTAINER_CLEANUP.", "log",
             lambda r: "FAIL_CONTAINER_CLEANUP" in r["Content"], "Content contains "
             "'FAIL_CONTAINER_CLEANUP' (E18 RUNNING to FAIL_CONTAINER_CLEANUP, E15 "
             "FAIL_CONTAINER_CLEANUP to FAIL_TASK_CLEANUP)"),
    Question("Hadoop", "per-second rate of hadoop's AsyncDispatcher 'Registering class ... "
             "for class ...' messages over the last 10 mins?", "metric", event("E89"),
             "EventId == E89 (Registering class org.apache.hadoop.mapreduce.<*> for class "
             "org.apache.hadoop.mapreduce.<*>); the window covers the whole file",
             window="10m", agg="rate"),
    Question("HealthApp", "how many times did healthapp's Step_LSC call getTodaySportData in "
             "the past 2 hrs?", "metric", event("E21"), "EventId == E21 (getTodaySportData "
             "mStepsRecordManager=<*>)", window="2h"),
    Question("HealthApp", "What's the median of the third field in healthapp's "
             "upLoadOneMinuteDataToEngine lines over the last 3 hours? (e.g. 93 in "
             "time=25233975,0,93,0,20002)", "metric", event("E72"), "EventId == E72 "
             "(upLoadOneMinuteDataToEngine time=<*>,<*>,<*>,<*>,<*>)", window="3h",
             agg="quantile", q=0.5, key=number(r"time=\d+,\d+,(\d+),"),
             key_how="the third field"),
    Question("HealthApp", "Show me healthapp's initUserPrivacy lines.", "log",
             lambda r: "initUserPrivacy" in r["Content"], "Content contains "
             "'initUserPrivacy' (E27 the userPrivacy is true, E28 the userPrivacy switch is "
             "open, start push user data!; not E24's initDataPrivacy)"),
    Question("Proxifier", "On average, how many connections did proxifier close per minute "
             "over the last hour?", "metric", event("E8"), "EventId == E8 (<*> close, <*> "
             "bytes sent, <*> bytes received, lifetime <*>)", window="1h", per="1m"),
    Question("Proxifier", "How many proxifier connections closed in the past 3 hours without "
             "receiving a single byte (0 bytes received)?", "metric",
             lambda r: r["EventId"] == "E8" and " 0 bytes received" in r["Content"],
             "EventId == E8 and Content contains ' 0 bytes received'", window="3h"),
    Question("Spark", "Which spark stages had more than 30 'Running task' lines in the last "
             "minute?", "metric", event("E24"), "EventId == E24 (Running task <*> in stage "
             "<*> (TID <*>)); the window covers the whole file", window="1m", agg="by",
             key=extract(r"in stage (\S+) \(TID"), key_how="the stage", label="stage",
             over=30),
    Question("Spark", "What fraction of the blocks spark's MemoryStore stored in memory over "
             "the past minute were stored as bytes (rather than as values)?", "metric",
             event("E2"), "EventId == E2 (Block <*> stored as bytes in memory ...)",
             window="1m", agg="ratio", of=event("E2", "E3"), key_how="EventId in (E2, E3) "
             "(Block <*> stored as bytes / values in memory ...)"),
    Question("Mac", "Break down the times mac's wl0 roamed or switched channel over the past "
             "week by the reason number (reason #N).", "metric", event("E143"),
             "EventId == E143 (ARPT: ... wl0: Roamed or switched channel, reason #<*>, bssid "
             "<*>, last RSSI <*>); the window covers the whole file", window="7d", agg="by",
             key=extract(r"reason #(\d+)"), key_how="the reason number", label="reason"),
    Question("Mac", "Did the mac kernel log more or fewer 'Previous sleep cause' messages in "
             "the last 3 days than in the 3 days before? Give the difference (last 3 days "
             "minus the 3 before).", "metric", event("E293"), "EventId == E293 (Previous "
             "sleep cause: <*>)", window="3d", agg="change"),
    Question("BGL", "Break down bgl's 'critical input interrupt' warnings by the wire they "
             "warn about (torus y+, torus z-, tree C1, ...) over the last year.", "metric",
             lambda r: "critical input interrupt (unit=" in r["Content"], "Content contains "
             "'critical input interrupt (unit=' (E44-E47 ... warning for <*> wire[, suppressing "
             "further interrupts of same type]; not the 'critical input interrupt enable' "
             "register dumps or the 'N critical input interrupts' totals)", window="365d",
             agg="by", key=extract(r"warning for (.+?) wire"), key_how="the wire",
             label="wire"),
    Question("BGL", "Show the bgl lines where ciod hit missing or invalid fields in a node "
             "map file.", "log", event("E39"), "EventId == E39 (ciod: Missing or invalid "
             "fields on line <*> of node map file <*>)"),
    Question("BGL", "In total, how many torus sender retransmission errors did bgl detect "
             "and correct over the past year?", "metric",
             lambda r: "torus sender" in r["Content"] and "retransmission error" in r["Content"],
             "Content contains 'torus sender' and 'retransmission error' (E11 <*> torus "
             "sender z- retransmission error(s) (dcr <*>) detected and corrected over <*> "
             "seconds)", window="365d", agg="sum",
             key=number(r"(\d+) torus sender"), key_how="the error count"),
    Question("HPC", "Show me the hpc domain status lines that report inconsistent "
             "nodesets.", "log", event("E20"), "EventId == E20 (inconsistent nodesets "
             "node-<*> <*> <ok> ...)"),
    Question("HPC", "Break down hpc's 'Link error on broadcast tree' errors by switch over "
             "the past year.", "metric", event("E22"), "EventId == E22 (Link error on "
             "broadcast tree Interconnect-<*>:<*>:<*>:<*>; not E21's plain Link error)",
             window="365d", agg="by", key=lambda r: r["Node"],
             key_how="the switch (the CSV's Node column, Interconnect-<*>)", label="switch"),
    Question("Windows", "Show the windows lines where TrustedInstaller started or ended its "
             "finalization.", "log", event("E45", "E16"), "EventId in (E45, E16) (Starting "
             "TrustedInstaller finalization. / Ending TrustedInstaller finalization.; not the "
             "initialization or main loop lines)"),
    Question("Windows", "How many times did windows' CBS log 'No startup processing "
             "required' over the past day?", "metric", event("E25"), "EventId == E25 (No "
             "startup processing required, TrustedInstaller service was not set as autostart, "
             "or else a reboot is still pending.; not E27's NonStart: Success, startup "
             "processing not required as expected.)", window="24h"),
    Question("Thunderbird", "Show the thunderbird sshd lines where the connection was lost "
             "('Connection closed.').", "log", event("E30"), "EventId == E30 (connection "
             "lost: 'Connection closed.')"),
    Question("Thunderbird", "How many network protocol families did thunderbird's kernel "
             "register ('NET: Registered protocol family N') in the past 10 minutes?",
             "metric", event("E103"), "EventId == E103 (Registered protocol family <*>)",
             window="10m"),
    Question("Android", "How many more PhoneStatusBar cancelAutohide calls did android log in "
             "the last minute than in the minute before?", "metric", event("E27"),
             "EventId == E27 (cancelAutohide)", window="1m", agg="change"),
    Question("Android", "Show the android WindowManager lines where a change in focus forced "
             "a layout.", "log", event("E150", "E151"), "EventId in (E150, E151) (The change "
             "in focus caused us to need to do a layout begin / end)"),
    Question("Android", "What share of android's NotificationManager 'cancelNotification,"
             "index:N' calls in the past 3 minutes had index -1?", "metric",
             lambda r: "cancelNotification,index:-1" in r["Content"], "Content contains "
             "'cancelNotification,index:-1' (E29 with index -1)", window="3m", agg="ratio",
             of=lambda r: "cancelNotification,index:" in r["Content"], key_how="Content "
             "contains 'cancelNotification,index:' (E29, any index; not E28's "
             "cancelNotification,cancelNotificationLocked)"),
]


TWENTIETH_QUESTIONS = [
    # -- new questions of every kind over the thirteen systems (log lines, counts and rates
    # in a window, numbers the lines state, breakdowns, the change against the window before,
    # a share, a threshold), about events no earlier set asked where a system has any left
    # (Apache's and Proxifier's: new kinds of questions of their events), in users' and
    # on-call engineers' words, written by a helper that saw none of the checks, before any
    # answer of the assistant's to them was seen, to measure them fresh ---
    Question("Apache", "apache: how many more jk2_init() 'can't find child' failures in the "
             "last 12 hrs than in the 12 hrs before?", "metric", event("E5"), "EventId == E5 "
             "(jk2_init() Can't find child <*> in scoreboard)", window="12h", agg="change"),
    Question("Apache", "Which scoreboard slots did apache's jk2_init() find a child in more "
             "than 100 times over the past day?", "metric", event("E1"), "EventId == E1 "
             "(jk2_init() Found child <*> in scoreboard slot <*>)", window="24h", agg="by",
             key=extract(r"scoreboard slot (\d+)"), key_how="the slot number", label="slot",
             over=100),
    Question("Zookeeper", "Break down zookeeper's leader election notifications over the past "
             "month by the receiving server's own state (the 'LOOKING (my state)' / 'LEADING "
             "(my state)' / 'FOLLOWING (my state)' part).", "metric",
             lambda r: "(my state)" in r["Content"], "Content contains '(my state)' (E32-E37 "
             "Notification: <*> (n.leader), ... <*> (n.state), ... <*> (my state)); the window "
             "covers the whole file", window="30d", agg="by",
             key=extract(r"(\w+) \(my state\)"), key_how="my state", label="state"),
    Question("Zookeeper", "show me zookeeper's autopurge settings lines (purgeInterval / "
             "snapRetainCount)", "log", lambda r: "autopurge." in r["Content"], "Content "
             "contains 'autopurge.' (E3 autopurge.purgeInterval set to <*>, E4 "
             "autopurge.snapRetainCount set to <*>)"),
    Question("Linux", "how many ftp connections did linux get over the past 2 weeks from "
             "addresses with no reverse DNS name (empty parentheses, like 'connection from "
             "1.2.3.4 () at ...')?", "metric",
             lambda r: r["EventId"] == "E29" and " () at " in r["Content"], "EventId == E29 "
             "(connection from <*> (<*>) at <*>) and the host name is empty ('()')",
             window="14d"),
    Question("Linux", "How much LOWMEM, in MB, did the linux kernel say was available when it "
             "booted in the past hour?", "metric", event("E3"), "EventId == E3 (<*> LOWMEM "
             "available.; not E2's HIGHMEM)", window="1h", agg="max",
             key=number(r"(\d+)MB LOWMEM"), key_how="the MB"),
    Question("Hadoop", "Break down hadoop's TaskAttempt state transitions over the last 10 "
             "minutes by the state the attempt moved to (the 'to X' part).", "metric",
             lambda r: "TaskAttempt Transitioned from" in r["Content"], "Content contains "
             "'TaskAttempt Transitioned from' (E14-E21 attempt_<*> TaskAttempt Transitioned "
             "from <*> to <*>; not the Task or Job transitions); the window covers the whole "
             "file", window="10m", agg="by",
             key=extract(r"TaskAttempt Transitioned from \w+ to (\w+)"),
             key_how="the new state", label="state"),
    Question("Hadoop", "Show me the hadoop lines where the RM allocator got back a completed "
             "container.", "log", event("E84"), "EventId == E84 (Received completed "
             "container container_<*>)"),
    Question("HealthApp", "For each data type, what's the average new value in healthapp's "
             "DataStatManager 'new date' stat updates over the past 3 hours? (e.g. 7163.0 in "
             "'new date =20171223, type=40002,7163.0,old=6983.0')", "metric", event("E37"),
             "EventId == E37 (new date =<*>, type=<*>,<*>.<*>,old=<*>.<*>)", window="3h",
             agg="avg_by", key=extract(r"type=(\d+),"), key_how="the data type",
             label="type", value=number(r"type=\d+,([\d.]+),old")),
    Question("HealthApp", "any healthapp checkInsertStatus lines saying the step/calorie sums "
             "are enough? show them", "log", lambda r: "checkInsertStatus" in r["Content"],
             "Content contains 'checkInsertStatus' (E8 stepSum or calorieSum is enough, E7 "
             "stepStatSum or calorieStatSum is enough)"),
    Question("Proxifier", "What share of the connections proxifier closed in the past 24 "
             "hours lasted under a second (lifetime <1 sec)?", "metric",
             lambda r: r["EventId"] == "E8" and "lifetime <1 sec" in r["Content"],
             "EventId == E8 and Content contains 'lifetime <1 sec'", window="24h",
             agg="ratio", of=event("E8"), key_how="EventId == E8 (<*> close, <*> bytes "
             "sent, <*> bytes received, lifetime <*>)"),
    Question("Proxifier", "median bytes sent per closed proxifier connection over the last "
             "day?", "metric", event("E8"), "EventId == E8 (<*> close, <*> bytes sent, <*> "
             "bytes received, lifetime <*>)", window="24h", agg="quantile", q=0.5,
             key=number(r"close, (\d+) bytes"), key_how="the bytes sent"),
    Question("Spark", "What fraction of spark's PythonRunner 'Times: total = ...' lines in the "
             "past 2 minutes had a negative boot time?", "metric",
             lambda r: r["EventId"] == "E35" and "boot = -" in r["Content"], "EventId == E35 "
             "and Content contains 'boot = -'; the window covers the whole file", window="2m",
             agg="ratio", of=event("E35"), key_how="EventId == E35 (Times: total = <*>, boot "
             "= <*>, init = <*>, finish = <*>)"),
    Question("Spark", "avg estimated size, in bytes, of the rdd blocks spark's MemoryStore "
             "stored as bytes in the last 2 mins?", "metric",
             lambda r: r["EventId"] == "E2" and r["Content"].startswith("Block rdd_"),
             "EventId == E2 and the block is an rdd_ one (Block rdd_<*> stored as bytes in "
             "memory (estimated size <*> B, free <*>); not the broadcast pieces); the window "
             "covers the whole file", window="2m", agg="avg",
             key=number(r"estimated size ([\d.]+) B"), key_how="the estimated size"),
    Question("Mac", "Break down the mac's system wake reasons over the last week ('Wake "
             "reason: RTC (Alarm)', 'ARPT (Network)' and so on).", "metric",
             event("E335", "E336", "E337", "E338"), "EventId in (E335, E336, E337, E338) "
             "(Wake reason: <*>; not the HID processWakeReason or the ARPT 'Wake Reason: Wake "
             "on ...' lines); the window covers the whole file", window="7d", agg="by",
             key=extract(r"Wake reason: (.+)"), key_how="the wake reason", label="reason"),
    Question("Mac", "What share of the mac's corecaptured capture notices over the past week "
             "were AuthFail?", "metric", event("E171"), "EventId == E171 (CCFile::captureLog "
             "Received Capture notice id: <*>, reason = AuthFail:...)", window="7d",
             agg="ratio", of=lambda r: "Received Capture notice" in r["Content"],
             key_how="Content contains 'Received Capture notice' (E168-E171: RoamFail, "
             "AssocFail, DeauthInd, AuthFail)"),
    Question("Mac", "What was the slowest disk speed, in Mb/s, in the mac kernel's "
             "hibernate_machine_init lines over the last 7 days? (the 'disk(...) N Mb/s' "
             "part)", "metric", event("E229"), "EventId == E229 (hibernate_machine_init "
             "pagesDone <*> ... disk(<*>) <*> Mb/s, comp bytes ...)", window="7d", agg="min",
             key=number(r"disk\(\w+\) (\d+) Mb/s"), key_how="the disk Mb/s"),
    Question("BGL", "Which 3 racks (R62, R63, ...) logged the most bgl 'iar ... dear ...' "
             "machine check lines over the past year?", "metric", event("E70"),
             "EventId == E70 (iar <*> dear <*>; not E78's Kernel detected ... iar <*>, dear "
             "<*>)", window="365d", agg="topk", key=lambda r: r["Node"].split("-")[0],
             key_how="the rack (the Node column's first part)", label="rack"),
    Question("BGL", "Show the bgl lines where PrepareForService shut down a node card.", "log",
             event("E95", "E96"), "EventId in (E95, E96) (PrepareForService shutting down "
             "NodeCard(...) / Node card(...) as part of Service Action <*>)"),
    Question("BGL", "Count bgl's FATAL lines per component (KERNEL, APP, ...) over the past "
             "year.", "metric", lambda r: r["Level"] == "FATAL", "Level == FATAL",
             window="365d", agg="by", key=lambda r: r["Component"], key_how="Component",
             label="component"),
    Question("HPC", "top 3 hpc nodes by how often they reported status 'running' in the past "
             "3 years?", "metric",
             lambda r: r["Component"] == "node" and r["State"] == "status"
             and r["Content"].strip() == "running", "Component == node, State == status and "
             "Content == running (E38 on node status lines; not the full partition's)",
             window="1095d", agg="topk", key=lambda r: r["Node"], key_how="the node",
             label="node"),
    Question("HPC", "Show me the hpc boot/shutdown command lines that target a domain "
             "('Targeting domains:...').", "log", event("E42", "E43"), "EventId in (E42, E43) "
             "(Targeting domains:node-D<*> and nodes:node-...)"),
    Question("Windows", "Of windows' cached package applicability reads over the last day, "
             "what fraction had ApplicableState 112 but CurrentState 0?", "metric",
             lambda r: r["EventId"] == "E29"
             and "ApplicableState: 112, CurrentState:0" in r["Content"], "EventId == E29 "
             "with ApplicableState: 112, CurrentState:0", window="24h", agg="ratio",
             of=event("E29"), key_how="EventId == E29 (Read out cached package "
             "applicability for package: <*>, ApplicableState: <*>, CurrentState:<*>)"),
    Question("Windows", "show the windows SQM lines where it queued report files for upload",
             "log", event("E41"), "EventId == E41 (SQM: Queued <*> file(s) for upload with "
             "pattern: <*>, flags: <*>)"),
    Question("Thunderbird", "Break down thunderbird's dhcpd traffic over the last 15 minutes "
             "by DHCP message type (DHCPDISCOVER, DHCPOFFER, DHCPREQUEST, DHCPACK).", "metric",
             lambda r: r["Component"] == "dhcpd", "Component == dhcpd (E35-E40: DHCPDISCOVER "
             "/ DHCPOFFER / DHCPREQUEST / DHCPACK ...); the window covers the whole file",
             window="15m", agg="by", key=extract(r"^(DHCP[A-Z]+)"),
             key_how="the DHCP message type", label="type"),
    Question("Thunderbird", "Which 3 ganglia datasources did thunderbird's gmetad most often "
             "get no answer from in the past 15 min?", "metric", event("E32"),
             "EventId == E32 (data_thread() got not answer from any [Thunderbird_<*>] "
             "datasource); the window covers the whole file", window="15m", agg="topk",
             key=extract(r"\[(Thunderbird_\w+)\]"), key_how="the datasource",
             label="datasource"),
    Question("Thunderbird", "any thunderbird sshd logins where a user got authenticated? show "
             "me the lines", "log", event("E134"), "EventId == E134 (User #<*>#, coming from "
             "#<*>#, authenticated.)"),
    Question("Android", "Break down android's PowerManagerService 'ready=true,policy=...' state "
             "lines from the last 3 minutes by their wksummary value.", "metric",
             event("E103"), "EventId == E103 (ready=true,policy=<*>,wakefulness=<*>,"
             "wksummary=<*>,...)", window="3m", agg="by", key=extract(r"wksummary=(\w+)"),
             key_how="the wksummary", label="wksummary"),
    Question("Android", "per-second rate of android's AudioManager isMusicActive checks over "
             "the past 2 min?", "metric", event("E72"), "EventId == E72 (isMusicActive...)",
             window="2m", agg="rate"),
    Question("Android", "Show me the android lines about the BATTERY_CHANGED broadcast.",
             "log", lambda r: "BATTERY_CHANGED" in r["Content"], "Content contains "
             "'BATTERY_CHANGED' (E104 received broadcast, E92 onReceive, action:, E12 / E13 "
             "ACTION_BATTERY_CHANGED ...; not the KeyguardUpdateMonitor battery info lines)"),
]


DEVSETS = {"unseen-systems": QUESTIONS, "unseen-systems-2": SECOND_QUESTIONS,
           "unseen-systems-3": THIRD_QUESTIONS, "unseen-systems-4": FOURTH_QUESTIONS,
           "unseen-systems-5": FIFTH_QUESTIONS,
           "unseen-systems-6": SIXTH_QUESTIONS, "unseen-systems-7": SEVENTH_QUESTIONS,
           "unseen-systems-8": EIGHTH_QUESTIONS, "unseen-systems-9": NINTH_QUESTIONS,
           "unseen-systems-10": TENTH_QUESTIONS, "unseen-systems-11": ELEVENTH_QUESTIONS,
           "unseen-systems-12": TWELFTH_QUESTIONS,
           "unseen-systems-13": THIRTEENTH_QUESTIONS,
           "unseen-systems-14": FOURTEENTH_QUESTIONS,
           "unseen-systems-15": FIFTEENTH_QUESTIONS,
           "unseen-systems-16": SIXTEENTH_QUESTIONS,
           "unseen-systems-17": SEVENTEENTH_QUESTIONS,
           "unseen-systems-18": EIGHTEENTH_QUESTIONS,
           "unseen-systems-19": NINETEENTH_QUESTIONS,
           "unseen-systems-20": TWENTIETH_QUESTIONS}


def window_ns(window: str) -> int:
    number, unit = int(window[:-1]), window[-1]
    return number * UNITS[unit] * SECOND


def read_rows(directory: Path, system: str) -> tuple[list[Row], list[str]]:
    """The CSV's rows and the raw log's lines (index LineId - 1)."""
    base = directory / system / f"{system}_2k.log"
    with open(f"{base}_structured.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    raw = base.read_text(encoding="utf-8", errors="replace").split("\n")
    raw = [line.rstrip("\r") for line in raw]
    if raw and raw[-1] == "":
        raw.pop()
    if len(raw) != len(rows):
        raise SystemExit(f"{base}: {len(raw)} lines but {len(rows)} CSV rows")
    for row in rows:
        line = raw[int(row["LineId"]) - 1]
        if row["Content"].strip() not in line:
            raise SystemExit(f"{base}: line {row['LineId']} is not its CSV row: {line!r}")
    return rows, raw


def distinct(rows: list[Row]) -> list[Row]:
    """One row per (time, line): Loki merges identical lines with the same timestamp."""
    seen: set[tuple] = set()
    kept = []
    for row in rows:
        key = tuple(v for k, v in row.items() if k not in NOT_CONTENT)
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


def answer(q: Question, system: System, rows: list[Row], raw: list[str]) -> tuple[dict, str]:
    """The question's answer and the one line saying how it was computed."""
    times = [system.time(r) for r in rows]
    oldest, newest = min(times), max(times)
    ref = newest + SECOND
    merged = "distinct (time, line) entries, as Loki merges identical ones"
    if q.kind == "log":
        chosen = [r for r in rows if q.where(r)]
        ids = [int(r["LineId"]) for r in chosen]
        lines = [raw[i - 1] for i in ids]
        how = (f"{q.filter}; range [oldest, newest + 1 s) = the whole file; {merged}; "
               "lines = the raw file's line LineId")
        return {"line_ids": ids, "lines": lines}, how
    lo = ref - window_ns(q.window)
    chosen = [r for r, t in zip(rows, times) if lo < t <= ref and q.where(r)]
    window = f"Time in (newest + 1 s - {q.window}, newest + 1 s]"
    if q.agg == "count" and q.per:
        periods = window_ns(q.window) / window_ns(q.per)
        return {"series": [{"labels": {}, "value": len(chosen) / periods}]}, \
            f"{q.filter}; {window}; count of {merged} ({len(chosen)}) / {periods:g}"
    if q.agg == "count":
        return {"series": [{"labels": {}, "value": len(chosen)}]}, \
            f"{q.filter}; {window}; count of {merged}"
    if q.agg == "ratio":
        whole = [r for r, t in zip(rows, times) if lo < t <= ref and q.of(r)]
        return {"series": [{"labels": {}, "value": len(chosen) / len(whole)}]}, \
            f"{q.filter}; {window}; count ({len(chosen)}) / count of {q.key_how} ({len(whole)})"
    if q.agg == "distinct":
        keys = {q.key(r) for r in chosen}
        return {"series": [{"labels": {}, "value": len(keys)}]}, \
            f"{q.filter}; {window}; the number of distinct {q.key_how} values"
    if q.agg == "change":
        before = [r for r, t in zip(rows, times)
                  if lo - window_ns(q.window) < t <= lo and q.where(r)]
        return {"series": [{"labels": {}, "value": len(chosen) - len(before)}]}, \
            (f"{q.filter}; {window}; count of {merged} ({len(chosen)}) minus the count of the "
             f"{q.window} before ({len(before)})")
    if q.agg == "quantile":
        value = quantile(q.q, [float(q.key(r)) for r in chosen])
        return {"series": [{"labels": {}, "value": value}]}, \
            f"{q.filter}; {window}; the {q.q:g} quantile of {q.key_how} over {merged}"
    if q.agg in PER_KEY:
        per_key: dict[str, list[float]] = {}
        for r in chosen:
            per_key.setdefault(q.key(r), []).append(q.value(r))
        how = NUMBER_AGGREGATIONS[PER_KEY[q.agg]]
        series = [{"labels": {q.label: k}, "value": how(v)} for k, v in sorted(per_key.items())]
        return {"series": series}, (f"{q.filter}; {window}; the {PER_KEY[q.agg]} per "
                                    f"{q.key_how}; compare the multiset of values (labels "
                                    "are illustrative)")
    if q.agg == "rate":
        seconds = window_ns(q.window) // SECOND
        value = len(chosen) / seconds
        return {"series": [{"labels": {}, "value": value}]}, \
            f"{q.filter}; {window}; count of {merged} ({len(chosen)}) / {seconds} s"
    if q.agg in NUMBER_AGGREGATIONS:
        numbers = [float(q.key(r)) for r in chosen]
        value = NUMBER_AGGREGATIONS[q.agg](numbers)
        return {"series": [{"labels": {}, "value": value}]}, \
            f"{q.filter}; {window}; the {q.agg} of {q.key_how} over {merged}"
    counts = Counter(q.key(r) for r in chosen)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if q.agg == "topk":
        ordered = ordered[:q.k]
        what = f"the {q.k} largest counts per {q.key_how}"
    elif q.agg == "bottomk":
        ordered = sorted(counts.items(), key=lambda item: (item[1], item[0]))[:q.k]
        what = f"the {q.k} smallest counts per {q.key_how}"
    elif q.over is not None:
        ordered = [(value, n) for value, n in ordered if n > q.over]
        what = f"count per {q.key_how}, the counts above {q.over:g}"
    else:
        what = f"count per {q.key_how}"
    series = [{"labels": {q.label: value}, "value": n} for value, n in ordered]
    return {"series": series}, (f"{q.filter}; {window}; {what}, of {merged}; "
                                "compare the multiset of values (labels are illustrative)")


def devset_path(name: str) -> Path:
    return DEVSETS_DIR / f"{name}.jsonl"


def build(directory: Path, name: str = "unseen-systems") -> list[dict]:
    records = []
    cache: dict[str, tuple] = {}
    # a system asked again in a later set goes on numbering where the earlier sets stopped
    earlier = list(DEVSETS)[:list(DEVSETS).index(name)]
    numbers = Counter(q.system for previous in earlier for q in DEVSETS[previous])
    for q in DEVSETS[name]:
        system = SYSTEMS[q.system]
        if q.system not in cache:
            rows, raw = read_rows(directory, q.system)
            cache[q.system] = distinct(rows), raw
        rows, raw = cache[q.system]
        if system.application not in q.question.lower():
            raise SystemExit(f"the question does not name {system.application}: {q.question}")
        numbers[q.system] += 1
        value, how = answer(q, system, rows, raw)
        times = [system.time(r) for r in rows]
        oldest, newest = min(times), max(times)
        if q.kind == "metric":
            reference = f"instant query at {system.shown(newest + SECOND)} (newest line + 1 s)"
        else:
            reference = (f"range query over [{system.shown(oldest)}, "
                         f"{system.shown(newest + SECOND)}) (oldest line to newest line + 1 s)")
        if system.yearless:
            reference += "; the log has no year: in the year the loader reads"
        empty = (not value.get("line_ids") if q.kind == "log"
                 else not value["series"] or not any(s["value"] for s in value["series"]))
        if empty:
            raise SystemExit(f"empty answer: {q.question}")
        records.append({
            "id": f"{system.application}-{numbers[q.system]:02d}",
            "system": q.system,
            "application": system.application,
            "question": q.question,
            "kind": q.kind,
            "answer": value,
            "how": how,
            "window": q.window,
            "time_reference": reference,
            "file": f"{q.system}/{q.system}_2k.log",
        })
    return records


def render(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loghub", type=Path, help="the Loghub samples' folder")
    parser.add_argument("--set", choices=sorted(DEVSETS), default="unseen-systems",
                        help="which devset (default: unseen-systems); see the module's doc")
    parser.add_argument("--out", type=Path, help="default: data/devsets/<set>.jsonl")
    args = parser.parse_args(argv)
    args.out = args.out or devset_path(args.set)
    directory = args.loghub or loghub_root()
    if directory is None:
        print("Loghub samples not found: give their folder with --loghub", file=sys.stderr)
        return 2
    text = render(build(directory, args.set))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.out.with_name(args.out.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(args.out)
    print(f"wrote {args.out} ({text.count(chr(10))} questions)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
