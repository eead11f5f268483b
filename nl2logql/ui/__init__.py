"""The web UI: ``python app.py`` (see :func:`nl2logql.ui.app.build_app`).

:mod:`render` and :mod:`runner` are plain functions with no Gradio import; :mod:`app`
holds the Blocks layout and its handlers, :mod:`models` the shared assistants.
"""

from __future__ import annotations

__all__ = ["build_app", "launch"]


def __getattr__(name: str):
    if name in __all__:  # import Gradio only when the app itself is wanted
        from nl2logql.ui import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
