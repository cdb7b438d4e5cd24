"""``/xapi/activities/state``: the documents an activity keeps for a learner (put, get, merge,
list, delete), only the learner's own, and the size cap."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from xapi.api import actor_for, state_document
from xapi.models import StateDocument

from .conftest import ACTIVITY, HEADERS, STATE

pytestmark = pytest.mark.django_db


def url(user: User, state_id: str | None = "resume", **extra: Any) -> str:
    query = {"activityId": ACTIVITY, "agent": json.dumps(actor_for(user)), **extra}
    if state_id is not None:
        query["stateId"] = state_id
    return f"{STATE}?{urlencode(query)}"


def send(
    client: Client,
    method: str,
    target: str,
    body: Any = None,
    content_type: str = "application/json",
) -> Any:
    data = body if isinstance(body, bytes | str) or body is None else json.dumps(body)
    call = getattr(client, method)
    if data is None or method == "get":
        return call(target, **HEADERS)
    return call(target, data, content_type=content_type, **HEADERS)


def test_put_then_get(learner: User, api: Client) -> None:
    document = {"progress": 3, "answers": ["a", "b"]}
    response = send(api, "put", url(learner), document)
    assert response.status_code == 204
    assert response["X-Experience-API-Version"] == "1.0.3"
    got = send(api, "get", url(learner))
    assert got.status_code == 200
    assert got["Content-Type"] == "application/json"
    assert json.loads(got.content) == document
    assert got["ETag"].startswith('"') and got["Last-Modified"]
    assert state_document(user=learner, activity_id=ACTIVITY, state_id="resume") == json.dumps(
        document
    )


def test_put_replaces(learner: User, api: Client) -> None:
    send(api, "put", url(learner), {"a": 1, "b": 2})
    send(api, "put", url(learner), {"c": 3})
    assert json.loads(send(api, "get", url(learner)).content) == {"c": 3}
    assert StateDocument.objects.count() == 1


def test_any_document_kind_is_kept_as_sent(learner: User, api: Client) -> None:
    raw = b"\x00\x01binary\xff"
    send(api, "put", url(learner), raw, content_type="application/octet-stream")
    got = send(api, "get", url(learner))
    assert got.content == raw
    assert got["Content-Type"] == "application/octet-stream"
    assert state_document(user=learner, activity_id=ACTIVITY, state_id="resume") is None


def test_post_merges_json_objects(learner: User, api: Client) -> None:
    assert send(api, "post", url(learner), {"a": 1, "b": {"x": 1}}).status_code == 204  # new
    assert send(api, "post", url(learner), {"b": {"y": 2}, "c": 3}).status_code == 204
    # The top-level properties sent replace those stored; the others stay.
    assert json.loads(send(api, "get", url(learner)).content) == {"a": 1, "b": {"y": 2}, "c": 3}


@pytest.mark.parametrize(
    ("stored", "stored_type", "sent", "sent_type", "field"),
    [
        pytest.param(None, None, "[1, 2]", "application/json", "document", id="sent a list"),
        pytest.param(None, None, "{oops", "application/json", "document", id="sent not JSON"),
        pytest.param(None, None, '{"a": 1}', "text/plain", "Content-Type", id="sent as text"),
        pytest.param(b"plain", "text/plain", '{"a": 1}', "application/json", "document",
                     id="stored not JSON"),
        pytest.param(b"[1]", "application/json", '{"a": 1}', "application/json", "document",
                     id="stored a list"),
    ],
)  # fmt: skip
def test_post_refuses_what_cannot_be_merged(
    learner: User,
    api: Client,
    stored: bytes | None,
    stored_type: str | None,
    sent: str,
    sent_type: str,
    field: str,
) -> None:
    if stored is not None:
        assert stored_type is not None
        send(api, "put", url(learner), stored, content_type=stored_type)
    response = send(api, "post", url(learner), sent, content_type=sent_type)
    assert response.status_code == 400
    assert response.json()["field"] == field
    after = StateDocument.objects.first()
    assert (bytes(after.document) if after else None) == stored


def test_get_without_state_id_lists_the_ids(learner: User, api: Client) -> None:
    send(api, "put", url(learner, "b"), {"n": 1})
    send(api, "put", url(learner, "a"), {"n": 2})
    send(api, "put", url(learner, "other", registration=str(uuid.uuid4())), {"n": 3})
    listed = send(api, "get", url(learner, None))
    assert listed.status_code == 200
    assert listed.json() == ["a", "b"]  # those without a registration
    later = timezone.now()
    send(api, "put", url(learner, "b"), {"n": 4})
    assert send(api, "get", url(learner, None, since=later.isoformat())).json() == ["b"]


def test_registrations_keep_their_own_documents(learner: User, api: Client) -> None:
    registration = str(uuid.uuid4())
    send(api, "put", url(learner), {"without": True})
    send(api, "put", url(learner, registration=registration), {"with": True})
    assert json.loads(send(api, "get", url(learner)).content) == {"without": True}
    assert json.loads(send(api, "get", url(learner, registration=registration)).content) == {
        "with": True
    }


def test_delete_one_and_all(learner: User, api: Client) -> None:
    for state_id in ("a", "b", "c"):
        send(api, "put", url(learner, state_id), {"id": state_id})
    assert send(api, "delete", url(learner, "a")).status_code == 204
    assert send(api, "get", url(learner, "a")).status_code == 404
    assert send(api, "get", url(learner, None)).json() == ["b", "c"]
    assert send(api, "delete", url(learner, None)).status_code == 204
    assert send(api, "get", url(learner, None)).json() == []
    assert send(api, "delete", url(learner, "a")).status_code == 204  # already gone: no error


def test_a_missing_document_is_404(learner: User, api: Client) -> None:
    response = send(api, "get", url(learner, "nothing"))
    assert response.status_code == 404
    assert response["X-Experience-API-Version"] == "1.0.3"


def test_another_learners_agent_is_refused(learner: User, other_learner: User, api: Client) -> None:
    other = Client()
    other.force_login(other_learner)
    send(other, "put", url(other_learner), {"theirs": True})
    for method in ("get", "put", "post", "delete"):
        response = send(api, method, url(other_learner), {"mine": True})
        assert response.status_code == 403, method
        assert response.json()["field"] == "agent"
    assert json.loads(send(other, "get", url(other_learner)).content) == {"theirs": True}
    assert StateDocument.objects.get().user == other_learner


#: Stands for the signed-in learner's agent in the parameters below.
ME = "me"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"agent": ME, "stateId": "s"}, "activityId"),
        ({"activityId": "not an iri", "agent": ME, "stateId": "s"}, "activityId"),
        ({"activityId": ACTIVITY, "stateId": "s"}, "agent"),
        ({"activityId": ACTIVITY, "agent": "{oops", "stateId": "s"}, "agent"),
        ({"activityId": ACTIVITY, "agent": '{"name": "x"}', "stateId": "s"}, "agent"),
        ({"activityId": ACTIVITY, "agent": ME, "registration": "r1"}, "registration"),
        ({"activityId": ACTIVITY, "agent": ME, "colour": "blue"}, "colour"),
        ({"activityId": ACTIVITY, "agent": ME, "since": "yesterday"}, "since"),
        ({"activityId": ACTIVITY, "agent": ME, "stateId": "s", "since": "2024-05-01T00:00:00Z"},
         "since"),  # only when listing
    ],
)  # fmt: skip
def test_bad_parameters_are_refused(
    learner: User, api: Client, query: dict[str, str], field: str
) -> None:
    me = json.dumps(actor_for(learner))
    query = {key: me if value == ME else value for key, value in query.items()}
    response = send(api, "get", f"{STATE}?{urlencode(query)}")
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_put_and_post_need_a_state_id(learner: User, api: Client) -> None:
    for method in ("put", "post"):
        response = send(api, method, url(learner, None), {"a": 1})
        assert response.status_code == 400
        assert response.json()["field"] == "stateId"


def test_a_document_over_the_cap_is_refused(learner: User, api: Client) -> None:
    big = {"blob": "x" * (256 * 1024)}
    for method in ("put", "post"):
        response = send(api, method, url(learner), big)
        assert response.status_code == 413
        assert "256 KB" in response.json()["error"]
    assert not StateDocument.objects.exists()
    assert send(api, "put", url(learner), {"blob": "x" * (250 * 1024)}).status_code == 204


def test_anonymous_is_refused(client: Client, learner: User) -> None:
    response = send(client, "get", url(learner))
    assert response.status_code == 401
    assert response["X-Experience-API-Version"] == "1.0.3"


def test_one_document_per_key_even_without_registration(learner: User) -> None:
    fields = {"user": learner, "activity_id": ACTIVITY, "state_id": "s", "registration": None}
    extra = {"document": b"{}", "updated": timezone.now(), "etag": '"x"'}
    StateDocument.objects.create(**fields, **extra)
    with pytest.raises(IntegrityError), transaction.atomic():
        StateDocument.objects.create(**fields, **extra)
    registration = uuid.uuid4()
    StateDocument.objects.create(**{**fields, "registration": registration}, **extra)
    with pytest.raises(IntegrityError), transaction.atomic():
        StateDocument.objects.create(**{**fields, "registration": registration}, **extra)
