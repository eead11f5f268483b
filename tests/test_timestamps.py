"""Timestamps of plain log files: detection, formats, the year rule, zones, the load report,
merged duplicates, and the 16 Loghub samples checked against their structured CSVs."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nl2logql.cli import main
from nl2logql.engine.loaders import embedded_backend, load_files, load_paths, sample_store
from nl2logql.engine.loaders.files import read_plain
from nl2logql.engine.loaders.timestamps import detect, place_years, strptime_format
from nl2logql.errors import DataError
from nl2logql.paths import loghub_root
from nl2logql.timeutil import parse_time

S = 1_000_000_000
MS = 1_000_000
END = parse_time("2025-01-01T00:00:00Z")
NOW = parse_time("2025-06-01T00:00:00Z")  # the load time in these tests
ROOT = Path(__file__).resolve().parents[1]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def times_of(store) -> list[int]:
    return store.streams[0].timestamps.tolist()


# -- one line per format ----------------------------------------------------------------------

FORMATS = [
    # (format detected, line, its time: ns since the epoch, UTC; no year in the line: 2025)
    ("iso8601", "2025-01-01T00:00:00Z level=info msg=start", END),
    ("iso8601", "2025-01-01T02:00:00.5+02:00 x", END + S // 2),
    ("iso8601", "2025-01-01t00:00:00.123456789 x", END + 123_456_789),
    ("iso8601", "<34>1 2025-01-01T00:00:00.003Z mymachine su - ID47 - 'su root' failed",
     END + 3 * MS),  # RFC 5424
    ("iso8601", "2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app."
                "MRAppMaster: Created MRAppMaster", parse_time("2015-10-18T18:01:47.978Z")),
    ("iso8601", "2025-01-01 00:00:00,123 - root - INFO - hello", END + 123 * MS),  # Python
    ("iso8601", "2025-01-01 01:00:00 +0100 x", END),
    ("iso8601", "2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:"
                "FastLeaderElection@774] - Notification time out: 3200",
     parse_time("2015-07-29T17:41:44.747Z")),  # Zookeeper
    ("iso8601", "2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack",
     parse_time("2016-09-28T04:30:30Z")),  # Windows
    ("iso8601", "nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO "
                "nova.osapi_compute.wsgi.server [req-38101a0b]",
     parse_time("2017-05-16T00:00:00.008Z")),  # OpenStack: after the file's name
    ("clf", '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200',
     parse_time("2000-10-10T20:55:36Z")),
    ("clf", '192.168.1.1 - - [01/Jan/2025:00:00:00 +0000] "GET / HTTP/1.1" 200 612 "-" "curl"',
     END),  # nginx
    ("ctime", "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok",
     parse_time("2005-12-04T04:47:44Z")),  # Apache error log
    ("ctime", "[Wed Jan 01 00:00:00.123456 2025] [core:error] [pid 1] x", END + 123_456_000),
    ("klog", "I0101 00:00:00.525108       1 main.go:42] started", END + 525_108_000),
    ("syslog", "Jan  1 00:00:00 host sshd[1]: Accepted password", END),  # RFC 3164
    ("syslog", "<34>Jan 1 00:00:01 mymachine su: 'su root' failed", END + S),
    ("logcat", "01-01 00:00:00.811  1702  2395 D WindowManager: x", END + 811 * MS),
    ("yymmdd", "250101 000001 148 INFO dfs.DataNode$PacketResponder: x", END + S),
    ("slashed", "25/01/01 00:00:00 INFO executor.CoarseGrainedExecutorBackend: x", END),
    ("slashed", "2025/01/01 00:00:00.5 http: panic serving 10.0.0.1", END + S // 2),  # Go
    ("compact", "20250101-0:0:1:5|Step_LSC|30002312|onStandStepChanged 3579", END + S + 5 * MS),
    ("bracketed", "[01.01 00:00:00] chrome.exe - proxy.cse.cuhk.edu.hk:5070 open", END),
    ("unix", "1735689600 x", END),
    ("unix", "1735689600.25 x", END + S // 4),
    ("unix", "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 RAS",
     1_117_838_570 * S),  # BGL
    ("unix", "APPREAD 1117869872 2005.06.04 R04-M1-N4-I:J18-U11 2005-06-04-00.24.32.432192",
     1_117_869_872 * S),  # BGL, a tag first
    ("unix", "- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond[2916]: x",
     1_131_566_461 * S),  # Thunderbird: the epoch comes first
    ("unix", "134681 node-246 unix.hw state_change.unavailable 1077804742 1 Component State",
     1_077_804_742 * S),  # HPC
    ("unix_ms", "1735689600123 x", END + 123 * MS),
    ("unix_us", "1735689600123456 x", END + 123_456_000),
    ("unix_ns", "1735689600123456789 x", END + 123_456_789),
    ("json", '{"level":"info","ts":1735689600.5,"caller":"main.go:1","msg":"x"}', END + S // 2),
    ("json", '{"msg":"x","@timestamp":"2025-01-01T01:00:00+01:00"}', END),
    ("json", '{"time":"2025-01-01 00:00:00,250","name":"root","message":"x"}', END + S // 4),
    ("json", '{"message":"x","timestamp":1735689600000}', END),
    ("json", '{"msg":"took 0.25 s","time":0.25,"ts":"2025-01-01T00:00:00Z"}', END),  # a duration
]


@pytest.mark.parametrize("name, line, expected", FORMATS, ids=[f"{n}-{i}" for i, (n, _, _)
                                                                 in enumerate(FORMATS)])
def test_each_format(tmp_path, name, line, expected):
    assert detect([line]).name == name
    store = load_files(write(tmp_path / "one.log", line + "\n"), year=2025, now=NOW)
    assert times_of(store) == [expected]
    assert store.streams[0].lines == [line]
    # the same format given by name reads the same
    given = load_files(tmp_path / "one.log", time_format=name, year=2025, now=NOW)
    assert times_of(given) == [expected]


def test_the_most_matching_format_wins_and_the_nearest_breaks_ties():
    mixed = ["2025-01-01T00:00:00Z a", "2025-01-01T00:00:01Z b", "Jan  1 00:00:02 host c"]
    assert detect(mixed).name == "iso8601"
    both = ["- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond: x"] * 3
    assert detect(both).name == "unix"  # syslog reads them too, further along the line
    assert detect(["no time here", "nor here"]) is None


def test_only_the_first_140_characters_are_searched():
    assert detect(["x" * 100 + " 2025-01-01T00:00:00Z starts at 101"]).name == "iso8601"
    assert detect(["x" * 125 + " 2025-01-01T00:00:00Z ends after 140"]) is None


# -- the year rule -----------------------------------------------------------------------------

def test_december_to_january_moves_to_the_next_year(tmp_path):
    path = write(tmp_path / "s.log", "Dec 31 23:59:59 h a\nJan  1 00:00:01 h b\n")
    store = load_files(path, now=NOW)
    assert times_of(store) == [END - S, END + S]
    assert "no year in the timestamps: read as 2024 to 2025" in store.notes[0]


def test_a_date_that_would_be_in_the_future_goes_to_the_previous_year(tmp_path):
    path = write(tmp_path / "s.log", "Dec 31 00:00:00 h a\n")
    store = load_files(path, now=NOW)  # Dec 31 2025 is after 2025-06-01
    assert times_of(store) == [END - 86_400 * S]
    assert store.notes[0].endswith("no year in the timestamps: read as 2024")
    # up to a day ahead is "now" somewhere on Earth, not the future
    soon = write(tmp_path / "soon.log", "Jun  1 12:00:00 h a\n")
    assert times_of(load_files(soon, now=NOW)) == [NOW + 12 * 3600 * S]


@pytest.mark.parametrize("lines, expected, years", [
    # a month boundary keeps the year (and the month)
    (["[10.31 23:59:59] a", "[11.01 00:00:01] b"],
     ["2024-10-31T23:59:59Z", "2024-11-01T00:00:01Z"], "2024"),  # Oct 2025 is to come
    (["[01.31 23:59:59] a", "[02.01 00:00:01] b"],
     ["2025-01-31T23:59:59Z", "2025-02-01T00:00:01Z"], "2025"),
    (["[05.31 23:00:00] a", "[06.01 00:30:00] b"],
     ["2025-05-31T23:00:00Z", "2025-06-01T00:30:00Z"], "2025"),  # just after now: not future
    (["[12.31 23:59:59] a", "[01.01 00:00:01] b"],  # December to January: the next year
     ["2024-12-31T23:59:59Z", "2025-01-01T00:00:01Z"], "2024 to 2025"),
    # back less than half a year: out of order in one year, not a new year (Loghub's sample)
    (["[10.30 16:49:06] a", "[07.26 13:30:34] b"],
     ["2024-10-30T16:49:06Z", "2024-07-26T13:30:34Z"], "2024"),
])
def test_yearless_month_boundaries(tmp_path, lines, expected, years):
    notes = []
    _, times, _, _ = read_plain(write(tmp_path / "p.log", "\n".join(lines)), {}, now=NOW,
                                notes=notes)
    assert list(times) == [parse_time(t) for t in expected]  # in file order
    assert notes[0].endswith(f"no year in the timestamps: read as {years}")


def test_year_option(tmp_path):
    path = write(tmp_path / "s.log", "Dec 31 23:59:59 h a\nJan  1 00:00:01 h b\n")
    store = load_files(path, year=2023, now=NOW)
    assert times_of(store) == [parse_time("2023-12-31T23:59:59Z"),
                               parse_time("2024-01-01T00:00:01Z")]
    assert "read as 2023 to 2024 (--year)" in store.notes[0]


def test_feb_29_goes_to_a_leap_year(tmp_path):
    path = write(tmp_path / "s.log", "Feb 29 12:00:00 h x\n")
    assert times_of(load_files(path, now=NOW)) == [parse_time("2024-02-29T12:00:00Z")]
    given = load_files(path, time_format="%b %d %H:%M:%S", now=NOW)  # strptime: never 1900
    assert times_of(given) == [parse_time("2024-02-29T12:00:00Z")]
    with pytest.raises(DataError, match="s.log: --year 2023 puts a Feb 29 in a year without one"
                       ) as info:
        load_files(path, year=2023, now=NOW)
    assert "\n" not in str(info.value)


def test_place_years_directly():
    frame = [parse_time("2000-12-31T00:00:00Z"), parse_time("2000-01-01T00:00:00Z")]
    placed, first, last = place_years(frame, NOW)
    assert (first, last) == (2024, 2025)
    assert placed.tolist() == [END - 86_400 * S, END]


# -- slashed dates: the year first or last ---------------------------------------------------

DEC_4 = parse_time("2026-12-04T10:00:00Z")


@pytest.mark.parametrize("line, time_format, expected", [
    ("2026/12/04 10:00:00 x", None, DEC_4),  # year first: month, then day
    ("2026/12/04 10:00:00 x", "slashed", DEC_4),
    ("2026/12/04 10:00:00 x", "%Y/%m/%d %H:%M:%S", DEC_4),
    ("12/04/2026 10:00:00 x", "%m/%d/%Y %H:%M:%S", DEC_4),  # US
    ("12/04/2026 10:00:00 x", "%d/%m/%Y %H:%M:%S", parse_time("2026-04-12T10:00:00Z")),
    ("12/04/2026 10:00:00 x", None, None),  # year last: either, so not guessed but told
    ("4/12/2026 10:00 x", None, None),
])
def test_slashed_dates(tmp_path, line, time_format, expected):
    store = load_files(write(tmp_path / "d.log", line + "\n"), time_format=time_format, now=NOW)
    if expected is not None:
        assert times_of(store) == [expected]
        return
    assert times_of(store) == [NOW]  # the load time, said
    date = line[:line.index(":") + 3]
    assert store.notes[0] == (
        f"no timestamps found in {tmp_path / 'd.log'}: every line gets the load time (1 ms "
        f"apart, in file order); \"{date}\" may be month or day first: give --time-format "
        "'%m/%d/%Y %H:%M:%S' (or '%d/%m/%Y %H:%M:%S')")


# -- strptime formats ----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt, line, expected", [
    # a count after ":" is read as written: 98 ms, not 980 ms
    ("%Y%m%d-%H:%M:%S:%f", "20250101-0:0:1:98|Step_LSC|30002312|x", END + S + 98 * MS),
    ("%Y%m%d-%H:%M:%S:%f", "20250101-00:00:01:606|Step_LSC|x", END + S + 606 * MS),
    ("%Y-%m-%d %H:%M:%S.%f", "2025-01-01 00:00:01.5 x", END + S + 500 * MS),  # a fraction
    ("%Y-%m-%d %H:%M:%S,%f", "2025-01-01 00:00:01,000123456 x", END + S + 123_456),
    ("%Y-%m-%d %H:%M:%S", "2025-01-01 00:00:01|rest of the line", END + S),  # any text after
    ("%d/%b/%Y:%H:%M:%S %z", '1.2.3.4 - - [01/Jan/2025:01:00:00 +0100] "GET /"', END),
    ("%b %d %I:%M:%S %p", "Jan 01 12:00:01 AM x", END + S),
    ("%F %T", "2025-01-01 00:00:01 x", END + S),
])
def test_strptime_formats(tmp_path, fmt, line, expected):
    store = load_files(write(tmp_path / "a.log", line + "\n"), time_format=fmt, year=2025,
                       now=NOW)
    assert times_of(store) == [expected]
    assert f"format '{fmt}'" in store.notes[0]


def test_a_format_matching_no_line_is_one_line_error(tmp_path):
    path = write(tmp_path / "a.log", "2025-01-01T00:00:00Z a\n")
    with pytest.raises(DataError, match=r"no line has a time in format '%d/%m/%Y %H'") as info:
        load_files(path, time_format="%d/%m/%Y %H")
    assert "\n" not in str(info.value)
    with pytest.raises(DataError, match="needs a month and a day"):
        strptime_format("%H:%M:%S")
    with pytest.raises(DataError, match="%j is not supported"):
        load_files(path, time_format="%j %H")


# -- the load report, lines without a time ---------------------------------------------------------

def test_no_format_found_is_said_once(tmp_path):
    path = write(tmp_path / "plain.log", "one\ntwo\nthree\n")
    store = load_files(path, now=NOW)
    assert store.notes == [f"no timestamps found in {path}: every line gets the load time "
                           "(1 ms apart, in file order)"]
    assert times_of(store) == [NOW - 2 * MS, NOW - MS, NOW]


def test_unmatched_lines_keep_the_previous_time_and_are_counted(tmp_path):
    text = ("2025-01-01T00:00:01Z boom\njava.lang.NullPointerException\n  at a.b(C.java:1)\n"
            "2025-01-01T00:00:03Z next\n")
    store = load_files(write(tmp_path / "a.log", text), now=NOW, multiline=False)
    assert list(store.streams[0].entries()) == [
        (END + S, "2025-01-01T00:00:01Z boom"), (END + S, "java.lang.NullPointerException"),
        (END + S, "  at a.b(C.java:1)"), (END + 3 * S, "2025-01-01T00:00:03Z next")]
    [note] = store.notes
    assert note == (f'{tmp_path / "a.log"}: timestamps: ISO 8601 / RFC 3339, e.g. '
                    '"2025-01-01T00:00:01Z", 2 of 4 lines (the others keep the previous '
                    "line's time)")
    [joined] = load_files(tmp_path / "a.log", now=NOW).notes  # multi-line by default
    assert joined == note + ("; 2 continuation lines joined into 1 multi-line entry "
                             "(--no-multiline keeps them apart)")


def test_report_of_a_loghub_like_file(tmp_path):
    line = "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok"
    path = write(tmp_path / "error_log", "\n".join([line] * 3 + [line.replace("44", "45")]))
    [note] = load_files(path).notes
    assert note == (f'{path}: timestamps: Apache error-log format, e.g. "Sun Dec 04 04:47:44 '
                    '2005", 4 of 4 lines; levels: 4 of 4 lines (detected_level); 2 identical '
                    "lines with the same timestamp merged, as Loki does (--keep-duplicates "
                    "keeps them)")


# -- time zones --------------------------------------------------------------------------------

@pytest.mark.parametrize("tz, line, expected", [
    ("Europe/Paris", "2025-01-01 01:00:00 x", END),  # winter: +01:00
    ("Europe/Paris", "2025-07-01 02:00:00 x", parse_time("2025-07-01T00:00:00Z")),  # summer
    ("+05:30", "2025-01-01 05:30:00 x", END),
    ("-0800", "2024-12-31 16:00:00 x", END),
    ("Europe/Paris", "2025-01-01T00:00:00Z x", END),  # the line's own offset wins
    ("Europe/Paris", "Jan  1 01:00:00 h x", END),  # no year: placed, then localized
    ("America/New_York", "1735689600 x", END),  # an epoch is UTC
    (None, "2025-01-01 00:00:00 x", END),  # default: UTC
])
def test_time_zones(tmp_path, tz, line, expected):
    store = load_files(write(tmp_path / "a.log", line + "\n"), tz=tz, year=2025, now=NOW)
    assert times_of(store) == [expected]


def test_unknown_time_zone(tmp_path):
    path = write(tmp_path / "a.log", "2025-01-01 00:00:00 x\n")
    with pytest.raises(DataError, match="unknown time zone 'Mars/Olympus'"):
        load_files(path, tz="Mars/Olympus")


# -- duplicates ----------------------------------------------------------------------------------

def test_duplicates_are_merged_and_counted_or_kept(tmp_path):
    text = "2025-01-01T00:00:00Z same\n" * 3 + "2025-01-01T00:00:00Z other\n"
    path = write(tmp_path / "d.log", text)
    merged = load_files(path)
    assert merged.stats.entries == 2
    assert merged.notes[0].endswith("; 2 identical lines with the same timestamp merged, as "
                                    "Loki does (--keep-duplicates keeps them)")
    kept = load_files(path, keep_duplicates=True)
    assert list(kept.streams[0].entries()) == [
        (END, "2025-01-01T00:00:00Z same"), (END, "2025-01-01T00:00:00Z other"),
        (END + 1, "2025-01-01T00:00:00Z same"), (END + 2, "2025-01-01T00:00:00Z same")]
    assert "identical lines" not in kept.notes[0]


def test_a_moved_copy_that_meets_an_entry_moves_on(tmp_path):
    # the second "a" at 0 ns would land on the "a" already at 1 ns
    from nl2logql.engine.store import Stream

    stream = Stream.build({"x": "y"}, [0, 0, 1], ["a", "a", "a"], keep_duplicates=True)
    assert stream.timestamps.tolist() == [0, 1, 2]
    assert Stream.build({"x": "y"}, [0, 0, 1], ["a", "a", "a"]).timestamps.tolist() == [0, 1]


# -- JSON lines, load_paths, backends -------------------------------------------------------------

def test_jsonl_notes_and_python_logging_times(tmp_path):
    path = write(tmp_path / "app.jsonl", "\n".join(json.dumps(o) for o in [
        {"message": "a", "time": "2025-01-01 00:00:00,250"},
        {"message": "b"},
    ]) + "\n")
    store = load_paths(path)
    assert times_of(store) == [END + S // 4, END + S // 4]
    assert store.notes == [f"{path}: timestamps: JSON field timestamp / ts / time / @timestamp, "
                           "1 of 2 entries (the others keep the previous entry's time)"]
    assert times_of(load_paths(path, tz="+01:00")) == [END - 3600 * S + S // 4] * 2


def test_load_paths_keeps_its_signature_and_notes(tmp_path):
    write(tmp_path / "a.log", "2025-01-01T00:00:00Z a\n")
    store = embedded_backend([str(tmp_path / "a.log")], {"job": "x"}, None)
    assert len(store.notes) == 1 and "1 of 1 lines" in store.notes[0]
    assert sample_store().notes == []
    store = embedded_backend([str(tmp_path / "a.log")], None, "iso8601", year=2020,
                             tz="UTC", keep_duplicates=True)
    assert store.stats.entries == 1


# -- the CLI -------------------------------------------------------------------------------------

COUNT = 'sum(count_over_time({a="x"}[30d]))'


def test_cli_prints_the_report_on_stderr(tmp_path):
    line = "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok"
    log = write(tmp_path / "error_log", "\n".join([line] * 3 + ["[Sun Dec 04 04:47:45 2005] x"]))
    result = CliRunner().invoke(main, ["query", COUNT, "--logs", str(log), "--label", "a=x"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f'{log}: timestamps: Apache error-log format, e.g. "Sun Dec 04 04:47:44 2005", 4 of 4 '
        'lines; levels: 3 of 4 lines (detected_level; the others "unknown"); 2 identical '
        "lines with the same "
        "timestamp merged, as Loki does (--keep-duplicates keeps them)"]
    assert result.stdout.splitlines() == ["{}  2", "(1 series)"]  # stdout: the answer only
    kept = CliRunner().invoke(main, ["query", COUNT, "--logs", str(log), "--label", "a=x",
                                     "-o", "json", "--keep-duplicates"])
    assert json.loads(kept.stdout)["data"]["result"][0]["value"][1] == "4"
    assert "merged" not in kept.stderr


def test_cli_time_options(tmp_path):
    log = write(tmp_path / "auth.log", "Dec 31 23:00:00 h a\n")
    result = CliRunner().invoke(main, ["query", '{a="x"}', "--logs", str(log), "--label", "a=x",
                                       "--year", "2020", "--tz", "+01:00", "-o", "json"])
    assert result.exit_code == 0, result.output
    [stream] = json.loads(result.stdout)["data"]["result"]
    assert stream["values"][0][0] == str(parse_time("2020-12-31T22:00:00Z"))
    assert "read as 2020 (--year)" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["--logs", "LOG", "--tz", "Nowhere/Else"], "unknown time zone 'Nowhere/Else'"),
    (["--logs", "LOG", "--time-format", "%d/%m/%Y"], "no line has a time in format"),
    (["--tz", "UTC"], "add --logs PATH"),
    (["--keep-duplicates"], "add --logs PATH"),
])
def test_cli_time_errors_are_one_line(tmp_path, args, message):
    log = write(tmp_path / "a.log", "2025-01-01T00:00:00Z a\n")
    args = [str(log) if a == "LOG" else a for a in args]
    result = CliRunner().invoke(main, ["query", COUNT, *args])
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


# -- the 16 Loghub samples against their structured CSVs ---------------------------------------

def _table_script():
    spec = importlib.util.spec_from_file_location("timestamps_table",
                                                  ROOT / "scripts" / "timestamps_table.py")
    script = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = script  # its dataclass looks itself up there
    spec.loader.exec_module(script)
    return script


TABLE = _table_script()
LOGHUB = loghub_root()
EXPECTED_FORMAT = {
    "Android": "logcat", "Apache": "ctime", "BGL": "unix", "HDFS": "yymmdd", "HPC": "unix",
    "Hadoop": "iso8601", "HealthApp": "compact", "Linux": "syslog", "Mac": "syslog",
    "OpenSSH": "syslog", "OpenStack": "iso8601", "Proxifier": "bracketed", "Spark": "slashed",
    "Thunderbird": "unix", "Windows": "iso8601", "Zookeeper": "iso8601",
}


@pytest.mark.skipif(LOGHUB is None, reason="Loghub samples not available (shared data)")
@pytest.mark.parametrize("system", TABLE.SYSTEMS)
def test_loghub_first_and_last_times_match_the_structured_csv(system):
    measure = TABLE.measure(system, LOGHUB)
    assert measure.format == EXPECTED_FORMAT[system]
    assert (measure.first, measure.last) == (measure.expected_first, measure.expected_last)
    assert measure.own == measure.total == 2000  # every line has a time of its own


@pytest.mark.skipif(LOGHUB is None, reason="Loghub samples not available (shared data)")
def test_loghub_proxifier_keeps_one_year():
    """Its sample goes from Oct 30 back to Jul 26 (line 974): one year, in file order."""
    _, times, _, _ = read_plain(LOGHUB / "Proxifier" / "Proxifier_2k.log", {}, now=NOW)
    assert [times[0], times[972], times[973], times[-1]] == [parse_time(t) for t in (
        "2024-10-30T16:49:06Z", "2024-10-30T21:21:48Z", "2024-07-26T13:30:34Z",
        "2024-07-27T10:23:42Z")]
