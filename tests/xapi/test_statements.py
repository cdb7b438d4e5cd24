"""``/xapi/statements``: storing (POST, PUT), re-posting, voiding, reading (GET) and who may."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.crypto import get_random_string

from xapi.api import actor_for, is_voided, statements_of
from xapi.models import Statement

from .conftest import (
    ACTIVITY,
    COMPLETED,
    EXPERIENCED,
    HEADERS,
    STATEMENTS,
    VOIDED,
    Post,
    statement_about,
    voiding,
)

pytestmark = pytest.mark.django_db


def put_statement(client: Client, statement_id: Any, body: Any, **headers: Any) -> Any:
    return client.put(
        f"{STATEMENTS}?statementId={statement_id}",
        json.dumps(body),
        content_type="application/json",
        **{**HEADERS, **headers},
    )


def error(response: Any) -> tuple[str | None, str]:
    body = response.json()
    return body["field"], body["error"]


# --- POST and PUT ------------------------------------------------------------------------------


def test_post_one_statement_stores_it_and_returns_its_id(learner: User, post: Post) -> None:
    response = post(statement_about(learner))
    assert response.status_code == 200
    assert response["X-Experience-API-Version"] == "1.0.3"
    [statement_id] = response.json()
    row = Statement.objects.get(pk=statement_id)
    assert row.user == learner
    assert row.verb == COMPLETED
    assert row.activity == ACTIVITY
    assert row.voided_target is None
    assert row.timestamp.isoformat() == "2024-05-01T05:30:00+00:00"
    assert row.data["id"] == statement_id
    assert row.data["authority"] == actor_for(learner)
    assert row.data["version"] == "1.0.0"
    assert row.data["stored"] == row.stored.isoformat()


def test_post_a_list_stores_them_in_order(learner: User, post: Post) -> None:
    given = str(uuid.uuid4())
    response = post(
        [
            statement_about(learner, id=given),
            statement_about(learner, verb={"id": EXPERIENCED}),
            statement_about(learner, context={"registration": given}),
        ]
    )
    assert response.status_code == 200
    ids = response.json()
    assert ids[0] == given and len(set(ids)) == 3
    rows = list(Statement.objects.order_by("stored"))
    assert [str(r.pk) for r in rows] == ids  # ``stored`` keeps the order they were sent in
    assert rows[2].registration == uuid.UUID(given)


def test_one_invalid_statement_stores_none_and_names_it(learner: User, post: Post) -> None:
    broken = statement_about(learner)
    broken["result"]["score"]["scaled"] = 1.5
    response = post([statement_about(learner), statement_about(learner), broken])
    assert response.status_code == 400
    assert response["X-Experience-API-Version"] == "1.0.3"
    assert error(response) == (
        "statement[2].result.score.scaled",
        "statement[2].result.score.scaled: must be between -1 and 1, not 1.5",
    )
    assert not Statement.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type", "field"),
    [
        pytest.param("{not json", "application/json", "body", id="not JSON"),
        pytest.param('{"x": NaN}', "application/json", "body", id="NaN"),
        pytest.param('{"x": "a\\u0000b"}', "application/json", "body", id="U+0000"),
        pytest.param("[]", "application/json", "statement", id="an empty list"),
        pytest.param("7", "application/json", "statement", id="a number"),
        pytest.param("{}", "text/plain", "Content-Type", id="not application/json"),
    ],
)
def test_a_body_that_is_not_statements_is_refused(
    api: Client, body: str, content_type: str, field: str
) -> None:
    response = api.post(STATEMENTS, body, content_type=content_type, **HEADERS)
    assert response.status_code == 400
    assert error(response)[0] == field


def test_the_same_id_twice_in_a_batch_is_refused(learner: User, post: Post) -> None:
    same = str(uuid.uuid4())
    response = post([statement_about(learner, id=same), statement_about(learner, id=same)])
    assert response.status_code == 400
    assert error(response) == ("statement[1].id", "statement[1].id: repeats the id of statement[0]")
    assert not Statement.objects.exists()


def test_a_statement_about_someone_else_is_forbidden(
    learner: User, other_learner: User, post: Post
) -> None:
    response = post([statement_about(learner), statement_about(other_learner)])
    assert response.status_code == 403
    assert error(response)[0] == "statement[1].actor"
    assert not Statement.objects.exists()


@pytest.mark.parametrize(
    "actor",
    [
        pytest.param({"mbox": "mailto:learner@example.org"}, id="another identifier"),
        pytest.param(
            {"objectType": "Group", "account": {"homePage": "http://testserver", "name": "1"}},
            id="a group",
        ),
        pytest.param(
            {"account": {"homePage": "https://elsewhere.example.org", "name": "1"}},
            id="another site's account",
        ),
    ],
)
def test_an_actor_not_identified_as_the_learner_is_forbidden(
    learner: User, post: Post, actor: dict[str, Any]
) -> None:
    actor = json.loads(json.dumps(actor).replace('"1"', json.dumps(str(learner.pk))))
    response = post(statement_about(learner, actor=actor))
    assert response.status_code == 403
    assert error(response)[0] == "statement.actor"


def test_put_stores_the_statement_with_that_id(learner: User, api: Client) -> None:
    statement_id = uuid.uuid4()
    response = put_statement(api, statement_id, statement_about(learner))
    assert response.status_code == 204
    assert response["X-Experience-API-Version"] == "1.0.3"
    assert Statement.objects.get(pk=statement_id).data["id"] == str(statement_id)


def test_put_with_a_different_id_in_the_body_is_refused(learner: User, api: Client) -> None:
    response = put_statement(api, uuid.uuid4(), statement_about(learner, id=str(uuid.uuid4())))
    assert response.status_code == 400
    assert error(response)[0] == "statement.id"
    assert not Statement.objects.exists()


@pytest.mark.parametrize(
    ("query", "field"),
    [("", "statementId"), ("?statementId=s1", "statementId"), ("?colour=blue", "colour")],
)
def test_put_needs_a_statement_id(learner: User, api: Client, query: str, field: str) -> None:
    response = api.put(
        f"{STATEMENTS}{query}",
        json.dumps(statement_about(learner)),
        content_type="application/json",
        **HEADERS,
    )
    assert response.status_code == 400
    assert error(response)[0] == field


def test_put_takes_one_statement(learner: User, api: Client) -> None:
    response = put_statement(api, uuid.uuid4(), [statement_about(learner)])
    assert response.status_code == 400
    assert error(response)[0] == "statement"


# --- the same id again -------------------------------------------------------------------------


def test_the_same_statement_again_is_a_no_op(learner: User, post: Post, api: Client) -> None:
    statement = statement_about(learner, id=str(uuid.uuid4()))
    first = post(statement)
    stored = Statement.objects.get()
    # What the LRS adds or ignores may differ: timestamp, authority, version, definitions.
    again = {
        **statement,
        "timestamp": "2030-01-01T00:00:00Z",
        "version": "1.0.3",
        "authority": {"mbox": "mailto:someone@example.org"},
        "object": {"objectType": "Activity", "id": ACTIVITY},
    }
    second = post(again)
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert put_statement(api, statement["id"], statement).status_code == 204
    assert Statement.objects.get().data == stored.data


def test_the_same_id_with_other_content_is_a_conflict(learner: User, post: Post) -> None:
    statement = statement_about(learner, id=str(uuid.uuid4()))
    post(statement)
    stored = Statement.objects.get()
    changed = {**statement, "result": {"score": {"scaled": 0.2}}}
    response = post([statement_about(learner), changed])
    assert response.status_code == 409
    assert error(response)[0] == "statement[1].id"
    assert list(Statement.objects.all()) == [stored]  # and the new one was not stored either
    assert Statement.objects.get().data == stored.data


def test_the_same_id_as_another_learners_statement_is_a_conflict(
    learner: User, other_learner: User, post: Post
) -> None:
    taken = str(uuid.uuid4())
    other = Client()
    other.force_login(other_learner)
    assert post(statement_about(other_learner, id=taken), client=other).status_code == 200
    response = post(statement_about(learner, id=taken))
    assert response.status_code == 409
    assert Statement.objects.get().user == other_learner


def test_put_of_the_same_id_with_other_content_is_a_conflict(learner: User, api: Client) -> None:
    statement_id = uuid.uuid4()
    put_statement(api, statement_id, statement_about(learner))
    response = put_statement(api, statement_id, statement_about(learner, verb={"id": EXPERIENCED}))
    assert response.status_code == 409


# --- voiding -----------------------------------------------------------------------------------


def stored_id(response: Any) -> str:
    assert response.status_code == 200, response.content
    return str(response.json()[0])


def test_voiding_hides_the_statement_and_keeps_it(learner: User, post: Post, api: Client) -> None:
    target = stored_id(post(statement_about(learner)))
    kept = stored_id(post(statement_about(learner, verb={"id": EXPERIENCED})))
    void_id = stored_id(post(voiding(learner, target)))

    row = Statement.objects.get(pk=void_id)
    assert row.voided_target == uuid.UUID(target)
    assert is_voided(statement_id=uuid.UUID(target))
    assert not is_voided(statement_id=uuid.UUID(kept))
    assert Statement.objects.filter(pk=target).exists()  # the row is kept, unchanged

    listed = [s["id"] for s in api.get(STATEMENTS, **HEADERS).json()["statements"]]
    assert target not in listed
    assert listed == [void_id, kept]  # the voiding statement itself is listed
    assert api.get(STATEMENTS, {"statementId": target}, **HEADERS).status_code == 404
    voided = api.get(STATEMENTS, {"voidedStatementId": target}, **HEADERS)
    assert voided.status_code == 200
    assert voided.json()["id"] == target
    # A statement that is not voided is not found as a voided one.
    assert api.get(STATEMENTS, {"voidedStatementId": kept}, **HEADERS).status_code == 404
    assert statements_of(user=learner, activity_ids=[ACTIVITY], verbs=[COMPLETED]) == []


def test_voiding_a_statement_in_the_same_batch(learner: User, post: Post) -> None:
    target = str(uuid.uuid4())
    response = post([statement_about(learner, id=target), voiding(learner, target)])
    assert response.status_code == 200
    assert is_voided(statement_id=uuid.UUID(target))


def test_voiding_what_is_not_stored_is_refused(learner: User, post: Post) -> None:
    response = post(voiding(learner, uuid.uuid4()))
    assert response.status_code == 400
    assert error(response)[0] == "statement.object.id"
    assert not Statement.objects.exists()


def test_voiding_another_learners_statement_is_refused(
    learner: User, other_learner: User, post: Post
) -> None:
    other = Client()
    other.force_login(other_learner)
    target = stored_id(post(statement_about(other_learner), client=other))
    response = post(voiding(learner, target))
    assert response.status_code == 400
    assert error(response)[0] == "statement.object.id"
    assert not is_voided(statement_id=uuid.UUID(target))


def test_a_voiding_statement_cannot_be_voided(learner: User, post: Post) -> None:
    target = stored_id(post(statement_about(learner)))
    void_id = stored_id(post(voiding(learner, target)))
    response = post(voiding(learner, void_id))
    assert response.status_code == 400
    assert error(response) == (
        "statement.object.id",
        "statement.object.id: a voiding statement cannot be voided",
    )
    assert Statement.objects.count() == 2


def test_voiding_needs_a_statement_ref(learner: User, post: Post) -> None:
    response = post(statement_about(learner, verb={"id": VOIDED}))
    assert response.status_code == 400
    assert error(response)[0] == "statement.object"


# --- GET ---------------------------------------------------------------------------------------


def test_get_one_statement(learner: User, post: Post, api: Client) -> None:
    statement_id = stored_id(post(statement_about(learner)))
    response = api.get(STATEMENTS, {"statementId": statement_id}, **HEADERS)
    assert response.status_code == 200
    assert response["X-Experience-API-Version"] == "1.0.3"
    assert response.json() == Statement.objects.get().data


def test_a_learner_cannot_read_anothers_statements(
    learner: User, other_learner: User, post: Post, api: Client
) -> None:
    other = Client()
    other.force_login(other_learner)
    theirs = stored_id(post(statement_about(other_learner), client=other))
    mine = stored_id(post(statement_about(learner)))
    assert api.get(STATEMENTS, {"statementId": theirs}, **HEADERS).status_code == 404
    listed = api.get(STATEMENTS, **HEADERS).json()["statements"]
    assert [s["id"] for s in listed] == [mine]
    by_activity = api.get(STATEMENTS, {"activity": ACTIVITY}, **HEADERS).json()["statements"]
    assert [s["id"] for s in by_activity] == [mine]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"verb": "completed"}, "verb"),
        ({"activity": "not an iri"}, "activity"),
        ({"registration": "r1"}, "registration"),
        ({"since": "yesterday"}, "since"),
        ({"until": "2024-05-01"}, "until"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"ascending": "yes"}, "ascending"),
        ({"statementId": "s1"}, "statementId"),
        ({"statementId": str(uuid.uuid4()), "verb": COMPLETED}, "verb"),
        ({"statementId": str(uuid.uuid4()), "voidedStatementId": str(uuid.uuid4())},
         "voidedStatementId"),
        ({"agent": "{}"}, "agent"),
        ({"format": "ids"}, "format"),
        ({"cursor": "page-2"}, "cursor"),
    ],
)  # fmt: skip
def test_a_bad_filter_is_refused_naming_the_parameter(
    api: Client, query: dict[str, str], field: str
) -> None:
    response = api.get(STATEMENTS, query, **HEADERS)
    assert response.status_code == 400
    assert error(response)[0] == field


def test_get_filters(learner: User, post: Post, api: Client) -> None:
    registration = str(uuid.uuid4())
    other_activity = "http://testserver/h5p/activities/other"
    ids = post(
        [
            statement_about(learner),
            statement_about(learner, verb={"id": EXPERIENCED}),
            statement_about(learner, object={"id": other_activity}),
            statement_about(learner, context={"registration": registration}),
        ]
    ).json()
    stored = {str(s.pk): s.stored for s in Statement.objects.all()}

    def listed(**query: str) -> list[str]:
        response = api.get(STATEMENTS, query, **HEADERS)
        assert response.status_code == 200, response.content
        assert response["X-Experience-API-Consistent-Through"]
        return [s["id"] for s in response.json()["statements"]]

    assert listed() == ids[::-1]  # newest stored first
    assert listed(ascending="true") == ids
    assert listed(verb=EXPERIENCED) == [ids[1]]
    assert listed(activity=other_activity) == [ids[2]]
    assert listed(activity=ACTIVITY, verb=COMPLETED) == [ids[3], ids[0]]
    assert listed(registration=registration) == [ids[3]]
    assert listed(since=stored[ids[1]].isoformat()) == [ids[3], ids[2]]  # since is exclusive
    assert listed(until=stored[ids[1]].isoformat()) == [ids[1], ids[0]]  # until is inclusive
    assert listed(limit="1") == [ids[3]]


def test_get_pages_with_a_more_link(learner: User, post: Post, api: Client) -> None:
    ids = post([statement_about(learner, result={"score": {"raw": n}}) for n in range(7)]).json()
    seen: list[str] = []
    url, query = STATEMENTS, {"limit": "3", "ascending": "true", "verb": COMPLETED}
    pages = 0
    while url:
        response = api.get(url, query, **HEADERS)
        assert response.status_code == 200
        body = response.json()
        seen += [s["id"] for s in body["statements"]]
        pages += 1
        if body["more"]:
            parts = urlsplit(body["more"])
            url, query = parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}
            assert query["limit"] == "3" and query["verb"] == COMPLETED  # the filters are kept
        else:
            url = ""
    assert seen == ids
    assert pages == 3


def test_the_page_size_is_capped_at_100(learner: User, post: Post, api: Client) -> None:
    post([statement_about(learner) for _n in range(101)])
    for query in ({}, {"limit": "0"}, {"limit": "500"}):
        body = api.get(STATEMENTS, query, **HEADERS).json()
        assert len(body["statements"]) == 100
        assert body["more"].startswith("/xapi/statements?")


# --- who may, and the protocol -----------------------------------------------------------------


def test_anonymous_gets_401_json_not_a_redirect(client: Client, learner: User) -> None:
    for response in (
        client.get(STATEMENTS, **HEADERS),
        client.post(
            STATEMENTS,
            json.dumps(statement_about(learner)),
            content_type="application/json",
            **HEADERS,
        ),
    ):
        assert response.status_code == 401
        assert response["Content-Type"] == "application/json"
        assert response["X-Experience-API-Version"] == "1.0.3"
        assert "Sign in" in response.json()["error"]
    assert not Statement.objects.exists()


def test_the_version_header_is_required(learner: User, api: Client) -> None:
    body = json.dumps(statement_about(learner))
    missing = api.post(STATEMENTS, body, content_type="application/json")
    assert missing.status_code == 400
    assert missing["X-Experience-API-Version"] == "1.0.3"
    assert error(missing)[0] == "X-Experience-API-Version"
    wrong = api.post(
        STATEMENTS, body, content_type="application/json", HTTP_X_EXPERIENCE_API_VERSION="0.95"
    )
    assert wrong.status_code == 400
    assert not Statement.objects.exists()
    for version in ("1.0.0", "1.0.3", "1.0"):
        assert api.get(STATEMENTS, HTTP_X_EXPERIENCE_API_VERSION=version).status_code == 200


def test_other_methods_are_not_allowed(api: Client) -> None:
    response = api.delete(STATEMENTS, **HEADERS)
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST, PUT"
    assert response["X-Experience-API-Version"] == "1.0.3"


def test_csrf_is_enforced(learner: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    body = json.dumps(statement_about(learner))
    refused = client.post(STATEMENTS, body, content_type="application/json", **HEADERS)
    assert refused.status_code == 403
    assert not Statement.objects.exists()
    # With the csrftoken cookie's value in X-CSRFToken, as the lesson page's script sends it.
    token = get_random_string(32)
    client.cookies["csrftoken"] = token
    accepted = client.post(
        STATEMENTS, body, content_type="application/json", HTTP_X_CSRFTOKEN=token, **HEADERS
    )
    assert accepted.status_code == 200
    assert Statement.objects.count() == 1


def test_responses_are_private(learner: User, post: Post, api: Client) -> None:
    post(statement_about(learner))
    response = api.get(STATEMENTS, **HEADERS)
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_body_cap_applies(learner: User, api: Client, settings: Any) -> None:
    settings.REQUEST_BODY_MAX_BYTES = 1000
    big = statement_about(learner, result={"response": "x" * 2000})
    response = api.post(STATEMENTS, json.dumps(big), content_type="application/json", **HEADERS)
    assert response.status_code == 413
    assert not Statement.objects.exists()


# --- cost --------------------------------------------------------------------------------------


def queries_to_post(post: Post, statements: list[dict[str, Any]]) -> int:
    with CaptureQueriesContext(connection) as context:
        assert post(statements).status_code == 200
    return len(context.captured_queries)


def test_posting_20_statements_costs_the_queries_of_1(learner: User, post: Post) -> None:
    post(statement_about(learner))  # warm up: the session's once-a-sign-in checks
    one = queries_to_post(post, [statement_about(learner)])
    twenty = queries_to_post(post, [statement_about(learner) for _n in range(20)])
    assert one == twenty
    # Reading the ids already stored, inserting, and the session; nothing per statement.
    assert one <= 6
    assert Statement.objects.count() == 22
