"""Writing a dashboard export to a file: CSV, XLSX, and the printable one-page summary (PDF).

The writers stream: they take a table whose rows are an iterable (for the lists of names, a
database cursor read in chunks) and write each row to the file as it comes, so memory stays flat
whatever the row count. The CSV goes through the ``csv`` module straight to the file; the XLSX
through xlsxwriter in ``constant_memory`` mode, which flushes each row as the next one starts.
Nothing here keeps the rows.

- **CSV**: UTF-8 with a BOM (so Excel reads Cyrillic), a title row, the header, then the rows.
  Text a spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``) gets a leading
  apostrophe (``core.api.spreadsheet_safe``, as every CSV of the site); numbers stay numbers.
- **XLSX**: one sheet named after the view, a title row, a bold header row that stays in view
  (frozen), numbers as numbers and dates as dates. Text is always written as a string cell,
  never read as a formula (xlsxwriter's string-to-formula conversion is off and every string
  goes through ``write_string``), so nothing a person typed can run when the file is opened.
- **PDF**: one A4 page rendered by WeasyPrint from ``templates/reports/summary_pdf.html``, like
  the certificates: nothing fetched while rendering (any URL but ``data:`` is refused), DejaVu
  fonts from the system for Kazakh and Russian letters.

Titles and labels come in the active language: the caller renders inside
``translation.override(job.language)``.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Protocol

import xlsxwriter
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import pgettext

from core.api import spreadsheet_safe

__all__ = [
    "PROGRESS_ROWS",
    "Summary",
    "SummaryTable",
    "Table",
    "write_csv",
    "write_summary_pdf",
    "write_xlsx",
]

#: The writers report progress every this many rows (the job's bar, and its heartbeat).
PROGRESS_ROWS = 1000
#: The most rows a worksheet holds (Excel's limit), the header and title rows included.
XLSX_MAX_ROWS = 1_048_576
#: A worksheet's name: at most 31 characters, none of these.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SUMMARY_TEMPLATE = "reports/summary_pdf.html"

#: progress(rows written so far): what the writers call as they go.
RowProgress = Callable[[int], None]


class Table(Protocol):
    """What the writers need of a table (``selectors.ExportTable``)."""

    @property
    def title(self) -> str: ...
    @property
    def header(self) -> list[str]: ...
    @property
    def rows(self) -> Iterable[Sequence[object]]: ...
    @property
    def total(self) -> int: ...


def _plain(value: object) -> object:
    """A cell's value as a file holds it: lazy text as text, an aware datetime in local time
    (``TIME_ZONE``) without its zone, a boolean as yes or no in the active language (the words
    ``selectors`` uses)."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, bool):
        return pgettext("CSV column", "yes") if value else pgettext("CSV column", "no")
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.make_naive(timezone.localtime(value))
    return value


def _csv_cell(value: object) -> object:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return value
    return spreadsheet_safe(str(value))


def _report(progress: RowProgress | None, count: int) -> None:
    if progress is not None and count % PROGRESS_ROWS == 0:
        progress(count)


def write_csv(target: Path, table: Table, *, progress: RowProgress | None = None) -> int:
    """Write ``table`` to ``target`` as CSV, row by row; returns the number of data rows."""
    count = 0
    with target.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([spreadsheet_safe(str(table.title))])
        writer.writerow([spreadsheet_safe(str(name)) for name in table.header])
        for row in table.rows:
            writer.writerow([_csv_cell(value) for value in row])
            count += 1
            _report(progress, count)
    return count


def sheet_name(title: str) -> str:
    """``title`` as a worksheet's name: no characters Excel refuses, at most 31 of them."""
    name = _SHEET_FORBIDDEN.sub(" ", title).strip().strip("'")[:31].strip()
    return name or "Export"


def write_xlsx(target: Path, table: Table, *, progress: RowProgress | None = None) -> int:
    """Write ``table`` to ``target`` as an Excel workbook, row by row (xlsxwriter's
    ``constant_memory``: a row is flushed to disk once the next one starts); returns the number
    of data rows. More rows than a worksheet holds raise ``ValueError``."""
    workbook = xlsxwriter.Workbook(
        str(target),
        {
            "constant_memory": True,
            # Its temporary files next to the export, on the private disk, not in /tmp.
            "tmpdir": str(target.parent),
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "default_date_format": "yyyy-mm-dd",
        },
    )
    try:
        title = str(table.title)
        sheet = workbook.add_worksheet(sheet_name(title))
        bold = workbook.add_format({"bold": True})
        heading = workbook.add_format({"bold": True, "font_size": 13})
        moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        header = [str(name) for name in table.header]
        for column, name in enumerate(header):
            sheet.set_column(column, column, max(12, min(40, len(name) + 4)))
        sheet.freeze_panes(2, 0)  # the title and the header stay in view
        sheet.write_string(0, 0, title, heading)
        for column, name in enumerate(header):
            sheet.write_string(1, column, name, bold)
        count = 0
        for count, row in enumerate(table.rows, start=1):
            line = count + 1
            if line >= XLSX_MAX_ROWS:
                raise ValueError("More rows than an Excel worksheet holds")
            for column, raw in enumerate(row):
                value = _plain(raw)
                if value is None or value == "":
                    continue
                if isinstance(value, int | float | Decimal):
                    sheet.write_number(line, column, float(value))
                elif isinstance(value, datetime.datetime):
                    sheet.write_datetime(line, column, value, moment)
                elif isinstance(value, datetime.date):
                    sheet.write_datetime(line, column, value, day)
                else:
                    sheet.write_string(line, column, str(value))
            _report(progress, count)
    finally:
        workbook.close()
    return count


@dataclass(frozen=True)
class SummaryTable:
    """One table of the summary: a few rows of aggregates (never names)."""

    title: str
    header: list[str]
    rows: list[Sequence[object]]
    #: Rows left out to keep the summary on one page.
    omitted: int = 0


@dataclass(frozen=True)
class Summary:
    """What the one-page summary shows: whose figures (the scope), which filters, when."""

    title: str
    scope: str
    generated_at: datetime.datetime
    #: (label, value) of every filter in force, the period first.
    filters: list[tuple[str, str]]
    tables: list[SummaryTable] = field(default_factory=list)
    #: Figures shown as "label: value" above the tables.
    figures: list[tuple[str, object]] = field(default_factory=list)


def summary_pdf(summary: Summary) -> bytes:
    """Render ``summary`` as a one-page A4 PDF, offline, in the active language
    (``reports.pdf``: WeasyPrint is imported only when a summary is made, so a worker that never
    makes one does not carry it)."""
    from .pdf import render_summary

    return render_summary(render_to_string(SUMMARY_TEMPLATE, {"summary": summary}))


def write_summary_pdf(target: Path, summary: Summary) -> int:
    """Write the summary's PDF to ``target``; returns the number of table rows it shows."""
    target.write_bytes(summary_pdf(summary))
    return sum(len(table.rows) for table in summary.tables)
