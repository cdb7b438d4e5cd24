"""CMS → Interactive activities: uploading and replacing packages, the errors a bad one gets, and
every role against every activity route."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from activities.models import Activity, ActivityVersion, H5PLibrary
from learners.models import CoordinatorRegion
from tests.factories import UserFactory, practitioner
from tests.factories.activities import make_activity, package_file, scenario_source

pytestmark = pytest.mark.django_db

ADD = "/admin/snippets/activities/activity/add/?locale=en"
LIST = "/admin/snippets/activities/activity/"


def _form(upload: Any, **fields: Any) -> dict[str, Any]:
    data = {"title": "A first conversation", "slug": "first-conversation", "description": "",
            "mastery_score": "", "package": upload}  # fmt: skip
    data.update(fields)
    return data


def _upload(tmp_path: Path, source: dict[str, Any] | None = None, name: str = "a.h5p") -> Any:
    data = package_file(source or scenario_source(), tmp_path).read_bytes()
    return SimpleUploadedFile(name, data, content_type="application/zip")


@pytest.fixture
def trainer_client(client: Client) -> Client:
    client.force_login(UserFactory(groups=["Trainer"]))
    return client


def test_a_trainer_uploads_a_package_and_sees_what_it_holds(
    trainer_client: Client, tmp_path: Path
) -> None:
    response = trainer_client.post(ADD, _form(_upload(tmp_path)))
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.get()
    assert activity.current_version and activity.current_version.number == 1
    listing = trainer_client.get(LIST).content.decode()
    assert "Zhusan.DecisionScenario 1.0.0 · CC BY-SA" in listing
    edit = trainer_client.get(f"{LIST}edit/{activity.pk}/").content.decode()
    assert "Zhusan.DecisionScenario 1.0.0" in edit and "(current)" in edit

    # Replacing the package on the edit page adds a version.
    replaced = trainer_client.post(
        f"{LIST}edit/{activity.pk}/",
        _form(_upload(tmp_path, scenario_source("Revised")), title="A first conversation"),
    )
    assert replaced.status_code == 302
    assert ActivityVersion.objects.filter(activity=activity).count() == 2
    # Saving without a file keeps the package.
    kept = trainer_client.post(f"{LIST}edit/{activity.pk}/", _form("", title="Renamed"))
    assert kept.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "Renamed" and activity.current_version.number == 2  # type: ignore[union-attr]


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a zip at all", "bad.h5p: "),
        (_zip({"content/content.json": b"{}"}), "h5p.json"),
        (_zip({"h5p.json": b"{", "content/content.json": b"{}"}), "h5p.json"),
        (_zip({"../evil.js": b"x", "h5p.json": b"{}"}), "../evil.js"),
        (_zip({"index.html": b"<script>", "h5p.json": b"{}"}), "index.html"),
    ],
)
def test_a_bad_package_is_refused_with_its_rule_and_file(
    trainer_client: Client, data: bytes, message: str
) -> None:
    upload = SimpleUploadedFile("bad.h5p", data, content_type="application/zip")
    response = trainer_client.post(ADD, _form(upload))
    assert response.status_code == 200
    text = response.content.decode()
    assert "bad.h5p: " in text and message in text
    assert not Activity.objects.exists()
    assert not H5PLibrary.objects.exists()


def test_a_new_activity_needs_a_package(trainer_client: Client) -> None:
    response = trainer_client.post(ADD, _form(""))
    assert response.status_code == 200
    assert "Choose an .h5p file to upload." in response.content.decode()
    assert not Activity.objects.exists()


ROLES = [None, "Practitioner", "Trainer", "Course reviewer", "Regional coordinator", "Ministry",
         "admin"]  # fmt: skip
EDITORS = {"Trainer", "Course reviewer", "admin"}


def _sign_in(client: Client, role: str | None) -> Any:
    if role is None:
        return None
    if role == "admin":
        user = UserFactory(is_superuser=True, is_staff=True)
    elif role == "Practitioner":
        user = practitioner()
    else:
        user = UserFactory(groups=[role])
        if role == "Regional coordinator":
            CoordinatorRegion.objects.create(user=user, region="KZ-75")
    client.force_login(user)
    return user


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_each_role_against_each_activity_route(client: Client, role: str | None) -> None:
    activity = make_activity()
    _sign_in(client, role)
    # The CMS screens: only those who edit courses.
    for url in (LIST, ADD, f"{LIST}edit/{activity.pk}/"):
        status = client.get(url).status_code
        if role in EDITORS:
            assert status == 200, (url, status)
        else:
            assert status in (302, 403), (url, status)
    # Playing: anyone who can read the lesson; only the signed in are recorded.
    launch = client.get(f"/h5p/launch/{activity.pk}/")
    assert launch.status_code == 200
    answer = launch.json()
    assert answer["signed_in"] is (role is not None)
    assert client.get(answer["embed_url"]).status_code == 200
    # The statement store: signed-in learners only (docs/xapi.md).
    xapi = client.get("/xapi/statements", HTTP_X_EXPERIENCE_API_VERSION="1.0.3")
    assert xapi.status_code == (401 if role is None else 200)
