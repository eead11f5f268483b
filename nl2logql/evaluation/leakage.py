"""No leakage: an adapter scores a split only if it was trained on that split's train side.

The ``random`` adapter has seen most of ``unseen-template``'s test questions (and the
other way round), so an adapter whose card names another split is refused, and so is one
whose training data hash no longer matches what its recipe gives today (the split or the
data changed since it was trained). The hash is recomputed exactly as training computes
it (:meth:`nl2logql.training.data.TrainingData.sha256` over the recipe's pairs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nl2logql.errors import Nl2LogQLError


class LeakageError(Nl2LogQLError):
    """The adapter may have seen the test questions of the split being evaluated."""


def check_adapter(folder: str | Path, split: str) -> dict[str, Any]:
    """The adapter's card, once it is shown to be trained on ``split`` with today's data;
    else a one-line :class:`LeakageError`."""
    from nl2logql.training.card import CARD_FILE, read_card

    folder = Path(folder)
    if not (folder / CARD_FILE).is_file():
        raise LeakageError(f"adapter {folder} has no {CARD_FILE}: cannot check which split it "
                           f"was trained on, so it cannot score split {split!r}")
    try:
        card = read_card(folder)
    except ValueError as error:
        raise LeakageError(f"{folder / CARD_FILE}: not valid JSON ({error})") from None
    trained_on = card.get("split")
    if trained_on != split:
        raise LeakageError(f"adapter {folder} was trained on split {trained_on!r}, so it has seen "
                           f"test questions of {split!r}: evaluate it with --split {trained_on}")
    expected = training_data_sha256(card, folder)
    if card.get("data_sha256") != expected:
        raise LeakageError(f"adapter {folder}: its training data hash does not match split "
                           f"{split!r} as it is now (the data or the split changed since "
                           f"training); retrain it or evaluate it on the data it was trained on")
    return card


def training_data_sha256(card: dict[str, Any], folder: Path | None = None) -> str:
    """The hash training would record today for the card's recipe."""
    from nl2logql.training.config import TrainConfig
    from nl2logql.training.data import load_training_data

    where = folder or "the adapter"
    try:
        config = TrainConfig.from_dict(card.get("recipe") or {}, source=f"{where} card recipe")
        return load_training_data(config).sha256()
    except Nl2LogQLError as error:
        first = str(error).split("\n", 1)[0]
        raise LeakageError(f"adapter {where}: cannot rebuild its training data to check it "
                           f"({first})") from None
