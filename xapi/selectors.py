"""Reads of the xAPI store. Every read is scoped to one learner: nobody reads another's
statements or state through these."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import Q

from .models import StateDocument, Statement, StatementQuerySet

__all__ = [
    "MAX_PAGE",
    "StatementFilter",
    "is_voided",
    "state_document",
    "state_get",
    "state_ids",
    "statement_get",
    "statements_of",
    "statements_page",
]

#: The most statements one GET returns (and how many without ``limit``).
MAX_PAGE = 100


@dataclass(frozen=True)
class StatementFilter:
    """A GET's filters. ``since`` is exclusive and ``until`` inclusive, both on ``stored``;
    ``after`` is the paging cursor: (``stored``, ``id``) of the last statement of the page
    before."""

    verb: str | None = None
    activity: str | None = None
    registration: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None
    ascending: bool = False
    limit: int = MAX_PAGE
    after: tuple[datetime, uuid.UUID] | None = None


def _own(user: User) -> StatementQuerySet:
    return Statement.objects.filter(user=user)


def statement_get(*, user: User, statement_id: uuid.UUID, voided: bool) -> Statement | None:
    """The learner's statement ``statement_id``: with ``voided`` only if it is voided (GET
    ``voidedStatementId``), else only if it is not (GET ``statementId``)."""
    statements = _own(user).filter(pk=statement_id)
    statements = statements.voided() if voided else statements.not_voided()
    return statements.first()


def statements_page(
    *, user: User, filters: StatementFilter
) -> tuple[list[Statement], tuple[datetime, uuid.UUID] | None]:
    """One page of the learner's statements that are not voided, newest stored first (oldest
    with ``ascending``); and the cursor of the next page, ``None`` when this is the last."""
    statements = _own(user).not_voided()
    if filters.verb is not None:
        statements = statements.filter(verb=filters.verb)
    if filters.activity is not None:
        statements = statements.filter(activity=filters.activity)
    if filters.registration is not None:
        statements = statements.filter(registration=filters.registration)
    if filters.since is not None:
        statements = statements.filter(stored__gt=filters.since)
    if filters.until is not None:
        statements = statements.filter(stored__lte=filters.until)
    if filters.after is not None:
        stored, pk = filters.after
        if filters.ascending:
            statements = statements.filter(Q(stored__gt=stored) | Q(stored=stored, pk__gt=pk))
        else:
            statements = statements.filter(Q(stored__lt=stored) | Q(stored=stored, pk__lt=pk))
    order = ["stored", "pk"] if filters.ascending else ["-stored", "-pk"]
    limit = max(1, min(filters.limit, MAX_PAGE))
    rows = list(statements.order_by(*order)[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, (rows[-1].stored, rows[-1].pk)


def statements_of(
    *, user: User, activity_ids: Collection[str], verbs: Collection[str]
) -> list[Statement]:
    """The learner's statements, not voided, whose object is one of the activities and whose
    verb is one of ``verbs``: oldest stored first. One query."""
    if not activity_ids or not verbs:
        return []
    return list(
        _own(user)
        .filter(activity__in=list(activity_ids), verb__in=list(verbs))
        .not_voided()
        .order_by("stored", "pk")
    )


def is_voided(*, statement_id: uuid.UUID) -> bool:
    """Whether a voiding statement targets ``statement_id``."""
    return Statement.objects.filter(voided_target=statement_id).exists()


def state_get(
    *, user: User, activity_id: str, state_id: str, registration: uuid.UUID | None = None
) -> StateDocument | None:
    """The learner's state document, if there is one."""
    return StateDocument.objects.filter(
        user=user, activity_id=activity_id, state_id=state_id, registration=registration
    ).first()


def state_ids(
    *,
    user: User,
    activity_id: str,
    registration: uuid.UUID | None = None,
    since: datetime | None = None,
) -> list[str]:
    """The ids of the learner's state documents of the activity (for that registration, or
    those without one), updated after ``since`` if given."""
    documents = StateDocument.objects.filter(
        user=user, activity_id=activity_id, registration=registration
    )
    if since is not None:
        documents = documents.filter(updated__gt=since)
    return list(documents.order_by("state_id").values_list("state_id", flat=True))


def state_document(
    *, user: User, activity_id: str, state_id: str, registration: uuid.UUID | None = None
) -> str | None:
    """The learner's state document as text (UTF-8); ``None`` when there is none or it is not
    text."""
    state = state_get(
        user=user, activity_id=activity_id, state_id=state_id, registration=registration
    )
    if state is None:
        return None
    try:
        return bytes(state.document).decode("utf-8")
    except UnicodeDecodeError:
        return None
