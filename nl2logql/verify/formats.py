"""The line a question asks each log line written as ("formatted as 'no ident string from
<ip>'", "print each build as '<instance id> built in <seconds>s'"): the quoted template,
its stand-ins for the lines' values, the words around each, and the ``line_format`` text
that writes it from labels."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Optional

# a template quoted after "as", "format" or "like" that holds a <stand-in>
_ASKED = re.compile(r"\b(?:as|format(?:ted)?|like)\s*:?\s*(['\"`])"
                    r"(?P<text>[^'\"`<]*(?:<[^<>'\"`]+>[^'\"`<]*)+)\1", re.I)
_STAND_IN = re.compile(r"<([^<>]+)>")
_WORD_BEFORE = re.compile(r"([A-Za-z]\w*)[=:]?\s?$")  # "mem=" before <MB>: mem
_WORD_AFTER = re.compile(r"^\s?([A-Za-z]\w*)")  # " repeated" after <N>: repeated


@dataclass(frozen=True)
class AskedFormat:
    """A quoted line template of the question, stand-ins in angle brackets."""

    text: str

    @property
    def stand_ins(self) -> list[str]:
        """Each stand-in once, in order of appearance ("instance id", "MB")."""
        return list(dict.fromkeys(_STAND_IN.findall(self.text)))

    def words_around(self, stand_in: str) -> tuple[Optional[str], Optional[str]]:
        """The word right before and right after ``stand_in`` in the template ("vcpus"
        in "vcpus=<n>", "repeated" in "<N> repeated failures"), where there is one."""
        at = self.text.index(f"<{stand_in}>")
        before = _WORD_BEFORE.search(self.text[:at])
        after = _WORD_AFTER.search(self.text[at + len(stand_in) + 2:])
        return (before.group(1) if before else None, after.group(1) if after else None)

    def line_format(self, labels: Mapping[str, str]) -> str:
        """The ``line_format`` template writing each stand-in as its label's value."""
        return _STAND_IN.sub(lambda m: "{{." + labels[m.group(1)] + "}}", self.text)

    def writes(self, template: str) -> bool:
        """Whether a ``line_format`` template writes this line's text around its values
        (whatever labels it takes them from)."""
        return re.sub(r"\{\{[^}]*\}\}", "\0", template) == _STAND_IN.sub("\0", self.text)


def asked_format(question: str) -> Optional[AskedFormat]:
    """The template the question asks each line written as, or None."""
    found = _ASKED.search(question)
    return AskedFormat(found.group("text")) if found else None


def label_name(stand_in: str) -> Optional[str]:
    """The label name a stand-in reads as ("instance id": ``instance_id``), or None."""
    name = re.sub(r"\W+", "_", stand_in.strip()).strip("_").lower()
    return name if re.fullmatch(r"[a-z]\w*", name) else None
