"""Replace the variable parts of a log message (numbers, addresses, ids...) by typed placeholders.

Masking runs before template mining: two lines of one event then differ only where a word
differs, and the template keeps the type of each variable (``<IP>:<NUM>``, not ``<*>``).
Only the matched characters change, whitespace and every other character stay as they are,
so a template can be turned back into a regex over the raw content.

Each pattern is one precompiled regex applied in turn, most specific first, with a fixed
replacement string (no Python callback per match, which is what makes it fast). None of the
placeholders holds a digit, so a later pattern never matches inside an earlier placeholder.
"""

from __future__ import annotations

import re

# Placeholder -> field type (what a query would parse the field as).
PLACEHOLDERS: dict[str, str] = {
    "<URL>": "url",
    "<UUID>": "uuid",
    "<BLK>": "block",
    "<PATH>": "path",
    "<TIME>": "time",
    "<DATE>": "date",
    "<IP>": "ip",
    "<HEX>": "hex",
    "<DUR>": "duration",
    "<SIZE>": "bytes",
    "<NUM>": "number",
}

# Each regex starts with the character class it consumes and checks what comes before it
# with a lookbehind after that first character: Python's engine then skips most positions at
# the cost of one class test, instead of running a lookbehind at every character.
_NB = r"(?<![A-Za-z0-9].)"  # after the first character: no letter or digit before it
_E = r"(?![A-Za-z0-9])"     # no letter or digit after
_H = "[0-9a-fA-F]"

# (placeholder, regex, needles): the regex only runs on text holding one of the needles
# ("" = always); all but URL and PATH also need a digit in the text.
_PATTERNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("<URL>", r"[A-Za-z](?<![\w+.\-].)[\w+.\-]*://[^\s\"'<>]+", ("://",)),
    ("<UUID>", rf"{_H}{_NB}{_H}{{7}}-{_H}{{4}}-{_H}{{4}}-{_H}{{4}}-{_H}{{12}}{_E}", ("-",)),
    ("<BLK>", r"b(?<!\w.)lk_-?\d+\b", ("blk_",)),
    # Unix paths of two segments or more (one segment is too often a ratio or an address),
    # and Windows paths.
    ("<PATH>", r"/(?<![\w./:].)[\w.\-@~+%$]+(?:/[\w.\-@~+%$]+)+/?"
               r"|[A-Za-z](?<!\w.):\\[^\s\"'<>|]*", ("/", ":\\")),
    # Dates (ISO-like, optionally with a time; d/m/y), clock times with optional fraction.
    ("<DATE>", rf"\d{_NB}\d{{3}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}(?:T\d{{1,2}}:\d{{2}}(?::\d{{2}})?"
               rf"(?:[.,]\d+)?(?:Z|[+-]\d{{2}}:?\d{{2}})?)?{_E}"
               rf"|\d{_NB}\d?/\d{{1,2}}/\d{{2,4}}{_E}", ("-", "/", ".")),
    ("<TIME>", rf"\d{_NB}\d?:\d{{2}}:\d{{2}}(?:[.,:]\d+)?{_E}", (":",)),
    # An IPv4 address, or a comma-separated list of them (one field: "10.0.0.1,10.0.0.2").
    ("<IP>", r"\d(?<![\w.].)\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3}(?:,(?:\d{1,3}\.){3}\d{1,3})*(?!\w|\.\d)",
     (".",)),
    # IPv6: the full form, or one with "::"; at least one digit.
    ("<IP>", rf"{_H}(?<![\w:].)(?=[\w:]*\d){_H}{{0,3}}:(?:{_H}{{1,4}}:){{6}}{_H}{{1,4}}(?![\w:])"
             rf"|(?:{_H}(?<![\w:].)(?=[\w:]*\d){_H}{{0,3}}:(?:{_H}{{1,4}}:){{0,5}}|:(?<![\w:].)):"
             rf"(?:{_H}{{1,4}}:?){{1,6}}(?![\w:])", ("::", ":0", ":1", ":2", ":3", ":4")),
    # 0x..., and runs of 6+ hex digits holding a digit and a letter (ids, hashes).
    ("<HEX>", rf"0{_NB}[xX]{_H}+{_E}|\d{_NB}(?=\d*[a-fA-F]){_H}{{5,}}{_E}"
              rf"|[a-fA-F]{_NB}(?=[a-fA-F]*\d){_H}{{5,}}{_E}", ("",)),
    ("<DUR>", rf"\d{_NB}(?:\d*(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d))(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d)){{0,2}}(?!\w)"
              rf"|\d{_NB}\d*(?:\.\d+)?(?:secs?|mins?|hrs?){_E}", ("",)),
    ("<SIZE>", rf"\d{_NB}\d*(?:\.\d+)?(?:[KMGTP]i?B|[kK]B|[KMG]|B|bytes){_E}", ("",)),
    # Integers and decimals, signed when the sign follows no word character or dot. Dotted
    # runs are one number; a number glued to a letter, or a part of a version (v6.1.7601),
    # stays literal. "_" and "." may sit around it: rdd_21_0, core.4900.
    ("<NUM>", rf"[-+](?<![\w.].)\d+(?:\.\d+)*{_E}|\d{_NB}(?<!\d\..)\d*(?:\.\d+)*{_E}", ("",)),
)

# The last patterns (those with no needle) run as one alternation: one pass over the text,
# the placeholder picked by the alternative that matched.
_SINGLE = tuple(p for p in _PATTERNS if any(p[2]))
_LAST = tuple(p for p in _PATTERNS if not any(p[2]))
_COMPILED = tuple((re.compile(pattern), placeholder, tuple(n for n in needles if n))
                  for placeholder, pattern, needles in _SINGLE)
_COMBINED = re.compile("|".join(f"(?P<g{i}>{pattern})" for i, (_, pattern, _) in enumerate(_LAST)))
_COMBINED_BY_GROUP = {f"g{i}": placeholder for i, (placeholder, _, _) in enumerate(_LAST)}
_ALWAYS = frozenset({"<URL>", "<PATH>"})  # the patterns that need no digit
_DIGIT = re.compile(r"\d")


# Drain's generalisation of a token that varied, beside the masks' typed placeholders.
WILDCARD = "<*>"
# Any one placeholder, by its exact name: a literal "<INFO>" in a line is no variable.
PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS))


def _combined(match: re.Match) -> str:
    return _COMBINED_BY_GROUP[match.lastgroup]


def mask(content: str) -> str:
    """``content`` with each variable replaced by its placeholder from :data:`PLACEHOLDERS`."""
    digits = _DIGIT.search(content) is not None
    for regex, placeholder, needles in _COMPILED:
        if not digits and placeholder not in _ALWAYS:
            continue
        for needle in needles:
            if needle in content:
                content = regex.sub(placeholder, content)
                break
    if digits:
        content = _COMBINED.sub(_combined, content)
    return content
