"""LoRA fine-tuning on NL2QL with the inference prompt (``nl2logql train``).

- :mod:`.config`  the recipe (:class:`TrainConfig`), validated, YAML/JSON round trip;
- :mod:`.data`    pairs → prompt + target → token ids, loss on the query only; augmentation;
- :mod:`.trainer` the training loop, checkpoints, resume, validation;
- :mod:`.card`    atomic output folders and the adapter's card.json.

Heavy imports (torch, transformers, peft, datasets) happen inside functions, so importing
this package (e.g. for ``nl2logql --help``) stays fast.
"""

from nl2logql.training.config import RecipeError, TrainConfig
from nl2logql.training.trainer import Trainer, TrainingInterrupted, train

__all__ = ["TrainConfig", "RecipeError", "Trainer", "TrainingInterrupted", "train"]
