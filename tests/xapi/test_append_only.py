"""Stored statements never change: the model and its queryset refuse every update and delete,
and the row stays as it was."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User

from xapi.models import AppendOnly, Statement

from .conftest import EXPERIENCED, Post, statement_about

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(learner: User, post: Post) -> Statement:
    response = post(statement_about(learner))
    assert response.status_code == 200
    return Statement.objects.get(pk=response.json()[0])


def as_stored(statement: Statement) -> dict[str, Any]:
    row = Statement.objects.get(pk=statement.pk)
    return {"verb": row.verb, "data": row.data, "stored": row.stored, "user": row.user_id}


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda s: s.save(), id="save()"),
        pytest.param(lambda s: s.save(update_fields=["verb"]), id="save(update_fields)"),
        pytest.param(lambda s: s.delete(), id="delete()"),
        pytest.param(lambda s: Statement.objects.filter(pk=s.pk).update(verb=EXPERIENCED),
                     id="QuerySet.update()"),
        pytest.param(lambda s: Statement.objects.filter(pk=s.pk).delete(), id="QuerySet.delete()"),
        pytest.param(lambda s: Statement.objects.all().delete(), id="all().delete()"),
        pytest.param(lambda s: Statement.objects.bulk_update([s], ["verb"]), id="bulk_update()"),
        pytest.param(
            lambda s: Statement.objects.update_or_create(pk=s.pk, defaults={"verb": EXPERIENCED}),
            id="update_or_create()",
        ),
    ],
)  # fmt: skip
def test_a_stored_statement_cannot_change(stored: Statement, change: Any) -> None:
    before = as_stored(stored)
    stored.verb = EXPERIENCED
    stored.data = {**stored.data, "verb": {"id": EXPERIENCED}}
    with pytest.raises(AppendOnly, match="append-only"):
        change(stored)
    assert as_stored(stored) == before


def test_a_new_statement_with_a_stored_id_is_not_an_update(stored: Statement) -> None:
    from django.db import IntegrityError, transaction

    copy = Statement(
        id=stored.pk,
        user_id=stored.user_id,
        verb=EXPERIENCED,
        timestamp=stored.timestamp,
        stored=stored.stored,
        data={},
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()  # an INSERT, which the primary key refuses; never an UPDATE
    assert as_stored(stored)["verb"] != EXPERIENCED


def test_erasing_a_person_erases_their_statements(stored: Statement, learner: User) -> None:
    learner.delete()
    assert not Statement.objects.filter(pk=stored.pk).exists()


def test_statement_str(stored: Statement) -> None:
    assert str(stored.pk) in str(stored)
    assert str(uuid.UUID(str(stored.pk))) == str(stored.pk)
