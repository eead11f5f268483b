"""Running LogQL: the embedded store and evaluator, and a real Loki over HTTP.

Both are :class:`~nl2logql.engine.backend.Backend` objects; importing this package
registers them as ``embedded`` and ``loki`` for :func:`create_backend`.
"""

from nl2logql.engine.backend import Backend, create_backend
from nl2logql.engine.loaders import load_paths, sample_store
from nl2logql.engine.loki import LokiBackend
from nl2logql.engine.store import LogStore

__all__ = ["Backend", "create_backend", "LogStore", "LokiBackend", "load_paths", "sample_store"]
