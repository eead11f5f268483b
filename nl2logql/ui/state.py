"""What one browser session keeps: its data source, its chat and its history.

The model is shared by every session (see :mod:`nl2logql.ui.models`); this is the part
that is not. Gradio keeps one :class:`Session` per page in a ``gr.State``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nl2logql.engine.backend import Backend

MAX_HISTORY = 50


@dataclass
class Session:
    backend: Backend | None = None        # None: the app's default data source
    source: str | None = None             # how the page names it; None: the default's name
    kind: str | None = None               # its choice on the source radio; None: the default's
    labels_html: str | None = None        # the labels listing of ``backend``
    patterns_html: str | None = None      # its log patterns panel; None: not found yet
    chat: list[dict] = field(default_factory=list)           # Chatbot messages
    history: list[tuple[str, str]] = field(default_factory=list)  # (question, query)
    question: str = ""                    # the last question asked
    base_url: str = ""                    # the page's address, for share links

    def remember(self, question: str, query: str) -> None:
        self.question = question
        self.history.append((question, query))
        del self.history[:-MAX_HISTORY]

    def history_choices(self) -> list[tuple[str, int]]:
        """Dropdown choices, newest first: ``(label, index)``."""
        choices = []
        for index in range(len(self.history) - 1, -1, -1):
            question = self.history[index][0]
            label = question if len(question) <= 80 else question[:79] + "…"
            choices.append((f"{index + 1}. {label}", index))
        return choices
