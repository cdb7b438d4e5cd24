"""The launch answer, the sandboxed player page and the package's files: what each answers, and
the headers that contain an activity."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core import signing
from django.test import Client

from activities.models import Activity
from activities.services import state_id
from activities.views import TICKET_SALT
from tests.factories import UserFactory, practitioner
from tests.factories.activities import make_activity
from xapi.services import state_put

pytestmark = pytest.mark.django_db


def _not_found(client: Client, url: str) -> bool:
    """A 404 (outside the language prefix, Django's LocaleMiddleware first tries the path under
    /en/, where it is not found either)."""
    return client.get(url, follow=True).status_code == 404


@pytest.fixture
def activity() -> Activity:
    return make_activity()


def _embed_config(html: str) -> dict[str, Any]:
    match = re.search(r'<script id="h5p-config" type="application/json">(.*?)</script>', html)
    assert match, html
    return json.loads(match.group(1))


def test_a_guest_gets_a_player_that_records_nothing(client: Client, activity: Activity) -> None:
    answer = client.get(f"/h5p/launch/{activity.pk}/").json()
    assert answer["signed_in"] is False
    assert "csrf_token" not in answer and "actor" not in answer
    assert answer["frame_origin"] == "null"  # the sandbox's opaque origin
    page = client.get(answer["embed_url"])
    assert page.status_code == 200
    assert '"recording": false' in page.content.decode()


def test_a_learner_gets_a_ticket_a_token_and_their_saved_state(
    client: Client, activity: Activity
) -> None:
    learner = practitioner()
    version = activity.current_version
    assert version is not None
    state_put(
        user=learner,
        activity_id=activity.iri,
        state_id=state_id(version),
        document=b'{"step": 2}',
        content_type="application/json",
    )
    client.force_login(learner)
    answer = client.get(f"/h5p/launch/{activity.pk}/").json()
    assert answer["signed_in"] is True and answer["csrf_token"]
    assert answer["actor"]["account"]["name"] == str(learner.pk)
    assert answer["activity_iri"] == activity.iri
    assert answer["state_id"] == state_id(version)
    # The player page is asked for without cookies (the sandbox sends none): the ticket says
    # whose state to give it.
    page = Client().get(answer["embed_url"])
    config = _embed_config(page.content.decode())
    assert config["contentUserData"] == [{"state": '{"step": 2}'}]
    assert config["h5pJsonPath"] == f"/h5p/content/{version.pk}"
    assert config["librariesPath"] == "/h5p/libraries"
    assert config["xAPIObjectIRI"] == activity.iri


def test_the_player_page_is_sandboxed_and_framed_only_by_the_site(
    client: Client, activity: Activity
) -> None:
    answer = client.get(f"/h5p/launch/{activity.pk}/").json()
    page = client.get(answer["embed_url"])
    policy = page["Content-Security-Policy"]
    assert "sandbox allow-scripts" in policy
    assert "allow-same-origin" not in policy
    assert "frame-ancestors http://testserver" in policy
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy and "unsafe-eval" not in policy
    assert page["X-Content-Type-Options"] == "nosniff"
    assert "X-Frame-Options" not in page  # framing is the policy's frame-ancestors


def test_a_forged_or_foreign_ticket_is_refused(client: Client, activity: Activity) -> None:
    version = activity.current_version
    assert version is not None
    assert client.get(f"/h5p/embed/{version.pk}/?ticket=forged").status_code == 403
    other = make_activity(slug="other")
    assert other.current_version is not None
    ticket = signing.dumps({"u": None, "v": other.current_version.pk, "a": other.pk}, salt="x")
    assert client.get(f"/h5p/embed/{version.pk}/?ticket={ticket}").status_code == 403
    ticket = signing.dumps(
        {"u": None, "v": other.current_version.pk, "a": other.pk}, salt=TICKET_SALT
    )
    assert _not_found(client, f"/h5p/embed/{version.pk}/?ticket={ticket}")


def test_package_files_are_served_contained(client: Client, activity: Activity) -> None:
    version = activity.current_version
    assert version is not None
    for path, kind in [
        (f"/h5p/content/{version.pk}/h5p.json", "application/json"),
        (f"/h5p/content/{version.pk}/content/content.json", "application/json"),
        ("/h5p/libraries/Zhusan.DecisionScenario-1.0/library.json", "application/json"),
        ("/h5p/libraries/Zhusan.DecisionScenario-1.0/decision-scenario.js", "text/javascript"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith(kind)
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"].endswith("sandbox")
        assert "default-src 'none'" in response["Content-Security-Policy"]
        assert response["Access-Control-Allow-Origin"] == "*"
    h5p = json.loads(b"".join(client.get(f"/h5p/content/{version.pk}/h5p.json")))
    assert h5p["mainLibrary"] == "Zhusan.DecisionScenario"


@pytest.mark.parametrize(
    "path",
    [
        "content/{pk}/content/../../../settings.py",
        "content/{pk}/content/%2e%2e/%2e%2e/x.json",
        "content/{pk}/other.json",
        "content/999999/content/content.json",
        "libraries/Zhusan.DecisionScenario-1.0/../../content/{pk}/content/content.json",
        "libraries/Unknown.Library-1.0/library.json",
        "libraries/Zhusan.DecisionScenario-1.0/missing.js",
    ],
)
def test_nothing_outside_a_package_is_served(client: Client, activity: Activity, path: str) -> None:
    assert activity.current_version is not None
    url = "/h5p/" + path.format(pk=activity.current_version.pk)
    assert _not_found(client, url)


def test_an_activity_without_a_package_cannot_be_launched(client: Client) -> None:
    empty = Activity.objects.create(title="Empty", slug="empty", locale_id=1)
    assert _not_found(client, f"/h5p/launch/{empty.pk}/")


def test_the_launch_answer_is_private(client: Client, activity: Activity) -> None:
    client.force_login(UserFactory())
    response = client.get(f"/h5p/launch/{activity.pk}/")
    assert "no-store" in response["Cache-Control"]
