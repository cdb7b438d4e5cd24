"""CSV downloads that Excel opens correctly and that cannot carry a spreadsheet formula.

Names, titles and organisations are typed by people; a cell starting with ``=``, ``+``, ``-`` or
``@`` would run as a formula when the file is opened in a spreadsheet ("CSV injection"). Such text
gets a leading apostrophe, which spreadsheets show as plain text. Numbers are left alone.

Dates and times are written as people read them: a datetime in local time (``TIME_ZONE``,
Asia/Almaty) to the second, ``2026-12-03 19:04:05``, never raw UTC or microseconds.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from .http import mark_private

__all__ = ["CsvWriter", "csv_cell", "csv_download", "spreadsheet_safe"]

#: How a datetime is written: local time, to the second.
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER_RE = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def spreadsheet_safe(value: Any) -> Any:
    """``value``, with text that a spreadsheet would take for a formula made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER_RE.match(value):
        return "'" + value
    return value


def csv_cell(value: Any) -> Any:
    """``value`` as a CSV cell: a datetime in local time to the second (an aware one converted
    to ``TIME_ZONE``), a date as ``YYYY-MM-DD``, text made spreadsheet-safe."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return spreadsheet_safe(value)


class CsvWriter:
    """``csv.writer`` that writes every cell through ``csv_cell``: spreadsheet-safe text, local
    dates and times."""

    def __init__(self, target: Any) -> None:
        self._writer = csv.writer(target)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([csv_cell(value) for value in row])


def csv_download(filename: str) -> tuple[HttpResponse, CsvWriter]:
    """A CSV attachment (UTF-8 with a BOM, so Excel reads Cyrillic) and a writer for it."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    mark_private(response)  # exports are personal data: no cache keeps them
    response.write("\ufeff")
    return response, CsvWriter(response)
