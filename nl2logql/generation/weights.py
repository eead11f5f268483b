"""A model's weights with its LoRA adapter merged, in the dtype decoding uses, cached.

Loading the default model meant reading 1 GB of float32 weights, casting them to bfloat16,
importing peft and merging the adapter, at every start. The merged model is the same every
time, so it is kept as a model folder in the dtype it is used in (``save_pretrained``,
memory-mapped safetensors) and loaded as is. Its key covers the base model's and the
adapter's files, the dtype and the library versions; the merge is the same code either
way, so answers do not depend on whether the cache was there.
"""

from __future__ import annotations

from pathlib import Path

from nl2logql.errors import ModelError
from nl2logql.generation import startcache
from nl2logql.generation.models import first_line

FORMAT = 1
MODEL_FILE_SUFFIXES = (".json", ".safetensors", ".bin")
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors", "adapter_model.bin")


def load_weights(source: str, adapter: Path | None, dtype):
    """The model at ``source`` (a folder or hub id) in ``dtype``, ``adapter`` merged."""
    folder = Path(source)
    if not (folder / "config.json").is_file():  # a hub id: transformers keeps its own cache
        return merged(source, adapter, dtype)
    return startcache.cached(
        "model", slot=f"{folder.resolve()}|{adapter and Path(adapter).resolve()}|{dtype}",
        inputs=lambda: [FORMAT, str(dtype), content_key(source, adapter), _versions()],
        build=lambda: merged(source, adapter, dtype), save=_save,
        load=lambda path: _from_pretrained(str(path), dtype), what="merged model")


def merged(source: str, adapter: Path | None, dtype):
    """Load the base model in ``dtype`` and merge ``adapter`` into it (peft)."""
    model = _from_pretrained(source, dtype)
    if adapter is None:
        return model
    from peft import PeftModel

    try:
        return PeftModel.from_pretrained(model, str(adapter)).merge_and_unload()
    except (OSError, ValueError, RuntimeError) as error:
        raise ModelError(f"cannot load adapter {adapter}: {first_line(error)}") from error


def adapter_folder(adapter: str | Path) -> Path:
    """``adapter`` as a folder holding a LoRA adapter, or a one-line error."""
    path = Path(adapter).expanduser()
    if not (path / "adapter_config.json").is_file():
        raise ModelError(f"no LoRA adapter at {path} (expected adapter_config.json)")
    return path


def _from_pretrained(source: str, dtype):
    from transformers import AutoModelForCausalLM
    from transformers.utils import logging

    logging.disable_progress_bar()  # "Loading weights" bars on every start say nothing
    try:
        return AutoModelForCausalLM.from_pretrained(source, dtype=dtype)
    except (OSError, ValueError) as error:
        raise ModelError(f"cannot load model {source}: {first_line(error)}") from error


def _save(model, path: Path) -> None:
    model.save_pretrained(path, safe_serialization=True)


def content_key(source: str, adapter: Path | None) -> str:
    """What the merged model is made of: the base model's files (or its hub id) and the
    adapter's."""
    folder = Path(source)
    base = (startcache.files_digest(sorted(p for p in folder.iterdir()
                                           if p.is_file() and p.suffix in MODEL_FILE_SUFFIXES))
            if folder.is_dir() else source)
    return startcache.make_key(base, adapter and startcache.folder_digest(Path(adapter), ADAPTER_FILES))


def _versions() -> list[str]:
    from importlib.metadata import version  # importing peft to read its version costs 0.1 s

    return [version("torch"), version("transformers"), version("peft")]
