"""Where each key and value of a spec file was written: its marks, and a compact form of many.

A diagnostic points at `file:line:col`, so loading keeps a mark per key and value (load/). A
file loaded from the build cache keeps its marks as plain rows, each made a `Mark` when it is asked
for (`Marks`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

Path_ = tuple[Any, ...]


@dataclass(frozen=True)
class Mark:
    line: int
    col: int
    style: str | None = None  # the scalar's quoting style, when it is a scalar


class Marks(Mapping[Path_, Mark]):
    """A file's marks kept as plain rows, each made a `Mark` when it is asked for.

    The cache (`read_file`) stores a file's marks this way: thousands of rows read back in a
    fraction of the time the same number of `Mark`s take, and the rules of a valid project ask for
    few of them (the position of each binding and formula, in case it is wrong). The first question
    indexes the rows by path, which takes no Python code per row.
    """

    __slots__ = ("_paths", "_rows", "_index")

    def __init__(
        self, paths: tuple[Path_, ...], rows: tuple[tuple[int, int, str | None], ...]
    ) -> None:
        self._paths, self._rows = paths, rows
        self._index: dict[Path_, int] | None = None

    @classmethod
    def of(cls, table: Mapping[Path_, Mark]) -> Marks:
        return cls(tuple(table), tuple((m.line, m.col, m.style) for m in table.values()))

    def _indexed(self) -> dict[Path_, int]:
        if self._index is None:
            self._index = dict(zip(self._paths, range(len(self._paths)), strict=True))
        return self._index

    def __getitem__(self, path: Path_) -> Mark:
        return Mark(*self._rows[self._indexed()[path]])

    def __contains__(self, path: object) -> bool:
        return path in self._indexed()

    def __iter__(self) -> Iterator[Path_]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Marks, (self._paths, self._rows))
