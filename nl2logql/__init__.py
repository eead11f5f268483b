"""nl2logql: natural-language questions in, validated LogQL for Grafana Loki out.

``from nl2logql import generate`` — one call, the same pipeline as the CLI and the UI.
The model stack (torch, transformers) loads on first use, not on import.
"""

__version__ = "0.1.0"

__all__ = ["generate", "Assistant", "Generation", "__version__"]


def __getattr__(name):
    if name in ("generate", "Assistant", "Generation"):
        from nl2logql.generation import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'nl2logql' has no attribute {name!r}")
