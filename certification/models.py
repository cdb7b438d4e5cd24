"""Certification tracks and the certificates issued on them.

A track names the courses a practitioner must complete (some only for certain specialties), how
long a certificate is valid and when renewal opens. A certificate is issued once per learner,
track and cycle (``sequence``: 1 for the first, n + 1 for the renewal of certificate n), which a
unique constraint enforces, so a task that runs twice or two completions at once issue one.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from core.api import Specialty


class RenewalRule(models.TextChoices):
    REFRESHER = "refresher", _("Complete a refresher course")
    REPASS = "repass", _("Pass the final assessments again")


#: The track's texts that have translations, and their longest length (as the fields).
TRANSLATED_FIELDS: dict[str, int] = {"name": 255, "description": 2000, "issuing_body": 255}


class CertificationTrack(ClusterableModel):
    """A named certification, e.g. "Psychosocial support for returnee families".

    ``name``, ``description`` and ``issuing_body`` are the source text (English);
    ``translations`` holds them in other languages, ``{"ru": {"name": ..., ...}, "kk": {...}}``,
    any of them missing. ``text_in`` (and ``localized_name`` and the like, in the active
    language) read a field in a language, falling back to the source text.
    """

    name = models.CharField(_("name"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    issuing_body = models.CharField(_("issuing body"), max_length=255, default="Zhusan Academy")
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    renewal_window_days = models.PositiveSmallIntegerField(
        _("renewal opens (days before expiry)"),
        default=90,
        validators=[MaxValueValidator(365)],
    )
    renewal_rule = models.CharField(
        _("to renew"), max_length=10, choices=RenewalRule.choices, default=RenewalRule.REPASS
    )
    refresher_course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("refresher course"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    active = models.BooleanField(_("issuing certificates"), default=True)
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        help_text=_(
            'The name, description and issuing body in other languages: {"ru": {"name": "…"}}.'
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("certification track")

    def __str__(self) -> str:
        return self.name

    def text_in(self, field: str, language: str | None = None) -> str:
        """``field`` (``name``, ``description`` or ``issuing_body``) in ``language`` (the active
        one by default), or the source text when it has no translation in that language."""
        from django.utils.translation import get_language

        if field not in TRANSLATED_FIELDS:
            raise ValueError(f"{field!r} has no translations")
        code = (language or get_language() or "").split("-")[0]
        texts = (self.translations or {}).get(code)
        text = texts.get(field) if isinstance(texts, dict) else None
        return text if isinstance(text, str) and text.strip() else str(getattr(self, field))

    @property
    def localized_name(self) -> str:
        return self.text_in("name")

    @property
    def localized_description(self) -> str:
        return self.text_in("description")

    @property
    def localized_issuing_body(self) -> str:
        return self.text_in("issuing_body")

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        if self.renewal_rule == RenewalRule.REFRESHER and not self.refresher_course_id:
            raise ValidationError(
                {"refresher_course": _("Choose the refresher course holders take to renew.")}
            )


class TrackRequirement(Orderable):
    """A course the track requires: of everyone, or only of one specialty."""

    track = ParentalKey(CertificationTrack, on_delete=models.CASCADE, related_name="requirements")
    course = models.ForeignKey(
        "courses.CoursePage", verbose_name=_("course"), on_delete=models.PROTECT, related_name="+"
    )
    specialty = models.CharField(
        _("only for"),
        max_length=30,
        choices=Specialty.choices,
        blank=True,
        help_text=_("Leave empty when every specialty needs this course."),
    )

    class Meta(Orderable.Meta):
        verbose_name = _("required course")


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class Certificate(models.Model):
    """One certificate. The verification code is random and unguessable (see ``services``)."""

    track = models.ForeignKey(
        CertificationTrack, on_delete=models.PROTECT, related_name="certificates"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates"
    )
    sequence = models.PositiveSmallIntegerField(default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewal"
    )
    code = models.CharField(max_length=32, unique=True)
    holder_name = models.CharField(max_length=255)
    issued_on = models.DateField()
    expires_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    #: ``{course id: {"title": ..., "version": "2.1"}}`` at the time of issue.
    course_versions = models.JSONField(default=dict)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on"]
        permissions = [("revoke_certificate", "Can revoke a certificate")]
        constraints = [
            models.UniqueConstraint(
                fields=["track", "user", "sequence"], name="certification_one_per_cycle"
            )
        ]

    def __str__(self) -> str:
        return f"{self.track} — {self.holder_name} ({self.issued_on})"

    @property
    def status_today(self) -> str:
        """The status as of today: a valid certificate past its expiry date is expired even
        before the nightly task has marked it."""
        from django.utils import timezone

        if self.status == CertificateStatus.VALID and self.expires_on < timezone.localdate():
            return CertificateStatus.EXPIRED
        return self.status

    @property
    def status_today_label(self) -> str:
        return str(CertificateStatus(self.status_today).label)


class ReminderKind(models.TextChoices):
    DAYS_60 = "60", _("60 days before expiry")
    DAYS_30 = "30", _("30 days before expiry")
    DAYS_7 = "7", _("7 days before expiry")
    EXPIRED = "0", _("On expiry")


class CertificateReminder(models.Model):
    """A reminder email sent for a certificate: one row per certificate and kind, claimed before
    sending, so each reminder goes out once however often the task runs."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=2, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["certificate_id", "kind"]
        verbose_name = _("certificate reminder")
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "kind"], name="certification_one_reminder_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.get_kind_display()}"


class RefresherRequestStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("In progress")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RefresherRequest(models.Model):
    """A request to assign a refresher course to holders, done by a task (``tasks``).

    The row is the durable record of the work (docs/decisions/0007-durable-tasks.md): written in
    the request that asks for it, claimed by the task, and found again by the sweep if the task is
    lost. ``user_ids`` are the holders chosen when it was asked; the outcome (the cohort, how many
    were new to it) is recorded when it is done, for the report to show."""

    track = models.ForeignKey(CertificationTrack, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey("courses.CoursePage", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    user_ids = models.JSONField(default=list)
    status = models.CharField(
        max_length=10,
        choices=RefresherRequestStatus.choices,
        default=RefresherRequestStatus.QUEUED,
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    cohort = models.ForeignKey(
        "learners.Cohort", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("refresher assignment")
        indexes = [
            models.Index(fields=["status", "created_at"], name="certification_refresher_due"),
        ]

    def __str__(self) -> str:
        return f"{self.course_id} to {len(self.user_ids)} ({self.status})"

    @property
    def holders(self) -> int:
        return len(self.user_ids)
