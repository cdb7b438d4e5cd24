"""CSV downloads: Excel-friendly and free of spreadsheet formulas."""

from __future__ import annotations

import pytest

from core.api import csv_download, spreadsheet_safe


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+7 701 000", "'+7 701 000"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("-57.74", "-57.74"),
        ("+3", "+3"),
        ("Айгерим", "Айгерим"),
        ("a=b", "a=b"),
        (-5, -5),
        (None, None),
    ],
)
def test_spreadsheet_safe(value: object, expected: object) -> None:
    assert spreadsheet_safe(value) == expected


def test_csv_download_has_a_bom_and_safe_cells() -> None:
    response, writer = csv_download("report.csv")
    writer.writerow(["name", "value"])
    writer.writerow(["=1+1", -2.5])
    assert response["Content-Disposition"] == 'attachment; filename="report.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert text.splitlines()[1] == "'=1+1,-2.5"
