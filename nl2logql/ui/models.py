"""The assistants behind the page: loaded once, in the background, shared by every session.

A model is not thread-safe, so every question goes through :attr:`ModelHub.lock`. The
page asks :meth:`ModelHub.state` what to say while a model loads (a first run converts
the bundled model, which takes about a minute).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from nl2logql.generation.pipeline import Assistant

log = logging.getLogger(__name__)

DEFAULT = "default"          # the default base model with the default adapter
BASE_ONLY = "none"           # the default base model alone
MAX_LOADED = 2               # assistants kept in memory (least recently used goes first)

# name, progress(text) -> Assistant
AssistantFactory = Callable[[str, Callable[[str], None]], Assistant]


class ModelHub:
    """Loads an :class:`Assistant` per model choice in a background thread."""

    def __init__(self, factory: AssistantFactory, default: str = DEFAULT,
                 choices: list[str] | None = None) -> None:
        self.factory = factory
        self.default = default
        self.choices = list(choices or [default])
        self.lock = threading.Lock()        # held while a model answers
        self._guard = threading.Lock()      # guards the dictionaries below
        self._ready: OrderedDict[str, Assistant] = OrderedDict()
        self._loading: dict[str, tuple[float, str]] = {}   # name -> (started, what it is doing)
        self._failed: dict[str, str] = {}

    def name(self, choice: str | None) -> str:
        return choice if choice in self.choices else self.default

    def load(self, choice: str | None = None, *, retry: bool = False) -> None:
        """Start loading ``choice`` unless it is loaded or loading (or failed, unless
        ``retry``)."""
        name = self.name(choice)
        with self._guard:
            if name in self._ready or name in self._loading or (name in self._failed and not retry):
                return
            self._failed.pop(name, None)
            self._loading[name] = (time.monotonic(), "starting")
        threading.Thread(target=self._load, args=(name,), name=f"load-{name}", daemon=True).start()

    def _load(self, name: str) -> None:
        def progress(text: str) -> None:
            with self._guard:
                if name in self._loading:
                    self._loading[name] = (self._loading[name][0], text)

        try:
            assistant = self.factory(name, progress)
        except Exception as error:  # noqa: BLE001 - any failure is shown on the page
            log.exception("loading model %s failed", name)
            reason = str(error).strip().split("\n", 1)[0] or type(error).__name__
            with self._guard:
                self._loading.pop(name, None)
                self._failed[name] = reason
            return
        with self._guard:
            self._loading.pop(name, None)
            self._ready[name] = assistant
            while len(self._ready) > MAX_LOADED:
                self._ready.popitem(last=False)

    def get(self, choice: str | None = None) -> Assistant | None:
        """The loaded assistant, or None when it is not ready (loading starts unless it
        failed: see :meth:`state`)."""
        name = self.name(choice)
        with self._guard:
            assistant = self._ready.get(name)
            if assistant is not None:
                self._ready.move_to_end(name)
                return assistant
        self.load(name)
        return None

    def state(self, choice: str | None = None) -> tuple[str, str]:
        """``(ready|loading|failed|idle, one line for the page)``."""
        name = self.name(choice)
        with self._guard:
            if name in self._ready:
                model = getattr(self._ready[name].model, "name", name)
                return "ready", f"model {name} ({model}) ready"
            if name in self._loading:
                started, doing = self._loading[name]
                return "loading", f"loading model {name}: {doing}… {time.monotonic() - started:.0f} s"
            if name in self._failed:
                return "failed", f"model {name} failed to load: {self._failed[name]}"
        return "idle", f"model {name} is not loaded yet"

    def wait(self, choice: str | None = None, timeout: float = 600.0) -> bool:
        """Block until ``choice`` is ready (True) or failed / timed out (False)."""
        deadline = time.monotonic() + timeout
        self.load(choice)
        while time.monotonic() < deadline:
            status, _ = self.state(choice)
            if status == "ready":
                return True
            if status == "failed":
                return False
            time.sleep(0.05)
        return False


# ---- the real models -----------------------------------------------------------------------


def installed() -> dict:
    """Installed LoRA adapters by name (a broken adapters folder lists none)."""
    from nl2logql.generation.models import installed_adapters

    try:
        return dict(installed_adapters())
    except OSError:
        log.exception("listing installed adapters failed")
        return {}


def model_choices() -> list[str]:
    """``default`` (the base model with the default adapter), each installed adapter,
    and ``none`` (the base model alone) when there are adapters to choose between."""
    names = sorted(installed())
    return [DEFAULT, *names, BASE_ONLY] if names else [DEFAULT]


def adapter_for(name: str):
    """What :func:`~nl2logql.generation.models.load_model` takes as ``adapter``: None
    for the default, ``"none"`` for the base model alone, else the adapter's folder."""
    if name in (DEFAULT, BASE_ONLY):
        return None if name == DEFAULT else BASE_ONLY
    return installed()[name]


def needs_conversion(base_model: str | None) -> bool:
    """Whether loading the default model converts it first (about a minute, once)."""
    if base_model is not None:
        return False
    try:
        from nl2logql.generation import convert

        return convert.needs_conversion()
    except Exception:  # noqa: BLE001 - only decides what the page says
        return False


def real_factory(base_model: str | None = None, endpoint: str | None = None,
                 endpoint_model: str | None = None) -> AssistantFactory:
    """A factory loading the real model (``base_model`` None: the bundled Gemma 3 270M)."""

    def factory(name: str, progress: Callable[[str], None]) -> Assistant:
        from nl2logql.generation.models import load_model

        if endpoint is None and needs_conversion(base_model):
            progress("converting the bundled Gemma 3 270M once (about a minute; "
                     "later starts take seconds)")
        else:
            progress("reading the weights")
        adapter = None if endpoint else adapter_for(name)
        model = load_model(base_model=base_model, adapter=None if adapter is None else str(adapter),
                           endpoint=endpoint, endpoint_model=endpoint_model)
        progress("preparing the grammar constraint")
        return Assistant(model=model)

    return factory
