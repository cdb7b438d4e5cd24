"""Stored xAPI statements (append-only) and State documents (mutable).

A statement, once stored, never changes: ``save()`` on a stored row, ``delete()``, and the
queryset's ``update()``, ``delete()`` and ``bulk_update()`` raise :class:`AppendOnly`. Whether a
statement is voided is derived (a voiding statement that targets it exists), never written on
it. Erasing a person (deleting the ``User``) still removes their statements: Django's cascade
deletes rows without going through these methods.
"""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

#: The verb of a voiding statement.
VERB_VOIDED = "http://adlnet.gov/expapi/verbs/voided"
#: The longest IRI accepted anywhere in a statement (``validation``), and so in the columns.
IRI_MAX_LENGTH = 1000


class AppendOnly(Exception):
    """A stored statement was about to be changed or deleted."""

    def __init__(self, what: str) -> None:
        super().__init__(f"xAPI statements are append-only: {what} is refused")


class StatementQuerySet(models.QuerySet["Statement"]):
    """Statements: insert and read only; voided ones filtered out on request."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnly("QuerySet.update()")

    def delete(self) -> NoReturn:
        raise AppendOnly("QuerySet.delete()")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnly("QuerySet.bulk_update()")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnly("QuerySet.update_or_create()")

    def not_voided(self) -> StatementQuerySet:
        """Statements no voiding statement targets."""
        return self.filter(~Exists(Statement.objects.filter(voided_target=OuterRef("pk"))))

    def voided(self) -> StatementQuerySet:
        """Statements a voiding statement targets."""
        return self.filter(Exists(Statement.objects.filter(voided_target=OuterRef("pk"))))


class Statement(models.Model):
    """One stored xAPI statement, about and sent by ``user``. ``data`` is the statement as
    stored (the client's, with ``id``, ``stored``, ``authority`` and ``version`` set by us); the
    other columns copy what the queries filter on."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="xapi_statements"
    )
    verb = models.CharField(max_length=IRI_MAX_LENGTH)
    #: The object's id when the object is an Activity; "" otherwise.
    activity = models.CharField(max_length=IRI_MAX_LENGTH, blank=True, default="")
    registration = models.UUIDField(null=True, blank=True)
    #: On a voiding statement: the id of the statement it voids.
    voided_target = models.UUIDField(null=True, blank=True)
    timestamp = models.DateTimeField()
    stored = models.DateTimeField()
    data = models.JSONField()

    objects = StatementQuerySet.as_manager()

    class Meta:
        ordering = ["-stored", "-id"]
        verbose_name = "xAPI statement"
        indexes = [
            # The learner's statements, newest first (GET with no filter, paging).
            models.Index(fields=["user", "stored", "id"], name="xapi_stmt_user_stored"),
            # GET ?verb=
            models.Index(fields=["user", "verb", "stored"], name="xapi_stmt_user_verb"),
            # GET ?activity=, and "this learner's statements of activity X with verb in (...)"
            # (``selectors.statements_of``, what completion reads).
            models.Index(fields=["user", "activity", "verb"], name="xapi_stmt_user_activity"),
            models.Index(
                fields=["user", "registration", "stored"],
                name="xapi_stmt_user_registration",
                condition=Q(registration__isnull=False),
            ),
            # "Is this statement voided?": only voiding statements have a target.
            models.Index(
                fields=["voided_target"],
                name="xapi_stmt_voided_target",
                condition=Q(voided_target__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.activity or '(not an activity)'} ({self.id})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert a new statement; a stored one cannot be saved again."""
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AppendOnly(f"saving the stored statement {self.id}")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnly(f"deleting the statement {self.id}")


class StateDocument(models.Model):
    """A document an activity saved for a learner (xAPI State resource): one per (learner,
    activity, state id, registration), replaced or merged by the activity. Mutable by design."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="xapi_states"
    )
    activity_id = models.CharField(max_length=IRI_MAX_LENGTH)
    state_id = models.CharField(max_length=255)
    registration = models.UUIDField(null=True, blank=True)
    document = models.BinaryField()
    content_type = models.CharField(max_length=255, default="application/octet-stream")
    updated = models.DateTimeField()
    #: A strong validator of ``document`` (quoted SHA-1, as sent in the ``ETag`` header).
    etag = models.CharField(max_length=64)

    class Meta:
        ordering = ["activity_id", "state_id"]
        verbose_name = "xAPI state document"
        constraints = [
            # A NULL registration would never collide in a plain unique constraint (NULLs are
            # distinct), so each case has its own, conditional one.
            models.UniqueConstraint(
                fields=["user", "activity_id", "state_id", "registration"],
                condition=Q(registration__isnull=False),
                name="xapi_state_unique_with_registration",
            ),
            models.UniqueConstraint(
                fields=["user", "activity_id", "state_id"],
                condition=Q(registration__isnull=True),
                name="xapi_state_unique_without_registration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.state_id} of {self.activity_id}"
