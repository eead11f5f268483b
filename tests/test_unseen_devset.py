"""The unseen-systems devsets (``data/devsets/unseen-systems*.jsonl``): rebuilt byte for byte from the Loghub CSVs, well formed, and
their CSV answers agree with our store: hand-written correct LogQL queries, run as
``scripts/eval_unseen_devset.py`` runs the assistant's, are scored correct (no model here)."""

from __future__ import annotations

import functools
import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

from nl2logql.paths import loghub_root

ROOT = Path(__file__).resolve().parents[1]


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


MAKE = _script("make_unseen_devset")
EVAL = _script("eval_unseen_devset")
LOGHUB = loghub_root()
SETS = {name: EVAL.load_devset(MAKE.devset_path(name)) for name in MAKE.DEVSETS}
ALL_SYSTEMS = {"Apache", "Zookeeper", "Linux", "Hadoop", "HealthApp", "Proxifier", "Spark",
               "Mac", "BGL", "HPC", "Windows", "Thunderbird", "Android"}  # sets 9 on
SYSTEMS = {"unseen-systems": {"Apache", "Zookeeper", "Linux"},
           "unseen-systems-2": {"Hadoop", "HealthApp", "Proxifier"},
           "unseen-systems-3": {"Spark", "Mac", "BGL"},
           "unseen-systems-4": {"Windows", "Thunderbird", "Android"},
           "unseen-systems-5": {"HPC", "BGL", "Android"},
           "unseen-systems-6": {"Linux", "Zookeeper", "Spark", "Proxifier", "HealthApp",
                                "Hadoop", "Apache", "Thunderbird", "Mac"},
           "unseen-systems-7": {"Linux", "Zookeeper", "Spark", "Proxifier", "HealthApp",
                                "Hadoop", "Apache", "Thunderbird", "Mac", "BGL"},
           "unseen-systems-8": {"Windows", "Android", "HPC", "BGL", "Hadoop", "Spark",
                                "Zookeeper", "Mac", "HealthApp", "Thunderbird", "Linux",
                                "Apache"},
           **{f"unseen-systems-{n}": ALL_SYSTEMS for n in range(9, 21)}}
RECORDS = [record for records in SETS.values() for record in records]
BY_ID = {record["id"]: record for record in RECORDS}
needs_loghub = pytest.mark.skipif(LOGHUB is None,
                                  reason="Loghub samples not available (shared data)")


@needs_loghub
@pytest.mark.parametrize("name", sorted(MAKE.DEVSETS))
def test_the_committed_devset_is_what_the_script_writes(name):
    assert MAKE.devset_path(name).read_text(encoding="utf-8") == \
        MAKE.render(MAKE.build(LOGHUB, name))


@pytest.mark.parametrize("name", sorted(MAKE.DEVSETS))
def test_thirty_questions_spread_over_systems_outside_the_sample_store(name):
    records = SETS[name]
    assert len(records) == 30 and len({r["id"] for r in records}) == 30
    per_system = Counter(r["system"] for r in records)
    assert set(per_system) == SYSTEMS[name]
    if len(per_system) == 3:
        assert set(per_system.values()) == {10}
    else:  # the composition set: at least two questions a system
        assert min(per_system.values()) >= 2
    assert {r["kind"] for r in records} == {"metric", "log"}


def test_the_devsets_share_no_question_and_none_is_of_the_sample_store():
    # the fifth set asks new questions of two earlier sets' systems (and HPC, new); the
    # sixth, compositions over nine of them
    assert len(BY_ID) == len({r["question"] for r in RECORDS}) == len(RECORDS) == 30 * len(SETS)
    assert len(set().union(*SYSTEMS.values())) == 13
    assert not {r["system"] for r in RECORDS} & {"OpenSSH", "OpenStack", "HDFS"}


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r["id"])
def test_each_question_names_its_application_and_has_an_answer(record):
    assert record["application"] == record["system"].lower()
    assert record["application"] in record["question"].lower()
    assert record["how"] and record["time_reference"]
    answer = record["answer"]
    if record["kind"] == "metric":
        assert record["window"]
        assert answer["series"] and all(s["value"] for s in answer["series"])
        assert "minus" in record["how"] or all(s["value"] > 0 for s in answer["series"])
        assert len(answer["series"]) == 1 or all(s["labels"] for s in answer["series"])
    else:
        assert answer["line_ids"] and len(answer["line_ids"]) == len(answer["lines"])
        assert len(set(answer["line_ids"])) == len(answer["line_ids"])


@functools.lru_cache(maxsize=None)
def store(system: str):
    record = next(r for r in RECORDS if r["system"] == system)
    return EVAL.open_store(LOGHUB, record)


@needs_loghub
@pytest.mark.parametrize("system", sorted(set().union(*SYSTEMS.values())))
def test_the_store_times_line_up_with_the_csv(system):
    assert EVAL.alignment(store(system), LOGHUB, system)["agrees"]


# Correct answers, written by hand: the scorer must call each one correct.
CORRECT = {
    "apache-01": 'count_over_time({application="apache"} |= "[error]" [1h])',
    "apache-04": r'sum by (level) (count_over_time({application="apache"} '
                 r'| regexp `^\[[^]]+\] \[(?P<level>\w+)\]` [24h]))',
    "apache-05": 'rate({application="apache"} |= "workerEnv.init() ok" [10m])',
    "apache-07": r'sum by (state) (count_over_time({application="apache"} '
                 r'|= "workerEnv in error state" | pattern `<_> error state <state>` [2d]))',
    "apache-08": '{application="apache"} |= "Can\'t find child"',
    "zookeeper-01": 'sum(count_over_time({application="zookeeper"} |= " - WARN " [6h]))',
    "zookeeper-04": 'sum by (detected_level) (count_over_time({application="zookeeper"} [30d]))',
    "zookeeper-06": r'topk(3, sum by (ip) (count_over_time({application="zookeeper"} '
                    r'|= "Accepted socket connection" | regexp `from /(?P<ip>[\d.]+):` [30d])))',
    "zookeeper-08": '{application="zookeeper"} |= " - ERROR "',
    "linux-01": 'count_over_time({application="linux"} |= "sshd(pam_unix)" '
                '|= "authentication failure" |= "user=root" [7d])',
    "linux-05": r'topk(3, sum by (component) (count_over_time({application="linux"} '
                r'| regexp `^\w+ +\d+ [\d:]+ \S+ (?P<component>[^\[:]+)` [30d])))',
    "linux-06": r'sum by (user) (count_over_time({application="linux"} |= "su(pam_unix)" '
                r'|= "session opened" | regexp `for user (?P<user>\S+)` [30d]))',
    "linux-10": '{application="linux"} |~ "kernel: .*ACPI"',
    "hadoop-01": 'sum(count_over_time({application="hadoop"} | detected_level="error" [10m]))',
    "hadoop-04": 'sum(rate({application="hadoop"} |= "Retrying connect to server" [5m]))',
    "healthapp-02": r'sum by (component) (count_over_time({application="healthapp"} '
                    r'| regexp `^[^|]*\|(?P<component>[^|]+)\|` [3h]))',
    "healthapp-04": r'max_over_time({application="healthapp"} |= "totalCalories=" '
                    r'| regexp `totalCalories=(?P<calories>\d+)` | unwrap calories [2h])',
    "proxifier-04": r'sum(sum_over_time({application="proxifier"} |= "Dropbox.exe" '
                    r'|= " close, " | regexp `(?P<sent>\d+) bytes (?:\([^)]*\) )?sent` '
                    r'| unwrap sent [100d]))',
    "proxifier-09": r'{application="proxifier"} |~ `^\[[^]]+\] WeChat\.exe `',
    "spark-05": r'max_over_time({application="spark"} |= "Reading broadcast variable" '
                r'| regexp `took (?P<ms>\d+) ms` | unwrap ms [1h])',
    "mac-06": r'sum by (host) (count_over_time({application="mac"} '
              r'| regexp `^\w+ +\d+ [\d:]+ (?P<host>\S+)` [7d]))',
    "bgl-05": r'sum(sum_over_time({application="bgl"} |= "floating point alignment exceptions" '
              r'| regexp `(?P<n>\d+) floating` | unwrap n [1y]))',
    "bgl-09": '{application="bgl"} |= "R30-M0-N9-C:J16-U01"',
    "windows-02": 'sum by (component) (count_over_time({application="windows"} '
                  '| regexp `^\\S+ \\S+ \\w+ +(?P<component>\\w+)` [24h]))',
    "thunderbird-06": 'sum(count_over_time({application="thunderbird"} |= "DHCPDISCOVER" '
                      '|= "no free leases" [1h]))',
    "android-02": 'sum by (detected_level) (count_over_time({application="android"} [10m]))',
    "android-10": '{application="android"} | detected_level="warn"',
    "hpc-03": r'sum by (component) (count_over_time({application="hpc"} '
              r'| regexp `^\d+ \S+ (?P<component>\S+)` [1095d]))',
    "hpc-05": 'sum(count_over_time({application="hpc"} |= "Fan speeds" [365d]))',
    "bgl-15": 'sum(count_over_time({application="bgl"} |= "Error reading message prefix" [1y]))',
    "bgl-17": r'max(max_over_time({application="bgl"} |= "double-hummer alignment exceptions" '
              r'| regexp `(?P<n>\d+) double-hummer` | unwrap n [1y]))',
    "android-13": r'max(max_over_time({application="android"} |= "Animating brightness" '
                  r'| regexp `target=(?P<target>\d+)` | unwrap target [5m]))',
    "android-19": '{application="android"} |= "Skipping, withExcluded"',
    # the seventh set's compositions: a share, distinct values, the fewest, a threshold,
    # lines kept by what they lack, a count per day, a peak per key
    "zookeeper-17": 'sum(count_over_time({application="zookeeper"} |= " - WARN " [30d])) '
                    '/ sum(count_over_time({application="zookeeper"} [30d]))',
    "spark-16": r'count(sum by (stage) (count_over_time({application="spark"} '
                r'|= "Running task" | regexp `in stage (?P<stage>\S+) \(TID` [1h])))',
    "apache-14": r'bottomk(2, sum by (slot) (count_over_time({application="apache"} '
                 r'|= "Found child" | regexp `scoreboard slot (?P<slot>\d+)` [2d])))',
    "proxifier-15": r'sum by (program) (count_over_time({application="proxifier"} '
                    r'|= " open through proxy " | regexp `^\[[^]]+\] (?P<program>.+?) - ` '
                    r'[100d])) > 20',
    "linux-17": '{application="linux"} |= "authentication failure" != "user=root"',
    "mac-16": 'sum(count_over_time({application="mac"} |= "Cocoa scripting error" [7d])) / 7',
    "hadoop-16": r'max by (attempt) (max_over_time({application="hadoop"} '
                 r'|= "Progress of TaskAttempt" '
                 r'| regexp `TaskAttempt (?P<attempt>attempt_\S+) is : (?P<p>[\d.]+)` '
                 r'| unwrap p [1h]))',
    # the ninth set's: a percentile, the change against the window before, an average and
    # a minimum per key
    "spark-21": r'quantile_over_time(0.9, {application="spark"} |= "Times: total = " '
                r'| regexp `total = (?P<total>\d+)` | unwrap total [1h])',
    "zookeeper-22": 'sum(count_over_time({application="zookeeper"} |= "Expiring session" [3d])) '
                    '- sum(count_over_time({application="zookeeper"} |= "Expiring session" '
                    '[3d] offset 3d))',
    "proxifier-17": r'avg by (program) (avg_over_time({application="proxifier"} |= " close, " '
                    r'| regexp `^\[[^]]+\] (?P<program>.+?) - .* (?P<received>\d+) bytes '
                    r'(?:\([^)]*\) )?received` | unwrap received [100d]))',
    "thunderbird-18": r'min by (server) (min_over_time({application="thunderbird"} '
                      r'|= "synchronized to" | regexp `synchronized to (?P<server>\S+), stratum '
                      r'(?P<stratum>\d+)` | unwrap stratum [15m]))',
    # the eleventh set's: lines in the user's words, a number the lines state, the most per
    # key
    "mac-23": '{application="mac"} |= "AirPort: Link Down"',
    "thunderbird-23": r'avg_over_time({application="thunderbird"} |= "sendmail" '
                      r'|= "from=root" | regexp `size=(?P<size>\d+)` | unwrap size [5m])',
    "proxifier-21": r'topk(3, sum by (program) (count_over_time({application="proxifier"} '
                    r'|= " error : " | regexp `^\[[^]]+\] (?P<program>.+?) - ` [100d])))',
    # the twelfth set's: lines of two templates, a breakdown by a number of the lines, a
    # share of one result among the results
    "bgl-36": '{application="bgl"} |= "rts: kernel terminated for reason"',
    "proxifier-23": r'sum by (status) (count_over_time({application="proxifier"} '
                    r'|= "Proxy server cannot establish a connection with the target" '
                    r'| regexp `status code (?P<status>\d+)` [100d]))',
    "android-30": 'sum(count_over_time({application="android"} |~ "shouldBlockLocation +ret:true" '
                  '[2m])) / sum(count_over_time({application="android"} '
                  '|~ "shouldBlockLocation +ret:" [2m]))',
    # the thirteenth set's: a threshold on a breakdown, a percentile of a number the lines
    # state, lines of three templates
    "apache-29": r'sum by (state) (count_over_time({application="apache"} '
                 r'|= "workerEnv in error state" | regexp `error state (?P<state>\d+)` [24h])) '
                 r'> 10',
    "proxifier-27": r'quantile_over_time(0.9, {application="proxifier"} |= " close, " '
                    r'| regexp `(?P<received>\d+) bytes (?:\([^)]*\) )?received` '
                    r'| unwrap received [1h])',
    "windows-21": '{application="windows"} |= "Scavenge:"',
    # the fifteenth set's: a share of one template among a level's lines, a breakdown and a
    # threshold by a field of the lines (identical lines with one timestamp are one entry)
    "apache-33": 'sum(count_over_time({application="apache"} |= "workerEnv in error state" '
                 '[24h])) / sum(count_over_time({application="apache"} |= "[error]" [24h]))',
    "thunderbird-32": r'sum by (irq) (count_over_time({application="thunderbird"} '
                      r'|= "PCI interrupt" | regexp `-> IRQ (?P<irq>\d+)` [30m]))',
    "proxifier-31": r'sum by (port) (count_over_time({application="proxifier"} |= " close, " '
                    r'| regexp `:(?P<port>\d+) close,` [24h]))',
    "hpc-28": r'sum by (node) (count_over_time({application="hpc"} |= "configured out" '
              r'| regexp `^\d+ (?P<node>\S+)` [1095d])) > 1',
    "bgl-42": '{application="bgl"} |= "Detected the debugger died"',
    # the sixteenth set's: a peak per key, a breakdown by a number of the lines over the
    # whole file, a threshold on a breakdown by a field of the lines, the change against the
    # window before, lines of two templates
    "apache-35": r'max by (slot) (max_over_time({application="apache"} |= "Found child" '
                 r'| regexp `Found child (?P<child>\d+) in scoreboard slot (?P<slot>\d+)` '
                 r'| unwrap child [1h]))',
    "zookeeper-41": r'sum by (myid) (count_over_time({application="zookeeper"} '
                    r'|= "Connection broken for id" | regexp `my id = (?P<myid>\d+)` [28d]))',
    "proxifier-32": r'sum by (host) (count_over_time({application="proxifier"} |= " close, " '
                    r'| regexp ` - (?P<host>[^\s:]+):\d+ close,` [24h])) > 2',
    "linux-40": 'sum(count_over_time({application="linux"} |= "ftpd" |= "connection from" [7d])) '
                '- sum(count_over_time({application="linux"} |= "ftpd" |= "connection from" '
                '[7d] offset 7d))',
    "android-40": '{application="android"} |= "stopWifiDisplayScanLocked"',
    # the seventeenth set's: the change against the window before, a breakdown by a number of
    # two templates' lines, a threshold on a breakdown by a field of the lines, a share of
    # one error among the errors, lines of three templates, a median of a number the lines
    # state
    "apache-36": 'sum(count_over_time({application="apache"} |= "Directory index forbidden" '
                 '[12h])) - sum(count_over_time({application="apache"} '
                 '|= "Directory index forbidden" [12h] offset 12h))',
    "linux-42": r'sum by (uid) (count_over_time({application="linux"} '
                r'|= "session opened for user" | regexp `\(uid=(?P<uid>\d+)\)` [30d]))',
    "hpc-34": r'sum by (node) (count_over_time({application="hpc"} |~ `wait +\(command` '
              r'| regexp `^\d+ (?P<node>\S+)` [1095d])) > 2',
    "windows-30": r'sum by (state) (count_over_time({application="windows"} '
                  r'|= "Read out cached package applicability" '
                  r'| regexp `CurrentState:(?P<state>\d+)` [24h]))',
    "proxifier-34": 'sum(count_over_time({application="proxifier"} '
                    '|= "A connection request was canceled" [100d])) '
                    '/ sum(count_over_time({application="proxifier"} |= " error : " [100d]))',
    "android-42": '{application="android"} |= "cleanUpApplicationRecord"',
    "healthapp-37": r'quantile_over_time(0.5, {application="healthapp"} |= "|REPORT : " '
                    r'| regexp `REPORT : (?P<steps>\d+)` | unwrap steps [3h])',
    # the eighteenth set's: a breakdown by a field of the thread name, a breakdown of three
    # templates' lines by the user they name, a share of one template among two, the change
    # against the window before, a threshold on a breakdown by a number of the lines, a
    # breakdown by the reason three templates state, lines of three templates, a total of a
    # number the lines state
    "zookeeper-45": r'sum by (ip) (count_over_time({application="zookeeper"} '
                    r'|= "Unexpected exception causing shutdown while sock still open" '
                    r'| regexp `LearnerHandler-/(?P<ip>[\d.]+):` [30d]))',
    "linux-43": r'sum by (user) (count_over_time({application="linux"} |= "sshd(pam_unix)" '
                r'|= "authentication failure" |= " user=" | regexp `\suser=(?P<user>\S+)` '
                r'[42d]))',
    "thunderbird-38": 'sum(count_over_time({application="thunderbird"} |= "DHCPDISCOVER" '
                      '|= "no free leases" [15m])) / sum(count_over_time('
                      '{application="thunderbird"} |= "DHCPDISCOVER" [15m]))',
    "hpc-36": 'sum(count_over_time({application="hpc"} |= "not responding" [730d])) '
              '- sum(count_over_time({application="hpc"} |= "not responding" [730d] '
              'offset 730d))',
    "mac-43": r'sum by (port) (count_over_time({application="mac"} '
              r'|= "Thunderbolt HPD packet" | regexp `port = (?P<port>\d+)` [7d])) > 17',
    "bgl-51": r'sum by (reason) (count_over_time({application="bgl"} '
              r'|= "invalid or missing program image" '
              r'| regexp `program image, (?P<reason>[^\r\n]+)` [365d]))',
    "android-44": '{application="android"} |= "com.tencent.mobileqq:qzone"',
    "spark-40": r'sum(sum_over_time({application="spark"} |= "Input split:" '
                r'| regexp `:(?P<start>\d+)\+(?P<length>\d+)` | unwrap length [1m]))',
    # the nineteenth set's: a share of one template among two, a breakdown by a number the
    # lines state, a total of a number the lines state, a breakdown by a field of an id,
    # lines of two templates, a median of a field, a count kept by a number, a threshold on
    # a breakdown, the change against the window before, a breakdown by a phrase of the
    # lines, a share of some lines among those of a prefix
    "apache-40": 'sum(count_over_time({application="apache"} |= "Can\'t find child" [24h])) '
                 '/ sum(count_over_time({application="apache"} |= "jk2_init()" [24h]))',
    "zookeeper-46": r'sum by (leader) (count_over_time({application="zookeeper"} '
                    r'|= "(n.leader)" | regexp `Notification: (?P<leader>\d+) \(n\.leader\)` '
                    r'[30d]))',
    "linux-45": r'sum(sum_over_time({application="linux"} |~ `zone: \d+ pages` '
                r'| regexp `zone: (?P<pages>\d+) pages` | unwrap pages [1h]))',
    "hadoop-48": r'sum by (type) (count_over_time({application="hadoop"} '
                 r'|= "Task Transitioned from NEW to SCHEDULED" '
                 r'| regexp `task_\d+_\d+_(?P<type>[mr])_` [10m]))',
    "hadoop-49": '{application="hadoop"} |= "FAIL_CONTAINER_CLEANUP"',
    "healthapp-42": r'quantile_over_time(0.5, {application="healthapp"} '
                    r'|= "upLoadOneMinuteDataToEngine" | regexp `time=\d+,\d+,(?P<v>\d+),` '
                    r'| unwrap v [3h])',
    "proxifier-39": 'sum(count_over_time({application="proxifier"} |= " close, " '
                    '|= " 0 bytes received" [3h]))',
    "spark-41": r'sum by (stage) (count_over_time({application="spark"} |= "Running task" '
                r'| regexp `in stage (?P<stage>\S+) \(TID` [1m])) > 30',
    "mac-45": 'sum(count_over_time({application="mac"} |= "Previous sleep cause" [3d])) '
              '- sum(count_over_time({application="mac"} |= "Previous sleep cause" [3d] '
              'offset 3d))',
    "bgl-53": r'sum by (wire) (count_over_time({application="bgl"} '
              r'|= "critical input interrupt (unit=" '
              r'| regexp `warning for (?P<wire>[^,]+) wire` [365d]))',
    "android-49": 'sum(count_over_time({application="android"} '
                  '|= "cancelNotification,index:-1" [3m])) / sum(count_over_time('
                  '{application="android"} |= "cancelNotification,index:" [3m]))',
    # the twentieth set's: the change against the window before, a threshold on a breakdown,
    # a breakdown by a word of the lines, a count kept by what a field lacks, a breakdown by a
    # state the lines name, an average per key of a number the lines state, a share of some
    # lines among those of an event, a median, an average and a minimum of a number the lines
    # state, a top 3 by a part of a column, lines of two templates, lines of a word
    "apache-42": 'sum(count_over_time({application="apache"} |= "Can\'t find child" [12h])) '
                 '- sum(count_over_time({application="apache"} |= "Can\'t find child" [12h] '
                 'offset 12h))',
    "apache-43": r'sum by (slot) (count_over_time({application="apache"} |= "Found child" '
                 r'| regexp `scoreboard slot (?P<slot>\d+)` [24h])) > 100',
    "zookeeper-48": r'sum by (state) (count_over_time({application="zookeeper"} '
                    r'|= "(my state)" | regexp `(?P<state>\w+) \(my state\)` [30d]))',
    "linux-47": 'sum(count_over_time({application="linux"} |= "ftpd" '
                '|= "connection from" |= " () at " [14d]))',
    "hadoop-51": r'sum by (state) (count_over_time({application="hadoop"} '
                 r'|= "TaskAttempt Transitioned from" '
                 r'| regexp `TaskAttempt Transitioned from \w+ to (?P<state>\w+)` [10m]))',
    "healthapp-44": r'avg by (type) (avg_over_time({application="healthapp"} |= "new date =" '
                    r'| regexp `type=(?P<type>\d+),(?P<v>[\d.]+),old` | unwrap v [3h]))',
    "proxifier-40": 'sum(count_over_time({application="proxifier"} |= " close, " '
                    '|= "lifetime <1 sec" [24h])) / sum(count_over_time('
                    '{application="proxifier"} |= " close, " [24h]))',
    "proxifier-41": r'quantile_over_time(0.5, {application="proxifier"} |= " close, " '
                    r'| regexp `close, (?P<sent>\d+) bytes` | unwrap sent [24h])',
    "spark-44": r'avg_over_time({application="spark"} |= "Block rdd_" |= "stored as bytes" '
                r'| regexp `estimated size (?P<size>[\d.]+) B` | unwrap size [2m])',
    "mac-48": r'min_over_time({application="mac"} |= "hibernate_machine_init pagesDone" '
              r'| regexp `disk\(\w+\) (?P<speed>\d+) Mb/s` | unwrap speed [7d])',
    "bgl-56": r'topk(3, sum by (rack) (count_over_time({application="bgl"} '
              r'|~ ` iar \w+ dear \w+` | regexp `^\S+ \d+ \S+ (?P<rack>R\d+)-` [365d])))',
    "bgl-57": '{application="bgl"} |= "PrepareForService shutting down"',
    "android-52": '{application="android"} |= "BATTERY_CHANGED"',
}

# Near misses: the scorer must call each one wrong.
WRONG = {
    "apache-01": 'count_over_time({application="apache"} |= "[error]" [2h])',  # the window
    "apache-07": r'sum by (state) (count_over_time({application="apache"} '  # no line filter:
                 r'| pattern `<_> error state <state>` [2d]))',               # a "" series
    "apache-08": '{application="apache"} |= "jk2_init()"',  # too many lines
    "zookeeper-04": 'sum(count_over_time({application="zookeeper"} [30d]))',  # no breakdown
    "zookeeper-08": '{application="zookeeper"} |= "Unexpected exception"',  # misses one
    "linux-01": 'count_over_time({application="linux"} |= "sshd(pam_unix)" '
                '|= "authentication failure" [7d])',  # every user, not root alone
    "hadoop-04": 'sum(rate({application="hadoop"} |= "Retrying connect to server" [1m]))',
    "proxifier-04": r'sum(bytes_over_time({application="proxifier"} '  # the lines' bytes
                    r'|= "Dropbox.exe" |= " close, " [100d]))',
    "proxifier-09": '{application="proxifier"} |= "WeChat.exe" |= "open through"',  # opens only
    "bgl-12": 'sum(count_over_time({application="bgl"} |= "data store" [1y]))',  # E53/E54 too
    "android-15": 'sum(count_over_time({application="android"} '  # getRunningAppProcesses too
                  '|= "does not hold REAL_GET_TASKS" [5m]))',
    "proxifier-15": r'sum by (program) (count_over_time({application="proxifier"} '  # "chrome.exe
                    r'|= " open through proxy " | regexp `^\[[^]]+\] (?P<program>\S+)` '  # *64" is
                    r'[100d])) > 20',                                                # another
    "mac-16": 'sum(count_over_time({application="mac"} |= "Cocoa scripting error" [7d]))',
    "linux-15": r'bottomk(2, sum by (user) (count_over_time({application="linux"} '  # login's
                r'|= "session opened for user" |= "by (uid" '                       # session too
                r'| regexp `for user (?P<user>\S+)` [60d])))',
    "spark-21": r'quantile_over_time(0.5, {application="spark"} |= "Times: total = " '  # median
                r'| regexp `total = (?P<total>\d+)` | unwrap total [1h])',
    "zookeeper-22": 'sum(count_over_time({application="zookeeper"} '  # the window before alone
                    '|= "Expiring session" [3d] offset 3d))',
    "mac-23": '{application="mac"} |= "Link Down on awdl0"',  # en0's lines missed
    "thunderbird-23": r'avg_over_time({application="thunderbird"} |= "sendmail" '  # 15 min
                      r'|= "from=root" | regexp `size=(?P<size>\d+)` | unwrap size [15m])',
    "proxifier-21": r'topk(3, sum by (program) (count_over_time({application="proxifier"} '
                    r'|= "Could not connect" '  # the canceled requests left out
                    r'| regexp `^\[[^]]+\] (?P<program>.+?) - ` [100d])))',
    "bgl-36": '{application="bgl"} |= "kernel terminated for reason 1004"',  # 1001/1003 missed
    "proxifier-23": r'sum by (status) (count_over_time({application="proxifier"} '  # a day,
                    r'|= "Proxy server cannot establish a connection with the target" '
                    r'| regexp `status code (?P<status>\d+)` [24h]))',  # not 100 days
    "android-30": 'sum(count_over_time({application="android"} '  # "running ..." lines counted
                  '|~ "shouldBlockLocation +ret:true" [2m])) / '
                  'sum(count_over_time({application="android"} |= "shouldBlockLocation" [2m]))',
    "apache-29": r'sum by (state) (count_over_time({application="apache"} '  # no threshold:
                 r'|= "workerEnv in error state" | regexp `error state (?P<state>\d+)` '
                 r'[24h]))',                                                  # 9 and 10 too
    "proxifier-27": r'quantile_over_time(0.9, {application="proxifier"} |= " close, " '  # sent,
                    r'| regexp `(?P<sent>\d+) bytes (?:\([^)]*\) )?sent` '  # not received
                    r'| unwrap sent [1h])',
    "windows-21": '{application="windows"} |= "Scavenge: Starts"',  # the other two missed
    "apache-33": 'sum(count_over_time({application="apache"} |= "workerEnv in error state" '
                 '[24h])) / sum(count_over_time({application="apache"} [24h]))',  # every line
    "proxifier-31": r'sum by (port) (count_over_time({application="proxifier"} '  # opened,
                    r'|= " open through proxy " '                              # not closed
                    r'| regexp `:(?P<port>\d+) open` [24h]))',
    "hpc-28": r'sum by (node) (count_over_time({application="hpc"} |= "configured out" '
              r'| regexp `^\d+ (?P<node>\S+)` [1095d])) > 2',  # more than twice: node-96 alone
    "bgl-42": '{application="bgl"} |= "ciod:"',  # every ciod line
    "apache-35": r'max by (slot) (max_over_time({application="apache"} |= "Found child" '
                 r'| regexp `Found child (?P<child>\d+) in scoreboard slot (?P<slot>\d+)` '
                 r'| unwrap child [3h]))',  # three hours, not one
    "zookeeper-41": r'sum by (myid) (count_over_time({application="zookeeper"} '  # a week:
                    r'|= "Connection broken for id" | regexp `my id = (?P<myid>\d+)` [7d]))',
    "proxifier-32": r'sum by (host) (count_over_time({application="proxifier"} |= " close, " '
                    r'| regexp ` - (?P<host>[^\s:]+):\d+ close,` [24h])) > 5',  # sogou's 5 out
    "linux-40": 'sum(count_over_time({application="linux"} |= "ftpd" '  # the last 7 days alone
                '|= "connection from" [7d]))',
    "android-40": '{application="android"} '  # E147's lines missed
                  '|= "stopWifiDisplayScanLocked mWifiDisplayScanRequestCount"',
    "apache-36": 'sum(count_over_time({application="apache"} '  # the last 12 hours alone
                 '|= "Directory index forbidden" [12h]))',
    "linux-42": r'sum by (uid) (count_over_time({application="linux"} '  # login's root
                r'|= "session opened for user" |= "by (uid=" '            # session missed
                r'| regexp `\(uid=(?P<uid>\d+)\)` [30d]))',
    "hpc-34": r'sum by (node) (count_over_time({application="hpc"} |~ `wait +\(command` '
              r'| regexp `^\d+ (?P<node>\S+)` [1095d])) > 1',  # twice counted too
    "windows-30": r'sum by (state) (count_over_time({application="windows"} '  # the
                  r'|= "Read out cached package applicability" '  # ApplicableState
                  r'| regexp `ApplicableState: (?P<state>\d+)` [24h]))',
    "proxifier-34": 'sum(count_over_time({application="proxifier"} '  # of every line
                    '|= "A connection request was canceled" [100d])) '
                    '/ sum(count_over_time({application="proxifier"} [100d]))',
    "android-42": '{application="android"} '  # E36's lines missed
                  '|= "cleanUpApplicationRecordLocked"',
    "healthapp-37": r'quantile_over_time(0.9, {application="healthapp"} '  # the 90th
                    r'|= "|REPORT : " | regexp `REPORT : (?P<steps>\d+)` '  # percentile
                    r'| unwrap steps [3h])',
    "zookeeper-45": r'sum by (port) (count_over_time({application="zookeeper"} '  # by the
                    r'|= "Unexpected exception causing shutdown while sock still open" '
                    r'| regexp `LearnerHandler-/[\d.]+:(?P<port>\d+)` [30d]))',  # port
    "linux-43": r'sum by (user) (count_over_time({application="linux"} '  # E16's failures
                r'|= "sshd(pam_unix)" |= "authentication failure" '      # without a user:
                r'| regexp `\suser=(?P<user>\S+)` [42d]))',              # a "" series
    "thunderbird-38": 'sum(count_over_time({application="thunderbird"} |= "DHCPDISCOVER" '
                      '|= "no free leases" [15m])) / sum(count_over_time('  # of every
                      '{application="thunderbird"} |= "dhcpd:" [15m]))',   # dhcpd line
    "hpc-36": 'sum(count_over_time({application="hpc"} '  # the last 2 years alone
              '|= "not responding" [730d]))',
    "mac-43": r'sum by (port) (count_over_time({application="mac"} '  # both ports
              r'|= "Thunderbolt HPD packet" | regexp `port = (?P<port>\d+)` [7d])) > 16',
    "bgl-51": r'sum by (reason) (count_over_time({application="bgl"} '  # E27's "program
              r'|= "ciod: Error loading" '                               # image too big"
              r'| regexp `program image, (?P<reason>[^\r\n]+)` [365d]))',  # too: a "" series
    "android-44": '{application="android"} |= "qzone"',  # E117's restart of the service too
    "spark-40": r'sum(sum_over_time({application="spark"} |= "Input split:" '  # the start
                r'| regexp `:(?P<start>\d+)\+(?P<length>\d+)` | unwrap start [1m]))',
    "apache-40": 'sum(count_over_time({application="apache"} |= "Can\'t find child" [24h])) '
                 '/ sum(count_over_time({application="apache"} [24h]))',  # of every line
    "zookeeper-46": r'sum by (leader) (count_over_time({application="zookeeper"} '  # the time
                    r'|= "Notification" '                                 # outs too: a "" series
                    r'| regexp `Notification: (?P<leader>\d+) \(n\.leader\)` [30d]))',
    "linux-45": r'sum(sum_over_time({application="linux"} |~ `zone: \d+ pages` '  # the LIFO
                r'| regexp `batch:(?P<batch>\d+)` | unwrap batch [1h]))',          # batches
    "hadoop-48": r'sum by (type) (count_over_time({application="hadoop"} '  # the attempts'
                 r'|= "Transitioned from NEW to" '                        # NEW to UNASSIGNED
                 r'| regexp `task_\d+_\d+_(?P<type>[mr])_` [10m]))',      # too: a "" series
    "hadoop-49": '{application="hadoop"} '  # E15's lines out of it missed
                 '|= "RUNNING to FAIL_CONTAINER_CLEANUP"',
    "healthapp-42": r'avg_over_time({application="healthapp"} '  # the mean, not the median
                    r'|= "upLoadOneMinuteDataToEngine" | regexp `time=\d+,\d+,(?P<v>\d+),` '
                    r'| unwrap v [3h])',
    "proxifier-39": 'sum(count_over_time({application="proxifier"} |= " close, " '  # 10, 100...
                    '|= "0 bytes received" [3h]))',                                 # bytes too
    "spark-41": r'sum by (stage) (count_over_time({application="spark"} |= "Running task" '
                r'| regexp `in stage (?P<stage>\S+) \(TID` [1m])) > 20',  # stage 24.0 too
    "mac-45": 'sum(count_over_time({application="mac"} '  # the last 3 days alone
              '|= "Previous sleep cause" [3d]))',
    "bgl-53": r'sum by (wire) (count_over_time({application="bgl"} '  # the 'N critical input
              r'|= "critical input interrupt" '                       # interrupts' totals too:
              r'| regexp `warning for (?P<wire>[^,]+) wire` [365d]))',  # a "" series
    "android-49": 'sum(count_over_time({application="android"} '  # of every cancelNotification
                  '|= "cancelNotification,index:-1" [3m])) / sum(count_over_time('
                  '{application="android"} |= "cancelNotification" [3m]))',
    "apache-42": 'sum(count_over_time({application="apache"} '  # the last 12 hours alone
                 '|= "Can\'t find child" [12h]))',
    "apache-43": r'sum by (slot) (count_over_time({application="apache"} |= "Found child" '
                 r'| regexp `scoreboard slot (?P<slot>\d+)` [24h])) > 90',  # the slot of 98 too
    "zookeeper-48": r'sum by (state) (count_over_time({application="zookeeper"} '  # n.state
                    r'|= "(my state)" | regexp `(?P<state>\w+) \(n\.state\)` [30d]))',
    "linux-47": 'sum(count_over_time({application="linux"} |= "ftpd" '  # every connection
                '|= "connection from" [14d]))',
    "hadoop-51": r'sum by (state) (count_over_time({application="hadoop"} '  # the old state
                 r'|= "TaskAttempt Transitioned from" '
                 r'| regexp `TaskAttempt Transitioned from (?P<state>\w+) to` [10m]))',
    "healthapp-44": r'avg by (type) (avg_over_time({application="healthapp"} '  # the old value
                    r'|= "new date =" | regexp `type=(?P<type>\d+),[\d.]+,old=(?P<v>[\d.]+)` '
                    r'| unwrap v [3h]))',
    "proxifier-40": 'sum(count_over_time({application="proxifier"} '  # of every line
                    '|= "lifetime <1 sec" [24h])) / sum(count_over_time('
                    '{application="proxifier"} [24h]))',
    "proxifier-41": r'avg_over_time({application="proxifier"} |= " close, " '  # the mean
                    r'| regexp `close, (?P<sent>\d+) bytes` | unwrap sent [24h])',
    "spark-44": r'avg_over_time({application="spark"} |= "stored as bytes" '  # broadcast too
                r'| regexp `estimated size (?P<size>[\d.]+) B` | unwrap size [2m])',
    "mac-48": r'max_over_time({application="mac"} |= "hibernate_machine_init pagesDone" '
              r'| regexp `disk\(\w+\) (?P<speed>\d+) Mb/s` | unwrap speed [7d])',  # the fastest
    "bgl-56": r'topk(3, sum by (rack) (count_over_time({application="bgl"} '  # midplanes,
              r'|~ ` iar \w+ dear \w+` '                                        # not racks
              r'| regexp `^\S+ \d+ \S+ (?P<rack>R\d+-M\d)-` [365d])))',
    "bgl-57": '{application="bgl"} |= "NodeCard("',  # 'Node card(' missed
    "android-52": '{application="android"} '  # the received broadcast and onReceive
                  '|= "ACTION_BATTERY_CHANGED"',  # lines missed
}


def _scored(item: str, query: str) -> dict:
    record = BY_ID[item]
    return EVAL.score(record, EVAL.run_query(store(record["system"]), query, record["kind"]))


@needs_loghub
@pytest.mark.parametrize("item", sorted(CORRECT))
def test_a_correct_query_scores_correct(item):
    verdict = _scored(item, CORRECT[item])
    assert verdict["correct"], verdict
    if BY_ID[item]["kind"] == "log":
        assert verdict["f1"] == 1.0


@needs_loghub
@pytest.mark.parametrize("item", sorted(WRONG))
def test_a_wrong_query_scores_wrong(item):
    verdict = _scored(item, WRONG[item])
    assert not verdict["correct"], verdict
    if BY_ID[item]["kind"] == "log":
        assert 0 < verdict["f1"] < 1


def test_the_scorer_compares_values_not_labels():
    record = BY_ID["apache-04"]
    values = [s["value"] for s in record["answer"]["series"]]
    data = {"resultType": "vector", "result": [
        {"metric": {"detected_level": str(n)}, "value": [0, str(v)]}
        for n, v in enumerate(reversed(values))]}
    assert EVAL.score(record, data)["correct"]
    data["result"].pop()
    assert not EVAL.score(record, data)["correct"]
    assert not EVAL.score(record, None)["correct"]
    assert not EVAL.score(record, {"resultType": "streams", "result": []})["correct"]


def test_the_scorer_gives_log_questions_an_f1():
    record = BY_ID["zookeeper-09"]
    lines = record["answer"]["lines"]
    stream = {"stream": {}, "values": [["0", line + " "] for line in lines[:2]]}
    verdict = EVAL.score(record, {"resultType": "streams", "result": [stream]})
    assert verdict["precision"] == 1.0 and verdict["recall"] == pytest.approx(2 / 3)
    assert not verdict["correct"] and verdict["f1"] == pytest.approx(0.8)
    assert EVAL.score(record, {"resultType": "vector", "result": []})["f1"] == 0.0
