"""Interactive activities (H5P packages), their versions, the libraries they share, and what
learners did with them.

- :class:`H5PLibrary`: one row per installed library ``machineName major.minor``, with the patch
  version whose files are stored (``H5P_ROOT/libraries/<Name>-<major>.<minor>.<patch>/``). A library
  arrives inside the packages that use it and is stored once, whatever the number of activities.
- :class:`Activity`: what a trainer places in a lesson. Translatable like a quiz: the rows of one
  translation group share a ``slug`` and a ``translation_key``; the first row is the activity's
  identity, which completion is recorded against.
- :class:`ActivityVersion`: one uploaded package. Uploading a new package adds a version and
  makes it current; older versions stay stored for learners whose attempt started on them.
- :class:`ActivityAttempt`: which version a learner plays (kept until they complete it).
- :class:`ActivityCompletion`: a learner completed the activity (derived from xAPI statements,
  ``activities.completion``); one row per (learner, activity identity).
- :class:`ActivityPlacement`: where an activity is placed in published lessons (kept in step on
  publish), so completion can find a course's activities without opening lesson bodies.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.models import TranslatableMixin
from wagtail.search import index

__all__ = [
    "Activity",
    "ActivityAttempt",
    "ActivityCompletion",
    "ActivityPlacement",
    "ActivityVersion",
    "H5PLibrary",
]


class H5PLibrary(models.Model):
    """An installed H5P library (``machine_name`` ``major``.``minor``), stored once."""

    machine_name = models.CharField(max_length=127)
    major = models.PositiveSmallIntegerField()
    minor = models.PositiveSmallIntegerField()
    patch = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=255)
    license = models.CharField(max_length=64, blank=True)
    digest = models.CharField(max_length=64, help_text="sha256 over the library's files")
    library_json = models.JSONField(default=dict)
    installed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["machine_name", "major", "minor"]
        verbose_name = _("H5P library")
        verbose_name_plural = _("H5P libraries")
        constraints = [
            models.UniqueConstraint(
                fields=["machine_name", "major", "minor"], name="activities_library_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.machine_name} {self.major}.{self.minor}.{self.patch}"

    @property
    def folder(self) -> str:
        """The folder the player asks for (``librariesPath/<Name>-<major>.<minor>``)."""
        return f"{self.machine_name}-{self.major}.{self.minor}"

    @property
    def storage_folder(self) -> str:
        """Where its files are stored, by full version (an upgrade never overwrites)."""
        return f"libraries/{self.machine_name}-{self.major}.{self.minor}.{self.patch}"


class Activity(TranslatableMixin, index.Indexed, models.Model):
    """An interactive activity placed in lessons: the current version of an uploaded package."""

    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        help_text=_("Names the activity in curriculum files; shared by its translations."),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("One or two sentences shown before it starts.")
    )
    mastery_score = models.DecimalField(
        _("mastery score (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_(
            "The score a learner needs for the activity to count as complete. Empty: completing "
            "it counts, unless the activity itself reports that the learner did not succeed."
        ),
    )
    current_version = models.ForeignKey(
        "ActivityVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
    )
    source_course = models.CharField(
        max_length=100, blank=True, editable=False, help_text="the course folder it came from"
    )
    source_text = models.TextField(
        blank=True,
        editable=False,
        help_text="the activity's source file (YAML) when a curriculum import built it; export "
        "writes it back",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta(TranslatableMixin.Meta):
        ordering = ["title", "pk"]
        verbose_name = _("interactive activity")
        verbose_name_plural = _("interactive activities")
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="activities_slug_locale")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def iri(self) -> str:
        """The xAPI activity id: the same for every translation, so completing it in any
        language completes it."""
        return f"{settings.SITE_URL}/h5p/activities/{self.slug}"

    @property
    def launch_url(self) -> str:
        return reverse("activities:launch", args=[self.pk])

    def passes(self, scaled: float | None) -> bool:
        """Whether a score (scaled, 0..1) reaches the mastery score (always, when none is set)."""
        if self.mastery_score is None:
            return True
        return scaled is not None and Decimal(str(scaled)) * 100 >= self.mastery_score


class ActivityVersion(models.Model):
    """One uploaded package of an activity. Never changed once stored."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=255)
    main_library = models.CharField(max_length=127)
    library_version = models.CharField(max_length=32, help_text="major.minor.patch")
    license = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=10, blank=True)
    h5p_json = models.JSONField(default=dict)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    libraries = models.ManyToManyField(H5PLibrary, related_name="versions", blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["activity_id", "-number"]
        verbose_name = _("activity version")
        constraints = [
            models.UniqueConstraint(fields=["activity", "number"], name="activities_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} v{self.number}"

    @property
    def storage_folder(self) -> str:
        return f"content/{self.pk}"

    @property
    def package_file(self) -> str:
        """The uploaded package itself, kept for export and download."""
        return f"packages/{self.pk}.h5p"


class ActivityPlacement(models.Model):
    """A published lesson places an activity (by the activity's identity)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="placements")
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="activity_placements"
    )
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["activity_id", "page_id"]
        verbose_name = _("activity placement")
        constraints = [
            models.UniqueConstraint(fields=["activity", "page"], name="activities_placement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} on {self.page_id}"


class ActivityAttempt(models.Model):
    """The version of an activity (in one language) a learner plays."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attempts")
    version = models.ForeignKey(ActivityVersion, on_delete=models.PROTECT, related_name="attempts")
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("activity attempt")
        indexes = [models.Index(fields=["user", "activity"], name="activities_attempt_user")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.version_id}"


class ActivityCompletion(models.Model):
    """A learner completed an activity (its identity), from an xAPI statement."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="completions")
    statement_id = models.UUIDField()
    scaled = models.DecimalField(max_digits=6, decimal_places=4, null=True, blank=True)
    completed_at = models.DateTimeField()

    class Meta:
        ordering = ["-completed_at"]
        verbose_name = _("activity completion")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "activity"], name="activities_completion_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} completed {self.activity_id}"
