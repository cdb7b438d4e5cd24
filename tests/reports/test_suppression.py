"""Small-cell suppression (``reports.suppression``): small counts are hidden, and so is whatever
would let a hidden count be worked out by subtraction from the shown figures.

"Worked out" is checked independently of the module's own reasoning: ``derivable`` solves the
linear system the shown figures give (each line sums to its total) with exact fractions and
reports the hidden figures whose value it pins down.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

import pytest

from reports.suppression import (
    HIDDEN,
    Cell,
    SuppressedTable,
    display,
    hidden_explanation,
    is_small,
    shown,
    suppress_counts,
    suppress_rate,
    suppress_table,
)

Pos = tuple[int, int]


# --- an independent check: which hidden figures the shown ones determine ------------------------


def grid_of(table: SuppressedTable[Any, Any]) -> list[list[Cell]]:
    """The table as an (rows + 1) x (columns + 1) grid, totals last."""
    grid = [[table.cell(r, c) for c in table.columns] + [table.row_total(r)] for r in table.rows]
    grid.append([table.column_total(c) for c in table.columns] + [table.grand_total])
    return grid


def lines(n_rows: int, n_cols: int) -> list[tuple[list[Pos], Pos]]:
    """Each line of an (n_rows + 1) x (n_cols + 1) grid: its members and its total."""
    found = [([(i, j) for j in range(n_cols)], (i, n_cols)) for i in range(n_rows + 1)]
    found += [([(i, j) for i in range(n_rows)], (n_rows, j)) for j in range(n_cols + 1)]
    return found


def rank(matrix: list[list[Fraction]]) -> int:
    rows = [row[:] for row in matrix]
    rank_, width = 0, len(rows[0]) if rows else 0
    for col in range(width):
        pivot = next((r for r in range(rank_, len(rows)) if rows[r][col] != 0), None)
        if pivot is None:
            continue
        rows[rank_], rows[pivot] = rows[pivot], rows[rank_]
        for r in range(len(rows)):
            if r != rank_ and rows[r][col] != 0:
                factor = rows[r][col] / rows[rank_][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank_], strict=True)]
        rank_ += 1
    return rank_


def derivable(hidden: set[Pos], n_rows: int, n_cols: int) -> set[Pos]:
    """The hidden positions whose value the line equations fix, whatever the shown values: a
    position is fixed exactly when its unit vector lies in the row space of the equations
    restricted to the hidden positions."""
    unknowns = sorted(hidden)
    if not unknowns:
        return set()
    index = {pos: n for n, pos in enumerate(unknowns)}
    equations: list[list[Fraction]] = []
    for members, total in lines(n_rows, n_cols):
        row = [Fraction(0)] * len(unknowns)
        for pos in members:
            if pos in index:
                row[index[pos]] += 1
        if total in index:
            row[index[total]] -= 1
        if any(row):
            equations.append(row)
    base = rank(equations) if equations else 0
    fixed = set()
    for pos in unknowns:
        unit = [Fraction(0)] * len(unknowns)
        unit[index[pos]] = Fraction(1)
        if rank([*equations, unit]) == base:
            fixed.add(pos)
    return fixed


def hidden_positions(grid: list[list[Cell]]) -> set[Pos]:
    return {(i, j) for i, row in enumerate(grid) for j, cell in enumerate(row) if cell.hidden}


def full_grid(values: list[list[int]]) -> list[list[int]]:
    grid = [[*row, sum(row)] for row in values]
    grid.append([sum(grid[i][j] for i in range(len(values))) for j in range(len(grid[0]))])
    return grid


def table_from(values: list[list[int]], k: int = 5) -> SuppressedTable[int, int]:
    rows, cols = range(len(values)), range(len(values[0]))
    return suppress_table(
        {(r, c): values[r][c] for r in rows for c in cols}, list(rows), list(cols), k=k
    )


def assert_safe(table: SuppressedTable[int, int], values: list[list[int]], k: int = 5) -> None:
    """Every small figure hidden, hidden values keep no value, no line with exactly one hidden
    figure, and no hidden figure determined by the shown ones."""
    grid = grid_of(table)
    expected = full_grid(values)
    n_rows, n_cols = len(values), len(values[0])
    for i, row in enumerate(grid):
        for j, cell in enumerate(row):
            if 0 < expected[i][j] < k:
                assert cell.hidden, (i, j, expected[i][j])
            if cell.hidden:
                assert cell.value is None
            else:
                assert cell.value == expected[i][j]
    hidden = hidden_positions(grid)
    for members, total in lines(n_rows, n_cols):
        count = sum(pos in hidden for pos in [*members, total])
        assert count != 1, (members, total, hidden)
    assert derivable(hidden, n_rows, n_cols) == set()


# --- primary suppression --------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "hidden"), [(0, False), (1, True), (2, True), (3, True), (4, True), (5, False), (6, False), (250, False)])  # fmt: skip
def test_counts_of_one_to_four_are_hidden_and_zero_and_five_shown(value: int, hidden: bool) -> None:
    assert is_small(value) is hidden
    result = suppress_counts({"KZ-75": value}, total_shown=False)
    assert result["KZ-75"].hidden is hidden
    assert result["KZ-75"].value == (None if hidden else value)
    assert result.total is None


def test_the_threshold_follows_the_setting(settings: Any) -> None:
    settings.REPORTS_MIN_CELL = 3
    result = suppress_counts({"a": 2, "b": 3, "c": 4}, total_shown=False)
    assert [result[key].hidden for key in "abc"] == [True, False, False]
    assert "Fewer than 3 people" in hidden_explanation()

    settings.REPORTS_MIN_CELL = 10
    result = suppress_counts({"a": 2, "b": 9, "c": 10}, total_shown=False)
    assert [result[key].hidden for key in "abc"] == [True, True, False]


def test_an_explicit_threshold_wins_over_the_setting(settings: Any) -> None:
    settings.REPORTS_MIN_CELL = 5
    assert not suppress_counts({"a": 4}, total_shown=False, k=3)["a"].hidden
    assert suppress_counts({"a": 4}, total_shown=False, k=6)["a"].hidden


def test_display_marks_hidden_figures_and_explains_them() -> None:
    assert display(shown(12)) == "12"
    assert display(shown(0)) == "0"
    hidden_text = display(HIDDEN)
    assert hidden_text == "—"
    assert hidden_text != display(shown(4))
    assert hidden_explanation(5) == "Fewer than 5 people: hidden to protect privacy"


# --- rates ----------------------------------------------------------------------------------------


def test_a_rate_is_hidden_with_its_numerator_or_a_small_denominator() -> None:
    assert suppress_rate(10, 20, numerator_hidden=False) == pytest.approx(0.5)
    assert suppress_rate(0, 20, numerator_hidden=False) == 0.0
    assert suppress_rate(10, 20, numerator_hidden=True) is None  # hidden in its table
    assert suppress_rate(3, 20, numerator_hidden=False) is None  # small on its own
    assert suppress_rate(0, 4, numerator_hidden=False) is None  # 0 of 4 is about 4 people
    assert suppress_rate(0, 0, numerator_hidden=False) is None
    assert suppress_rate(5, 5, numerator_hidden=False) == 1.0
    assert suppress_rate(3, 4, numerator_hidden=False, k=3) == pytest.approx(0.75)


# --- secondary suppression: lists -----------------------------------------------------------------


def test_one_hidden_count_in_a_list_with_its_total_hides_the_next_smallest() -> None:
    result = suppress_counts({"a": 20, "b": 3, "c": 12, "d": 12})
    assert result["b"].hidden
    assert result["c"].hidden  # the smallest other non-zero count, the first of equals
    assert result["d"] == shown(12)
    assert result["a"] == shown(20)
    assert result.total == shown(47)  # 47 - 20 - 12 = 15 = b + c: neither is known


def test_without_its_total_a_list_hides_only_small_counts() -> None:
    result = suppress_counts({"a": 20, "b": 3, "c": 12})
    alone = suppress_counts({"a": 20, "b": 3, "c": 12}, total_shown=False)
    assert result["c"].hidden
    assert alone["c"] == shown(12)
    assert alone["b"].hidden


def test_a_hidden_count_beside_zeros_hides_the_total() -> None:
    result = suppress_counts({"a": 0, "b": 7, "c": 0})
    assert all(cell.shown for cell in result.cells.values())  # nothing small
    result = suppress_counts({"a": 0, "b": 4, "c": 0, "d": 0}, k=3)
    assert result["b"] == shown(4)
    result = suppress_counts({"a": 0, "b": 2, "c": 0}, k=3)
    assert result["b"].hidden
    assert result["a"] == shown(0)
    assert result.total is not None and result.total.hidden


def test_two_small_counts_protect_each_other() -> None:
    result = suppress_counts({"a": 2, "b": 3, "c": 40})
    assert result["a"].hidden and result["b"].hidden
    assert result["c"] == shown(40)
    assert result.total == shown(45)


# --- secondary suppression: tables ----------------------------------------------------------------


def test_a_hidden_cell_in_a_row_can_no_longer_be_subtracted() -> None:
    # Row 0: 3 + 12 + 20 = 35: with only the 3 hidden, 35 - 12 - 20 gives it away.
    values = [[3, 12, 20], [30, 40, 50]]
    naive_hidden = {(0, 0)}
    assert derivable(naive_hidden, 2, 3) == {(0, 0)}  # the check sees the leak

    table = table_from(values)
    assert table.cell(0, 0).hidden
    assert table.cell(0, 1).hidden  # the smallest other non-zero cell of row 0
    assert table.cell(1, 0).hidden and table.cell(1, 1).hidden  # and their columns
    assert table.cell(0, 2) == shown(20)  # nothing needed it hidden
    assert table.cell(1, 2) == shown(50)
    assert table.grand_total == shown(155)
    assert_safe(table, values)


def test_a_hidden_cell_in_a_column_can_no_longer_be_subtracted() -> None:
    values = [[40, 8], [2, 9], [30, 7]]
    table = table_from(values)
    assert table.cell(1, 0).hidden
    assert table.cell(1, 1).hidden  # row 1: 2 + 9
    assert table.column_total(0) == shown(72)
    assert_safe(table, values)


def test_a_small_total_is_hidden_and_protected() -> None:
    values = [[1, 0, 0], [20, 30, 40]]
    table = table_from(values)
    assert table.row_total(0).hidden
    assert table.cell(0, 1) == shown(0)  # zeros name nobody
    assert_safe(table, values)


def test_a_value_linking_two_hidden_blocks_is_protected_too() -> None:
    # Hidden blocks {a,b}x{1,2} and {c,d}x{3,4} joined by one small cell at (b, 3): every line
    # has 0 or at least 2 hidden values, yet adding rows a and b and subtracting columns 1 and 2
    # isolates (b, 3).
    big = 50
    values = [[big] * 5 for _ in range(5)]
    for pos in [(0, 1), (0, 2), (1, 1), (1, 2), (2, 3), (2, 4), (3, 3), (3, 4), (1, 3)]:
        values[pos[0]][pos[1]] = 2
    line_rule_only = {(0, 1), (0, 2), (1, 1), (1, 2), (2, 3), (2, 4), (3, 3), (3, 4), (1, 3)}
    for members, total in lines(5, 5):
        assert sum(pos in line_rule_only for pos in [*members, total]) != 1
    assert derivable(line_rule_only, 5, 5) == {(1, 3)}

    table = table_from(values)
    assert_safe(table, values)
    assert table.hidden_count == len(line_rule_only) + 1  # one more value closes the cycle


def test_good_content_survives() -> None:
    values = [[5, 12, 0], [7, 30, 9], [0, 6, 41]]
    table = table_from(values)
    assert table.hidden_count == 0
    assert [table.cell(r, c).value for r in range(3) for c in range(3)] == [
        v for row in values for v in row
    ]
    assert table.grand_total == shown(110)


def test_only_what_a_small_cell_needs_is_hidden() -> None:
    values = [[3, 12, 20, 25], [30, 40, 50, 60], [70, 80, 90, 100]]
    table = table_from(values)
    assert_safe(table, values)
    # Row 2 and the column of 25 take no part in protecting the 3.
    assert all(table.cell(2, c).shown for c in range(4))
    assert table.cell(0, 3) == shown(25)
    assert table.grand_total.shown


def test_rows_and_columns_may_be_any_labels() -> None:
    cells = {("KZ-75", "psychologist"): 2, ("KZ-75", "teacher"): 9, ("KZ-11", "teacher"): 14}
    table = suppress_table(cells, ["KZ-75", "KZ-11"], ["psychologist", "teacher"])
    assert table.cell("KZ-75", "psychologist").hidden
    assert table.cell("KZ-11", "psychologist") == shown(0)  # missing cells count 0
    assert table.row_total("KZ-11") == shown(14)


def test_bad_tables_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one row"):
        suppress_table({}, [], ["a"])
    with pytest.raises(ValueError, match="negative"):
        suppress_table({(0, 0): -1}, [0], [0])


@pytest.mark.parametrize("seed", range(60))
def test_random_tables_leave_nothing_to_subtract(seed: int) -> None:
    rng = random.Random(seed)
    k = rng.choice([3, 5, 5, 10])
    n_rows, n_cols = rng.randint(1, 6), rng.randint(1, 6)
    weights = [0.25, 0.35, 0.4]  # zero, small, large

    def value() -> int:
        kind = rng.choices(["zero", "small", "large"], weights)[0]
        if kind == "zero":
            return 0
        if kind == "small":
            return rng.randint(1, k - 1)
        return rng.randint(k, 4 * k)

    values = [[value() for _ in range(n_cols)] for _ in range(n_rows)]
    table = table_from(values, k=k)
    assert_safe(table, values, k=k)
    # A table with no small figure at all hides nothing.
    if not any(0 < v < k for row in full_grid(values) for v in row):
        assert table.hidden_count == 0
