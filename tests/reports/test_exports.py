"""Dashboard exports (``reports.export_jobs``, ``reports.exports``, ``reports.views_exports``):
each format written and read back, CSV injection, the summary PDF in Russian, downloads for the
requester only, names refused without the right to them (also when the right goes before the job
runs), lost and stalled jobs recovered by the sweep, old exports deleted with their files, memory
flat whatever the row count, and the audit log.

Most tests stand a generated table in for ``selectors.export_table`` (synthetic rows, as many as
a test needs); one goes through the real table of the regions.
"""

from __future__ import annotations

import csv
import io
import os
import tracemalloc
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from defusedxml import ElementTree
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from kombu.exceptions import OperationalError

from learners.api import region_name
from learners.models import CoordinatorRegion
from reports import export_jobs
from reports.export_jobs import (
    ERROR_REFUSED,
    MAX_PENDING,
    TooManyExports,
    export_files_tidy,
    export_job_create,
    export_job_for_download,
    export_job_run,
    export_jobs_sweep,
)
from reports.export_tasks import build_export
from reports.exports import write_csv, write_xlsx
from reports.models import AuditEvent, ExportJob, PersonFact
from tests.certification.helpers import pdf_text, poppler
from tests.factories import UserFactory, practitioner

pytestmark = pytest.mark.django_db

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


@dataclass
class Table:
    """A stand-in for ``selectors.ExportTable``."""

    title: str
    header: list[str]
    rows: Iterator[Sequence[object]]
    total: int


def generated(count: int, *, title: str = "Synthetic practitioners") -> Table:
    """``count`` rows of synthetic people, made as they are read (nothing kept)."""

    def rows() -> Iterator[list[object]]:
        for i in range(count):
            yield [
                f"Synthetic person {i:06d}",
                f"synthetic{i}@example.org",
                "Тестовая организация №1 (вымышленная)",
                i,
                -i,
                date(2026, 1, 1) + timedelta(days=i % 365),
            ]

    header = ["Name", "Email", "Организация", "Number", "Negative", "Due on"]
    return Table(title, header, rows(), count)


def coordinator(*, region: str = "KZ-75") -> Any:
    """A regional coordinator of ``region``: aggregates and names there."""
    user: Any = UserFactory(groups=["Regional coordinator"])
    CoordinatorRegion.objects.create(user=user, region=region)
    return user


def ministry() -> Any:
    """The ministry: the whole country, aggregates only."""
    return UserFactory(groups=["Ministry"])


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """``export_table`` replaced by :func:`generated`; records what it was asked and in which
    language. Set ``rows`` for the count."""
    seen: dict[str, Any] = {"rows": 25, "calls": []}

    def export_table(*, view: str, scope: Any, filters: Any) -> Table:
        seen["calls"].append(
            {
                "view": view,
                "scope": scope,
                "filters": filters,
                "language": translation.get_language(),
            }
        )
        return generated(seen["rows"], title=f"Export of {view}")

    monkeypatch.setattr(export_jobs, "export_table", export_table)
    return seen


def job_file(job: ExportJob) -> Path:
    job.refresh_from_db()
    path = export_jobs.export_file_path(job)
    assert path is not None, f"no file for {job}: {job.status} {job.error}"
    return path


def xlsx_sheet(path: Path) -> tuple[Any, dict[str, Any]]:
    """The first worksheet's XML and the workbook's sheet names, read from the zip."""
    with zipfile.ZipFile(path) as archive:
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    names = {s.get("name"): s for s in workbook.iterfind("m:sheets/m:sheet", NS)}
    return sheet, names


def xlsx_cells(sheet: Any) -> dict[str, tuple[str | None, str]]:
    """Each cell by reference: (type, text), an inline string's text read out."""
    cells = {}
    for cell in sheet.iterfind(".//m:sheetData/m:row/m:c", NS):
        kind = cell.get("t")
        if kind == "inlineStr":
            text = "".join(t.text or "" for t in cell.iterfind(".//m:t", NS))
        else:
            value = cell.find("m:v", NS)
            text = value.text if value is not None else ""
        cells[cell.get("r")] = (kind, text)
    return cells


# --- the writers --------------------------------------------------------------------------------


def test_csv_is_utf8_with_a_bom_a_title_a_header_and_every_row(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    done: list[int] = []

    count = write_csv(target, generated(2_500), progress=done.append)

    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["Synthetic practitioners"]
    assert rows[1] == ["Name", "Email", "Организация", "Number", "Negative", "Due on"]
    assert len(rows) == 2 + 2_500 == 2 + count
    assert rows[2] == [
        "Synthetic person 000000",
        "synthetic0@example.org",
        "Тестовая организация №1 (вымышленная)",
        "0",
        "0",
        "2026-01-01",
    ]
    assert rows[-1][0] == "Synthetic person 002499"
    assert done == [1000, 2000]


def test_csv_neutralises_formulas_and_keeps_text_and_numbers(tmp_path: Path) -> None:
    table = Table(
        '=HYPERLINK("http://evil.invalid")',
        ["Name", "Value"],
        iter(
            [
                ["=SUM(A1:A9)", -5],
                ["+cmd|' /C calc'!A0", -2.5],
                ["@cmd", 0],
                ["-1+1", 12],
                ["Алматы", "-5"],
                ["Ordinary - text", None],
                ["+77011234567", 1],
            ]
        ),
        7,
    )
    target = tmp_path / "out.csv"
    write_csv(target, table)

    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ['\'=HYPERLINK("http://evil.invalid")']
    assert [row[0] for row in rows[2:]] == [
        "'=SUM(A1:A9)",
        "'+cmd|' /C calc'!A0",
        "'@cmd",
        "'-1+1",
        "Алматы",
        "Ordinary - text",
        "+77011234567",  # text that is a number (a phone number) cannot be a formula
    ]
    # Numbers, and text that is a number, stay as they are; nothing is an empty "None".
    assert [row[1] for row in rows[2:]] == ["-5", "-2.5", "0", "12", "-5", "", "1"]


def test_xlsx_has_a_named_sheet_a_bold_frozen_header_numbers_and_no_formula(
    tmp_path: Path,
) -> None:
    target = tmp_path / "out.xlsx"
    rows = [
        ["=SUM(A1:A9)", -5, date(2026, 12, 3)],
        ["Қарағанды облысы", 2.5, None],
    ]
    table = Table("Export: by region [test]", ["Name", "Value", "Due on"], iter(rows), 2)

    assert write_xlsx(target, table) == 2

    sheet, names = xlsx_sheet(target)
    assert list(names) == ["Export  by region  test"]  # Excel refuses : [ ] in a sheet's name
    cells = xlsx_cells(sheet)
    assert cells["A1"] == ("inlineStr", "Export: by region [test]")
    assert cells["A2"] == ("inlineStr", "Name")
    assert cells["A3"] == ("inlineStr", "=SUM(A1:A9)")  # a string, never a formula
    assert sheet.find(".//m:f", NS) is None
    assert cells["B3"] == (None, "-5")  # a number
    assert cells["B4"] == (None, "2.5")
    assert cells["A4"] == ("inlineStr", "Қарағанды облысы")
    assert cells["C3"][0] is None and float(cells["C3"][1]) == 46359  # 2026-12-03 as a date
    assert "C4" not in cells
    pane = sheet.find(".//m:sheetView/m:pane", NS)
    assert pane is not None and pane.get("ySplit") == "2" and pane.get("state") == "frozen"
    # The header's style is bold, the data's is not.
    with zipfile.ZipFile(target) as archive:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    fonts = styles.findall("m:fonts/m:font", NS)
    xfs = styles.findall("m:cellXfs/m:xf", NS)
    header_cell = sheet.find(".//m:c[@r='A2']", NS)
    font = fonts[int(xfs[int(header_cell.get("s"))].get("fontId"))]
    assert font.find("m:b", NS) is not None
    data_cell = sheet.find(".//m:c[@r='A3']", NS)
    assert data_cell.get("s") in (None, "0")


def _peak_while_writing(writer: Any, count: int, target: Path) -> int:
    tracemalloc.start()
    try:
        writer(target, generated(count))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    ("writer", "small_count"),
    # The XLSX writer is slow under tracemalloc: a tenfold test with fewer rows.
    [(write_csv, 2_000), (write_xlsx, 1_000)],
    ids=["csv", "xlsx"],
)
def test_memory_stays_flat_whatever_the_row_count(
    writer: Any, small_count: int, tmp_path: Path
) -> None:
    """Ten times the rows must not take anything like ten times the memory: a writer that kept
    the rows (about 300 bytes each here) would need megabytes more for the larger table."""
    small = _peak_while_writing(writer, small_count, tmp_path / "small")
    large = _peak_while_writing(writer, 10 * small_count, tmp_path / "large")

    assert large < 2 * small + 512 * 1024, (small, large)


def test_a_list_kept_in_memory_would_fail_the_memory_test(tmp_path: Path) -> None:
    """The bound above can fail: the same measure of a writer that keeps its rows grows."""

    def hoarding(target: Path, table: Table) -> int:
        kept = list(table.rows)
        return write_csv(target, Table(table.title, table.header, iter(kept), len(kept)))

    small = _peak_while_writing(hoarding, 2_000, tmp_path / "small")
    large = _peak_while_writing(hoarding, 20_000, tmp_path / "large")

    assert not large < 2 * small + 512 * 1024


# --- asking, building, downloading ---------------------------------------------------------------


def test_a_coordinator_exports_a_list_of_names_as_csv_and_downloads_it(
    client: Client, stand_in: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    user = coordinator()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:export"),
            {"view": "people", "format": "csv", "query": "specialty=psychologist&region=KZ-75"},
        )
    assert response.status_code == 302
    job = ExportJob.objects.get(user=user)
    assert job.status == ExportJob.Status.DONE
    assert (job.done, job.total, job.percent) == (25, 25, 100)
    assert job.language == "en"
    # The filters applied within the coordinator's scope, as stored on the job.
    call = stand_in["calls"][0]
    assert call["view"] == "people" and call["filters"].specialty == "psychologist"
    assert call["scope"].regions == frozenset({"KZ-75"}) and call["scope"].names

    status = client.get(reverse("reports:export_status", args=[job.pk])).json()
    download_url = reverse("reports:export_download", args=[job.pk])
    assert status == {
        "status": "done",
        "percent": 100,
        "done": 25,
        "total": 25,
        "download_url": download_url,
        "label": "Ready",
    }

    response = client.get(download_url)
    assert response.status_code == 200
    made = timezone.localdate(job.created_at).isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="zhusan-people-{made}.csv"'
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["Export of people"] and len(rows) == 2 + 25

    events = list(AuditEvent.objects.filter(user=user).order_by("at", "pk"))
    assert [(e.action, e.view, e.username) for e in events] == [
        (AuditEvent.Action.EXPORT, "people", user.username),
        (AuditEvent.Action.DOWNLOAD, "people", user.username),
    ]
    assert events[0].detail == {"format": "csv", "job": job.pk}
    assert events[0].query == job.query and "specialty=psychologist" in job.query
    assert events[1].detail == {"format": "csv", "rows": 25, "job": job.pk}


def test_the_job_is_built_in_the_requesters_language(
    stand_in: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_create(
            user=ministry(), view="regions", format="xlsx", query="", language="kk"
        )
    assert stand_in["calls"][0]["language"] == "kk"
    sheet, names = xlsx_sheet(job_file(job))
    assert list(names) == ["Export of regions"]
    assert xlsx_cells(sheet)["A3"] == ("inlineStr", "Synthetic person 000000")


def test_only_the_requester_sees_the_status_and_downloads(
    client: Client, stand_in: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    owner = coordinator()
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_create(user=owner, view="people", format="csv", query="", language="en")
    job_file(job)
    status_url = reverse("reports:export_status", args=[job.pk])
    download_url = reverse("reports:export_download", args=[job.pk])

    # Another coordinator of the same region, an administrator: as if it did not exist.
    admin: Any = UserFactory(is_superuser=True, is_staff=True)
    for other in (coordinator(), admin):
        client.force_login(other)
        assert client.get(status_url).status_code == 404
        assert client.get(download_url).status_code == 404
    client.logout()
    for url in (status_url, download_url):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()

    client.force_login(owner)
    assert client.get(download_url).status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, user=owner).count() == 1


def test_a_job_not_ready_or_deleted_is_not_downloaded(
    client: Client, stand_in: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    owner = coordinator()
    client.force_login(owner)
    with mock.patch.object(export_jobs, "_queue"):  # the task is not run
        waiting = export_job_create(
            user=owner, view="people", format="csv", query="", language="en"
        )
    assert client.get(reverse("reports:export_download", args=[waiting.pk])).status_code == 404
    status = client.get(reverse("reports:export_status", args=[waiting.pk])).json()
    assert status["status"] == "queued" and status["download_url"] == ""

    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_create(user=owner, view="people", format="csv", query="", language="en")
    job_file(job).unlink()
    assert client.get(reverse("reports:export_download", args=[job.pk])).status_code == 404


def test_names_are_refused_without_the_right_to_see_them(
    client: Client, stand_in: dict[str, Any]
) -> None:
    reader = ministry()
    for view in ("people", "expiring", "overdue"):
        with pytest.raises(PermissionDenied):
            export_job_create(user=reader, view=view, format="csv", query="", language="en")
    client.force_login(reader)
    response = client.post(reverse("reports:export"), {"view": "people", "format": "xlsx"})
    assert response.status_code == 403
    assert not ExportJob.objects.exists()
    assert not AuditEvent.objects.exists()
    # Aggregates are theirs to export.
    job = export_job_create(user=reader, view="regions", format="csv", query="", language="en")
    assert job.status == ExportJob.Status.QUEUED or job.status == ExportJob.Status.DONE


@pytest.mark.parametrize("role", ["anonymous", "Practitioner", "Trainer"])
def test_people_without_a_dashboard_may_not_ask(client: Client, role: str) -> None:
    if role == "Practitioner":
        client.force_login(practitioner())
    elif role == "Trainer":
        client.force_login(UserFactory(groups=["Trainer"]))  # type: ignore[arg-type]
    response = client.post(reverse("reports:export"), {"view": "regions", "format": "csv"})
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 403
    assert not ExportJob.objects.exists()


def test_asking_needs_a_post(client: Client) -> None:
    client.force_login(ministry())
    assert client.get(reverse("reports:export")).status_code == 405


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"view": "salaries", "format": "csv"}, "view", "salaries"),
        ({"view": "regions", "format": "docx"}, "format", "docx"),
        ({"format": "csv"}, "view", "no view"),
    ],
)
def test_an_unknown_view_or_format_is_refused_by_name(
    client: Client, data: dict[str, str], field: str, words: str
) -> None:
    reader = ministry()
    with pytest.raises(ValidationError) as refused:
        export_job_create(
            user=reader, view=data.get("view", ""), format=data["format"], query="", language="en"
        )
    assert list(refused.value.message_dict) == [field]
    client.force_login(reader)
    response = client.post(reverse("reports:export"), data)
    assert response.status_code == 400
    assert words in response.content.decode().lower()
    assert not ExportJob.objects.exists()


def test_too_many_exports_at_once_are_refused_with_a_message(client: Client) -> None:
    reader = ministry()
    with mock.patch.object(export_jobs, "_queue"):
        for _ in range(MAX_PENDING):
            export_job_create(user=reader, view="regions", format="csv", query="", language="en")
        with pytest.raises(TooManyExports):
            export_job_create(user=reader, view="regions", format="csv", query="", language="en")
        client.force_login(reader)
        response = client.post(
            reverse("reports:export"), {"view": "regions", "format": "csv"}, follow=True
        )
    assert ExportJob.objects.count() == MAX_PENDING
    assert any("being prepared" in str(m) for m in response.context["messages"])


def test_rights_taken_away_before_the_job_runs_apply(stand_in: dict[str, Any]) -> None:
    user = coordinator()
    with mock.patch.object(export_jobs, "_queue"):
        job = export_job_create(user=user, view="people", format="csv", query="", language="en")
    user.groups.remove(Group.objects.get(name="Regional coordinator"))
    user = type(user).objects.get(pk=user.pk)  # no cached permissions

    assert export_job_run(job_id=job.pk) == ExportJob.Status.FAILED
    job.refresh_from_db()
    assert job.error == ERROR_REFUSED and job.file_path == ""
    assert stand_in["calls"] == []
    assert list(Path(export_jobs.export_root()).iterdir()) == []
    assert export_job_for_download(user=user, job_id=job.pk) is None


def test_a_file_is_not_downloaded_once_the_right_to_its_names_is_gone(
    stand_in: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    user = coordinator()
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_create(user=user, view="people", format="csv", query="", language="en")
    assert export_job_for_download(user=user, job_id=job.pk) is not None
    user.groups.clear()
    user = type(user).objects.get(pk=user.pk)
    assert export_job_for_download(user=user, job_id=job.pk) is None


def test_an_error_fails_the_job_with_a_short_reason_and_leaves_no_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(**kwargs: Any) -> Table:
        def rows() -> Iterator[list[object]]:
            yield ["Synthetic person"]
            raise RuntimeError("the database went away")

        return Table("Broken", ["Name"], rows(), 2)

    monkeypatch.setattr(export_jobs, "export_table", broken)
    with mock.patch.object(export_jobs, "_queue"):
        job = export_job_create(
            user=ministry(), view="regions", format="csv", query="", language="en"
        )
    with pytest.raises(RuntimeError):
        export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and job.error == "RuntimeError"
    assert job.finished_at is not None and job.percent == 100
    assert list(Path(export_jobs.export_root()).iterdir()) == []


def test_a_job_delivered_twice_is_built_once(stand_in: dict[str, Any]) -> None:
    with mock.patch.object(export_jobs, "_queue"):
        job = export_job_create(
            user=ministry(), view="regions", format="csv", query="", language="en"
        )
    assert export_job_run(job_id=job.pk) == ExportJob.Status.DONE
    assert export_job_run(job_id=job.pk) == ExportJob.Status.DONE
    assert len(stand_in["calls"]) == 1
    assert len(list(Path(export_jobs.export_root()).iterdir())) == 1

    # A job another worker is building (its heartbeat is fresh) is left to it.
    with mock.patch.object(export_jobs, "_queue"):
        running = export_job_create(
            user=ministry(), view="regions", format="csv", query="", language="en"
        )
    ExportJob.objects.filter(pk=running.pk).update(
        status=ExportJob.Status.RUNNING, heartbeat_at=timezone.now()
    )
    assert export_job_run(job_id=running.pk) == ExportJob.Status.RUNNING
    assert len(stand_in["calls"]) == 1


# --- nothing lost: the sweep --------------------------------------------------------------------


def test_a_job_asked_for_while_the_broker_is_down_is_built_by_the_sweep(
    client: Client, stand_in: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    user = coordinator()
    client.force_login(user)
    down = OperationalError("Error 111 connecting to redis:6379. Connection refused.")
    with (
        mock.patch.object(build_export, "apply_async", side_effect=down),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("reports:export"), {"view": "people", "format": "xlsx"})
    assert response.status_code == 302  # the request still succeeds
    job = ExportJob.objects.get(user=user)
    assert job.status == ExportJob.Status.QUEUED

    # Within the grace minute the sweep leaves it; after it, the sweep queues it again.
    with django_capture_on_commit_callbacks(execute=True):
        assert export_jobs_sweep().requeued == []
    with django_capture_on_commit_callbacks(execute=True):
        swept = export_jobs_sweep(now=timezone.now() + timedelta(minutes=2))
    assert swept.requeued == [job.pk]
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert xlsx_cells(xlsx_sheet(job_file(job))[0])["A3"][1] == "Synthetic person 000000"


def test_a_job_whose_worker_died_is_queued_again_and_built(
    stand_in: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with mock.patch.object(export_jobs, "_queue"):
        dead = export_job_create(
            user=ministry(), view="regions", format="csv", query="", language="en"
        )
        alive = export_job_create(
            user=ministry(), view="courses", format="csv", query="", language="en"
        )
    now = timezone.now()
    ExportJob.objects.filter(pk=dead.pk).update(
        status=ExportJob.Status.RUNNING, heartbeat_at=now - timedelta(minutes=10), done=500
    )
    ExportJob.objects.filter(pk=alive.pk).update(
        status=ExportJob.Status.RUNNING, heartbeat_at=now - timedelta(seconds=30)
    )
    queued: list[int] = []
    with mock.patch.object(export_jobs, "_queue", side_effect=queued.append):
        swept = export_jobs_sweep(now=now)
    assert swept.requeued == queued == [dead.pk]
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert (dead.status, dead.done) == (ExportJob.Status.QUEUED, 0)
    assert alive.status == ExportJob.Status.RUNNING

    with django_capture_on_commit_callbacks(execute=True):
        build_export.delay(dead.pk)
    dead.refresh_from_db()
    assert dead.status == ExportJob.Status.DONE and dead.done == 25
    assert [call["view"] for call in stand_in["calls"]] == ["regions"]


def test_old_exports_are_deleted_with_their_files(
    settings: Any, stand_in: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    settings.REPORTS_EXPORT_DAYS = 3
    user = ministry()
    with django_capture_on_commit_callbacks(execute=True):
        old = export_job_create(user=user, view="regions", format="csv", query="", language="en")
        recent = export_job_create(
            user=user, view="regions", format="xlsx", query="", language="en"
        )
    old_file, recent_file = job_file(old), job_file(recent)
    now = timezone.now()
    ExportJob.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=3, hours=1))
    ExportJob.objects.filter(pk=recent.pk).update(created_at=now - timedelta(days=2, hours=23))

    assert export_jobs_sweep(now=now).deleted == 1

    assert not ExportJob.objects.filter(pk=old.pk).exists() and not old_file.exists()
    assert ExportJob.objects.filter(pk=recent.pk).exists() and recent_file.exists()


def test_files_no_export_refers_to_are_tidied_away(
    stand_in: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_create(
            user=ministry(), view="regions", format="csv", query="", language="en"
        )
    kept = job_file(job)
    root = export_jobs.export_root()
    orphan = root / "999-deadbeef.csv.part"
    orphan.write_text("half a file")
    young = root / "998-cafe.csv.part"
    young.write_text("being written")
    later = timezone.now() + export_jobs.ORPHAN_AGE + timedelta(minutes=1)
    os.utime(young, (later.timestamp(), later.timestamp()))

    assert export_files_tidy(now=later) == 1
    assert kept.exists() and young.exists() and not orphan.exists()


# --- the summary PDF, and the real tables -------------------------------------------------------


def people_in(region: str, count: int) -> None:
    """``count`` synthetic practitioners of ``region`` in the summary table."""
    for _ in range(count):
        PersonFact.objects.create(
            user=practitioner(), region=region, specialty="psychologist", enrolled=True
        )


def test_the_summary_pdf_is_one_page_in_the_readers_language(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    people_in("KZ-75", 6)
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_create(
            user=ministry(), view="regions", format="pdf", query="", language="ru"
        )
    path = job_file(job)
    assert path.read_bytes().startswith(b"%PDF")
    info = dict(line.split(":", 1) for line in poppler("pdfinfo", str(path)).decode().splitlines())
    assert info["Pages"].strip() == "1"
    text = pdf_text(path)
    # Regions by their Russian names, dates with Russian month names.
    assert region_name("KZ-75", "ru") in text
    assert region_name("KZ-75", "en") not in text
    with translation.override("ru"):
        assert date_format(timezone.localdate(), "DATE_FORMAT") in text
    assert any(month in text for month in ("января", "февраля", "марта", "апреля", "мая", "июня",
                                           "июля", "августа", "сентября", "октября", "ноября",
                                           "декабря"))  # fmt: skip


def test_a_csv_of_the_real_regions_table(django_capture_on_commit_callbacks: Any) -> None:
    people_in("KZ-75", 6)
    people_in("KZ-79", 7)
    people_in("KZ-11", 2)  # outside the coordinator's regions
    user = coordinator(region="KZ-75")
    CoordinatorRegion.objects.create(user=user, region="KZ-79")
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_create(user=user, view="regions", format="csv", query="", language="en")
    rows = list(csv.reader(io.StringIO(job_file(job).read_text(encoding="utf-8-sig"))))
    header, body = rows[1], rows[2:]
    assert header[:3] == ["Region", "Practitioners", "Practitioners (%)"]
    by_region = {row[0]: row for row in body}
    # Only the coordinator's regions.
    assert set(by_region) == {region_name("KZ-75"), region_name("KZ-79"), "Total"}
    assert by_region[region_name("KZ-75")][1] == "6"
    assert by_region[region_name("KZ-79")][1] == "7"
    assert by_region["Total"][1] == "13"
    job.refresh_from_db()
    assert job.done == job.total == 3


def test_the_dashboard_shows_the_panel_with_the_readers_exports(
    client: Client, stand_in: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    user = coordinator()
    other = coordinator()
    with django_capture_on_commit_callbacks(execute=True):
        done = export_job_create(user=user, view="regions", format="csv", query="", language="en")
    with mock.patch.object(export_jobs, "_queue"):
        waiting = export_job_create(
            user=user, view="people", format="xlsx", query="", language="en"
        )
        theirs = export_job_create(
            user=other, view="regions", format="csv", query="", language="en"
        )
    client.force_login(user)
    html = client.get(reverse("reports:dashboard")).content.decode()

    assert f'action="{reverse("reports:export")}"' in html
    assert 'value="pdf"' in html and 'value="xlsx"' in html
    assert reverse("reports:export_download", args=[done.pk]) in html
    assert f'data-export-status-url="{reverse("reports:export_status", args=[waiting.pk])}"' in html
    assert reverse("reports:export_status", args=[theirs.pk]) not in html
    assert "<progress" in html and "export-panel__refresh" in html
    assert "js/report_exports.js" in html
    assert "<script>" not in html  # no inline script (CSP)


def test_a_page_of_names_offers_its_own_list(client: Client) -> None:
    client.force_login(coordinator())
    html = client.get(reverse("reports:overdue")).content.decode()
    assert '<input type="hidden" name="view" value="overdue">' in html
    assert 'value="pdf"' not in html


def test_the_job_started_at_is_a_datetime() -> None:
    """A sanity check of the model the services rely on: the claim sets started_at."""
    with mock.patch.object(export_jobs, "_queue"):
        job = export_job_create(
            user=ministry(), view="regions", format="csv", query="", language="xx"
        )
    assert job.language == "en"  # an unknown language falls back to the site's
    assert export_jobs._claim(job.pk) is not None
    job.refresh_from_db()
    assert isinstance(job.started_at, datetime) and job.status == ExportJob.Status.RUNNING
    assert export_jobs._claim(job.pk) is None


def test_beat_runs_the_sweep_often_and_the_tidy_daily(settings: Any) -> None:
    from curriculum.celery import app

    schedule = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    sweep, tidy = schedule["reports.export_jobs_sweep"], schedule["reports.delete_old_exports"]
    assert sweep["schedule"] == 120.0 and sweep["options"]["expires"] == 120
    assert tidy["options"]["expires"] > 0
    for name in ("reports.build_export", "reports.export_jobs_sweep", "reports.delete_old_exports"):
        assert name in app.tasks
