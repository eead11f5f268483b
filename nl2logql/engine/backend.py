"""The one interface every place that runs LogQL talks to: the embedded store or a Loki.

Results are Loki's HTTP API ``data`` objects, so ours can be diffed against Loki's:
``{"resultType": "streams" | "vector" | "matrix" | "scalar", "result": [...]}``.
Times are integers in nanoseconds since the Unix epoch.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout
from typing import Callable, TypeVar

from nl2logql.errors import BackendError

T = TypeVar("T")

Data = dict  # Loki's response ``data`` object
DETECTED_LEVEL = "detected_level"  # Loki 3's structured metadata for a line's log level
UNKNOWN_LEVEL = "unknown"  # its value for a line without a level it knows


class Backend(ABC):
    """Runs LogQL and describes the data (labels, values, series) it holds."""

    name: str = "backend"

    @abstractmethod
    def query(self, logql: str, *, time: int | None = None, limit: int | None = None,
              direction: str = "backward") -> Data:
        """Instant query at ``time`` (default: :meth:`default_time`)."""

    @abstractmethod
    def query_range(self, logql: str, *, start: int | None = None, end: int | None = None,
                    step: int | None = None, limit: int | None = None,
                    direction: str = "backward") -> Data:
        """Range query over ``[start, end]`` (default: :meth:`default_range`)."""

    @abstractmethod
    def labels(self, *, start: int | None = None, end: int | None = None) -> list[str]:
        """Label names, sorted."""

    @abstractmethod
    def label_values(self, name: str, *, start: int | None = None,
                     end: int | None = None) -> list[str]:
        """Values of one label, sorted."""

    @abstractmethod
    def series(self, match: list[str], *, start: int | None = None,
               end: int | None = None) -> list[dict[str, str]]:
        """Label sets of the streams that any of the ``match`` selectors select."""

    @abstractmethod
    def default_time(self) -> int:
        """When an instant query runs if the caller names no time."""

    @abstractmethod
    def default_range(self) -> tuple[int, int]:
        """The ``(start, end)`` a log query covers if the caller names none."""

    def detected_levels(self) -> list[str]:
        """Values of the ``detected_level`` structured metadata (Loki 3's log levels),
        sorted; ``[]`` when none, or not known (Loki's label APIs do not list metadata)."""
        return []


_REGISTRY: dict[str, Callable[..., Backend]] = {}


def register_backend(name: str):
    """Class decorator: make a backend constructible by name (``--backend NAME``)."""

    def decorate(factory):
        _REGISTRY[name] = factory
        factory.name = name
        return factory

    return decorate


def create_backend(name: str, **options) -> Backend:
    from nl2logql.errors import BackendError

    if name not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise BackendError(f"unknown backend {name!r} (known: {known})")
    return _REGISTRY[name](**options)


def with_timeout(call: Callable[[], T], timeout: float, what: str = "the query") -> T:
    """``call()``, or a :class:`BackendError` when it takes longer than ``timeout``
    seconds (the call goes on in its thread; its result is dropped). The generation
    pipeline, the UI and evaluation run queries through it."""
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(call).result(timeout=timeout)
    except FutureTimeout:
        raise BackendError(f"{what} took longer than {timeout:g} s") from None
    finally:
        pool.shutdown(wait=False)
