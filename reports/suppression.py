"""Small-cell suppression: the dashboard never shows a figure that could point at a few people.

Every figure on the dashboard counts practitioners. A count of 1 to ``K - 1`` people
(``settings.REPORTS_MIN_CELL``, 5 unless set) could identify someone in a small region or
specialty, so it is hidden (*primary* suppression); 0 is shown, as it names nobody. A rate is
hidden when its numerator is hidden or its denominator is under ``K``.

Hiding a cell is not enough when totals are shown: in a row ``3 + 12 + 20 = 35`` with the 3
hidden, anyone can subtract. So *secondary* suppression hides more until no hidden value can be
worked out from the shown ones:

1. Line rule: in any line (a row or column of the table, the totals row and totals column
   included, each with its total) holding exactly one hidden value, hide one more: the smallest
   non-zero shown cell of the line (ties: the first), or the line's total when no such cell is
   left. Repeat until no line has exactly one hidden value.
2. Cross rule: a hidden value can still be derived when it links two groups of hidden values
   that nothing else links (two separate pairs of rows, say, joined by one hidden cell: adding
   and subtracting their lines isolates it). In the graph whose nodes are the lines and whose
   edges are the hidden values, such a value is a *bridge*; a value is derivable exactly when
   it is one (each line says "its values sum to zero" once totals are negated, and the values a
   system like that leaves free are those on a cycle). For each bridge, hide the smallest
   non-zero shown value joining its two sides, which closes a cycle through it. Then back to 1.

The functions here are pure (no database): the dashboard counts, then asks what to show.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.conf import settings
from django.utils.translation import ngettext

__all__ = [
    "HIDDEN",
    "Cell",
    "SuppressedCounts",
    "SuppressedTable",
    "display",
    "hidden_explanation",
    "is_small",
    "min_cell",
    "shown",
    "suppress_counts",
    "suppress_rate",
    "suppress_table",
]

R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)
Key = TypeVar("Key", bound=Hashable)

#: What a hidden figure shows in place of its value; ``hidden_explanation`` says why.
HIDDEN_MARK = "—"


@dataclass(frozen=True)
class Cell:
    """One figure as the dashboard may show it: its value, or ``None`` when hidden."""

    value: int | float | None
    hidden: bool = False

    @property
    def shown(self) -> bool:
        return not self.hidden


#: A hidden figure.
HIDDEN = Cell(value=None, hidden=True)


def shown(value: int | float) -> Cell:
    """A figure that may be shown."""
    return Cell(value=value, hidden=False)


def min_cell(k: int | None = None) -> int:
    """The smallest number of people a figure may be computed from: ``k``, or the setting."""
    return int(settings.REPORTS_MIN_CELL if k is None else k)


def is_small(value: int, *, k: int | None = None) -> bool:
    """Whether a count of ``value`` people is hidden on its own (1 to ``K - 1``; 0 is shown)."""
    return 0 < value < min_cell(k)


def hidden_explanation(k: int | None = None) -> str:
    """Why a figure is hidden, for screen readers and a tooltip beside ``HIDDEN_MARK``."""
    limit = min_cell(k)
    return ngettext(
        "Fewer than %(count)d person: hidden to protect privacy",
        "Fewer than %(count)d people: hidden to protect privacy",
        limit,
    ) % {"count": limit}


def display(cell: Cell) -> str:
    """The text of a figure: its value, or ``HIDDEN_MARK`` (with ``hidden_explanation`` beside
    it in the page) when hidden."""
    if cell.hidden or cell.value is None:
        return HIDDEN_MARK
    return str(cell.value)


def suppress_rate(
    numerator: int, denominator: int, *, numerator_hidden: bool, k: int | None = None
) -> float | None:
    """``numerator / denominator``, or ``None`` when hidden: when the numerator is hidden
    (``numerator_hidden``, from the table it was shown in, or small itself) or fewer than ``K``
    people make the denominator."""
    if numerator_hidden or is_small(numerator, k=k) or denominator < min_cell(k):
        return None
    return numerator / denominator


# --- the engine: a grid of lines ----------------------------------------------------------------

# A position in the grid: (row index, column index). The last row and column hold the totals.
_Pos = tuple[int, int]


class _Grid:
    """Values of an ``(n_rows + 1) x (n_cols + 1)`` grid whose last row and column are totals,
    with the hidden set that suppression grows."""

    def __init__(self, values: list[list[int]], *, k: int) -> None:
        self.values = values
        self.n_rows = len(values) - 1
        self.n_cols = len(values[0]) - 1
        self.hidden: set[_Pos] = {
            (i, j)
            for i, row in enumerate(values)
            for j, value in enumerate(row)
            if is_small(value, k=k)
        }

    def lines(self) -> Iterable[tuple[list[_Pos], _Pos]]:
        """Every line: its members in order, and its total."""
        cols, rows = self.n_cols, self.n_rows
        for i in range(rows + 1):
            yield [(i, j) for j in range(cols)], (i, cols)
        for j in range(cols + 1):
            yield [(i, j) for i in range(rows)], (rows, j)

    def smallest_visible(self, positions: Iterable[_Pos]) -> _Pos | None:
        """The shown non-zero position of least value (the first of equals), if any."""
        best: _Pos | None = None
        for pos in positions:
            value = self.values[pos[0]][pos[1]]
            if pos in self.hidden or value == 0:
                continue
            if best is None or value < self.values[best[0]][best[1]]:
                best = pos
        return best

    def apply_line_rule(self) -> bool:
        """Hide one more value in each line with exactly one hidden; whether anything changed."""
        changed = False
        for members, total in self.lines():
            if sum(pos in self.hidden for pos in [*members, total]) != 1:
                continue
            target = self.smallest_visible(members)
            if target is None and total not in self.hidden:
                target = total
            if target is not None:
                self.hidden.add(target)
                changed = True
        return changed

    def _node_edges(self) -> dict[tuple[str, int], list[_Pos]]:
        # Nodes: ("r", i) for row line i, ("c", j) for column line j; position (i, j) joins them.
        edges: dict[tuple[str, int], list[_Pos]] = {}
        for i, j in self.hidden:
            edges.setdefault(("r", i), []).append((i, j))
            edges.setdefault(("c", j), []).append((i, j))
        return edges

    def _reachable(
        self, start: tuple[str, int], edges: dict[tuple[str, int], list[_Pos]], without: _Pos
    ) -> set[tuple[str, int]]:
        seen = {start}
        todo = [start]
        while todo:
            node = todo.pop()
            for pos in edges.get(node, []):
                if pos == without:
                    continue
                for other in (("r", pos[0]), ("c", pos[1])):
                    if other not in seen:
                        seen.add(other)
                        todo.append(other)
        return seen

    def apply_cross_rule(self) -> bool:
        """Close a cycle through the first hidden value that is a bridge; whether one was."""
        edges = self._node_edges()
        for pos in sorted(self.hidden):
            side = self._reachable(("r", pos[0]), edges, without=pos)
            if ("c", pos[1]) in side:
                continue  # on a cycle: not derivable
            # A shown position joining a row on the other side to a column on this side.
            across = [
                (i, j)
                for i in range(self.n_rows + 1)
                for j in range(self.n_cols + 1)
                if ("r", i) not in side and ("c", j) in side and (i, j) not in self.hidden
            ]
            target = self.smallest_visible(across)
            if target is None:
                # Only zeros join the sides: hide one (showing nothing beats showing the value).
                target = across[0] if across else None
            if target is not None:
                self.hidden.add(target)
                return True
        return False

    def suppress(self) -> None:
        while True:
            while self.apply_line_rule():
                pass
            if not self.apply_cross_rule():
                return

    def cell(self, i: int, j: int) -> Cell:
        return HIDDEN if (i, j) in self.hidden else shown(self.values[i][j])


# --- tables and lists -----------------------------------------------------------------------------


class SuppressedTable(Generic[R, C]):
    """A table of counts with row totals, column totals and a grand total, as it may be shown."""

    def __init__(self, grid: _Grid, rows: Sequence[R], columns: Sequence[C]) -> None:
        self._grid = grid
        self.rows = list(rows)
        self.columns = list(columns)
        self._row_index = {row: i for i, row in enumerate(self.rows)}
        self._column_index = {column: j for j, column in enumerate(self.columns)}

    def cell(self, row: R, column: C) -> Cell:
        return self._grid.cell(self._row_index[row], self._column_index[column])

    def row_total(self, row: R) -> Cell:
        return self._grid.cell(self._row_index[row], len(self.columns))

    def column_total(self, column: C) -> Cell:
        return self._grid.cell(len(self.rows), self._column_index[column])

    @property
    def grand_total(self) -> Cell:
        return self._grid.cell(len(self.rows), len(self.columns))

    @property
    def hidden_count(self) -> int:
        """How many figures (totals included) are hidden."""
        return len(self._grid.hidden)


def suppress_table(
    cells: Mapping[tuple[R, C], int],
    rows: Sequence[R],
    columns: Sequence[C],
    *,
    k: int | None = None,
) -> SuppressedTable[R, C]:
    """The table of ``cells`` (counts keyed by ``(row, column)``; missing ones are 0) with its
    row, column and grand totals, every figure that could point at fewer than ``K`` people
    hidden, directly or by subtraction (module docstring)."""
    limit = min_cell(k)
    if not rows or not columns:
        raise ValueError("A table needs at least one row and one column.")
    values = [[int(cells.get((row, column), 0)) for column in columns] for row in rows]
    for counts in values:
        if any(value < 0 for value in counts):
            raise ValueError("Counts cannot be negative.")
        counts.append(sum(counts))
    values.append([sum(values[i][j] for i in range(len(rows))) for j in range(len(columns) + 1)])
    grid = _Grid(values, k=limit)
    grid.suppress()
    return SuppressedTable(grid, rows, columns)


@dataclass(frozen=True)
class SuppressedCounts(Generic[Key]):
    """A list of counts as it may be shown; ``total`` is ``None`` when no total is shown."""

    cells: dict[Key, Cell]
    total: Cell | None

    def __getitem__(self, key: Key) -> Cell:
        return self.cells[key]


def suppress_counts(
    values: Mapping[Key, int], *, total_shown: bool = True, k: int | None = None
) -> SuppressedCounts[Key]:
    """The counts of ``values`` with small ones hidden and, when their total is shown, one more
    where a single hidden count could be found by subtraction (the line rule)."""
    limit = min_cell(k)
    keys = list(values)
    if not total_shown:
        cells = {
            key: HIDDEN if is_small(values[key], k=limit) else shown(values[key]) for key in keys
        }
        return SuppressedCounts(cells=cells, total=None)
    if not keys:
        return SuppressedCounts(cells={}, total=shown(0))
    # One row of a table with one column per key; its totals row repeats it, so both agree.
    table = suppress_table({(0, key): values[key] for key in keys}, [0], keys, k=limit)
    return SuppressedCounts(
        cells={key: table.cell(0, key) for key in keys}, total=table.row_total(0)
    )
