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


def test_dates_and_times_are_local_to_the_second() -> None:
    """Asia/Almaty (UTC+5): 14:04:05.123456 UTC is 19:04:05 on the clock in Almaty."""
    import datetime

    from core.csv_export import csv_cell

    utc = datetime.datetime(2026, 12, 3, 14, 4, 5, 123456, tzinfo=datetime.UTC)
    assert csv_cell(utc) == "2026-12-03 19:04:05"
    assert csv_cell(datetime.datetime(2026, 12, 3, 19, 4, 5, 999)) == "2026-12-03 19:04:05"
    assert csv_cell(datetime.date(2026, 12, 3)) == "2026-12-03"
    response, writer = csv_download("t.csv")
    writer.writerow(["=1+1", utc, 3])
    assert response.content.decode("utf-8") == "\ufeff'=1+1,2026-12-03 19:04:05,3\r\n"
