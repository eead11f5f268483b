"""A model kept loaded between ``nl2logql generate`` calls (``--keep-warm``).

A one-shot ``generate`` spends most of its time importing torch and loading the model.
``generate --keep-warm`` starts ``nl2logql serve`` in the background once: a process that
keeps models loaded and runs later ``generate`` calls itself, so they cost one question.
Every ``generate`` on this machine, with or without the flag, uses a server that is
running; one that is absent, busy past the wait, or cannot take the call (its code is not
this code, the logs come from standard input) changes nothing: the call answers itself.

- **Same machine, same user**: a Unix socket in a folder only its owner can open.
- **Same answer**: the server runs the same click command with the caller's arguments,
  working folder and environment, and hands back its stdout, stderr and exit status.
- **Not forever**: it exits after ``--idle`` seconds without a call (default 15 min), on
  ``nl2logql serve --stop``, or when the code it runs has changed.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from nl2logql.paths import cache_dir

RUN_DIR_ENV = "NL2LOGQL_RUN_DIR"
IDLE_SECONDS = 15 * 60
START_WAIT = 60.0  # seconds a --keep-warm call waits for a new server to listen
ANSWER_WAIT = 600.0  # seconds a call waits for the server's answer before giving up on it


def run_dir() -> Path:
    """``$NL2LOGQL_RUN_DIR``, else ``$XDG_RUNTIME_DIR/nl2logql``, else ``run/`` in the
    cache; made private to this user."""
    explicit = os.environ.get(RUN_DIR_ENV)
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    folder = (Path(explicit).expanduser() if explicit else
              Path(runtime) / "nl2logql" if runtime else cache_dir() / "run")
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


def socket_path() -> Path:
    return run_dir() / "generate.sock"


def code_version() -> str:
    """What the server must run to answer for this code: its source digest and Python."""
    from nl2logql.generation.startcache import code_digest

    return f"{code_digest()}|{sys.executable}"


# ---- the caller's side -----------------------------------------------------------------------


def answer(argv: list[str]) -> int | None:
    """Have a running server answer ``nl2logql ARGV``: its exit status, with its output
    written here; None when no server could (the caller then answers itself)."""
    if _reads_stdin(argv) or not socket_path().exists():
        return None
    reply = _ask({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ),
                  "version": code_version()})
    if reply is None or "status" not in reply:
        return None
    sys.stdout.write(reply["stdout"])
    sys.stderr.write(reply["stderr"])
    return int(reply["status"])


def _reads_stdin(argv: list[str]) -> bool:
    """``--logs -`` (or ``--logs=-``): standard input stays with this process."""
    return any(arg == "-" or arg.endswith("=-") for arg in argv)


def start_server(idle: float = IDLE_SECONDS) -> bool:
    """Start ``nl2logql serve`` in the background and wait until it listens."""
    log = run_dir() / "serve.log"
    print(f"nl2logql: starting a server that keeps the model loaded (it exits after "
          f"{idle / 60:g} min without a call; stop it with `nl2logql serve --stop`)",
          file=sys.stderr, flush=True)
    with open(log, "ab") as errors:
        subprocess.Popen([sys.executable, "-m", "nl2logql", "serve", "--idle", str(idle)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors,
                         start_new_session=True, close_fds=True)
    deadline = time.monotonic() + START_WAIT
    while time.monotonic() < deadline:
        if _ask({"ping": True}, wait=1.0) is not None:
            return True
        time.sleep(0.05)
    print(f"nl2logql: the server did not start (see {log}); answering here", file=sys.stderr)
    return False


def stop_server() -> bool:
    """Ask the running server to exit; whether one was running."""
    return _ask({"stop": True}, wait=5.0) is not None


def _ask(message: dict, wait: float = ANSWER_WAIT) -> dict | None:
    path = socket_path()
    if not path.exists():
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(wait)
            client.connect(str(path))
            client.sendall(json.dumps(message).encode() + b"\n")
            client.shutdown(socket.SHUT_WR)
            data = _read_all(client)
        return json.loads(data) if data else None
    except (OSError, ValueError):  # no server there, or it stopped mid-answer
        return None


def _read_all(connection: socket.socket) -> bytes:
    chunks = []
    while chunk := connection.recv(1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


# ---- the server's side -----------------------------------------------------------------------


def serve(idle: float = IDLE_SECONDS) -> None:
    """Answer ``generate`` calls on the socket until ``idle`` seconds pass without one.
    Returns at once when another server already holds the socket."""
    from nl2logql.generation import models

    folder = run_dir()
    with open(folder / "serve.lock", "w") as lock:
        if not _lock(lock):
            return  # another server is running
        path = socket_path()
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # a server that died left it
        version = code_version()
        models.keep_loaded()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
            listener.bind(str(path))
            os.chmod(path, 0o600)
            listener.listen(16)
            listener.settimeout(idle)
            try:
                _serve_calls(listener, version)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()


def _lock(handle, wait: float = 5.0) -> bool:
    """Hold the server lock; a server that is just exiting gets ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)


def _serve_calls(listener: socket.socket, version: str) -> None:
    while True:
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            return  # idle long enough
        with connection:
            connection.settimeout(30.0)
            try:
                message = json.loads(_read_all(connection) or b"{}")
            except (OSError, ValueError):
                continue
            if message.get("stop"):
                connection.sendall(b'{"stopped": true}')
                return
            if message.get("ping"):
                connection.sendall(b'{"pong": true}')
                continue
            if message.get("version") != version:  # this server runs other code
                connection.sendall(b'{"refused": "another version"}')
                return
            if message.get("argv", [])[:1] != ["generate"]:
                connection.sendall(b'{"refused": "only generate"}')
                continue
            reply = _run_captured(message["argv"], message["cwd"], message["env"])
            with contextlib.suppress(OSError):  # the caller gave up waiting
                connection.sendall(json.dumps(reply).encode())


def _run_captured(argv: list[str], cwd: str, env: dict[str, str]) -> dict:
    """``nl2logql ARGV`` as the caller would run it (its folder and environment), with
    stdout and stderr captured."""
    from nl2logql.cli import main

    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    streams = sys.stdout, sys.stderr
    out, err = _text_buffer(), _text_buffer()
    status = 0
    try:
        os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
        sys.stdout, sys.stderr = out, err
        main.main(args=argv, prog_name="nl2logql", standalone_mode=True)
    except SystemExit as done:
        status = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except Exception as error:  # noqa: BLE001 - a bug must not take the server down
        print(f"nl2logql: internal error: {type(error).__name__}: {error}", file=err)
        status = 1
    finally:
        sys.stdout, sys.stderr = streams
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return {"stdout": _text(out), "stderr": _text(err), "status": status}


def _text_buffer() -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="replace", newline="")


def _text(stream: io.TextIOWrapper) -> str:
    stream.flush()
    return stream.buffer.getvalue().decode("utf-8", errors="replace")
