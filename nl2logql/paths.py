"""Where nl2logql finds its data and shipped adapters, and keeps what it can rebuild
(compiled grammar tables, converted models)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """``$NL2LOGQL_CACHE``, else ``$XDG_CACHE_HOME/nl2logql``, else ``~/.cache/nl2logql``."""
    explicit = os.environ.get("NL2LOGQL_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "nl2logql"


DATA_ENV = "NL2LOGQL_DATA"
PROJECT_DATA = Path(__file__).resolve().parents[1] / "data"


def data_root() -> Path:
    """The data folder (sample logs, datasets, splits): ``$NL2LOGQL_DATA``, else the
    project's ``data/``."""
    return _from_env(DATA_ENV, PROJECT_DATA)


ADAPTERS_ENV = "NL2LOGQL_ADAPTERS"
PROJECT_ADAPTERS = Path(__file__).resolve().parents[1] / "adapters"


def adapters_root() -> Path:
    """The installed LoRA adapters, one folder per name: ``$NL2LOGQL_ADAPTERS``, else the
    project's ``adapters/``."""
    return _from_env(ADAPTERS_ENV, PROJECT_ADAPTERS)


def loghub_root() -> Path | None:
    """The 16 Loghub 2k samples, one folder a system (in the data folder, or the shared data
    beside the project), or None when absent: only tests, benchmarks and scripts use them."""
    project = Path(__file__).resolve().parents[1]
    for candidate in (data_root() / "loghub", project.parent / "shared" / "data" / "loghub",
                      project / "shared" / "data" / "loghub"):
        if (candidate / "Apache" / "Apache_2k.log").is_file():
            return candidate
    return None


def _from_env(name: str, default: Path) -> Path:
    explicit = os.environ.get(name)
    return Path(explicit).expanduser() if explicit else default
