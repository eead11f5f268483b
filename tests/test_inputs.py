"""Inputs of the embedded store beyond one plain file: multi-line entries (stack traces),
compressed files, folders, standard input, labels from paths, and bad input (binary,
huge lines, invalid UTF-8, empty files, mixed formats), each told in one line."""

from __future__ import annotations

import bz2
import codecs
import csv
import gzip
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from nl2logql.cli import main
from nl2logql.engine.loaders import embedded_backend, files, load_files, load_paths
from nl2logql.engine.loaders.files import (MAX_JOINED_LINES, join_continuations, read_plain,
                                          read_text, split_lines)
from nl2logql.errors import DataError
from nl2logql.paths import loghub_root
from nl2logql.timeutil import parse_time

S = 1_000_000_000
END = parse_time("2025-01-01T00:00:00Z")
NOW = parse_time("2025-06-01T00:00:00Z")
COUNT = 'sum(count_over_time({a="x"}[30d]))'

# A log4j line starting a 40-line Java stack trace (exception line, frames, a cause).
JAVA = "\n".join(
    ["2025-01-01 00:00:01,000 ERROR [main] c.e.Service - request failed",
     "java.lang.IllegalStateException: boom"]
    + [f"\tat com.example.Service.step{i}(Service.java:{10 + i})" for i in range(35)]
    + ["Caused by: java.io.IOException: disk full",
       "\tat com.example.Disk.write(Disk.java:7)",
       "\t... 35 more",
       "2025-01-01 00:00:02,000 INFO [main] c.e.Service - next request"]) + "\n"
PYTHON = """2025-01-01 00:00:01,000 - app - ERROR - failed
Traceback (most recent call last):
  File "app.py", line 3, in <module>
    main()
KeyError: 'x'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "app.py", line 5, in <module>
    raise ValueError("bad")
ValueError: bad
2025-01-01 00:00:02,000 - app - INFO - next
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def count(store) -> float:
    return float(store.query(COUNT, time=END + 60 * S)["result"][0]["value"][1])


def query(*args, input=None):
    result = CliRunner().invoke(main, ["query", *args], input=input)
    assert "Traceback" not in result.output
    return result


# -- multi-line entries ------------------------------------------------------------------------

def test_a_java_stack_trace_is_one_entry_and_counted_once(tmp_path):
    path = write(tmp_path / "app.log", JAVA)
    store = load_files(path, {"a": "x"}, now=NOW)
    assert store.stats.entries == 2 and count(store) == 2
    first, second = store.streams[0].entries()
    assert first == (END + S, "\n".join(JAVA.splitlines()[:-1]))  # the first line's time
    assert second[1].endswith("next request")
    assert store.notes[0].endswith("; 39 continuation lines joined into 1 multi-line entry "
                                   "(--no-multiline keeps them apart)")
    assert count(load_files(path, {"a": "x"}, now=NOW, multiline=False)) == 41


def test_a_python_traceback_joins_with_its_chained_exception(tmp_path):
    store = load_files(write(tmp_path / "app.log", PYTHON), {"a": "x"}, now=NOW)
    first, second = [line for _, line in store.streams[0].entries()]
    assert first.startswith("2025-01-01 00:00:01,000 - app - ERROR - failed\nTraceback")
    assert first.endswith("KeyError: 'x'\nDuring handling of the above exception, another "
                          "exception occurred:\nTraceback (most recent call last):\n"
                          '  File "app.py", line 5, in <module>\n    raise ValueError("bad")\n'
                          "ValueError: bad")
    assert second.endswith("INFO - next")
    assert "9 continuation lines joined into 1 multi-line entry" in store.notes[0]


@pytest.mark.parametrize("text, entries", [
    # a line with its own timestamp always starts an entry, indented or not
    ("2025-01-01T00:00:01Z a\n  2025-01-01T00:00:02Z timed\n", 2),
    # a Java-like exception line joins only when a frame follows it
    ("2025-01-01T00:00:01Z a\nconfig.yaml: loaded\n", 2),
    # a Python exception line joins only right after the traceback's frames, once
    ("2025-01-01T00:00:01Z a\nTraceback (most recent call last):\n  File \"x\"\nE: e\nZ: z\n", 2),
    ("2025-01-01T00:00:01Z a\nE: e\n", 2),
    # lines that only look like continuations
    ("2025-01-01T00:00:01Z a\nat 10:00 the job ran\n...done\n", 3),
])
def test_conservative_joins(tmp_path, text, entries):
    assert load_files(write(tmp_path / "a.log", text), now=NOW).stats.entries == entries


def test_files_without_timestamps_join_nothing(tmp_path):
    path = write(tmp_path / "a.log", "start\n  indented\n\tat x.y(Z.java:1)\n")
    store = load_files(path, now=NOW)
    assert store.stats.entries == 3


def test_an_entry_holds_at_most_128_lines():
    lines = ["2025 start"] + [f"  frame {i}" for i in range(300)]
    joined, times, count_joined, entries = join_continuations(lines, [1] + [None] * 300)
    assert [len(entry.split("\n")) for entry in joined] == [MAX_JOINED_LINES, MAX_JOINED_LINES, 45]
    assert times == [1, None, None] and (count_joined, entries) == (298, 3)


def test_no_multiline_on_the_command_line(tmp_path):
    path = str(write(tmp_path / "app.log", JAVA))
    joined = query(COUNT, "--logs", path, "--label", "a=x", "--time", "2025-01-01T00:01:00Z",
                   "-o", "raw")
    apart = query(COUNT, "--logs", path, "--label", "a=x", "--time", "2025-01-01T00:01:00Z",
                  "-o", "raw", "--no-multiline")
    assert joined.exit_code == 0 and apart.exit_code == 0, joined.output + apart.output
    assert "39 continuation lines joined" in joined.stderr
    assert "joined" not in apart.stderr
    assert joined.stdout.split()[-1] == "2" and apart.stdout.split()[-1] == "41"


def test_embedded_backend_takes_multiline(tmp_path):
    path = write(tmp_path / "app.log", JAVA)
    assert embedded_backend(path, {"a": "x"}, multiline=False, now=NOW).stats.entries == 41


LOGHUB = loghub_root()
SYSTEMS = ["Android", "Apache", "BGL", "HDFS", "HPC", "Hadoop", "HealthApp", "Linux", "Mac",
           "OpenSSH", "OpenStack", "Proxifier", "Spark", "Thunderbird", "Windows", "Zookeeper"]


@pytest.mark.skipif(LOGHUB is None, reason="Loghub samples not available (shared data)")
@pytest.mark.parametrize("system", SYSTEMS)
def test_no_loghub_line_is_joined(system):
    path = LOGHUB / system / f"{system}_2k.log"
    notes: list[str] = []
    lines = read_plain(path, {}, now=NOW, notes=notes)[2]
    assert len(lines) == 2000 and not any("\n" in line for line in lines)
    assert "joined" not in notes[0]
    # Stronger: even with every timestamp but the first ignored, no line looks like a
    # continuation.
    raw = split_lines(read_text(path))
    assert join_continuations(raw, [0] + [None] * (len(raw) - 1))[2] == 0


# -- more inputs -------------------------------------------------------------------------------

LINES = "2025-01-01T00:00:01Z one\n2025-01-01T00:00:02Z two\n"


@pytest.mark.parametrize("name, pack", [
    ("app.log.gz", gzip.compress), ("app.log.bz2", bz2.compress),
    ("app.log", gzip.compress),  # told by its magic bytes, not its name
    ("app.jsonl.gz", gzip.compress),
])
def test_compressed_files(tmp_path, name, pack):
    text = (LINES if "jsonl" not in name else
            json.dumps({"line": "one", "ts": "2025-01-01T00:00:01Z", "labels": {"a": "x"}}) + "\n")
    path = tmp_path / name
    path.write_bytes(pack(text.encode()))
    store = load_paths(path, {"a": "x"}, now=NOW)
    assert store.streams[0].lines[0].endswith("one")
    assert store.stats.entries == (2 if "jsonl" not in name else 1)


def test_a_broken_compressed_file_is_one_line(tmp_path):
    path = tmp_path / "app.log.gz"
    path.write_bytes(gzip.compress(LINES.encode())[:-10])
    with pytest.raises(DataError, match=r"cannot decompress .*app.log.gz \(gzip\)") as info:
        load_files(path)
    assert "\n" not in str(info.value)


def test_a_folder_is_read_recursively_with_glob(tmp_path):
    write(tmp_path / "logs" / "web" / "access.log", LINES)
    write(tmp_path / "logs" / "db" / "db.log", LINES)
    write(tmp_path / "logs" / "db" / "notes.txt", LINES)
    write(tmp_path / "logs" / ".hidden.log", LINES)
    write(tmp_path / "logs" / ".git" / "x.log", LINES)
    folder = tmp_path / "logs"
    names = lambda store: [Path(n).relative_to(folder).as_posix()  # noqa: E731
                           for n in store.label_values("filename")]
    assert names(load_files(folder, now=NOW)) == ["db/db.log", "db/notes.txt", "web/access.log"]
    assert names(load_files(folder, now=NOW, glob_pattern="*.log")) == ["db/db.log",
                                                                        "web/access.log"]
    assert names(load_paths(folder, now=NOW, glob_pattern="web/*")) == ["web/access.log"]


def test_an_empty_glob_or_folder_is_one_line(tmp_path):
    (tmp_path / "empty").mkdir()
    write(tmp_path / "some" / "a.txt", LINES)
    for path, pattern, message in [(tmp_path / "empty", "*", "no file in folder"),
                                   (tmp_path / "some", "*.log", "no file matching '*.log'"),
                                   (tmp_path / "*.log", "*", "no file matches")]:
        result = query(COUNT, "--logs", str(path), "--glob", pattern)
        assert result.exit_code != 0 and message in result.output
        assert len(result.output.strip().splitlines()) == 1


def test_standard_input(tmp_path):
    result = query('{job="stdin"}', "--logs", "-", "-o", "raw",
                   "--start", "2024-12-31T00:00:00Z", "--end", "2025-01-02T00:00:00Z", input=JAVA)
    assert result.exit_code == 0, result.output
    assert "standard input: timestamps: ISO 8601" in result.stderr
    assert result.stdout.count("next request") == 1 and "\t... 35 more" in result.stdout


def test_standard_input_is_plain_text_and_may_be_compressed(tmp_path, monkeypatch):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(gzip.compress(LINES.encode()))))
    store = load_paths("-", {"app": "pipe"}, now=NOW)
    assert store.streams[0].labels == {"app": "pipe", "job": "stdin"}
    assert store.stats.entries == 2


def test_labels_from_the_path(tmp_path):
    write(tmp_path / "web" / "app.log", LINES)
    write(tmp_path / "db" / "app.log", LINES)
    write(tmp_path / "db" / "app.txt", LINES)  # no match: no label, loaded all the same
    store = load_files(tmp_path, {"env": "prod"}, now=NOW,
                       label_from_path=r"(?P<app>[^/]+)/[^/]+\.log$")
    assert store.label_values("app") == ["db", "web"]
    assert {s.labels.get("app") for s in store.streams} == {"db", "web", None}
    assert store.label_values("env") == ["prod"]


@pytest.mark.parametrize("regex, message", [
    (r"([^/]+)/app\.log$", "has no named group"),
    (r"(?P<app>nomatch)", "matches none of the 1 paths"),
    (r"(?P<app>[", "is not a regex"),
])
def test_bad_label_from_path_is_one_line(tmp_path, regex, message):
    path = write(tmp_path / "web" / "app.log", LINES)
    result = query(COUNT, "--logs", str(path), "--label-from-path", regex)
    assert result.exit_code != 0 and message in result.output and regex in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("logs, ok", [
    (["a.log"], False), (["*.log"], False), (["-"], False),  # no folder: nothing to pick from
    (["logs"], True), (["logs", "a.log"], True),
])
def test_glob_needs_a_folder(tmp_path, monkeypatch, logs, ok):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.log", LINES)
    write(tmp_path / "logs" / "b.log", LINES)
    result = query(COUNT, *[arg for path in logs for arg in ("--logs", path)], "--glob", "*.log",
                   "--label", "a=x", input=LINES)
    assert (result.exit_code == 0) == ok, result.output
    if not ok:
        assert "--glob '*.log' picks files in --logs folders, and no --logs path is a folder" \
            in result.output and len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("pack", [bytes, gzip.compress], ids=["plain", "gzip"])
def test_structured_csv_from_standard_input(tmp_path, pack):
    source = write(tmp_path / "app.log", LINES)
    made = {}
    for name, logs, stdin in [("file", str(source), None), ("stdin", "-", pack(LINES.encode()))]:
        made[name] = tmp_path / f"{name}.csv"
        result = CliRunner().invoke(main, ["patterns", "--structured", str(made[name]),
                                           "--logs", logs], input=stdin)
        assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(made["stdin"].open(encoding="utf-8")))
    assert [(row["LineId"], row["Content"]) for row in rows] == [("1", "one"), ("2", "two")]
    assert made["stdin"].read_text() == made["file"].read_text()


def test_file_options_need_logs():
    for option in (["--no-multiline"], ["--glob", "*.log"], ["--label-from-path", "(?P<a>x)"]):
        result = query(COUNT, *option)
        assert result.exit_code != 0 and "add --logs PATH" in result.output


# -- bad input ---------------------------------------------------------------------------------

def test_a_binary_file_is_left_out_with_a_note(tmp_path):
    good = write(tmp_path / "a.log", LINES)
    binary = tmp_path / "b.log"
    binary.write_bytes(b"\x7fELF\x00\x01\x02" + os.urandom(2000))
    store = load_files([good, binary], {"a": "x"}, now=NOW)
    assert store.stats.entries == 2
    assert store.notes[1] == f"{binary} looks binary (NUL bytes in its first KB); not loaded"
    result = query(COUNT, "--logs", str(binary))
    assert result.exit_code != 0 and "looks binary" in result.output
    assert len(result.output.strip().splitlines()) == 1


TEXT = "2025-01-01T00:00:01Z café\n2025-01-01T00:00:02Z 日本 ok\n"


@pytest.mark.parametrize("pack", [bytes, gzip.compress], ids=["plain", "gzip"])
@pytest.mark.parametrize("codec, mark, said", [
    ("utf-16-le", codecs.BOM_UTF16_LE, "UTF-16 LE"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "UTF-16 BE"),
    ("utf-32-le", codecs.BOM_UTF32_LE, "UTF-32 LE"),
    ("utf-32-be", codecs.BOM_UTF32_BE, "UTF-32 BE"),
    ("utf-8", codecs.BOM_UTF8, None),  # dropped, not kept in the first line; nothing to say
])
def test_a_byte_order_mark_tells_the_encoding(tmp_path, codec, mark, said, pack):
    path = tmp_path / "app.log"
    path.write_bytes(pack(mark + TEXT.encode(codec)))
    store = load_files(path, now=NOW)
    assert list(store.streams[0].entries()) == [(END + S, TEXT.splitlines()[0]),
                                                (END + 2 * S, TEXT.splitlines()[1])]
    note = f"; read as {said} (its byte-order mark)"
    assert store.notes[0].endswith(note) if said else "read as" not in store.notes[0]


def test_invalid_utf16_is_replaced_and_said_once(tmp_path):
    path = tmp_path / "a.log"
    lone_surrogate = b"\x00\xd8"
    path.write_bytes(codecs.BOM_UTF16_LE + "2025-01-01T00:00:01Z a".encode("utf-16-le")
                     + lone_surrogate + "b\n".encode("utf-16-le"))
    store = load_files(path, now=NOW)
    assert store.streams[0].lines == ["2025-01-01T00:00:01Z a\ufffdb"]
    assert store.notes[0].endswith("; read as UTF-16 LE (its byte-order mark); 1 invalid UTF-16 "
                                   "sequence read as U+FFFD")


@pytest.mark.parametrize("codec, order", [("utf-16-le", "LE"), ("utf-16-be", "BE")])
def test_utf16_without_a_byte_order_mark_is_binary_with_a_hint(tmp_path, codec, order):
    path = tmp_path / "a.log"
    path.write_bytes(LINES.encode(codec))
    result = query(COUNT, "--logs", str(path))
    assert result.exit_code != 0 and len(result.output.strip().splitlines()) == 1
    assert (f"{path} looks binary (NUL bytes in its first KB); not loaded: every other byte is "
            f"NUL, it may be UTF-16 {order} without a byte-order mark (convert it: iconv -f "
            f"UTF-16{order} -t UTF-8)") in result.output


@pytest.mark.parametrize("name, kind, pack", [("app.log.gz", "gzip", gzip.compress),
                                              ("app.log.bz2", "bzip2", bz2.compress)])
def test_decompression_stops_at_its_limit(tmp_path, monkeypatch, name, kind, pack):
    """A decompression bomb fails the whole load, with the file and the limit."""
    good = write(tmp_path / "good.log", LINES)
    bomb = tmp_path / name
    bomb.write_bytes(pack(LINES.encode()))
    monkeypatch.setattr(files, "MAX_DECOMPRESSED", len(LINES))  # up to the limit: loaded
    assert load_files([good, bomb], now=NOW).stats.entries == 4
    monkeypatch.setattr(files, "MAX_DECOMPRESSED", len(LINES) - 1)
    result = query(COUNT, "--logs", str(good), "--logs", str(bomb), "--label", "a=x")
    assert result.exit_code != 0 and len(result.output.strip().splitlines()) == 1
    assert (f"{bomb}: {kind} data decompresses to more than {len(LINES) - 1:,} bytes, the "
            "limit; not loaded") in result.output


def test_invalid_utf8_is_replaced_and_said_once(tmp_path):
    path = tmp_path / "a.log"
    path.write_bytes(b"2025-01-01T00:00:01Z caf\xe9\n"
                     b"2025-01-01T00:00:02Z \xff\xfe ok \xef\xbf\xbd\n")  # the last is U+FFFD
    store = load_files(path, now=NOW)
    assert store.streams[0].lines == ["2025-01-01T00:00:01Z caf\ufffd",
                                      "2025-01-01T00:00:02Z \ufffd\ufffd ok \ufffd"]
    assert store.notes[0].endswith("; 3 invalid UTF-8 sequences read as U+FFFD")


def test_an_empty_file_is_a_note(tmp_path):
    empty = write(tmp_path / "empty.log", "")
    store = load_files([empty, write(tmp_path / "a.log", LINES)], now=NOW)
    assert store.notes[0] == f"{empty}: empty (no lines to load)" and store.stats.entries == 2
    result = query(COUNT, "--logs", str(empty), "--label", "a=x")
    assert result.exit_code == 0 and "empty (no lines to load)" in result.stderr


def test_mixed_formats_take_the_majority_and_say_so(tmp_path):
    text = "".join(f"2025-01-01T00:00:0{i}Z iso {i}\n" for i in range(5)) + \
        "Jan  1 00:00:09 host syslog line\n2025-01-01T00:00:07Z iso last\n"
    store = load_files(write(tmp_path / "mixed.log", text), now=NOW)
    [note] = store.notes
    assert "ISO 8601" in note and "6 of 7 lines (the others keep the previous line's time)" in note
    entries = list(store.streams[0].entries())
    assert (END + 4 * S, "Jan  1 00:00:09 host syslog line") in entries  # its own entry
    assert len(entries) == 7
