"""Data hygiene: pairs whose gold contradicts its question (nl2logql/hygiene.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nl2logql.datasets import Pair, all_pairs, data_root, load_split
from nl2logql.hygiene import Flag, flag_pair, flag_pairs, flagged_ids, known_applications

ROOT = Path(__file__).resolve().parents[1]
APPS = ["openssh", "openssh-eu-west", "openssh-us-east", "hdfs", "hdfs-eu-west"]
COUNT = 'sum(count_over_time({{application="{app}"}} |= "Failed password" [{range}]))'


def _pair(question: str, logql: str) -> Pair:
    return Pair("p1", question, logql, "openssh", "test")


@pytest.mark.parametrize("rule, question, logql, fires", [
    # range: stated windows against the query's ranges (with offsets), compared in seconds
    ("range", "failed passwords in the last hour on openssh-eu-west",
     COUNT.format(app="openssh-eu-west", range="30d"), True),
    ("range", "failed passwords over the past week on openssh-eu-west",
     COUNT.format(app="openssh-eu-west", range="168h"), False),
    ("range", "failed passwords in the past month on openssh-eu-west",
     COUNT.format(app="openssh-eu-west", range="30d"), False),
    ("range", "failed passwords in the last hour on openssh-eu-west",
     'sum(count_over_time({application="openssh-eu-west"} |= "Failed" [1h] offset 1h))', True),
    ("range", "failed passwords in the hour before last on openssh-eu-west",
     'sum(count_over_time({application="openssh-eu-west"} |= "Failed" [1h] offset 1h))', False),
    ("range", "failed passwords on openssh-eu-west",  # no window stated
     COUNT.format(app="openssh-eu-west", range="30d"), False),
    # grouping: a breakdown asked for, and the answer collapses to one series
    ("grouping", "failed passwords per source IP on openssh-eu-west in the last 30 days",
     COUNT.format(app="openssh-eu-west", range="30d"), True),
    ("grouping", "failed passwords per source IP on openssh-eu-west in the last 30 days",
     'sum by (ip) (count_over_time({application="openssh-eu-west"} |= "Failed" '
     '| regexp "from (?P<ip>\\\\S+)" [30d]))', False),
    ("grouping", "top 3 users by failed passwords on openssh-eu-west in the last 30 days",
     'topk(3, sum by (user) (count_over_time({application="openssh-eu-west"} '
     '| regexp "for (?P<user>\\\\S+)" [30d])))', False),
    ("grouping", "which users failed to log in on openssh-eu-west in the last 30 days",
     COUNT.format(app="openssh-eu-west", range="30d"), True),
    ("grouping", "failed passwords per second on openssh-eu-west in the last 30 days",
     COUNT.format(app="openssh-eu-west", range="30d"), False),
    ("grouping", "bytes received by the NameNode per hour in hdfs-eu-west in the last 30 days",
     COUNT.format(app="hdfs-eu-west", range="30d"), False),
    ("grouping", "failed passwords per user on openssh-eu-west",  # a log query lists lines
     '{application="openssh-eu-west"} |= "Failed password"', False),
    # application: named applications against the selector's
    ("application", "failed passwords in the last 30 days on openssh-eu-west",
     COUNT.format(app="openssh-us-east", range="30d"), True),
    ("application", "failed passwords in the last 30 days on openssh-eu-west",
     COUNT.format(app="openssh-eu-west", range="30d"), False),
    ("application", "failed passwords in the last 30 days on openssh-eu-west",
     COUNT.format(app="openssh", range="30d"), True),
    ("application", "failed passwords in the last 30 days across all openssh applications",
     'sum(count_over_time({application=~"openssh.*"} |= "Failed" [30d]))', False),
    ("application", "failed passwords in the last 30 days on openssh-eu-west",
     'sum(count_over_time({application=~"hdfs.*"} |= "Failed" [30d]))', True),
    ("application", "failed passwords in the last 30 days on LabSZ",  # names no application
     COUNT.format(app="openssh-us-east", range="30d"), False),
])
def test_rules(rule, question, logql, fires):
    flags = [f for f in flag_pair(_pair(question, logql), APPS) if f.rule == rule]
    assert bool(flags) == fires, flags
    assert all(isinstance(f, Flag) and f.pair_id == "p1" and "\n" not in f.reason
               for f in flags)


def test_reason_names_the_phrase_and_the_ranges():
    [flag] = flag_pair(_pair("failed passwords in the last hour on openssh-eu-west",
                             COUNT.format(app="openssh-eu-west", range="30d")), APPS)
    assert flag.reason == ('question says "last hour" (1h) but the query\'s ranges are [30d]')


def test_unparsable_golds_and_known_applications():
    assert flag_pair(_pair("errors in the last hour", "{application="), APPS) == []
    pairs = [_pair("q", COUNT.format(app="b", range="1h")),
             _pair("q", 'count_over_time({application="a", application=~"c.*"}[1h]) '
                        '/ count_over_time({job="x", application!="d"}[1h])'),
             _pair("q", "{application=")]
    assert known_applications(pairs) == ["a", "b"]


def test_real_flags_leave_training_unless_kept():
    flags = flag_pairs(all_pairs().values())
    assert {f.rule for found in flags.values() for f in found} == {"range", "grouping",
                                                                   "application"}
    default, kept = load_split("random"), load_split("random", keep_flagged=True)
    assert default.flagged == kept.flagged and default.flagged <= set(flags)
    trained = {p.id for p in default.train + default.validation}
    assert trained and not trained & default.flagged
    kept_ids = {p.id for p in kept.train + kept.validation}
    assert kept_ids - trained == {i for i in kept.flagged if i in kept_ids} != set()
    assert default.test == kept.test and default.exec_test == kept.exec_test  # test is data
    assert flagged_ids(tuple(all_pairs().values())) == frozenset(flags)


def test_report_runs_and_matches_the_committed_file(tmp_path):
    out = tmp_path / "hygiene.md"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "hygiene_report.py"), "--out",
                    str(out)], check=True, capture_output=True)
    text = out.read_text()
    assert "| range |" in text and "| nl2ql-38 | nl2ql | range |" in text
    assert text == (data_root() / "hygiene.md").read_text(), "rerun scripts/hygiene_report.py"
