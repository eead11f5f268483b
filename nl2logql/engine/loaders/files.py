"""Plain log files: one stream per file, timestamps read from each line.

Each file becomes a stream with the caller's labels plus ``filename`` (its absolute
path, as Promtail adds it); standard input (``-``) gets ``job="stdin"`` instead, as
Promtail's ``--stdin`` does. A line keeps its full text, timestamp included; blank lines
are skipped. The timestamp format is detected once per file from a sample of its lines
(:mod:`~nl2logql.engine.loaders.timestamps`), or given. Lines without a timestamp take
the previous line's, as Loki's pipeline does. If no timestamp is found at all, lines
keep file order: 1 ms apart, the last one at load time.

A line's log level (``ERROR``, ``[warn]``, ``level=info``...) becomes its
``detected_level``, structured metadata as Loki 3 attaches it, ``unknown`` for a line
without one (:mod:`~nl2logql.engine.loaders.levels`); a multi-line entry's is its first
line's.

Multi-line entries (on by default; Promtail's ``multiline`` stage): a line with no
timestamp of its own that continues a stack trace (it starts with white space, ``at
pkg.Class.method(``, ``Caused by:``, ``... 12 more``, ``Traceback (most recent call
last):``, or is the exception line of a Java or Python trace) joins the entry before
it, newline-joined, keeping that entry's time; at most 128 lines an entry. A line with
its own timestamp always starts an entry, and files without timestamps join nothing.

Inputs: files, globs (``**`` recursive), folders (every file below, hidden ones
skipped, whose name matches ``glob_pattern``; a pattern without a folder to apply to is
an error), ``-`` for standard input; gzip and bzip2 data (found by its magic bytes) is
decompressed, up to ``MAX_DECOMPRESSED`` bytes (more is an error: a decompression bomb
is not loaded in part). Text is UTF-8, or UTF-16/UTF-32 when a byte-order mark says so
(a UTF-8 one is dropped). Bad input is told, not guessed at: a binary file (NUL bytes
in its first KB; the note says when they look like UTF-16 without a byte-order mark) is
left out with a note; lines longer than 1 MiB characters are cut to that length;
invalid sequences are replaced with U+FFFD; each is said once in the file's note.

What was found is one line a file in the store's ``notes`` (the CLI prints them):
the format and how many lines have their own time, the year given to times without one,
how many have a level, the lines joined, cut or replaced, and how many identical lines
with the same time were merged, as Loki does.
"""

from __future__ import annotations

import bz2
import codecs
import fnmatch
import glob
import gzip
import io
import os
import re
import sys
import zlib
from pathlib import Path
from typing import Callable, Iterable, Mapping

from nl2logql.engine.loaders.levels import known_levels, levels_note, line_levels
from nl2logql.engine.loaders.timestamps import (SEARCH_SPAN, TimeFormat, detect, fill_times,
                                                localize_all, named_format, place_years,
                                                read_times, time_zone, year_last_date)
from nl2logql.engine.store import LogStore, label_key
from nl2logql.errors import DataError
from nl2logql.logql.checks import is_label_name
from nl2logql.timeutil import now_ns

FILE_ORDER_SPACING = 1_000_000  # 1 ms between lines of a file without timestamps
MAX_LINE_CHARS = 1 << 20  # longer lines are cut (Loki itself refuses lines over 256 KB)
MAX_JOINED_LINES = 128  # lines in one multi-line entry, as Promtail's max_lines
BINARY_PROBE = 1024  # a NUL byte in this many first bytes: not a text file
# The most a compressed input may expand to: a decompression bomb (1 KB of gzip can
# hold 1 MB of zeros) stops here instead of eating the memory.
MAX_DECOMPRESSED = 1 << 30
# Byte-order marks, UTF-32 LE's before UTF-16 LE's (it starts with it): (mark, codec, name).
BYTE_ORDER_MARKS = ((codecs.BOM_UTF32_LE, "utf-32", "UTF-32 LE"),
                    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32 BE"),
                    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 LE"),
                    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 BE"),
                    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"))
STDIN = Path("-")  # ``--logs -``
_GLOB_CHARS = re.compile(r"[*?\[]")

PathArg = str | os.PathLike | Iterable[str | os.PathLike]


class BinaryInput(DataError):
    """A file that is not text: left out of the store, with a note."""


def expand_paths(paths_or_globs: PathArg, glob_pattern: str = "*") -> list[Path]:
    """Paths in the order given: globs expanded (sorted, ``**`` recursive), folders
    walked (see :func:`folder_files`), ``-`` kept for standard input. ``DataError`` for a
    ``glob_pattern`` other than ``*`` when no path is a folder."""
    items = [paths_or_globs] if isinstance(paths_or_globs, (str, os.PathLike)) else paths_or_globs
    found: list[Path] = []
    walked = False  # a folder was given: glob_pattern had files to pick from
    for item in items:
        text = os.fspath(item)
        if text == "-":
            found.append(STDIN)
        elif _GLOB_CHARS.search(text) and not os.path.exists(text):
            matched = sorted(p for p in glob.glob(text, recursive=True) if os.path.isfile(p))
            if not matched:
                raise DataError(f"no file matches {text}")
            found.extend(Path(p) for p in matched)
        elif os.path.isdir(text):
            found.extend(folder_files(Path(text), glob_pattern))
            walked = True
        else:
            found.append(Path(text))
    if not found:
        raise DataError("no log files given")
    if glob_pattern != "*" and not walked:  # ignoring it would load files it excludes
        raise DataError(f"--glob '{glob_pattern}' picks files in --logs folders, and no --logs "
                        "path is a folder (for files, put the pattern in the path: "
                        "--logs 'logs/*.log')")
    return found


def folder_files(folder: Path, pattern: str = "*") -> list[Path]:
    """Every file below ``folder`` (sorted; hidden files and folders skipped: .git,
    editors' swap files) whose name matches ``pattern``, or whose path under the folder
    does if the pattern has a ``/``."""
    found = []
    for root, folders, names in os.walk(folder):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(names):
            path = Path(root, name)
            target = path.relative_to(folder).as_posix() if "/" in pattern else name
            if not name.startswith(".") and fnmatch.fnmatchcase(target, pattern):
                found.append(path)
    if not found:
        what = "no file" if pattern == "*" else f"no file matching {pattern!r}"
        raise DataError(f"{what} in folder {folder} (hidden files are skipped)")
    return found


def shown(path: Path) -> str:
    return "standard input" if path == STDIN else str(path)


def check_labels(labels: Mapping[str, str] | None) -> dict[str, str]:
    labels = dict(labels or {})
    for name, value in labels.items():
        if not isinstance(name, str) or not is_label_name(name):
            raise DataError(f"invalid label name {name!r} (use letters, digits and _)")
        if not isinstance(value, str):
            raise DataError(f"label {name} must have a string value, not {value!r}")
    return labels


def check_time_options(time_format: str | None, tz: str | None, year: int | None) -> None:
    """Fail on a bad format, zone or year before any file is read."""
    if time_format:
        named_format(time_format)
    time_zone(tz)
    if year is not None and not 1 <= year <= 9999:
        raise DataError(f"year {year} is out of range (1 to 9999)")


def path_labels(label_from_path: str | None, paths: list[Path]) -> dict[Path, dict[str, str]]:
    """``--label-from-path``: each path's labels from the regex's named groups, searched
    in its absolute path (the ``filename`` label); a path it does not match is absent.
    ``DataError`` for a bad regex, one without named groups, or one matching no path."""
    if not label_from_path:
        return {}
    option = f"--label-from-path '{label_from_path}'"  # as typed: repr() doubles backslashes
    try:
        regex = re.compile(label_from_path)
    except re.error as error:
        raise DataError(f"{option} is not a regex: {error}") from None
    if not regex.groupindex:
        raise DataError(f"{option} has no named group to make a label of, e.g. (?P<app>[^/]+)")
    found = {}
    for path in paths:
        match = regex.search(path.absolute().as_posix()) if path != STDIN else None
        if match:  # groups that took no part (or matched nothing) give no label, as in Loki
            found[path] = check_labels({k: v for k, v in match.groupdict().items() if v})
    if not found:
        raise DataError(f"{option} matches none of the {len(paths):,} paths (it is searched "
                        "in each absolute path)")
    return found


# -- reading bytes --------------------------------------------------------------------------


def read_bytes(path: Path) -> bytes:
    """A file's bytes, or standard input's; ``DataError`` if unreadable."""
    try:
        if path == STDIN:
            stream = sys.stdin
            return stream.buffer.read() if hasattr(stream, "buffer") else stream.read().encode()
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise DataError(f"cannot read {shown(path)}: {error.strerror or error}") from None


def decompress(data: bytes, path: Path) -> bytes:
    """gzip or bzip2 data decompressed (told by its magic bytes, whatever the name);
    anything else as it is. ``DataError`` if broken or over ``MAX_DECOMPRESSED``."""
    if data[:2] == b"\x1f\x8b":
        kind, opener = "gzip", gzip.open
    elif data[:3] == b"BZh" and data[4:10] in (b"1AY&SY", b"\x17rE8P\x90"):  # block or end
        kind, opener = "bzip2", bz2.open
    else:
        return data
    try:
        with opener(io.BytesIO(data)) as stream:  # read in a stream: stops at the cap
            out = stream.read(MAX_DECOMPRESSED + 1)
    except (OSError, EOFError, ValueError, zlib.error) as error:
        raise DataError(f"cannot decompress {shown(path)} ({kind}): {error}") from None
    if len(out) > MAX_DECOMPRESSED:
        raise DataError(f"{shown(path)}: {kind} data decompresses to more than "
                        f"{MAX_DECOMPRESSED:,} bytes, the limit; not loaded")
    return out


def encoding(data: bytes) -> tuple[str, str]:
    """``(codec, name)`` of the text in ``data``: as its byte-order mark says, else UTF-8."""
    for mark, codec, name in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return codec, name
    return "utf-8", "UTF-8"


def utf16_order(probe: bytes) -> str | None:
    """``"LE"`` or ``"BE"`` when (nearly) every other byte is NUL, as in Latin text in
    UTF-16 written without a byte-order mark; else ``None``."""
    even, odd = probe[0::2], probe[1::2]
    if len(odd) < 4:
        return None
    for order, zeros, chars in (("LE", odd, even), ("BE", even, odd)):
        if zeros.count(0) >= 0.9 * len(zeros) and chars.count(0) <= 0.1 * len(chars):
            return order
    return None


def binary_reason(path: Path, probe: bytes) -> str:
    reason = f"{shown(path)} looks binary (NUL bytes in its first KB); not loaded"
    order = utf16_order(probe)
    if order:
        reason += (f": every other byte is NUL, it may be UTF-16 {order} without a byte-order "
                   f"mark (convert it: iconv -f UTF-16{order} -t UTF-8)")
    return reason


def read_text(path: Path, remarks: list[str] | None = None) -> str:
    """A file as text: decompressed, decoded as UTF-8 or as a byte-order mark says (a
    UTF-16/32 one is said in ``remarks``), invalid sequences replaced with U+FFFD (said
    too); :class:`BinaryInput` for a UTF-8 file with NUL bytes in its first KB,
    ``DataError`` if unreadable."""
    data = decompress(read_bytes(path), path)
    codec, name = encoding(data)
    if codec.startswith("utf-8") and b"\0" in data[:BINARY_PROBE]:
        raise BinaryInput(binary_reason(path, data[:BINARY_PROBE]))
    said = remarks if remarks is not None else []
    if not codec.startswith("utf-8"):
        said.append(f"read as {name} (its byte-order mark)")
    try:
        return data.decode(codec)  # the codec drops the byte-order mark
    except UnicodeDecodeError:
        text = data.decode(codec, errors="replace")
        bad = text.count("\ufffd") - data.decode(codec, errors="ignore").count("\ufffd")
        said.append(f"{bad:,} invalid {name.split()[0]} sequence{'s' * (bad != 1)} read as "
                     "U+FFFD")
        return text


def split_lines(text: str) -> list[str]:
    # split("\n") rather than splitlines(): form feeds and U+2028 belong to the line.
    lines = text.split("\n")
    if "\r" in text:
        lines = [line.rstrip("\r") for line in lines]
    return [line for line in lines if line and not line.isspace()]


def cut_long_lines(lines: list[str], remarks: list[str]) -> list[str]:
    """Lines over ``MAX_LINE_CHARS`` cut to that length (said in ``remarks``)."""
    if not lines or max(map(len, lines)) <= MAX_LINE_CHARS:
        return lines
    cut = sum(len(line) > MAX_LINE_CHARS for line in lines)
    remarks.append(f"{cut:,} line{'s' * (cut != 1)} longer than {MAX_LINE_CHARS:,} characters "
                   "cut to that length")
    return [line[:MAX_LINE_CHARS] for line in lines]


def with_remarks(note: str, remarks: list[str]) -> str:
    return note + "".join(f"; {remark}" for remark in remarks)


# -- multi-line entries ----------------------------------------------------------------------

# A line that continues the entry before it (when it has no timestamp of its own).
_CONTINUATION = re.compile(
    r"[ \t]"  # indented: stack frames, wrapped text
    r"|at [\w$.]+\.[\w$<>]+ ?\("  # a Java/JS frame written without its indent
    r"|(?:Caused by|Suppressed): "
    r"|\.\.\. \d+ "  # ... 12 more
    r"|Traceback \(most recent call last\):"
    r"|During handling of the above exception, another exception occurred:"
    r"|The above exception was the direct cause of the following exception:")
# The exception line a Java trace starts with: joins only when a frame follows it.
_JAVA_EXCEPTION = re.compile(r'Exception in thread "|(?:[\w$]+\.)+[\w$]+(?::|$)')
_FRAME = re.compile(r"[ \t]*at ")
# The exception line that ends a Python traceback: joins only right after its frames.
_PYTHON_EXCEPTION = re.compile(r"[A-Za-z_][\w.]*(?::|$)")


def join_continuations(lines: list[str], times: list[int | None]
                       ) -> tuple[list[str], list[int | None], int, int]:
    """Continuation lines joined to the entry before them (see the module doc):
    ``(lines, times, lines joined, entries they joined)``."""
    joins = []  # the lines that join the one before them
    run = 1  # lines in the entry being built
    traceback = False  # that entry holds a Python traceback not yet ended
    for i in [i for i, t in enumerate(times) if t is None and i]:  # only timeless lines
        if not joins or joins[-1] != i - 1:  # line i-1 started an entry
            run, traceback = 1, False
        line = lines[i]
        if _CONTINUATION.match(line):
            traceback = traceback or line.startswith("Traceback (")
        elif traceback and lines[i - 1][:1] in " \t" and _PYTHON_EXCEPTION.match(line):
            traceback = False
        elif not (_JAVA_EXCEPTION.match(line) and i + 1 < len(lines)
                  and times[i + 1] is None and _FRAME.match(lines[i + 1])):
            continue
        if run == MAX_JOINED_LINES:  # line i starts a new entry (with the same time)
            continue
        joins.append(i)
        run += 1
    if not joins:
        return lines, times, 0, 0
    joined = set(joins)
    starts = [i for i in range(len(lines)) if i not in joined]
    ends = starts[1:] + [len(lines)]
    entries = sum(1 for start, end in zip(starts, ends) if end - start > 1)
    return (["\n".join(lines[start:end]) if end - start > 1 else lines[start]
             for start, end in zip(starts, ends)],
            [times[start] for start in starts], len(joins), entries)


def joined_note(joined: int, entries: int) -> str:
    return (f"{joined:,} continuation line{'s' * (joined != 1)} joined into {entries:,} "
            f"multi-line entr{'ies' if entries != 1 else 'y'} (--no-multiline keeps them apart)")


# -- files to streams ------------------------------------------------------------------------


def read_plain(path: Path, labels: Mapping[str, str], time_format: str | None = None,
               *, year: int | None = None, now: int | None = None, tz: str | None = None,
               multiline: bool = True, notes: list[str] | None = None
               ) -> tuple[dict[str, str], list[int], list[str], list | None]:
    """One file as ``(labels, timestamps, lines, metadata)``: the metadata holds each
    line's ``detected_level`` (:mod:`~nl2logql.engine.loaders.levels`; ``unknown`` where
    it has none), ``None`` for an empty file. What was found about the file is appended
    to ``notes`` as one line."""
    remarks: list[str] = []
    lines = split_lines(read_text(path, remarks))
    lines = cut_long_lines(lines, remarks)
    now = now_ns() if now is None else now
    localize = time_zone(tz)
    fmt = (named_format(time_format, localize=localize) if time_format
           else detect(lines, localize=localize))
    times = read_times(fmt, lines) if fmt else [None] * len(lines)
    own = len(times) - times.count(None)
    if time_format and lines and not own:
        raise DataError(f"{shown(path)}: no line has a time in format {time_format!r} "
                        f"(within its first {SEARCH_SPAN} characters)")
    note = time_note(shown(path), fmt, own, lines, times)
    # Only between timestamped lines: without timestamps nothing tells where entries start.
    joined = 0
    if multiline and 0 < own < len(lines):
        lines, times, joined, entries = join_continuations(lines, times)
        if joined:
            remarks.insert(0, joined_note(joined, entries))
    metadata = line_levels(lines, multiline=joined > 0)
    levels = levels_note(known_levels(metadata or []), len(lines), "entries" if joined else "lines")
    if levels:
        remarks.insert(0, levels)
    timestamps = fill_times(times, now, FILE_ORDER_SPACING)
    if fmt is not None and fmt.yearless and own:
        try:
            placed, first, last = place_years(timestamps, now, year)
        except DataError as error:
            raise DataError(f"{shown(path)}: {error}") from None
        timestamps = localize_all(placed, localize)
        note += f"; no year in the timestamps: read as {first}" + (
            f" to {last}" if last != first else "") + (" (--year)" if year else "")
    if notes is not None:
        notes.append(with_remarks(note, remarks))
    own_labels = {"job": "stdin", **labels} if path == STDIN else {
        **labels, "filename": str(path.absolute())}
    return own_labels, timestamps, lines, metadata


def time_note(name: str, fmt: TimeFormat | None, own: int, lines: list[str],
              times: list[int | None]) -> str:
    """One line on a file's timestamps: the format, an example, how many lines had one."""
    if not lines:
        return f"{name}: empty (no lines to load)"
    if fmt is None or not own:
        return (f"no timestamps found in {name}: every line gets the load time "
                "(1 ms apart, in file order)" + year_last_hint(lines))
    first = next(i for i, t in enumerate(times) if t is not None)
    example = fmt.find(lines[first]).group(0)
    rest = "" if own == len(lines) else " (the others keep the previous line's time)"
    return (f'{name}: timestamps: {fmt.title}, e.g. "{example}", '
            f"{own:,} of {len(lines):,} lines{rest}")


def year_last_hint(lines: list[str]) -> str:
    """What to do about dates like ``12/04/2026``, which no format is guessed for."""
    seen = year_last_date(lines)
    return (f'; "{seen}" may be month or day first: give --time-format '
            "'%m/%d/%Y %H:%M:%S' (or '%d/%m/%Y %H:%M:%S')" if seen else "")


def merged_note(count: int) -> str:
    lines = "identical line" if count == 1 else "identical lines"
    return (f"; {count:,} {lines} with the same timestamp merged, as Loki does "
            "(--keep-duplicates keeps them)")


def build_store(loaded: list[tuple[str, list[tuple]]], *,
                keep_duplicates: bool = False) -> LogStore:
    """A store from each file's ``(note, parts)``; ``store.notes`` holds the notes, each
    with the count of its file's lines merged as duplicates."""
    store = LogStore.from_streams((part for _, parts in loaded for part in parts),
                                  keep_duplicates=keep_duplicates)
    sizes: dict[tuple, int] = {}
    owner: dict[tuple, int] = {}  # a label set's merges are told on its last file's line
    for number, (_, parts) in enumerate(loaded):
        for labels, _, lines, *_ in parts:
            key = label_key(labels)
            sizes[key] = sizes.get(key, 0) + len(lines)
            owner[key] = number
    merged = [0] * len(loaded)
    for key, size in sizes.items():
        stream = store.stream(dict(key))
        merged[owner[key]] += size - (len(stream) if stream is not None else 0)
    store.notes = [note + (merged_note(count) if count else "")
                   for (note, _), count in zip(loaded, merged)]
    return store


# ``read(path, labels, notes)``: one input's ``(labels, timestamps, lines[, metadata])``
# parts, its note appended to ``notes``.
Reader = Callable[[Path, dict[str, str], list[str]], list[tuple]]


def load_inputs(paths_or_globs: PathArg, labels: Mapping[str, str] | None, read: Reader, *,
                glob_pattern: str = "*", label_from_path: str | None = None,
                keep_duplicates: bool = False) -> LogStore:
    """One store of every input ``paths_or_globs`` names, each read by ``read`` with the
    caller's labels and those ``label_from_path`` finds in its path (these win). A binary
    file is left out with a note; ``DataError`` if every input is."""
    labels = check_labels(labels)
    paths = expand_paths(paths_or_globs, glob_pattern)
    from_path = path_labels(label_from_path, paths)  # a bad regex fails before any reading
    loaded, skipped = [], 0
    for path in paths:
        notes: list[str] = []
        try:
            parts = read(path, {**labels, **from_path.get(path, {})}, notes)
        except BinaryInput as binary:
            loaded.append((str(binary), []))
            skipped += 1
            continue
        loaded.append((notes[0], parts))
    if skipped == len(loaded):
        raise DataError(loaded[0][0] if skipped == 1 else
                        f"none of the {skipped:,} files is text: {loaded[0][0]}")
    return build_store(loaded, keep_duplicates=keep_duplicates)


def load_files(paths_or_globs: PathArg, labels: Mapping[str, str] | None = None,
               time_format: str | None = None, *, year: int | None = None,
               now: int | None = None, tz: str | None = None, keep_duplicates: bool = False,
               multiline: bool = True, glob_pattern: str = "*",
               label_from_path: str | None = None) -> LogStore:
    """A store of plain log files, one stream per file (see the module doc); its
    ``notes`` say what was found, one line a file.

    ``time_format``: ``None`` to detect, a name (``iso8601``, ``syslog``, ``unix``...; see
    :mod:`~nl2logql.engine.loaders.timestamps`) or a strptime format. ``year``: the year
    of the first line for times without one (default: the latest that puts no line in
    the future). ``tz``: the zone of times written without an offset (an IANA name or
    ``+HH:MM``; default UTC). ``now``: the load time (default: the clock).
    ``keep_duplicates``: keep identical lines with the same time apart, 1 ns after each
    other, instead of merging them as Loki does. ``multiline``: join stack traces and
    other continuation lines to their entry. ``glob_pattern``: the files of a folder
    to read (``*``: all). ``label_from_path``: a regex whose named groups, searched in
    each file's absolute path, become labels.
    """
    check_time_options(time_format, tz, year)
    now = now_ns() if now is None else now

    def read(path: Path, labels: dict[str, str], notes: list[str]) -> list[tuple]:
        return [read_plain(path, labels, time_format, year=year, now=now, tz=tz,
                           multiline=multiline, notes=notes)]

    return load_inputs(paths_or_globs, labels, read, glob_pattern=glob_pattern,
                       label_from_path=label_from_path, keep_duplicates=keep_duplicates)
