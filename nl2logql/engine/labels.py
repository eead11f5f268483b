"""The labels of one log line while it travels through a pipeline (Loki's LabelsBuilder).

A line starts with its stream labels (and, optionally, its structured metadata). Stages
add labels (parsers, ``label_format``), delete them (``drop``, ``keep``, renames) and set
the error labels. Precedence is Loki's: a label a stage set wins over structured
metadata, which wins over the stream label of the same name.

The builder is reused for every line of a stream: :meth:`reset` is cheap and
:meth:`labels` returns the stream's own dict untouched when no stage changed anything,
so callers must treat the returned dict as read-only.
"""

from __future__ import annotations

ERROR_LABEL = "__error__"
ERROR_DETAILS_LABEL = "__error_details__"
PRESERVE_ERROR_LABEL = "__preserve_error__"
DUPLICATE_SUFFIX = "_extracted"

_EMPTY: dict[str, str] = {}


class LabelsBuilder:
    """Stream labels plus what the pipeline did to them for the current line."""

    __slots__ = ("base", "_metadata", "_added", "_deleted", "err", "err_details")

    def __init__(self, base: dict[str, str] | None = None,
                 metadata: dict[str, str] | None = None) -> None:
        self.base = base if base is not None else {}
        self.reset(metadata)

    def reset(self, metadata: dict[str, str] | None = None) -> None:
        """Forget every change: call before each line (``metadata`` is that line's)."""
        self._metadata = metadata or _EMPTY
        self._added: dict[str, str] | None = None
        self._deleted: set[str] | None = None
        self.err = ""
        self.err_details = ""

    def for_stream(self, base: dict[str, str]) -> "LabelsBuilder":
        """Point the builder at another stream's labels (and reset it)."""
        self.base = base
        self.reset()
        return self

    # -- reading -----------------------------------------------------------------

    def base_has(self, name: str) -> bool:
        """Whether the *stream* labels hold ``name`` (the ``_extracted`` rule looks here)."""
        return name in self.base

    def get(self, name: str) -> str | None:
        """The label's current value, or ``None`` when the line has no such label."""
        added = self._added
        if added is not None and name in added:
            return added[name]
        if name == ERROR_LABEL:
            return self.err or None
        if name == ERROR_DETAILS_LABEL:
            return self.err_details or None
        deleted = self._deleted
        if deleted is not None and name in deleted:
            return None
        value = self._metadata.get(name)
        if value is not None:
            return value
        return self.base.get(name)

    def has(self, name: str) -> bool:
        return self.get(name) is not None

    def is_parsed(self, name: str) -> bool:
        """Whether a stage of this pipeline set ``name`` for the current line."""
        return self._added is not None and name in self._added

    def parsed_names(self) -> frozenset[str]:
        """Names set by stages so far (parsers leave these alone, as in Loki 3)."""
        return frozenset(self._added) if self._added else frozenset()

    @property
    def has_err(self) -> bool:
        return bool(self.err)

    @property
    def changed(self) -> bool:
        return bool(self._added or self._deleted or self._metadata or self.err
                    or self.err_details)

    # -- writing -----------------------------------------------------------------

    def set(self, name: str, value: str) -> None:
        """Set a label (it overrides metadata and stream labels of the same name)."""
        if name == ERROR_LABEL:
            self.err = value
            return
        if name == ERROR_DETAILS_LABEL:
            self.err_details = value
            return
        if self._added is None:
            self._added = {}
        self._added[name] = value
        if self._deleted is not None:
            self._deleted.discard(name)

    def set_parsed(self, names: tuple[str, ...], values: tuple[str, ...]) -> None:
        """A parser's output: set each name unless a stage already set it for this line
        (Loki 3's parser hints). Names must not be the error labels."""
        added = self._added
        if added is None:
            self._added = dict(zip(names, values))
            if self._deleted:
                self._deleted.difference_update(names)
            return
        fresh = [(n, v) for n, v in zip(names, values) if n not in added]
        added.update(fresh)
        if self._deleted:
            self._deleted.difference_update(n for n, _ in fresh)

    def delete(self, *names: str) -> None:
        for name in names:
            if name == ERROR_LABEL:
                self.err = ""
                continue
            if name == ERROR_DETAILS_LABEL:
                self.err_details = ""
                continue
            if self._added is not None:
                self._added.pop(name, None)
            if self._deleted is None:
                self._deleted = set()
            self._deleted.add(name)

    def set_error(self, err: str, details: str = "") -> None:
        """Set ``__error__`` (and ``__error_details__`` when given), as Loki's stages do."""
        self.err = err
        if details:
            self.err_details = details

    def reset_error(self) -> None:
        self.err = ""
        self.err_details = ""

    # -- result ------------------------------------------------------------------

    def labels(self) -> dict[str, str]:
        """Every label of the line now, error labels included. Do not mutate the result."""
        if not (self._added or self._deleted or self._metadata or self.err or self.err_details):
            return self.base
        deleted = self._deleted or _EMPTY
        out = {k: v for k, v in self.base.items() if k not in deleted}
        for k, v in self._metadata.items():
            if k not in deleted:
                out[k] = v
        if self._added:
            out.update(self._added)
        if self.err:
            out[ERROR_LABEL] = self.err
        if self.err_details:
            out[ERROR_DETAILS_LABEL] = self.err_details
        return out

    def __repr__(self) -> str:
        return f"LabelsBuilder({self.labels()!r})"
