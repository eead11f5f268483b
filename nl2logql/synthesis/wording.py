"""How people say things: applications, events, labels, fields and numbers in several
wordings, and the on-call noise (casual openers, lower case, typos) real questions carry.

Every choice goes through the caller's ``random.Random``, so a seed fixes the wording.
Names and quoted literals are never altered: the query depends on them.
"""

from __future__ import annotations

import random
import re

from nl2logql.synthesis.catalog import Application, Event
from nl2logql.timephrases import Window, phrase

# Trailing words that leave a quoted literal hanging ("Failed password for").
_DANGLING = frozenset("for from to of by with in on at and or the a an is was as".split())
_LEVEL_WORDS = {"error": "error", "err": "error", "warn": "warning", "warning": "warning",
                "info": "info", "debug": "debug", "fatal": "fatal", "critical": "critical"}
_OPENERS = ["", "", "", "", "quick one: ", "on call here, ", "hey, ", "need this asap: ",
            "pls ", "can you tell me ", "I need to know ", "help: "]
_CLOSERS = ["", "", "", "?", "?", ".", " pls", " thanks", " asap"]
_PROTECTED = re.compile(r"'[^']*'|\"[^\"]*\"|\S*[-_.:/=]\S*|\S*\d\S*")


def application(app: Application, rng: random.Random) -> str:
    """``app`` named as people do: "on openssh-eu-west", "for the app 'openssh-eu-west'"."""
    name = app.name
    return rng.choice([f"on {name}", f"in {name}", f"for {name}", f"for application {name}",
                       f"on the {name} app", f"in the '{name}' application", f"from {name}",
                       f"on app {name}"])


def family(family_name: str, rng: random.Random) -> str:
    return rng.choice([f"across all {family_name} applications", f"over every {family_name} app",
                       f"for all {family_name} deployments", f"in all {family_name} apps"])


def event(ev: Event, rng: random.Random, *, plural: bool = True) -> str:
    """The event's lines: "'Failed password for' lines", "lines containing 'Received block'"."""
    quoted = f"'{ev.literal.strip()}'"
    words = _words(ev.literal)
    options = [f"{quoted} lines", f"lines containing {quoted}", f"{quoted} messages",
               f"log lines with {quoted}", f"{quoted} events", f"entries matching {quoted}"]
    if words:
        options += [f"{words} events ({quoted})", f"{words} lines", f"{words} messages"]
    chosen = rng.choice(options)
    return chosen if plural else chosen.replace(" lines", " line").replace(" events", " event")


def _words(literal: str) -> str:
    """The literal's plain words without a dangling preposition, lower-cased, for a
    paraphrase beside the quote; empty when it has none worth saying."""
    if not all(re.fullmatch(r"[A-Za-z]+[,.:;!]?", token) for token in literal.split()):
        return ""  # names, ids and key=value text have no plain words to paraphrase
    words = literal.replace(",", " ").replace(".", " ").split()
    words = [w.strip(":;!") for w in words]
    while words and words[-1].lower() in _DANGLING:
        words.pop()
    return " ".join(w.lower() for w in words) if len(words) >= 2 else ""


def stream_label(name: str, value: str, rng: random.Random) -> str:
    """A stream label constraint: "ERROR-level", "from component dfs.DataNode"."""
    if "level" in name:
        word = _LEVEL_WORDS.get(value.lower(), value)
        return rng.choice([f"{value}-level", f"{value} level", f"with {name} {value}",
                           f"{word}" if word != value.lower() else f"{value}"])
    readable = name.replace("_", " ")
    return rng.choice([f"from {readable} {value}", f"where {name} is {value}",
                       f"({readable}: {value})", f"of {readable} '{value}'"])


def field_name(name: str) -> str:
    return name.replace("_", " ")


def window(value: Window, rng: random.Random) -> str:
    return phrase(value, rng)


def casual(question: str, rng: random.Random, *, keep: frozenset[str] = frozenset(),
           typo_rate: float = 0.3) -> str:
    """``question`` as typed at 3 a.m.: maybe an opener, lower case, a typo, a closer.
    Words in ``keep`` (lower case: the names the query uses) are never misspelt."""
    text = question[0].upper() + question[1:]
    opener = rng.choice(_OPENERS)
    if opener:
        text = opener + text[0].lower() + text[1:]
    if rng.random() < 0.3:
        text = _lower_outside_quotes(text)
    if rng.random() < typo_rate:
        text = typo(text, rng, keep)
    return text.rstrip("?.") + rng.choice(_CLOSERS)


def _lower_outside_quotes(text: str) -> str:
    parts = re.split(r"('[^']*')", text)
    return "".join(part if part.startswith("'") else part.lower() for part in parts)


def typo(text: str, rng: random.Random, keep: frozenset[str] = frozenset()) -> str:
    """One typo (two letters swapped, one dropped or doubled) in a plain word of 5+
    letters; names, numbers, quoted text and words in ``keep`` are left alone."""
    protected = [m.span() for m in _PROTECTED.finditer(text)]
    words = [m for m in re.finditer(r"[A-Za-z]{5,}", text)
             if not any(s <= m.start() < e for s, e in protected)
             and m.group().lower() not in keep]
    if not words:
        return text
    word = rng.choice(words)
    letters = list(word.group())
    spot = rng.randrange(1, len(letters) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        letters[spot], letters[spot + 1] = letters[spot + 1], letters[spot]
    elif kind == 1:
        del letters[spot]
    else:
        letters.insert(spot, letters[spot])
    return text[: word.start()] + "".join(letters) + text[word.end():]


def number(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
