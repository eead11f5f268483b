"""Go's regexp replacement templates, shared by ``label_replace`` and the
``regexReplaceAll`` template function."""

from __future__ import annotations


def expand(template: str, match) -> str:
    """Go's ``Regexp.ExpandString``: ``$1``, ``${1}``, ``$name``, ``${name}``, ``$$``."""
    out, i, n = [], 0, len(template)
    while i < n:
        c = template[i]
        if c != "$" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        nxt = template[i + 1]
        if nxt == "$":
            out.append("$")
            i += 2
            continue
        if nxt == "{":
            close = template.find("}", i + 2)
            name = template[i + 2:close] if close > 0 else ""
            if close < 0 or not name or not all(ch.isalnum() or ch == "_" for ch in name):
                out.append(c)
                i += 1
                continue
            i = close + 1
        else:
            j = i + 1
            while j < n and (template[j].isalnum() or template[j] == "_"):
                j += 1
            name = template[i + 1:j]
            if not name:
                out.append(c)
                i += 1
                continue
            i = j
        out.append(_group(match, name))
    return "".join(out)


def _group(match, name: str) -> str:
    try:
        group = match.group(int(name)) if name.isdigit() else match.group(name)
    except (IndexError, KeyError, ValueError, TypeError):
        return ""
    return group or ""
