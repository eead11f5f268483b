"""Shared pytest fixtures. Each block below belongs to one part of the project."""

from __future__ import annotations

import pytest


# --- Start cache and keep-warm server: each test session gets its own folders -----------


@pytest.fixture(scope="session", autouse=True)
def private_start_cache(tmp_path_factory):
    """Tests fill a start cache of their own (tiny models come and go) and never meet a
    server the user keeps warm."""
    patch = pytest.MonkeyPatch()
    patch.setenv("NL2LOGQL_START_CACHE", str(tmp_path_factory.mktemp("start-cache")))
    patch.setenv("NL2LOGQL_RUN_DIR", str(tmp_path_factory.mktemp("run")))
    yield
    patch.undo()


# --- end of start cache block ----------------------------------------------------------


# --- Loki backend: a fake Loki HTTP server on 127.0.0.1 (tests/fake_loki.py) --------


@pytest.fixture
def fake_loki():
    """A running :class:`fake_loki.FakeLoki` (tests/fake_loki.py); stopped after the test."""
    from fake_loki import FakeLoki

    with FakeLoki() as server:
        yield server


# --- end of Loki backend block ------------------------------------------------------


# --- Model backends: a tiny random Gemma 3 built in code (tests/tiny_model.py) -----------


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory):
    """A folder holding a tiny random Gemma 3 and its tokenizer, loadable by LocalModel."""
    from tiny_model import tiny_model_dir

    return tiny_model_dir(tmp_path_factory.mktemp("models"))


# --- end of Model backends block -------------------------------------------------------
