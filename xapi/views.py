"""The xAPI endpoints: ``/xapi/statements`` and ``/xapi/activities/state`` (docs/xapi.md).

JSON in and out, for the lesson page's script that relays an activity's statements: signed in
with the learner's session (anonymous: 401, never a redirect), CSRF-checked by Django's
middleware (the script sends ``X-CSRFToken``), and every request must say which xAPI version it
speaks (``X-Experience-API-Version: 1.0.x``). Every response of these views carries
``X-Experience-API-Version: 1.0.3``; errors are ``{"error": ..., "field": ...}`` in English.
Each view checks the request, then calls a selector or a service.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.http.request import RawPostDataException
from django.utils import timezone
from django.utils.http import http_date

from . import selectors, services
from .agents import identifies
from .services import StatementConflict, StatementForbidden
from .validation import StatementInvalid, is_iri, is_uuid, parse_timestamp, validate_agent

#: The version this store speaks, sent on every response.
VERSION = "1.0.3"
_ACCEPTED_VERSION = re.compile(r"^1\.0(?:\.\d+)?$")
#: The largest State document accepted (bytes); the site-wide body cap
#: (``REQUEST_BODY_LIMITS``, ``core.limits``) still applies before it.
STATE_MAX_BYTES = int(getattr(settings, "XAPI_STATE_MAX_BYTES", 256 * 1024))

GET_PARAMETERS = {
    "statementId", "voidedStatementId", "verb", "activity", "registration", "since", "until",
    "limit", "ascending", "format", "attachments", "cursor",
}  # fmt: skip
#: What may come with ``statementId`` or ``voidedStatementId``.
SINGLE_PARAMETERS = {"statementId", "voidedStatementId", "format", "attachments"}
STATE_PARAMETERS = {"activityId", "agent", "stateId", "registration", "since"}

View = Callable[[HttpRequest, User], HttpResponseBase]


def _error(status: int, message: str, field: str | None = None) -> JsonResponse:
    body = {"error": f"{field}: {message}" if field else message, "field": field}
    return JsonResponse(body, status=status)


def xapi_endpoint(*methods: str) -> Callable[[View], Callable[[HttpRequest], HttpResponseBase]]:
    """Wrap a view of the store: sign-in (401), allowed methods (405), the version header
    (400), and the refusals of the services as JSON (400, 403, 409); the version header on
    every response."""

    def decorate(view: View) -> Callable[[HttpRequest], HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest) -> HttpResponseBase:
            response = _dispatch(view, methods, request)
            response["X-Experience-API-Version"] = VERSION
            return response

        return wrapped

    return decorate


def _dispatch(view: View, methods: tuple[str, ...], request: HttpRequest) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return _error(401, "Sign in first: the xAPI endpoints take the learner's session.")
    if request.method not in methods:
        response = _error(405, f"{request.method} is not allowed here; use {', '.join(methods)}.")
        response["Allow"] = ", ".join(methods)
        return response
    version = request.headers.get("X-Experience-API-Version", "")
    if not _ACCEPTED_VERSION.match(version.strip()):
        return _error(
            400,
            f"must be 1.0.x (this LRS speaks {VERSION}), not {version!r}"
            if version
            else f"is required (this LRS speaks {VERSION})",
            "X-Experience-API-Version",
        )
    try:
        return view(request, request.user)
    except StatementForbidden as refusal:
        return _error(403, refusal.message, refusal.path)
    except StatementConflict as refusal:
        return _error(409, refusal.message, refusal.path)
    except StatementInvalid as refusal:
        return _error(400, refusal.message, refusal.path)


# --- parsing -----------------------------------------------------------------------------------


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _json_body(request: HttpRequest) -> Any:
    if request.content_type != "application/json":
        raise StatementInvalid(
            "Content-Type", f"must be application/json, not {request.content_type!r}"
        )
    try:
        body = json.loads(request.body, parse_constant=_reject_constant)
    except RecursionError:
        raise StatementInvalid("body", "is nested too deeply") from None
    except ValueError as error:
        raise StatementInvalid("body", f"is not valid JSON ({error})") from None
    # PostgreSQL's jsonb cannot hold U+0000: refuse it here rather than fail on the INSERT. The
    # cheap look at the bytes spares the walk for every body without the escape.
    if b"\\u0000" in request.body and _has_nul(body):
        raise StatementInvalid("body", "contains the character U+0000, which cannot be stored")
    return body


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _iri_parameter(request: HttpRequest, name: str) -> str | None:
    value = request.GET.get(name)
    if value is not None and not is_iri(value):
        raise StatementInvalid(name, f"must be an absolute IRI, not {value!r}")
    return value


def _uuid_parameter(request: HttpRequest, name: str) -> uuid.UUID | None:
    value = request.GET.get(name)
    if value is None:
        return None
    if not is_uuid(value):
        raise StatementInvalid(name, f"must be a UUID, not {value!r}")
    return uuid.UUID(value)


def _time_parameter(request: HttpRequest, name: str) -> datetime | None:
    value = request.GET.get(name)
    if value is None:
        return None
    parsed = parse_timestamp(value)
    if parsed is None:
        raise StatementInvalid(
            name, f"must be an ISO 8601 date and time with a time zone, not {value!r}"
        )
    return parsed


def _boolean_parameter(request: HttpRequest, name: str) -> bool:
    value = request.GET.get(name, "false")
    if value not in ("true", "false"):
        raise StatementInvalid(name, f"must be true or false, not {value!r}")
    return value == "true"


def _unknown_parameters(request: HttpRequest, allowed: set[str], endpoint: str) -> None:
    for name in request.GET:
        if name not in allowed:
            raise StatementInvalid(name, f"is not a parameter of {endpoint}")


def _cursor(request: HttpRequest) -> tuple[datetime, uuid.UUID] | None:
    value = request.GET.get("cursor")
    if value is None:
        return None
    stamp, _bar, pk = value.partition("|")
    stored = parse_timestamp(stamp)
    if stored is None or not is_uuid(pk):
        raise StatementInvalid("cursor", "is not a cursor this LRS gave (use the more link)")
    return stored, uuid.UUID(pk)


# --- statements --------------------------------------------------------------------------------


@xapi_endpoint("GET", "POST", "PUT")
def statements(request: HttpRequest, user: User) -> HttpResponseBase:
    """``GET``: the learner's statements; ``POST``: store one or a list; ``PUT``: store one
    with the id ``statementId``."""
    if request.method == "GET":
        return _statements_get(request, user)
    if request.method == "PUT":
        _unknown_parameters(request, {"statementId"}, "PUT /xapi/statements")
        statement_id = _uuid_parameter(request, "statementId")
        if statement_id is None:
            raise StatementInvalid("statementId", "is required with PUT")
        body = _json_body(request)
        if not isinstance(body, dict):
            raise StatementInvalid("statement", "PUT takes one statement (a JSON object)")
        if "id" in body and str(body["id"]).lower() != str(statement_id):
            raise StatementInvalid("statement.id", "differs from the statementId parameter")
        services.statements_store(user=user, statements={**body, "id": str(statement_id)})
        return HttpResponse(status=204)
    _unknown_parameters(request, set(), "POST /xapi/statements")
    ids = services.statements_store(user=user, statements=_json_body(request))
    return JsonResponse([str(pk) for pk in ids], safe=False)


def _statements_get(request: HttpRequest, user: User) -> HttpResponseBase:
    _unknown_parameters(request, GET_PARAMETERS, "GET /xapi/statements")
    if request.GET.get("format", "exact") != "exact":
        raise StatementInvalid("format", "only 'exact' is supported")
    _boolean_parameter(request, "attachments")  # none are stored: either answer is the same
    single = [name for name in ("statementId", "voidedStatementId") if name in request.GET]
    if single:
        extra = sorted(set(request.GET) - SINGLE_PARAMETERS)
        if len(single) > 1 or extra:
            raise StatementInvalid(
                single[-1] if len(single) > 1 else extra[0],
                f"cannot be combined with {single[0]}",
            )
        statement_id = _uuid_parameter(request, single[0])
        assert statement_id is not None  # the name is in request.GET
        statement = selectors.statement_get(
            user=user, statement_id=statement_id, voided=single[0] == "voidedStatementId"
        )
        if statement is None:
            return _error(404, "no such statement of yours", single[0])
        response = JsonResponse(statement.data)
        response["Last-Modified"] = http_date(statement.stored.timestamp())
        return response
    limit = request.GET.get("limit", "0")
    if not limit.isdigit():
        raise StatementInvalid("limit", f"must be a whole number, not {limit!r}")
    filters = selectors.StatementFilter(
        verb=_iri_parameter(request, "verb"),
        activity=_iri_parameter(request, "activity"),
        registration=_uuid_parameter(request, "registration"),
        since=_time_parameter(request, "since"),
        until=_time_parameter(request, "until"),
        ascending=_boolean_parameter(request, "ascending"),
        limit=int(limit) or selectors.MAX_PAGE,  # 0: as many as the LRS gives
        after=_cursor(request),
    )
    consistent = timezone.now()
    page, following = selectors.statements_page(user=user, filters=filters)
    more = ""
    if following is not None:
        query = {k: v for k, v in request.GET.items() if k != "cursor"}
        query["cursor"] = f"{following[0].isoformat()}|{following[1]}"
        more = f"{request.path}?{urlencode(query)}"
    response = JsonResponse({"statements": [s.data for s in page], "more": more})
    response["X-Experience-API-Consistent-Through"] = consistent.isoformat()
    return response


# --- State -------------------------------------------------------------------------------------


def _agent_parameter(request: HttpRequest, user: User) -> None:
    value = request.GET.get("agent")
    if value is None:
        raise StatementInvalid("agent", "is required")
    try:
        agent = json.loads(value)
    except (ValueError, RecursionError):
        raise StatementInvalid("agent", "is not valid JSON") from None
    validate_agent(agent, "agent")
    if not identifies(agent, user):
        raise StatementForbidden("agent", "must be the signed-in learner")


def _document(request: HttpRequest) -> bytes:
    try:
        document = request.body
    except RawPostDataException:
        raise StatementInvalid("body", "could not be read (send it as the raw body)") from None
    if len(document) > STATE_MAX_BYTES:
        raise _TooLarge
    return document


class _TooLarge(Exception):
    """A State document over ``STATE_MAX_BYTES``."""


@xapi_endpoint("GET", "PUT", "POST", "DELETE")
def state(request: HttpRequest, user: User) -> HttpResponseBase:
    """The State resource: the documents an activity keeps for the learner."""
    _unknown_parameters(request, STATE_PARAMETERS, "/xapi/activities/state")
    activity_id = _iri_parameter(request, "activityId")
    if activity_id is None:
        raise StatementInvalid("activityId", "is required")
    _agent_parameter(request, user)
    registration = _uuid_parameter(request, "registration")
    state_id = request.GET.get("stateId")
    where: Mapping[str, Any] = {
        "user": user,
        "activity_id": activity_id,
        "registration": registration,
    }
    if "since" in request.GET and (request.method != "GET" or state_id is not None):
        raise StatementInvalid("since", "is only for GET without a stateId (listing the ids)")
    if request.method == "GET":
        if state_id is None:
            ids = selectors.state_ids(**where, since=_time_parameter(request, "since"))
            return JsonResponse(ids, safe=False)
        found = selectors.state_get(**where, state_id=state_id)
        if found is None:
            return _error(404, "no such state document", "stateId")
        response = HttpResponse(bytes(found.document), content_type=found.content_type)
        response["ETag"] = found.etag
        response["Last-Modified"] = http_date(found.updated.timestamp())
        return response
    if request.method == "DELETE":
        services.state_delete(**where, state_id=state_id)
        return HttpResponse(status=204)
    if state_id is None:
        raise StatementInvalid("stateId", f"is required with {request.method}")
    try:
        document = _document(request)
    except _TooLarge:
        return _error(
            413, f"is larger than {STATE_MAX_BYTES // 1024} KB, the most a state may be", "body"
        )
    store = services.state_put if request.method == "PUT" else services.state_merge
    content_type = request.META.get("CONTENT_TYPE", "")
    store(**where, state_id=state_id, document=document, content_type=content_type)
    return HttpResponse(status=204)
