"""CSV downloads that Excel opens correctly and that cannot carry a spreadsheet formula.

Names, titles and organisations are typed by people; a cell starting with ``=``, ``+``, ``-`` or
``@`` would run as a formula when the file is opened in a spreadsheet ("CSV injection"). Such text
gets a leading apostrophe, which spreadsheets show as plain text. Numbers are left alone.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

__all__ = ["CsvWriter", "csv_download", "spreadsheet_safe"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER_RE = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def spreadsheet_safe(value: Any) -> Any:
    """``value``, with text that a spreadsheet would take for a formula made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER_RE.match(value):
        return "'" + value
    return value


class CsvWriter:
    """``csv.writer`` that makes every cell spreadsheet-safe."""

    def __init__(self, target: Any) -> None:
        self._writer = csv.writer(target)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([spreadsheet_safe(value) for value in row])


def csv_download(filename: str) -> tuple[HttpResponse, CsvWriter]:
    """A CSV attachment (UTF-8 with a BOM, so Excel reads Cyrillic) and a writer for it."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    return response, CsvWriter(response)
