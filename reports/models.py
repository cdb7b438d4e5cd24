"""Summary tables the dashboard reads, its export jobs and its audit log.

The three ``*Fact`` tables hold, per practitioner, what the dashboard counts: they are kept
current by the events that change them (``signals`` marks people stale, ``facts.facts_refresh``
recomputes them with the same completion rules as everywhere) and can be rebuilt from the
records at any time (``manage.py rebuild_report_facts``). Every figure on the dashboard is a
grouped SQL query over them, never a Python loop over learners (docs/decisions/0014).

Region, specialty and organisation are copied from the profile so a count needs no join.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from learners.api import region_name


class _InRegion(models.Model):
    """A fact about someone in a region (the name in the active language)."""

    class Meta:
        abstract = True

    @property
    def region_label(self) -> str:
        return region_name(getattr(self, "region", ""))


class PersonFact(_InRegion):
    """One practitioner across every course and certification: the unfiltered views read this."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    region = models.CharField(max_length=6)
    specialty = models.CharField(max_length=32)
    organisation = models.CharField(max_length=255, blank=True)
    #: Enrolled now in at least one course.
    enrolled = models.BooleanField(default=False)
    #: Enrolled now in a course they started and have not completed.
    in_progress = models.BooleanField(default=False)
    #: Completed at least one course.
    completed = models.BooleanField(default=False)
    #: The earliest cohort due date among the assigned courses they have not completed.
    due_on = models.DateField(null=True, blank=True)
    #: The latest expiry among their certificates that are not revoked (None: none such).
    valid_until = models.DateField(null=True, blank=True)
    #: The latest certificate of some track is revoked.
    revoked = models.BooleanField(default=False)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("practitioner summary")
        indexes = [models.Index(fields=["region", "specialty"], name="reports_person_region_spec")]

    def __str__(self) -> str:
        return f"Summary of {self.user_id}"


class CourseFact(_InRegion):
    """One practitioner's standing in one course (its source page, as progress is stored)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey("courses.CoursePage", on_delete=models.CASCADE, related_name="+")
    region = models.CharField(max_length=6)
    specialty = models.CharField(max_length=32)
    organisation = models.CharField(max_length=255, blank=True)
    #: Enrolled now (an enrolment they have not left).
    enrolled = models.BooleanField(default=False)
    #: When they enrolled (kept after leaving).
    enrolled_at = models.DateTimeField(null=True, blank=True)
    #: When they completed their first lesson.
    started_at = models.DateTimeField(null=True, blank=True)
    #: When the course became complete: their last lesson (``learners.api.course_finished_at``).
    completed_at = models.DateTimeField(null=True, blank=True)
    #: The earliest due date a cohort of theirs has for the course.
    due_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("course standing")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="reports_coursefact_unique")
        ]
        indexes = [
            models.Index(fields=["course", "region", "specialty"], name="reports_course_region"),
            models.Index(fields=["region", "specialty"], name="reports_course_region_spec"),
            models.Index(fields=["completed_at"], name="reports_course_completed"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.course_id}"


class CertificationFact(_InRegion):
    """One practitioner's standing on one certification track, from all their certificates."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    track = models.ForeignKey(
        "certification.CertificationTrack", on_delete=models.CASCADE, related_name="+"
    )
    region = models.CharField(max_length=6)
    specialty = models.CharField(max_length=32)
    organisation = models.CharField(max_length=255, blank=True)
    first_issued_on = models.DateField()
    latest_issued_on = models.DateField()
    #: The latest expiry among the track's certificates that are not revoked (None: none such).
    valid_until = models.DateField(null=True, blank=True)
    #: The latest certificate is revoked.
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("certification standing")
        constraints = [
            models.UniqueConstraint(fields=["user", "track"], name="reports_certfact_unique")
        ]
        indexes = [
            models.Index(fields=["track", "region", "specialty"], name="reports_cert_region"),
            models.Index(fields=["region", "specialty"], name="reports_cert_region_spec"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.track_id}"


class StalePerson(models.Model):
    """A practitioner whose facts an event changed and that are not recomputed yet (an outbox:
    the refresh task, or the sweep after a lost task, works through it)."""

    user_id = models.IntegerField(primary_key=True)
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("practitioner to refresh")

    def __str__(self) -> str:
        return f"Stale {self.user_id}"


class ExportJob(models.Model):
    """A dashboard export asked for by one person, built by a Celery task, downloadable only by
    them, and deleted ``REPORTS_EXPORT_DAYS`` after it was made."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        XLSX = "xlsx", _("Excel (XLSX)")
        PDF = "pdf", _("One-page summary (PDF)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_exports"
    )
    #: Which view: ``regions``, ``courses``, ``certifications``, ``practitioners``,
    #: ``expiring`` or ``overdue`` (``exports.VIEWS``).
    view = models.CharField(_("view"), max_length=32)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    #: The dashboard's filters as the URL had them (``filters.Filters.as_query``).
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    language = models.CharField(_("language"), max_length=8, default=settings.LANGUAGE_CODE)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    #: The file's path under ``REPORTS_EXPORT_ROOT`` (never under MEDIA_ROOT: no URL reaches it).
    file_path = models.CharField(max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report export")
        indexes = [models.Index(fields=["status", "created_at"], name="reports_export_status")]

    def __str__(self) -> str:
        return f"{self.view}.{self.format} for {self.user_id} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        return round(100 * self.done / self.total) if self.total else 0


class AuditEvent(models.Model):
    """Who looked at whose names, and who exported what: visible to administrators."""

    class Action(models.TextChoices):
        DRILL_DOWN = "drill_down", _("Viewed practitioners' names")
        EXPORT = "export", _("Asked for an export")
        DOWNLOAD = "download", _("Downloaded an export")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who"),
    )
    username = models.CharField(_("username"), max_length=150)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    view = models.CharField(_("view"), max_length=32)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    detail: models.JSONField[Any, Any] = models.JSONField(_("detail"), default=dict, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("report audit event")
        verbose_name_plural = _("report audit log")
        permissions = [("view_names", "Can see practitioners' names in the dashboard")]

    def __str__(self) -> str:
        return f"{self.username} {self.action} {self.view} at {self.at:%Y-%m-%d %H:%M}"
