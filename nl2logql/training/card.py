"""What a run leaves behind: folders written atomically, and the adapter's card.json.

The card says how to reproduce and judge the adapter: the base model and its hash, the
split, the training data's hash, the recipe, package versions, the git commit and the
validation scores.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

CARD_FILE = "card.json"
PACKAGES = ("nl2logql", "torch", "transformers", "peft", "datasets", "tokenizers")
MODEL_FILES = ("config.json", "tokenizer.json", "tokenizer.model", "*.safetensors", "*.bin")
GEMMA_NOTE = ("This adapter was trained on a Gemma model: it is a Model Derivative under the "
              "Gemma Terms of Use (https://ai.google.dev/gemma/terms), which apply to its use "
              "and distribution.")


@contextlib.contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """Yield an empty temporary sibling of ``target``; on success it replaces ``target``
    (a rename), on any error or Ctrl-C it is removed: ``target`` is never half-written."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        yield scratch
        _usual_permissions(scratch)
        if target.exists():
            old = target.with_name(f".{target.name}.old-{scratch.name[-8:]}")
            target.rename(old)
            scratch.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            scratch.rename(target)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise


def _usual_permissions(folder: Path) -> None:
    """mkdtemp (and safetensors) make owner-only files; the output is an ordinary folder."""
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)
    for path in folder.rglob("*"):
        path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)


def files_sha256(folder: Path, patterns: tuple[str, ...] = MODEL_FILES) -> str | None:
    """One SHA-256 over a model folder's weight, config and tokenizer files (names
    included), or None when it is not a local folder."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    digest = hashlib.sha256()
    paths = sorted({path for pattern in patterns for path in folder.glob(pattern)})
    for path in paths:
        digest.update(path.name.encode() + b"\0")
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 22), b""):
                digest.update(block)
    return digest.hexdigest()


def package_versions() -> dict[str, str | None]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_commit() -> str | None:
    """The project's commit (with ``+dirty`` when the tree has changes), if it is a checkout."""
    from nl2logql.paths import PROJECT_DATA

    root = PROJECT_DATA.parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "") if commit else None


def build_card(*, recipe: dict[str, Any], base_model: str, base_sha256: str | None,
               model_type: str, data_sha256: str, train_pairs: int, steps: int,
               validation: list[dict], seconds: float) -> dict[str, Any]:
    card = {
        "base_model": base_model,
        "base_model_sha256": base_sha256,
        "model_type": model_type,
        "split": recipe["split"],
        "data": portable_recipe(recipe).get("data"),
        "data_sha256": data_sha256,
        "train_pairs": train_pairs,
        "steps": steps,
        "train_seconds": round(seconds, 1),
        "recipe": portable_recipe(recipe),
        "validation": validation,
        "versions": package_versions(),
        "git_commit": git_commit(),
    }
    if "gemma" in f"{model_type} {base_model}".lower():
        card["license_note"] = GEMMA_NOTE
    return card


def portable_recipe(recipe: dict[str, Any]) -> dict[str, Any]:
    """The recipe as a card records it: no path of the training machine. Files inside the
    project are named from its root (so the leakage check can rebuild the data anywhere);
    the output folder by its name only."""
    from nl2logql.paths import PROJECT_DATA

    root = PROJECT_DATA.parent
    portable = dict(recipe)
    for key in ("data", "synthetic"):
        value = portable.get(key)
        if value and Path(value).is_absolute() and Path(value).resolve().is_relative_to(root):
            portable[key] = Path(value).resolve().relative_to(root).as_posix()
    if portable.get("out"):
        portable["out"] = Path(portable["out"]).name
    return portable


def write_card(folder: Path, card: dict[str, Any]) -> None:
    (Path(folder) / CARD_FILE).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")


def read_card(folder: Path) -> dict[str, Any]:
    return json.loads((Path(folder) / CARD_FILE).read_text(encoding="utf-8"))
