"""An earlier run's model answers, played back through today's checks (``eval --replay``).

With one candidate per question and no resampling, what the model writes does not depend
on the checks: they only judge and repair it afterwards. So a change to the checks can be
measured on a stored run in seconds, and gives what a fresh run of the same model would.
The run's ``results.json`` keeps each question's candidate as the model wrote it (the
longest complete query within it, where the whole failed); :class:`ReplayModel` hands
those texts back as completions, keyed by the question at the end of the prompt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from nl2logql.errors import DataError
from nl2logql.evaluation import runner
from nl2logql.generation.contracts import Completion
from nl2logql.generation.models import Model
from nl2logql.generation.pipeline import CUT_OFF, SHORTENED, STOPPED
from nl2logql.generation.prompt import ANSWER_MARKER, QUESTION_MARKER, clean_question

# The answer's message where a part of the model's query was kept (SHORTENED, SALVAGED):
# "...failed (<why>); ..."
_BEFORE_WHY = SHORTENED.partition("{}")[0]


@dataclass
class Replay:
    """A recorded run to play back: its results file and the suite's record."""

    path: Path
    suite: dict

    def model(self) -> ReplayModel:
        return ReplayModel(self.suite, self.path)

    def fingerprint(self) -> str:
        return runner.fingerprint({"path": str(self.path), "items": self.suite["items"]})


def resolve(path: Path, key: str) -> runner.ResolvedModel:
    """The model of the recorded run of suite ``key`` in ``path``, to be played back."""
    suite = load_run(path, key)
    model = suite.get("model") or {}
    choice = runner.ModelChoice(base_model=model.get("base_model"), adapter=model.get("adapter"),
                                endpoint=model.get("endpoint"),
                                endpoint_model=model.get("endpoint_model"))
    return runner.ResolvedModel(choice, model.get("adapter"), model.get("adapter_source") or
                                "explicit", model.get("adapter_card"), suite["split"],
                                replay=Replay(Path(path), suite))


def load_run(path: Path, key: str) -> dict:
    """The suite ``key`` of the results file ``path``, checked to be replayable."""
    try:
        results = json.loads(Path(path).read_text())
        suite = results["suites"][key]
    except OSError as error:
        raise DataError(f"cannot read {path}: {error.strerror or error}") from None
    except (ValueError, TypeError) as error:
        raise DataError(f"{path} is not an nl2logql results file ({error})") from None
    except KeyError:
        found = ", ".join(sorted(results.get("suites", {}))) or "none"
        raise DataError(f"{path} holds no {key!r} run (it holds: {found})") from None
    if not isinstance(suite, dict) or not isinstance(suite.get("items"), list):
        raise DataError(f"{path}: its {key!r} run records no answers")
    settings = suite.get("settings") or {}
    if settings.get("n", 1) != 1 or settings.get("resample", 0):
        raise DataError(f"{path} was run with n={settings.get('n')}, resample="
                        f"{settings.get('resample')}; only one answer per question, never "
                        "resampled, is the same whatever the checks")
    return suite


class ReplayModel(Model):
    """Plays back the recorded answers of a run (:func:`load_run`)."""

    def __init__(self, suite: dict, source: Path):
        model = suite.get("model") or {}
        self.name = model.get("name") or "replay"
        self.source = source
        self._items = {clean_question(item["question"]): item for item in suite["items"]}

    def complete(self, prompt: str, *, n: int = 1, max_new_tokens: int = 160,
                 grammar: str | None = None, temperature: float = 0.0, seed: int = 0,
                 stop: list[str] | None = None) -> list[Completion]:
        item = self._item(_asked(prompt))
        candidates = item.get("candidates") or []
        return [_completion(candidates[0], item.get("message"))] if candidates else []

    def model_seconds(self, question: str) -> float:
        """The seconds the model took on ``question`` in the recorded run."""
        timings = self._item(question).get("timings") or {}
        return timings.get("model") or 0.0

    def _item(self, question: str) -> dict:
        try:
            return self._items[clean_question(question)]
        except KeyError:
            raise DataError(f"{self.source} has no answer to {question!r}") from None


def _asked(prompt: str) -> str:
    """The question a prompt ends with (:func:`~nl2logql.generation.prompt.build_prompt`)."""
    return prompt.rsplit(QUESTION_MARKER, 1)[-1].split(f"\n{ANSWER_MARKER}", 1)[0].strip()


def _completion(candidate: dict, message: str | None) -> Completion:
    """The model's completion behind a recorded candidate (``message``: the answer's)."""
    if candidate.get("shortened_from") is not None:  # the whole failed; this part was kept
        failed = (message or "").partition(_BEFORE_WHY)[2].rpartition("); ")[0]
        return Completion(candidate["shortened_from"], finished=_finished(failed),
                          dead_end=_dead_end(failed), complete_prefixes=[candidate["text"]])
    error = "" if candidate.get("valid") else candidate.get("error") or ""
    return Completion(candidate["text"], finished=_finished(error), dead_end=_dead_end(error))


def _finished(error: str) -> bool:
    return not (error.startswith(CUT_OFF) or error.startswith(STOPPED))


def _dead_end(error: str) -> str | None:
    return error[len(STOPPED):] if error.startswith(STOPPED) else None
