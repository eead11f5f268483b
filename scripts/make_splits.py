#!/usr/bin/env python
"""Write the committed split files, ``data/splits/<name>.json``.

Deterministic (seed 0): rerunning reproduces the files byte for byte.

- ``random``: NL2QL 80/20 by normalised question, stratified by system;
- ``unseen-template``: NL2QL grouped by :func:`nl2logql.datasets.template_key`, whole
  groups on one side, ~80/20, stratified by system: no test template is seen in training.

In both, NL2QL-exec's train side joins ``train`` and its test side is ``exec_test`` (a
separate evaluation set). ``validation`` is ~10% of the train side, carved by the same
grouping. Invalid NL2QL golds stay in the files, listed under ``invalid``.

- ``leave-out-<system>``: nothing of ``<system>`` is trained on. ``test`` is its NL2QL
  pairs, ``exec_test`` its NL2QL-exec test side; ``train`` and ``validation`` (~10%, by
  template) hold the other systems' NL2QL pairs and NL2QL-exec train side. The other
  systems' NL2QL-exec test items appear nowhere.

Usage: python scripts/make_splits.py [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from pathlib import Path
from typing import Callable

from nl2logql.datasets import (LEAVE_OUT_SPLITS, Pair, data_sha256, is_valid, load_exec_split,
                               load_nl2ql, load_nl2ql_exec, normalize_question, splits_dir,
                               template_key)

SEED = 0
TEST_FRACTION = 0.2
VALIDATION_FRACTION = 0.1

DESCRIPTIONS = {
    "random": "NL2QL 80/20 by normalised question, stratified by system; "
              "NL2QL-exec train joins train, NL2QL-exec test is exec_test.",
    "unseen-template": "NL2QL grouped by question template (names, addresses, numbers, quoted "
                       "strings and time windows masked), whole groups ~80/20, stratified by "
                       "system; NL2QL-exec train joins train, NL2QL-exec test is exec_test.",
}
DESCRIPTIONS.update({
    name: f"Leave one system out: {name.removeprefix('leave-out-')}'s NL2QL pairs are test, its "
          "NL2QL-exec test side is exec_test; the other systems' NL2QL pairs and NL2QL-exec "
          "train side are train, ~10% of it (whole templates) validation."
    for name in LEAVE_OUT_SPLITS})
GROUPINGS: dict[str, Callable[[str], str]] = {
    "random": normalize_question,
    "unseen-template": template_key,
}


def group_by(pairs: list[Pair], key: Callable[[str], str]) -> dict[str, list[Pair]]:
    groups: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        groups[key(pair.question)].append(pair)
    return groups


def carve(groups: dict[str, list[Pair]], fraction: float, rng: random.Random) -> set[str]:
    """Keys of whole groups holding ~``fraction`` of each system's pairs."""
    by_system: dict[str, list[str]] = defaultdict(list)
    for key, members in groups.items():
        by_system[members[0].system].append(key)
    chosen: set[str] = set()
    for system in sorted(by_system):
        keys = sorted(by_system[system])
        rng.shuffle(keys)
        target = fraction * sum(len(groups[k]) for k in keys)
        taken = 0
        for key in keys:
            size = len(groups[key])
            if taken + size / 2 <= target:  # take a group if that brings us closer to target
                chosen.add(key)
                taken += size
    return chosen


def make_split(name: str) -> dict:
    key = GROUPINGS[name]
    rng = random.Random(SEED)
    nl2ql = load_nl2ql(keep_invalid=True)
    exec_pairs = {pair.id: pair for pair in load_nl2ql_exec(keep_invalid=True)}
    exec_split = load_exec_split()

    nl2ql_groups = group_by(nl2ql, key)
    test_keys = carve(nl2ql_groups, TEST_FRACTION, rng)
    test = [p for p in nl2ql if key(p.question) in test_keys]
    train_side = [p for p in nl2ql if key(p.question) not in test_keys]
    train_side += [exec_pairs[i] for i in exec_split["train"]]

    # Validation by the same grouping, so it is as unseen as the test side.
    train_groups = group_by(train_side, key)
    validation_keys = carve(train_groups, VALIDATION_FRACTION, rng)
    validation = [p for p in train_side if key(p.question) in validation_keys]
    train = [p for p in train_side if key(p.question) not in validation_keys]

    groups = {"nl2ql": len(nl2ql_groups), "test": len(test_keys),
              "validation": len(validation_keys)}
    return split_file(name, groups, nl2ql, train, validation, test, list(exec_split["test"]))


def split_file(name: str, groups: dict, nl2ql: list[Pair], train: list[Pair],
               validation: list[Pair], test: list[Pair], exec_test: list[str]) -> dict:
    """The split file's content: ids per side, counts, and the data it was cut from."""
    ids = lambda pairs: [p.id for p in pairs]  # noqa: E731
    return {
        "name": name,
        "description": DESCRIPTIONS[name],
        "seed": SEED,
        "data_sha256": data_sha256(),
        "groups": groups,
        "counts": {"train": len(train), "validation": len(validation), "test": len(test),
                   "exec_test": len(exec_test)},
        "invalid": [p.id for p in nl2ql if not is_valid(p.logql)],
        "train": ids(train),
        "validation": ids(validation),
        "test": ids(test),
        "exec_test": exec_test,
    }


def make_leave_out(name: str) -> dict:
    """The ``leave-out-<system>`` split: train on the other two systems, test on this one."""
    held_out = name.removeprefix("leave-out-")
    rng = random.Random(SEED)
    nl2ql = load_nl2ql(keep_invalid=True)
    exec_pairs = {pair.id: pair for pair in load_nl2ql_exec(keep_invalid=True)}
    exec_split = load_exec_split()

    test = [p for p in nl2ql if p.system == held_out]
    exec_test = [i for i in exec_split["test"] if exec_pairs[i].system == held_out]
    train_side = [p for p in nl2ql if p.system != held_out]
    train_side += [exec_pairs[i] for i in exec_split["train"]
                   if exec_pairs[i].system != held_out]

    # Validation by template, so it measures questions phrased unlike the training ones.
    train_groups = group_by(train_side, template_key)
    validation_keys = carve(train_groups, VALIDATION_FRACTION, rng)
    validation = [p for p in train_side if template_key(p.question) in validation_keys]
    train = [p for p in train_side if template_key(p.question) not in validation_keys]

    groups = {"train_side": len(train_groups), "validation": len(validation_keys)}
    return split_file(name, groups, nl2ql, train, validation, test, exec_test)


def write(spec: dict, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{spec['name']}.json"
    path.write_text(json.dumps(spec, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="folder (default data/splits)")
    args = parser.parse_args(argv)
    specs = [make_split(name) for name in GROUPINGS]
    specs += [make_leave_out(name) for name in LEAVE_OUT_SPLITS]
    for spec in specs:
        path = write(spec, args.out or splits_dir())
        print(f"{path}: {spec['counts']} groups={spec['groups']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
