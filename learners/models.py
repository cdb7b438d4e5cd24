"""Specialist profiles, enrolments and lesson progress.

Progress is one row per (learner, lesson), written idempotently (``services``), so double clicks,
retries and two tabs never make two rows or lose one. Module and course completion are never
stored: they are computed from these rows by ``learners.completion``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.api import Specialty

from .regions import region_name, validate_region


class Profile(models.Model):
    """What the platform knows of a practitioner beyond their account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    specialty = models.CharField(_("specialty"), max_length=32, choices=Specialty.choices)
    region = models.CharField(
        _("region"), max_length=6, validators=[validate_region], help_text=_("ISO 3166-2:KZ code")
    )
    organisation = models.CharField(_("organisation"), max_length=255, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="ru"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name", "user__username"]
        verbose_name = _("specialist profile")
        indexes = [
            models.Index(fields=["region", "specialty"], name="learners_profile_region_spec")
        ]

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.get_username()} ({self.region_name})"

    @property
    def region_name(self) -> str:
        return region_name(self.region)


class Enrollment(models.Model):
    """A learner's place in a course. Leaving sets ``left_at``; the row and the progress stay."""

    class Source(models.TextChoices):
        SELF = "self", _("Enrolled themselves")
        COHORT = "cohort", _("Assigned with a cohort")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="enrollments"
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.SELF)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_at"]
        verbose_name = _("enrolment")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"], name="learners_enrollment_unique_user_course"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.course_id}"

    @property
    def active(self) -> bool:
        return self.left_at is None


class LessonProgress(models.Model):
    """A lesson a learner completed, with the course version they completed it against."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.CASCADE, related_name="progress"
    )
    # The course, kept on the row so a course's progress is one indexed query.
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="lesson_progress"
    )
    course_version = models.CharField(max_length=20)
    completed_at = models.DateTimeField()

    class Meta:
        ordering = ["completed_at"]
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson"], name="learners_progress_unique_user_lesson"
            )
        ]
        indexes = [
            models.Index(fields=["course", "user"], name="learners_progress_course_user"),
            # The certificate sweep reads who completed something recently.
            models.Index(fields=["completed_at"], name="learners_progress_completed"),
        ]

    def __str__(self) -> str:
        return f"{self.user} completed {self.lesson_id}"


class Cohort(models.Model):
    """A trainer's group of practitioners, with courses assigned to it and due dates."""

    name = models.CharField(_("name"), max_length=200)
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="cohorts_run", verbose_name=_("trainers")
    )
    members: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CohortMembership",
        related_name="cohorts",
        verbose_name=_("members"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("cohort")
        # One name whatever its case: "Demo cohort" and "demo cohort" are the same cohort.
        constraints = [
            models.UniqueConstraint(Lower("name"), name="learners_cohort_unique_name_ci")
        ]

    def __str__(self) -> str:
        return self.name


class CohortMembership(models.Model):
    """A practitioner's place in a cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cohort", "user__last_name", "user__username"]
        verbose_name = _("cohort membership")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "user"], name="learners_membership_unique_cohort_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.cohort}"


class CohortJoinInvitation(models.Model):
    """An email asking an existing practitioner to join a cohort, and what became of it.

    One row per cohort and person (``learners_joininvitation_unique_cohort_user``): the trainer's
    request records it (``services.cohort_join_invitations_record``) and a Celery task sends it
    (``tasks.send_cohort_join_invitations``); the sweep (``learners.cohort_join_invitations_sweep``)
    sends what a lost task or a failed send left waiting. ``asked_at`` is when the email was last
    asked for: adding the address again within ``cohort_joining.RESEND_AFTER`` sends nothing
    more. ``claimed_at`` marks a send in progress, so two workers never send it twice. The link
    in the email is signed, not stored (``cohort_joining.join_token``).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Not needed")  # joined meanwhile, or no longer a practitioner
        FAILED = "failed", _("Could not be sent")  # gave up after ``MAX_ATTEMPTS``

    cohort = models.ForeignKey(
        Cohort,
        on_delete=models.CASCADE,
        related_name="join_invitations",
        verbose_name=_("cohort"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="cohort_join_invitations",
        verbose_name=_("person"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )
    #: The language the trainer worked in: the email's, unless the person's profile names one.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    asked_at = models.DateTimeField(_("last asked for at"))
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts to send"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    joined_at = models.DateTimeField(_("joined at"), null=True, blank=True)

    class Meta:
        ordering = ["-asked_at"]
        verbose_name = _("cohort join invitation")
        verbose_name_plural = _("cohort join invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "user"], name="learners_joininvitation_unique_cohort_user"
            )
        ]
        indexes = [models.Index(fields=["status", "asked_at"], name="learners_joininvitation_due")]

    def __str__(self) -> str:
        return f"Join invitation for {self.user_id} to {self.cohort_id} ({self.status})"


class CohortCourse(models.Model):
    """A course assigned to a cohort, with an optional due date."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="assignments")
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="cohort_assignments"
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)

    class Meta:
        ordering = ["cohort", "due_date"]
        verbose_name = _("assigned course")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "course"], name="learners_cohortcourse_unique_cohort_course"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course_id} for {self.cohort}"


class CoordinatorRegion(models.Model):
    """A region a regional coordinator may see (a coordinator may cover several)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coordinated_regions"
    )
    region = models.CharField(_("region"), max_length=6, validators=[validate_region])

    class Meta:
        ordering = ["user", "region"]
        verbose_name = _("coordinated region")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "region"], name="learners_coordinator_unique_user_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} coordinates {self.region_label}"

    @property
    def region_label(self) -> str:
        return region_name(self.region)


class SpecialistImportJob(models.Model):
    """An uploaded specialists file and the state of its import (run by a Celery task).

    The file is kept in the database, not in ``media/``: it holds personal data and must never be
    reachable by URL.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Rejected: nothing was imported")
        FAILED = "failed", _("Failed")

    filename = models.CharField(_("file name"), max_length=255)
    data = models.BinaryField(_("file contents"))
    partial = models.BooleanField(
        _("import the valid rows even if some are invalid"), default=False
    )
    #: The uploader's language: the import's errors, notes and summary are written in it.
    language = models.CharField(_("language"), max_length=16, default=settings.LANGUAGE_CODE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    result: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)
    #: When a worker took the job, and its last sign of life while running: a job "Running" with
    #: no sign of life for ``IMPORT_JOB_STALE_MINUTES`` lost its worker (``import_jobs``).
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("specialist import")
        indexes = [models.Index(fields=["status", "created_at"], name="learners_importjob_status")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.REJECTED, self.Status.FAILED}

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        return round(100 * self.done / self.total) if self.total else 0
