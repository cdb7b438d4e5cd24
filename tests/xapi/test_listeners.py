"""``register_statement_listener``: told of what was stored, in the storing transaction, and
not of a batch that was refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction

from xapi.api import Statement, is_voided, register_statement_listener

from .conftest import Post, statement_about, voiding

pytestmark = pytest.mark.django_db


def test_a_listener_gets_what_was_stored(
    learner: User, post: Post, registered_listeners: list[Any]
) -> None:
    heard: list[list[Statement]] = []

    def listener(statements: list[Statement]) -> None:
        # Inside the storing transaction, after the rows are written.
        assert transaction.get_connection().in_atomic_block
        assert Statement.objects.filter(pk__in=[s.pk for s in statements]).count() == len(
            statements
        )
        heard.append(statements)

    register_statement_listener(listener)
    register_statement_listener(listener)  # registering twice still tells it once
    ids = post([statement_about(learner), statement_about(learner)]).json()
    assert len(heard) == 1
    assert [str(s.pk) for s in heard[0]] == ids
    assert all(isinstance(s, Statement) and s.user == learner for s in heard[0])

    void_id = post(voiding(learner, ids[0])).json()[0]
    assert [str(s.pk) for s in heard[1]] == [void_id]  # voiding statements are told too
    assert str(heard[1][0].voided_target) == ids[0]
    assert is_voided(statement_id=heard[1][0].voided_target)


def test_a_refused_batch_tells_no_one(
    learner: User, other_learner: User, post: Post, registered_listeners: list[Any]
) -> None:
    heard: list[Any] = []
    register_statement_listener(heard.append)
    broken = statement_about(learner, result={"score": {"scaled": 2}})
    assert post([statement_about(learner), broken]).status_code == 400
    assert post([statement_about(learner), statement_about(other_learner)]).status_code == 403
    assert heard == []


def test_a_statement_stored_again_tells_no_one(
    learner: User, post: Post, registered_listeners: list[Any]
) -> None:
    heard: list[Any] = []
    register_statement_listener(heard.append)
    statement = statement_about(learner, id="3c7fb2d6-5b0d-4e4a-9c39-1f0d8a2b7e11")
    post(statement)
    post(statement)
    assert len(heard) == 1


def test_a_failing_listener_refuses_the_batch(
    learner: User, post: Post, registered_listeners: list[Any]
) -> None:
    def failing(statements: list[Statement]) -> None:
        raise RuntimeError("the listener failed")

    register_statement_listener(failing)
    with pytest.raises(RuntimeError):
        post(statement_about(learner))
    assert not Statement.objects.exists()
