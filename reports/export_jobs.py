"""Dashboard exports as jobs: asked for on the page, built by a Celery task, downloaded by the
person who asked, deleted ``REPORTS_EXPORT_DAYS`` later.

- :func:`export_job_create` checks the request (a known view and format, a reader with a
  dashboard scope, names only for a scope that may see them), records the job and an ``EXPORT``
  audit event, and queues the task once that commits.
- :func:`export_job_run` (the task) builds the file. The scope is worked out again **when the job
  runs**, from the requester as they are then, so rights taken away in between apply; the
  filters are read from the job's query within that scope. The file is written under a temporary
  name in ``REPORTS_EXPORT_ROOT`` (never under MEDIA_ROOT: no URL reaches it) and renamed when
  complete, so a half-written file is never offered.
- :func:`export_job_for_download` gives the job's file to its requester only, and only while
  they still may read that view; the view writes a ``DOWNLOAD`` audit event
  (:func:`export_download_record`).

Nothing is lost if a worker or Redis dies (docs/decisions/0007-durable-tasks.md), as with the
specialists import (``learners/import_jobs.py``): a worker *claims* a job (Queued → Running in one
``UPDATE``), so a task delivered twice builds it once, and writes a heartbeat while it runs.
:func:`export_jobs_sweep` (beat, every two minutes) queues again a job "Queued" for over a minute
(its task was never queued or was lost) and one "Running" whose heartbeat stopped (its worker
died): unlike an import, an export has no side effects, so it is simply built again. The sweep
also deletes the jobs older than ``REPORTS_EXPORT_DAYS`` with their files;
:func:`export_files_tidy` (daily) removes files no job refers to (a worker killed mid-write, a
requester's account deleted).
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Sequence
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.api import Specialty, enqueue_on_commit, heartbeat
from learners.api import region_name

from .exports import Summary, SummaryTable, write_csv, write_summary_pdf, write_xlsx
from .filters import FilterForm, Filters, Scope, scope_for
from .models import AuditEvent, ExportJob
from .selectors import EXPORT_VIEWS, MEASURES, dashboard, export_table
from .suppression import Cell, display

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

__all__ = [
    "BUILD_TASK",
    "MAX_PENDING",
    "ExportSweepResult",
    "TooManyExports",
    "export_download_record",
    "export_file_path",
    "export_filename",
    "export_files_tidy",
    "export_job_create",
    "export_job_for_download",
    "export_job_run",
    "export_jobs_delete_old",
    "export_jobs_recent",
    "export_jobs_sweep",
]

logger = logging.getLogger(__name__)

#: The Celery task that builds a job (``export_tasks.build_export``). Named, not imported: the
#: task module imports this one.
BUILD_TASK = "reports.build_export"
#: A running job writes a heartbeat this often (seconds), besides each progress update.
HEARTBEAT_SECONDS = 20.0
#: A job "Running" with no heartbeat for this long has lost its worker.
STALE_AFTER = timedelta(minutes=2)
#: A job still "Queued" this long after it was asked for lost its task (or it was never queued).
QUEUED_GRACE = timedelta(minutes=1)
#: A file no job refers to is removed once it is this old (a younger one may be being written).
ORPHAN_AGE = timedelta(hours=6)
#: Exports one person may have waiting or being built at once.
MAX_PENDING = 3
#: The error stored on a job refused when it ran (the requester's rights changed).
ERROR_REFUSED = "PermissionDenied"
#: The most rows of regions or tracks the one-page summary shows.
SUMMARY_MAX_REGIONS = 20
SUMMARY_MAX_TRACKS = 5

_WRITERS = {ExportJob.Format.CSV: write_csv, ExportJob.Format.XLSX: write_xlsx}
_CONTENT_TYPES = {
    ExportJob.Format.CSV: "text/csv; charset=utf-8",
    ExportJob.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportJob.Format.PDF: "application/pdf",
}


class TooManyExports(ValidationError):
    """The requester already has :data:`MAX_PENDING` exports waiting or being built."""


# --- asking -----------------------------------------------------------------------------------


def _may_export(scope: Scope | None, view: str) -> bool:
    return scope is not None and (not EXPORT_VIEWS.get(view, False) or scope.names)


def _audit(*, user: User, action: str, view: str, query: str, detail: dict[str, Any]) -> None:
    AuditEvent.objects.create(
        user_id=user.pk,
        username=user.get_username(),
        action=action,
        view=view,
        query=query[:1000],
        detail=detail,
    )


def _queue(job_id: int) -> None:
    enqueue_on_commit(current_app.signature(BUILD_TASK), job_id)


def export_job_create(
    *, user: User, view: str, format: str, query: str, language: str
) -> ExportJob:
    """Record an export of ``view`` (``selectors.EXPORT_VIEWS``) as ``format`` (csv, xlsx or
    pdf) with the filters ``query``, write an ``EXPORT`` audit event, and queue its task once
    the caller's transaction commits.

    Raises ``PermissionDenied`` for a reader without a dashboard scope, or a list of names for a
    scope that may not see them; ``ValidationError`` naming the field for an unknown view or
    format, and ``TooManyExports`` when :data:`MAX_PENDING` are already on their way.
    """
    scope = scope_for(user)
    if scope is None:
        raise PermissionDenied
    errors: dict[str, str] = {}
    if view not in EXPORT_VIEWS:
        errors["view"] = _("There is no view “%(view)s” to export.") % {"view": view[:32]}
    if format not in ExportJob.Format.values:
        errors["format"] = _("Exports are made as CSV, XLSX or PDF, not “%(format)s”.") % {
            "format": format[:8]
        }
    if errors:
        raise ValidationError(errors)
    if not _may_export(scope, view):
        raise PermissionDenied
    pending = ExportJob.objects.filter(
        user=user, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]
    ).count()
    if pending >= MAX_PENDING:
        raise TooManyExports(
            ngettext(
                "You have %(count)d export being prepared: wait until it is ready.",
                "You have %(count)d exports being prepared: wait until one is ready.",
                pending,
            )
            % {"count": pending}
        )
    # What is stored is what will be applied: the filters as valid within this scope.
    normalised = Filters.from_query(query, scope=scope).as_query()[:1000]
    languages = {code for code, _name in settings.LANGUAGES}
    with transaction.atomic():
        job = ExportJob.objects.create(
            user=user,
            view=view,
            format=format,
            query=normalised,
            language=language if language in languages else settings.LANGUAGE_CODE,
        )
        _audit(
            user=user,
            action=AuditEvent.Action.EXPORT,
            view=view,
            query=normalised,
            detail={"format": format, "job": job.pk},
        )
        _queue(job.pk)
    return job


# --- building ---------------------------------------------------------------------------------


def _job_update(job_id: int, **fields: object) -> int:
    return ExportJob.objects.filter(pk=job_id).update(**fields)


def _stale(now: datetime) -> Q:
    return Q(heartbeat_at__lt=now - STALE_AFTER) | Q(heartbeat_at__isnull=True)


def _claim(job_id: int) -> datetime | None:
    """Take the job for this worker (queued, or running with a stopped heartbeat) in one update,
    so of two workers given it only one builds it; returns the claim's time, which the finishing
    update checks (a worker that was given up for dead does not overwrite the new one's work)."""
    now = timezone.now()
    Status = ExportJob.Status
    claimed = (
        ExportJob.objects.filter(pk=job_id)
        .filter(Q(status=Status.QUEUED) | (Q(status=Status.RUNNING) & _stale(now)))
        .update(status=Status.RUNNING, started_at=now, heartbeat_at=now, done=0, error="")
    )
    return now if claimed else None


def _heartbeat(job_id: int) -> AbstractContextManager[None]:
    """Write the job's heartbeat every :data:`HEARTBEAT_SECONDS` while the block runs."""
    return heartbeat(
        lambda: _job_update(job_id, heartbeat_at=timezone.now()),
        every=HEARTBEAT_SECONDS,
        name=f"export-job-{job_id}-heartbeat",
    )


def export_root() -> Path:
    """Where export files are kept (``REPORTS_EXPORT_ROOT``), created when missing."""
    root = Path(settings.REPORTS_EXPORT_ROOT)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return root


def export_job_run(*, job_id: int) -> str:
    """Build the job's file and record it; returns the job's status. A job that is finished, or
    that another live worker is building, is left alone (a task delivered twice).

    Progress (``done`` of ``total`` rows) and the heartbeat are written every
    ``exports.PROGRESS_ROWS`` rows. A requester who may no longer export the view gets a failed
    job (``ERROR_REFUSED``); any other error fails the job with its class name and is raised."""
    claimed_at = _claim(job_id)
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    if claimed_at is None:
        return str(job.status)
    root = export_root()
    name = f"{job.pk}-{secrets.token_hex(8)}.{job.format}"
    partial = root / f"{name}.part"
    mine = ExportJob.objects.filter(
        pk=job_id, status=ExportJob.Status.RUNNING, started_at=claimed_at
    )
    try:
        with _heartbeat(job_id), translation.override(job.language):
            scope = scope_for(job.user)
            if scope is None or not _may_export(scope, job.view):
                raise PermissionDenied
            filters = Filters.from_query(job.query, scope=scope)
            if job.format == ExportJob.Format.PDF:
                rows = write_summary_pdf(partial, export_summary(scope=scope, filters=filters))
                total = rows
            else:
                table = export_table(view=job.view, scope=scope, filters=filters)
                total = table.total
                mine.update(total=total, heartbeat_at=timezone.now())

                def progress(done: int) -> None:
                    mine.update(done=done, total=max(total, done), heartbeat_at=timezone.now())

                rows = _WRITERS[ExportJob.Format(job.format)](partial, table, progress=progress)
        target = root / name
        os.replace(partial, target)
    except Exception as exc:
        partial.unlink(missing_ok=True)
        refused = isinstance(exc, PermissionDenied)
        mine.update(
            status=ExportJob.Status.FAILED,
            error=ERROR_REFUSED if refused else exc.__class__.__name__[:500],
            finished_at=timezone.now(),
        )
        if refused:
            return str(ExportJob.Status.FAILED)
        raise
    finished = mine.update(
        status=ExportJob.Status.DONE,
        file_path=name,
        file_size=target.stat().st_size,
        done=rows,
        total=max(rows, total),
        finished_at=timezone.now(),
    )
    if not finished:  # given up for dead meanwhile, and taken by another worker
        target.unlink(missing_ok=True)
    return str(ExportJob.objects.values_list("status", flat=True).get(pk=job_id))


# --- the summary (PDF) --------------------------------------------------------------------------


def _count(cell: Cell) -> str:
    return display(cell)


def _rate(cell: Cell) -> str:
    if cell.hidden or cell.value is None:
        return display(cell)
    return f"{formats.number_format(100 * float(cell.value), 0)} %"


def _day(value: Any) -> str:
    return str(formats.date_format(value, "DATE_FORMAT"))


def scope_label(scope: Scope) -> str:
    """Whose figures: the whole country, or the scope's regions by name."""
    if scope.national:
        return _("Kazakhstan, all regions")
    return ", ".join(region_name(code) for code in scope.region_codes) or _("No region")


def filters_described(*, filters: Filters, scope: Scope) -> list[tuple[str, str]]:
    """The filters in force as (label, value) pairs in the active language, the period first."""
    described = [(_("Period"), f"{_day(filters.date_from)} \N{EN DASH} {_day(filters.date_to)}")]
    form = FilterForm(scope=scope)
    for name in ("region", "specialty", "course", "track"):
        value = getattr(filters, name)
        if value in ("", None):
            continue
        field = form.fields[name]
        labels = {str(key): str(label) for key, label in getattr(field, "choices", [])}
        described.append((str(field.label), labels.get(str(value), str(value))))
    if filters.organisation:
        described.append((str(form.fields["organisation"].label), filters.organisation))
    return described


def export_summary(*, scope: Scope, filters: Filters) -> Summary:
    """The one-page summary of the dashboard for ``scope`` and ``filters``: the headline figures,
    the regions and the certifications in the period, suppressed as the page shows them."""
    board = dashboard(scope=scope, filters=filters)
    labels = dict(MEASURES)
    columns = ["practitioners", "enrolled", "completed", "certified", "expiring", "overdue"]
    figures: list[tuple[str, object]] = []
    for key, label in MEASURES:
        figure = board.totals[key]
        value = _count(figure.count)
        if key != "practitioners" and figure.count.shown and figure.rate.shown:
            value = f"{value} ({_rate(figure.rate)})"
        figures.append((str(label), value))
    region_rows: list[Sequence[object]] = [
        [
            line.label,
            *(_count(line.figures[key].count) for key in columns),
            _rate(line.figures["certified"].rate),
        ]
        for line in board.regions[:SUMMARY_MAX_REGIONS]
    ]
    regions = SummaryTable(
        title=_("By region"),
        header=[_("Region"), *(str(labels[key]) for key in columns), _("Certified (%)")],
        rows=region_rows,
        omitted=max(0, len(board.regions) - SUMMARY_MAX_REGIONS),
    )
    tracks = SummaryTable(
        title=_("Certificates in the period"),
        header=[_("Certification"), _("Issued"), _("Renewals"), _("Lapsed")],
        rows=[
            [t.name, _count(t.issued), _count(t.renewals), _count(t.lapsed)]
            for t in board.tracks[:SUMMARY_MAX_TRACKS]
        ],
        omitted=max(0, len(board.tracks) - SUMMARY_MAX_TRACKS),
    )
    specialty = (
        str(Specialty(filters.specialty).label) if filters.specialty in Specialty.values else ""
    )
    title = _("Training and certification: summary")
    if specialty:
        title = f"{title} · {specialty}"
    return Summary(
        title=title,
        scope=scope_label(scope),
        generated_at=timezone.localtime(),
        filters=filters_described(filters=filters, scope=scope),
        figures=figures,
        tables=[regions, tracks] if tracks.rows else [regions],
    )


# --- reading and downloading --------------------------------------------------------------------


def export_jobs_recent(*, user: User, limit: int = 5) -> list[ExportJob]:
    """The requester's latest exports, newest first (the page's list)."""
    return list(ExportJob.objects.filter(user_id=user.pk).order_by("-created_at", "-pk")[:limit])


def export_file_path(job: ExportJob) -> Path | None:
    """The job's file, if it has one that exists inside ``REPORTS_EXPORT_ROOT``."""
    if not job.file_path:
        return None
    root = Path(settings.REPORTS_EXPORT_ROOT).resolve()
    path = (root / job.file_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def export_job_for_download(*, user: User | AnonymousUser, job_id: int) -> ExportJob | None:
    """The job ``job_id`` if ``user`` asked for it, it is ready, its file exists, and they may
    still export its view; otherwise None (the view answers 404 whatever the reason)."""
    if not user.is_authenticated:
        return None
    job = ExportJob.objects.filter(pk=job_id, user_id=user.pk, status=ExportJob.Status.DONE).first()
    if job is None or export_file_path(job) is None:
        return None
    if not _may_export(scope_for(user), job.view):
        return None
    return job


def export_filename(job: ExportJob) -> str:
    """The name a download is saved under: ``zhusan-regions-2026-12-03.xlsx``."""
    made = timezone.localdate(job.created_at)
    return f"zhusan-{job.view}-{made.isoformat()}.{job.format}"


def export_content_type(job: ExportJob) -> str:
    return _CONTENT_TYPES[ExportJob.Format(job.format)]


def export_download_record(*, user: User, job: ExportJob) -> None:
    """Write the ``DOWNLOAD`` audit event of ``user`` downloading ``job``'s file."""
    _audit(
        user=user,
        action=AuditEvent.Action.DOWNLOAD,
        view=job.view,
        query=job.query,
        detail={"format": job.format, "rows": job.done, "job": job.pk},
    )


# --- the sweeps ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportSweepResult:
    """What one sweep did: the jobs queued again, and how many old jobs it deleted."""

    requeued: list[int]
    deleted: int


def export_jobs_sweep(*, now: datetime | None = None) -> ExportSweepResult:
    """Queue again every job whose task was lost: "Queued" for over :data:`QUEUED_GRACE`, or
    "Running" with no heartbeat for :data:`STALE_AFTER` (put back to "Queued"); and delete the
    jobs older than ``REPORTS_EXPORT_DAYS`` with their files (:func:`export_jobs_delete_old`)."""
    now_at = now or timezone.now()
    Status = ExportJob.Status
    stale = ExportJob.objects.filter(Q(status=Status.RUNNING) & _stale(now_at))
    revived = list(stale.values_list("pk", flat=True))
    if revived:
        # The same conditions again: a job that beat in between is left to its worker.
        ExportJob.objects.filter(pk__in=revived).filter(
            Q(status=Status.RUNNING) & _stale(now_at)
        ).update(status=Status.QUEUED, done=0, heartbeat_at=None, started_at=None)
        logger.warning("Export jobs %s lost their worker and are queued again", revived)
    waiting = list(
        ExportJob.objects.filter(status=Status.QUEUED)
        .filter(Q(created_at__lt=now_at - QUEUED_GRACE) | Q(pk__in=revived))
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    for job_id in waiting:
        _queue(job_id)
    return ExportSweepResult(requeued=waiting, deleted=export_jobs_delete_old(now=now_at))


def _remove(path: Path | None) -> None:
    if path is not None:
        with suppress(FileNotFoundError):
            path.unlink()


def export_jobs_delete_old(*, now: datetime | None = None) -> int:
    """Delete the jobs made more than ``REPORTS_EXPORT_DAYS`` ago, finished or not, and their
    files; returns how many. A job still running then is left to finish (and goes next time)."""
    now_at = now or timezone.now()
    cutoff = now_at - timedelta(days=settings.REPORTS_EXPORT_DAYS)
    old = ExportJob.objects.filter(created_at__lt=cutoff).exclude(
        Q(status=ExportJob.Status.RUNNING) & ~_stale(now_at)
    )
    deleted = 0
    for job in old.only("pk", "file_path").iterator():
        _remove(export_file_path(job))
        deleted += ExportJob.objects.filter(pk=job.pk).delete()[0]
    return deleted


def export_files_tidy(*, now: datetime | None = None) -> int:
    """Remove the files in ``REPORTS_EXPORT_ROOT`` that no job refers to and that are older than
    :data:`ORPHAN_AGE` (left by a worker killed mid-write, or by a requester's account deleted
    with its jobs); returns how many."""
    root = Path(settings.REPORTS_EXPORT_ROOT)
    if not root.is_dir():
        return 0
    known = set(ExportJob.objects.exclude(file_path="").values_list("file_path", flat=True))
    limit = (now or timezone.now()).timestamp() - ORPHAN_AGE.total_seconds()
    removed = 0
    for path in root.iterdir():
        if path.is_file() and path.name not in known and path.stat().st_mtime < limit:
            _remove(path)
            removed += 1
    return removed
