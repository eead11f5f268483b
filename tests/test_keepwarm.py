"""The kept-warm server (``nl2logql serve``, ``generate --keep-warm``): it answers as the
command would, only on this machine, and steps aside whenever it cannot."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time

import pytest

from nl2logql import keepwarm

QUESTION = "show the error lines of hdfs in the last hour"


@pytest.fixture
def run_dir(tmp_path, monkeypatch):
    folder = tmp_path / "run"
    monkeypatch.setenv(keepwarm.RUN_DIR_ENV, str(folder))
    return folder


def start(idle: float = 60) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "nl2logql", "serve", "--idle", str(idle)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while keepwarm._ask({"ping": True}, wait=1) is None:
        assert server.poll() is None, server.communicate()
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    return server


@pytest.fixture
def server(run_dir):
    process = start()
    yield process
    keepwarm.stop_server()
    process.wait(timeout=30)


def cli(*args: str, env: dict | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nl2logql", *args], capture_output=True, text=True,
                          env=env or dict(os.environ), input=stdin, timeout=300)


def untimed(text: str) -> str:
    return re.sub(r"\d+\.\d s\)", "N s)", text)


def generate_args(tiny_model_path) -> list[str]:
    return ["generate", QUESTION, "--base-model", str(tiny_model_path), "--adapter", "none"]


@pytest.mark.parametrize("extra", [[], ["--explain", "-n", "2"], ["--checks", "nonsense"], ["--help"]],
                         ids=["plain", "explain", "usage-error", "help"])
def test_the_server_answers_as_the_command_would(server, tiny_model_path, tmp_path, capfd, extra):
    argv = [*generate_args(tiny_model_path), *extra]
    env = {**os.environ, keepwarm.RUN_DIR_ENV: str(tmp_path / "no-server")}
    cli(*argv, env=env)  # the start cache is warm for the server: for this process too
    alone = cli(*argv, env=env)
    capfd.readouterr()
    status = keepwarm.answer(argv)
    out, err = capfd.readouterr()
    assert status == alone.returncode
    assert out == alone.stdout
    assert untimed(err) == untimed(alone.stderr)


def test_it_runs_in_the_callers_folder_and_environment(server, tiny_model_path, tmp_path, monkeypatch, capfd):
    logs = tmp_path / "mine"
    logs.mkdir()
    (logs / "app.log").write_text("2024-06-01T10:00:00Z ERROR disk full\n2024-06-01T10:00:01Z INFO ok\n")
    monkeypatch.chdir(logs)
    monkeypatch.setenv("NL2LOGQL_DATA", str(tmp_path / "nowhere"))  # only the caller has it
    argv = [*generate_args(tiny_model_path), "--logs", "app.log", "--label", "app=mine", "--checks", "none"]
    cli(*argv)
    alone = cli(*argv)
    capfd.readouterr()
    status = keepwarm.answer(argv)
    out, err = capfd.readouterr()
    assert (status, out, untimed(err)) == (alone.returncode, alone.stdout, untimed(alone.stderr))
    assert "app.log" in err  # what loading found, said for the caller's file


@pytest.mark.parametrize("logs", [["--logs", "-"], ["--logs=-"]])
def test_standard_input_stays_with_the_caller(server, tiny_model_path, logs):
    assert keepwarm.answer([*generate_args(tiny_model_path), *logs]) is None


def test_no_server_means_the_caller_answers(run_dir, tiny_model_path):
    assert keepwarm.answer(generate_args(tiny_model_path)) is None


def test_a_server_running_other_code_refuses_and_exits(run_dir, tiny_model_path):
    process = start()
    reply = keepwarm._ask({"argv": generate_args(tiny_model_path), "cwd": os.getcwd(),
                           "env": dict(os.environ), "version": "other code"})
    assert reply == {"refused": "another version"}
    assert process.wait(timeout=30) == 0
    assert not keepwarm.socket_path().exists()


def test_the_server_runs_generate_only(server):
    reply = keepwarm._ask({"argv": ["train", "--help"], "cwd": os.getcwd(), "env": dict(os.environ),
                           "version": keepwarm.code_version()})
    assert reply == {"refused": "only generate"}
    assert keepwarm._ask({"ping": True}) == {"pong": True}


def test_an_idle_server_exits_and_removes_its_socket(run_dir):
    process = start(idle=1)
    assert process.wait(timeout=60) == 0
    assert not keepwarm.socket_path().exists()


def test_one_server_at_a_time_and_stop(server, run_dir):
    second = subprocess.run([sys.executable, "-m", "nl2logql", "serve"], capture_output=True,
                            text=True, timeout=60)
    assert second.returncode == 0  # found the first one running and left
    assert keepwarm._ask({"ping": True}) == {"pong": True}
    stopped = cli("serve", "--stop")
    assert "server stopped" in stopped.stderr
    server.wait(timeout=30)
    assert "no server was running" in cli("serve", "--stop").stderr


def test_a_dead_servers_socket_is_passed_over_and_replaced(run_dir, tiny_model_path):
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(keepwarm.socket_path()))
    dead.close()  # the file stays, nobody listens
    assert keepwarm.answer(generate_args(tiny_model_path)) is None
    process = start()
    assert keepwarm.stop_server()
    process.wait(timeout=30)


def test_the_socket_is_private(server, run_dir):
    assert keepwarm.socket_path().stat().st_mode & 0o077 == 0
    assert run_dir.stat().st_mode & 0o077 == 0


def test_keep_warm_starts_a_server_that_later_calls_use(run_dir, tiny_model_path, capfd):
    first = cli(*generate_args(tiny_model_path), "--keep-warm")
    assert "starting a server that keeps the model loaded" in first.stderr
    try:
        capfd.readouterr()
        assert keepwarm.answer(generate_args(tiny_model_path)) == first.returncode
        assert capfd.readouterr().out == first.stdout
    finally:
        assert keepwarm.stop_server()


def test_the_program_exits_with_the_commands_status_and_flushed_output(run_dir):
    bad = cli("validate", "sum(")
    assert bad.returncode == 1 and "^" in bad.stdout + bad.stderr
    good = cli("validate", '{app="x"}')
    assert good.returncode == 0 and good.stdout.strip()
    assert cli("--version").stdout.startswith("nl2logql, version")
    assert cli("nonsense").returncode == 2
