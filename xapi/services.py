"""Writes of the xAPI store: statements (append-only) and State documents.

:func:`statements_store` checks a whole batch before it writes any of it: every statement valid
(:class:`~xapi.validation.StatementInvalid`), about the signed-in learner
(:class:`StatementForbidden`), not in conflict with a stored statement of the same id
(:class:`StatementConflict`), voiding only the learner's own statements that are not themselves
voiding; then it stores the new ones in one transaction and tells the listeners
(``listeners.notify``) inside it. A statement already stored with the same content is a no-op.
A unique primary key, not the earlier read, decides a race between two requests: the loser
checks again and finds a no-op or a conflict.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import listeners
from .agents import actor_for, identifies
from .canonical import prepare, same_statement
from .models import VERB_VOIDED, StateDocument, Statement
from .validation import StatementInvalid, parse_timestamp, validate_statements

__all__ = [
    "StateNotMergeable",
    "StatementConflict",
    "StatementForbidden",
    "state_delete",
    "state_merge",
    "state_put",
    "statements_store",
]


class StatementForbidden(StatementInvalid):
    """A statement is not the signed-in learner's to send (403)."""


class StatementConflict(StatementInvalid):
    """A statement's id is stored already with other content (409)."""


class StateNotMergeable(StatementInvalid):
    """A State POST whose document, or the stored one, is not a JSON object (400)."""


def _path(index: int, batch: bool) -> str:
    return f"statement[{index}]" if batch else "statement"


def statements_store(
    *, user: User, statements: Mapping[str, Any] | Sequence[Any]
) -> list[uuid.UUID]:
    """Store one statement (a mapping) or a batch (a sequence) sent by ``user``; return the ids
    of all of them, in order, the ones already stored included. Raises before writing anything:
    ``StatementInvalid`` (400), ``StatementForbidden`` (403), ``StatementConflict`` (409)."""
    batch = not isinstance(statements, Mapping)
    items = validate_statements(statements)
    ids: list[str] = []
    first_at: dict[str, int] = {}
    for index, statement in enumerate(items):
        path = _path(index, batch)
        if not identifies(statement["actor"], user):
            raise StatementForbidden(
                f"{path}.actor",
                "must be the signed-in learner: an Agent with the account "
                f"{json.dumps(actor_for(user)['account'])}",
            )
        statement_id = str(statement.get("id") or uuid.uuid4()).lower()
        if statement_id in first_at:
            raise StatementInvalid(
                f"{path}.id", f"repeats the id of {_path(first_at[statement_id], batch)}"
            )
        first_at[statement_id] = index
        ids.append(statement_id)
    for attempt in range(2):
        try:
            _store(user, items, ids, batch)
            break
        except IntegrityError:
            # Another request stored one of these ids between our read and our write: read
            # again, which finds it (same content: a no-op; other content: a conflict).
            if attempt:
                raise
    return [uuid.UUID(statement_id) for statement_id in ids]


@transaction.atomic
def _store(user: User, items: list[dict[str, Any]], ids: list[str], batch: bool) -> None:
    now = timezone.now()
    authority = actor_for(user)
    existing = {str(row.pk): row for row in Statement.objects.filter(pk__in=ids)}
    new: list[tuple[int, dict[str, Any]]] = []
    for index, (statement, statement_id) in enumerate(zip(items, ids, strict=True)):
        stored = existing.get(statement_id)
        candidate = {**statement, "id": statement_id}
        if stored is None:
            new.append((index, candidate))
        elif stored.user_id != user.pk or not same_statement(stored.data, candidate):
            raise StatementConflict(
                f"{_path(index, batch)}.id",
                f"a different statement with the id {statement_id} is already stored",
            )
    if not new:
        return
    _check_voiding(user, new, batch)
    rows = []
    for offset, (_index, statement) in enumerate(new):
        # One microsecond apart: ``stored`` orders the batch as it was sent.
        stored_at = now + timedelta(microseconds=offset)
        data = prepare(
            statement, statement_id=statement["id"], stored=stored_at, authority=authority
        )
        target = data["object"]
        is_activity = target.get("objectType", "Activity") == "Activity"
        registration = (data.get("context") or {}).get("registration")
        rows.append(
            Statement(
                id=uuid.UUID(statement["id"]),
                user=user,
                verb=data["verb"]["id"],
                activity=target["id"] if is_activity else "",
                registration=uuid.UUID(registration) if registration else None,
                voided_target=(
                    uuid.UUID(target["id"]) if data["verb"]["id"] == VERB_VOIDED else None
                ),
                timestamp=parse_timestamp(data["timestamp"]) or stored_at,
                stored=stored_at,
                data=data,
            )
        )
    Statement.objects.bulk_create(rows)
    listeners.notify(rows)


def _check_voiding(user: User, new: list[tuple[int, dict[str, Any]]], batch: bool) -> None:
    """A voiding statement voids a statement of the learner's, stored or earlier in the batch,
    that is not itself a voiding statement."""
    voiding = [(i, s) for i, s in new if s["verb"]["id"] == VERB_VOIDED]
    if not voiding:
        return
    targets = {s["object"]["id"].lower() for _i, s in voiding}
    verbs = {
        str(pk): verb
        for pk, verb in Statement.objects.filter(pk__in=targets, user=user).values_list(
            "pk", "verb"
        )
    }
    position = {s["id"]: i for i, s in new}
    for _index, statement in new:
        if statement["id"] in targets and statement["id"] not in verbs:
            verbs[statement["id"]] = statement["verb"]["id"]
    for index, statement in voiding:
        target = statement["object"]["id"].lower()
        path = f"{_path(index, batch)}.object.id"
        if target not in verbs or position.get(target, -1) > index:
            raise StatementInvalid(path, f"no statement of yours with the id {target} is stored")
        if verbs[target] == VERB_VOIDED:
            raise StatementInvalid(path, "a voiding statement cannot be voided")


# --- State -------------------------------------------------------------------------------------


def _etag(document: bytes) -> str:
    return f'"{hashlib.sha1(document, usedforsecurity=False).hexdigest()}"'


def _state_lookup(
    user: User, activity_id: str, state_id: str, registration: uuid.UUID | None
) -> dict[str, Any]:
    return {
        "user": user,
        "activity_id": activity_id,
        "state_id": state_id,
        "registration": registration,
    }


def state_put(
    *,
    user: User,
    activity_id: str,
    state_id: str,
    registration: uuid.UUID | None = None,
    document: bytes,
    content_type: str,
) -> StateDocument:
    """Store ``document`` as the learner's state ``state_id`` of the activity, replacing any."""
    lookup = _state_lookup(user, activity_id, state_id, registration)
    fields = {
        "document": document,
        "content_type": content_type or "application/octet-stream",
        "updated": timezone.now(),
        "etag": _etag(document),
    }
    for attempt in range(2):
        try:
            with transaction.atomic():
                state = StateDocument.objects.select_for_update().filter(**lookup).first()
                if state is None:
                    return StateDocument.objects.create(**lookup, **fields)
                for name, value in fields.items():
                    setattr(state, name, value)
                state.save(update_fields=list(fields))
                return state
        except IntegrityError:
            if attempt:  # a concurrent first write won; the second try updates it
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _json_object(document: bytes, path: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(document)
    except (ValueError, RecursionError):
        value = None
    if not isinstance(value, dict):
        raise StateNotMergeable(path, f"{what} is not a JSON object, so it cannot be merged")
    return value


def state_merge(
    *,
    user: User,
    activity_id: str,
    state_id: str,
    registration: uuid.UUID | None = None,
    document: bytes,
    content_type: str,
) -> StateDocument:
    """Merge the JSON object ``document`` into the stored one (its properties replace the
    stored ones of the same name, as the specification's POST says); store it as it is when
    there is none. Both must be JSON objects (``StateNotMergeable`` otherwise)."""
    if not content_type.startswith("application/json"):
        raise StateNotMergeable("Content-Type", "must be application/json to merge a document")
    incoming = _json_object(document, "document", "the document sent")
    lookup = _state_lookup(user, activity_id, state_id, registration)
    with transaction.atomic():
        state = StateDocument.objects.select_for_update().filter(**lookup).first()
        if state is None:
            merged = incoming
        else:
            if not state.content_type.startswith("application/json"):
                raise StateNotMergeable(
                    "document", "the stored document is not JSON, so it cannot be merged"
                )
            merged = {
                **_json_object(bytes(state.document), "document", "the stored document"),
                **incoming,
            }
        return state_put(
            user=user,
            activity_id=activity_id,
            state_id=state_id,
            registration=registration,
            document=json.dumps(merged, ensure_ascii=False).encode(),
            content_type="application/json",
        )


def state_delete(
    *,
    user: User,
    activity_id: str,
    state_id: str | None = None,
    registration: uuid.UUID | None = None,
) -> int:
    """Delete the learner's state ``state_id`` of the activity, or with no ``state_id`` all of
    them (for that registration, or those without one); return how many were deleted."""
    documents = StateDocument.objects.filter(
        user=user, activity_id=activity_id, registration=registration
    )
    if state_id is not None:
        documents = documents.filter(state_id=state_id)
    deleted, _by_model = documents.delete()
    return deleted
