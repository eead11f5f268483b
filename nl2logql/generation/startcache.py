"""What every start computes the same way, computed once and kept on disk.

A cold ``nl2logql generate`` used to spend most of its time rebuilding things that never
change between calls: merging the adapter into the base weights, decoding a 262k-token
vocabulary, filtering the retrieval examples. Each of them is now an *entry* here:

- named by a **key**, the SHA-256 of everything it is made from (file contents, library
  versions, a format number), so any change to an input makes a new key; the entry of the
  old key is then deleted, with a one-line note, and rebuilt;
- **written whole or not at all**: into a temporary name beside it, then renamed, so two
  processes starting at once never read a half-written entry;
- **never trusted blindly**: an entry that fails to load is deleted and rebuilt, with a
  note, instead of crashing the command.

Hashing a 1 GB model file on every start would cost a second, so file digests are kept in
``digests.json`` with each file's size, modification time and inode, and recomputed when
any of them changes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from nl2logql.paths import cache_dir

T = TypeVar("T")
KEY_LENGTH = 16  # hex digits of the SHA-256 that name an entry: collisions are not a risk
MAX_ENTRIES = 3  # slots kept per kind (a merged model is ~0.5 GB)
DISABLE_ENV = "NL2LOGQL_NO_START_CACHE"  # set (to anything) to build everything every time
ROOT_ENV = "NL2LOGQL_START_CACHE"  # another folder for it (default: start/ in the cache)
_digest_lock = threading.Lock()
_known_digests: dict[Path, dict] = {}  # digests.json by cache root, as this process knows it


def enabled() -> bool:
    return not os.environ.get(DISABLE_ENV)


def root() -> Path:
    explicit = os.environ.get(ROOT_ENV)
    return Path(explicit).expanduser() if explicit else cache_dir() / "start"


def note(message: str) -> None:
    """A one-line note on stderr (stdout stays the command's output)."""
    print(f"nl2logql: {message}", file=sys.stderr, flush=True)


# ---- keys ------------------------------------------------------------------------------------


def make_key(*parts: object) -> str:
    """A short hex key for ``parts`` (anything JSON can write; paths as text)."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:KEY_LENGTH]


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's content."""
    return _digests([Path(path)])[0]


def files_digest(paths: Iterable[Path]) -> str:
    """One digest for several files: their names and contents, in order."""
    paths = list(paths)
    return make_key(*zip([p.name for p in paths], _digests(paths)))


def folder_digest(folder: Path, names: Iterable[str]) -> str:
    """The digest of the files ``names`` that exist in ``folder``."""
    return files_digest(folder / name for name in sorted(names) if (folder / name).is_file())


def code_digest() -> str:
    """The digest of nl2logql's own source: what our code computes changes with it."""
    return files_digest(source_files())


def source_files() -> list[Path]:
    """nl2logql's modules and the grammar they parse with."""
    package = Path(__file__).resolve().parents[1]
    return sorted([*package.rglob("*.py"), *package.rglob("*.lark")])


def _digests(paths: list[Path]) -> list[str]:
    """Content digests, recomputed only for files whose size, modification time or inode
    changed since the last time (kept in ``digests.json``, read once a process)."""
    with _digest_lock:
        known = _known_digests.get(root())
        if known is None:
            known = _known_digests[root()] = _read_digests()
        digests, changed = [], False
        for path in paths:
            path = path.resolve()
            stat = path.stat()
            stamp = [stat.st_size, stat.st_mtime_ns, stat.st_ino]
            entry = known.get(str(path))
            if not (isinstance(entry, dict) and entry.get("stamp") == stamp):
                entry = known[str(path)] = {"stamp": stamp, "sha256": _sha256(path)}
                changed = True
            digests.append(entry["sha256"])
        if changed:
            with contextlib.suppress(OSError):  # a read-only cache only costs hashing again
                _write_atomically(root() / "digests.json", json.dumps(known).encode())
        return digests


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            sha.update(block)
    return sha.hexdigest()


def _read_digests() -> dict:
    try:
        known = json.loads((root() / "digests.json").read_text())
    except (OSError, ValueError):
        return {}
    return known if isinstance(known, dict) else {}


# ---- entries ---------------------------------------------------------------------------------


def cached(kind: str, *, slot: str, inputs: Callable[[], list], build: Callable[[], T],
           save: Callable[[T, Path], None], load: Callable[[Path], T], suffix: str = "",
           what: str | None = None) -> T:
    """The entry of ``kind`` for ``slot`` (what it is for, e.g. a model folder and adapter
    path) made from ``inputs()`` (what it is made of): loaded when it exists and loads,
    else built, saved whole or not at all, and returned. ``save(value, path)`` writes a
    file or a folder; ``load(path)`` reads it back and may raise on a damaged entry. An
    older entry of the same slot is deleted; a kind keeps its :data:`MAX_ENTRIES` most
    recently used slots."""
    if not enabled():
        return build()
    what = what or kind
    folder = root() / kind
    prefix = make_key(slot) + "-"
    path = folder / f"{prefix}{make_key(*inputs())}{suffix}"
    existed = path.exists()
    if existed:
        try:
            value = load(path)
        except Exception as error:  # noqa: BLE001 - any damage means: build it again
            note(f"the cached {what} is unreadable ({type(error).__name__}); rebuilding it")
            _remove(path)
        else:
            with contextlib.suppress(OSError):
                os.utime(path)  # most recently used
            return value
    entries = _entries(folder, suffix)
    stale = [p for p in entries if p.name.startswith(prefix) and p != path]
    if stale:
        note(f"the {what} changed since it was cached; caching it again")
    elif not existed:  # an unreadable one was said above
        note(f"caching the {what} for faster starts (once)")
    value = build()
    try:
        _save_atomically(value, path, save)
    except OSError as error:  # a full or read-only disk costs speed, not the answer
        note(f"cannot cache the {what} ({error.strerror or error}); it is rebuilt next time")
        return value
    others = sorted((p for p in entries if not p.name.startswith(prefix)), key=_used, reverse=True)
    for old in stale + others[MAX_ENTRIES - 1:]:
        _remove(old)
    return value


def _used(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # removed by another process meanwhile
        return 0.0


def _entries(folder: Path, suffix: str) -> list[Path]:
    if not folder.is_dir():
        return []
    return [p for p in folder.iterdir() if not p.name.startswith(".") and p.name.endswith(suffix)]


def _save_atomically(value, path: Path, save: Callable) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
    try:
        written = scratch / path.name
        save(value, written)
        with contextlib.suppress(OSError):  # another process finished the same entry first
            os.replace(written, path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(scratch, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(scratch)
        raise


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()
