"""The small interfaces between the generation modules (so each can be built and tested
alone): what a model returns, and what a decoding constraint offers a decode loop."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import torch


@dataclass
class Completion:
    """One candidate from a model. ``finished`` is False when the token budget cut it off,
    or the constraint allowed no token (``dead_end`` says why); such a text is never
    returned as a valid query."""

    text: str
    finished: bool = True
    tokens: int = 0
    logprob: float | None = None  # sum of the chosen tokens' log-probabilities, if known
    timings: dict[str, float] = field(default_factory=dict)  # seconds: "prefill", "decode", ...
    dead_end: str | None = None
    # The texts the constraint took as complete queries on the way (the whole text too, if
    # it was one), longest first: what is left when the whole text is cut off or fails.
    complete_prefixes: list[str] = field(default_factory=list)


class ConstraintState(Protocol):
    """Where one sequence stands in the grammar (one per candidate being decoded)."""

    def allowed(self) -> "torch.Tensor":
        """Bool tensor over the tokenizer's vocabulary: True where a token keeps the text
        inside the grammar (end-of-sequence included once the text is complete)."""

    def advance(self, token_id: int) -> None:
        """Record the chosen token."""

    def forced(self) -> list[int]:
        """Tokens the grammar admits as the only way on from here (often none): a decode
        loop may take them without asking the model, several in one forward pass."""

    error: str | None
    """Why the constraint failed, once it has (``allowed`` then allows nothing)."""

    @property
    def accepting(self) -> bool:
        """True when the text so far is a complete query (it may still go on)."""

    @property
    def done(self) -> bool:
        """True once the sequence must stop (end-of-sequence consumed, or nothing else fits)."""


class Constraint(Protocol):
    """A grammar compiled for one tokenizer; cheap to start many sequences from."""

    def start(self) -> ConstraintState:
        ...
