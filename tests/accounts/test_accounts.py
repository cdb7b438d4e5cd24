"""Sign-in, sign-out, password change and reset, My learning, and the demo accounts."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client

from tests.conftest import SAMPLE_CURRICULUM, SOURCES_CURRICULUM
from tests.factories import UserFactory, practitioner

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password-1"


def test_login_page_is_labelled_and_logs_in(client: Client) -> None:
    user = UserFactory()
    page = client.get("/en/accounts/login/").content.decode()
    assert '<label for="id_username">' in page and '<label for="id_password">' in page
    response = client.post("/en/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/en/home/"  # then on to the role's home (tests/curriculum)


def test_wrong_password_says_so(client: Client) -> None:
    user = UserFactory()
    response = client.post("/en/accounts/login/", {"username": user.username, "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_logout_is_a_post(client: Client) -> None:
    client.force_login(UserFactory())
    assert client.get("/en/accounts/logout/").status_code == 405
    assert client.post("/en/accounts/logout/").status_code == 302
    assert client.get("/en/learn/").status_code == 302


def test_my_learning_requires_sign_in(client: Client) -> None:
    response = client.get("/en/learn/")
    assert response["Location"] == "/en/accounts/login/?next=/en/learn/"
    user = practitioner(first_name="Aigerim", last_name="Test")
    client.force_login(user)
    assert "Signed in as Aigerim Test" in client.get("/en/learn/").content.decode()


def test_password_change(client: Client) -> None:
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/en/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-pass-42",
            "new_password2": "another-long-pass-42",
        },
    )
    assert response["Location"] == "/en/accounts/password/change/done/"
    user.refresh_from_db()
    assert user.check_password("another-long-pass-42")


def test_password_change_rejects_a_weak_password(client: Client) -> None:
    client.force_login(UserFactory())
    response = client.post(
        "/en/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()


def test_password_reset_by_email(client: Client) -> None:
    user = UserFactory(email="learner@example.org")
    response = client.post("/en/accounts/password/reset/", {"email": "learner@example.org"})
    assert response["Location"] == "/en/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/en/accounts/password/reset/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form = client.get(link.group(1), follow=True)
    assert "Set a new password" in form.content.decode()
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-password-7", "new_password2": "a-brand-new-password-7"},
    )
    assert response["Location"] == "/en/accounts/password/reset/complete/"
    user.refresh_from_db()
    assert user.check_password("a-brand-new-password-7")


def test_password_reset_for_unknown_email_reveals_nothing(client: Client) -> None:
    response = client.post("/en/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response["Location"] == "/en/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_load_initial_data_imports_content_and_prints_working_passwords(client: Client) -> None:
    out = StringIO()
    call_command("load_initial_data", "--content", str(SAMPLE_CURRICULUM), verbosity=0, stdout=out)
    text = out.getvalue()
    credentials = dict(re.findall(r"username: (\S+)\s+password: (\S+)", text))
    assert set(credentials) == {"admin", "trainer", "practitioner", "coordinator", "ministry"}
    users = get_user_model().objects.in_bulk(credentials.keys(), field_name="username")
    for username, password in credentials.items():
        assert users[username].check_password(password), username
    assert users["admin"].is_superuser
    assert list(users["trainer"].groups.values_list("name", flat=True)) == ["Trainer"]
    assert list(users["ministry"].groups.values_list("name", flat=True)) == ["Ministry"]
    assert client.get("/en/courses/sample-course/").status_code == 200
    # A second run works and prints new passwords that work.
    out2 = StringIO()
    call_command("load_initial_data", "--content", str(SAMPLE_CURRICULUM), verbosity=0, stdout=out2)
    again = dict(re.findall(r"username: (\S+)\s+password: (\S+)", out2.getvalue()))
    assert get_user_model().objects.get(username="trainer").check_password(again["trainer"])
    assert get_user_model().objects.count() == 5
    # The demo cohort: run by the trainer, with the practitioner, the course assigned.
    from learners.api import Cohort

    cohort = Cohort.objects.get()
    assert [u.username for u in cohort.trainers.all()] == ["trainer"]
    assert [u.username for u in cohort.members.all()] == ["practitioner"]
    assert cohort.assignments.count() == 1
    assert users["practitioner"].profile.region == "KZ-79"
    assert client.login(
        request=HttpRequest(), username="coordinator", password=again["coordinator"]
    )
    assert client.get("/en/dashboard/").status_code == 200
    # The sample curriculum has no certification-tracks.yaml, so no track is made from it.
    from certification.models import CertificationTrack

    assert not CertificationTrack.objects.exists()


def test_load_initial_data_loads_the_shipped_certification_tracks() -> None:
    """The courses in English and the tracks file (the whole shipped tree, translations
    included, is loaded in tests/content/)."""
    from certification.models import CertificationTrack

    args = ("--content", str(SOURCES_CURRICULUM), "--no-demo-accounts")
    call_command("load_initial_data", *args, verbosity=0, stdout=StringIO())
    tracks = dict(CertificationTrack.objects.values_list("slug", "pk"))
    assert set(tracks) == {
        "psychosocial-support-for-returnee-families",
        "children-and-mothers-specialist",
    }
    foundation = CertificationTrack.objects.get(slug="psychosocial-support-for-returnee-families")
    assert [r.course.slug for r in foundation.requirements.all()] == [
        "trauma-informed-care",
        "reducing-stigma",
    ]
    # Again: the tracks are matched by their slugs, not made twice.
    call_command("load_initial_data", *args, verbosity=0, stdout=StringIO())
    assert dict(CertificationTrack.objects.values_list("slug", "pk")) == tracks
