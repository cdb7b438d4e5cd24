"""What a reader downloads is what the page shows: the regions table of the dashboard page and
the CSV built by the export task, cell for cell, hidden figures included."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from typing import Any

import pytest
from django.test import Client

from reports.export_jobs import export_file_path
from reports.models import ExportJob

pytestmark = pytest.mark.django_db

CELL = re.compile(r"<td>(.*?)(?:<br>|</td>)", re.S)
TAG = re.compile(r"<[^>]+>")


def page_rows(html: str) -> dict[str, list[str]]:
    """The regions table: each region's name and its counts, as the page shows them."""
    table = html.split('id="regions-heading"')[1].split("</tbody>")[0]
    rows = {}
    for row in table.split("<tr>")[2:]:
        name = unescape(TAG.sub("", row.split("</th>")[0])).strip()
        counts = [TAG.sub("", c).strip() for c in CELL.findall(row)]
        rows[name] = ["—" if "hidden to protect privacy" in c or c.startswith("—") else c
                      for c in counts]  # fmt: skip
    return rows


@pytest.mark.parametrize("who", ["ministry", "coordinator"])
def test_the_regions_export_is_the_page(
    client: Client, country: dict[str, Any], django_capture_on_commit_callbacks: Any, who: str
) -> None:
    client.force_login(country[who])
    shown = page_rows(client.get("/en/dashboard/?specialty=psychologist").content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/dashboard/exports/",
            {"view": "regions", "format": "csv", "query": "specialty=psychologist", "next": "/"},
        )
    assert response.status_code == 302
    job = ExportJob.objects.get(user=country[who])
    assert job.status == ExportJob.Status.DONE
    path = export_file_path(job)
    assert path is not None
    lines = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    header = next(i for i, line in enumerate(lines) if line and line[0] == "Region")
    exported = {line[0]: line[1::2] for line in lines[header + 1 :] if line and line[0] != "Total"}
    assert set(exported) == set(shown)
    for region, counts in shown.items():
        assert [c.replace(",", "") for c in counts] == exported[region], region
    assert (len(shown) == 20) == (who == "ministry")
