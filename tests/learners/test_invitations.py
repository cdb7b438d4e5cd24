"""Invitations from learners (issue #11): adding addresses to a cohort, seeing and resending
invitations on the cohort page (with its permission matrix), and the specialists import that
invites in each person's language with the sending's progress on the CMS page."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import Invitation
from learners.api import Cohort, cohort_add_member
from learners.models import SpecialistImportJob
from tests.factories import ProfileFactory, UserFactory, practitioner

pytestmark = pytest.mark.django_db


def never_signed_in(email: str, language: str | None = None, **kwargs: Any) -> User:
    user = UserFactory(email=email, username=email, groups=["Practitioner"], **kwargs)
    user.set_unusable_password()
    user.save()
    if language:
        ProfileFactory(user=user, preferred_language=language)
    return user


@pytest.fixture
def trainer() -> User:
    return UserFactory(groups=["Trainer"])


@pytest.fixture
def cohort(trainer: User) -> Cohort:
    cohort = Cohort.objects.create(name="Taraz social workers")
    cohort.trainers.add(trainer)
    return cohort


def add(client: Client, cohort: Cohort, text: str, callbacks: Any) -> str:
    with callbacks(execute=True):
        response = client.post(
            f"/en/learn/cohorts/{cohort.pk}/members/", {"emails": text}, follow=True
        )
    return str(response.content.decode())


# --- adding addresses --------------------------------------------------------------------------


def test_adding_reports_every_group_and_one_bad_address_stops_nobody(
    client: Client, trainer: User, cohort: Cohort, django_capture_on_commit_callbacks: Any
) -> None:
    known = practitioner(email="known@example.org")
    member = practitioner(email="member@example.org")
    cohort_add_member(cohort=cohort, user=member)
    UserFactory(username="taken@example.org", email="other@example.org")
    client.force_login(trainer)

    page = add(
        client,
        cohort,
        "Known@Example.org\nnew.one@example.org, member@example.org\n"
        "not an address\nnew.one@example.org\ntaken@example.org;\n",
        django_capture_on_commit_callbacks,
    )

    # Issue #12: one message for every usable address, known or not, of any role; an existing
    # practitioner is asked to join, never enrolled (tests/learners/test_cohort_scope.py).
    assert (
        "3 addresses taken: Known@Example.org, new.one@example.org, taken@example.org. An "
        "invitation is on its way to each person who may join a cohort." in page
    )
    assert "1 was a member already: member@example.org." in page
    assert "1 line is not an email address, so nobody was added for it: not an address." in page
    assert "An administrator can sort this out." not in page
    # What could not be used stays in the form, to correct.
    assert "not an address</textarea>" in page
    new = get_user_model().objects.get(email="new.one@example.org")
    assert set(cohort.members.all()) == {member, new}
    assert known not in cohort.members.all()
    assert list(new.groups.values_list("name", flat=True)) == ["Practitioner"]
    assert not new.has_usable_password()
    # The new account's invitation, and the known practitioner's invitation to join.
    assert sorted(m.to[0] for m in mail.outbox) == ["known@example.org", "new.one@example.org"]
    assert Invitation.objects.get(user=new).sent_by == trainer


def test_a_known_address_that_cannot_sign_in_yet_is_invited_in_its_language(
    client: Client, trainer: User, cohort: Cohort, django_capture_on_commit_callbacks: Any
) -> None:
    never_signed_in("imported.earlier@example.org", language="kk")
    client.force_login(trainer)
    add(client, cohort, "imported.earlier@example.org", django_capture_on_commit_callbacks)
    # The invitation to set a password, and the one to join the cohort, both in Kazakh.
    invitation, join = sorted(mail.outbox, key=lambda m: "/cohorts/join/" in m.body)
    assert "/kk/accounts/invitation/" in invitation.body
    assert "/kk/learn/cohorts/join/" in join.body


def test_a_new_account_is_invited_in_the_language_the_trainer_works_in(
    client: Client, trainer: User, cohort: Cohort, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(trainer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/ru/learn/cohorts/{cohort.pk}/members/", {"emails": "new.ru@example.org"})
    [message] = mail.outbox
    assert "/ru/accounts/invitation/" in message.body
    assert message.extra_headers["Content-Language"] == "ru"


def test_too_many_addresses_are_refused_with_a_reason(
    client: Client, trainer: User, cohort: Cohort, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(trainer)
    text = "\n".join(f"p{i}@example.org" for i in range(501))
    page = add(client, cohort, text, django_capture_on_commit_callbacks)
    assert "Add at most 500 addresses at a time." in page
    assert not cohort.members.exists()


# --- seeing who has not signed in, and resending -----------------------------------------------


def test_the_cohort_page_shows_who_has_not_signed_in(
    client: Client, trainer: User, cohort: Cohort, django_capture_on_commit_callbacks: Any
) -> None:
    signed_in = practitioner(email="in@example.org", first_name="Aruzhan", last_name="Example")
    signed_in.last_login = timezone.now()
    signed_in.save()
    cohort_add_member(cohort=cohort, user=signed_in)
    client.force_login(trainer)
    add(client, cohort, "dana.new@example.org", django_capture_on_commit_callbacks)
    waiting = never_signed_in("waiting@example.org")
    cohort_add_member(cohort=cohort, user=waiting)

    page = client.get(f"/en/learn/cohorts/{cohort.pk}/").content.decode()
    today = timezone.localdate().strftime("%-d %b %Y")
    assert "2 members have not signed in yet" in page
    assert f"Invited on {today} · not yet signed in" in page
    assert "Not invited · not yet signed in" in page
    assert "Aruzhan" not in page.split('id="not-signed-in"')[1]
    assert "Send a new invitation to all of them" in page


def test_resending_to_everyone_who_has_not_signed_in(
    client: Client, trainer: User, cohort: Cohort, django_capture_on_commit_callbacks: Any
) -> None:
    signed_in = practitioner(last_login=timezone.now())
    cohort_add_member(cohort=cohort, user=signed_in)
    for address, language in (("a@example.org", "ru"), ("b@example.org", None)):
        cohort_add_member(cohort=cohort, user=never_signed_in(address, language))
    client.force_login(trainer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/learn/cohorts/{cohort.pk}/invitations/", follow=True)
    assert "New invitations are on their way to 2 members" in response.content.decode()
    links = {m.to[0]: m.body for m in mail.outbox}
    assert set(links) == {"a@example.org", "b@example.org"}
    assert "/ru/accounts/invitation/" in links["a@example.org"]
    assert "/en/accounts/invitation/" in links["b@example.org"]


def test_resending_to_one_who_signed_in_sends_nothing(
    client: Client, trainer: User, cohort: Cohort, django_capture_on_commit_callbacks: Any
) -> None:
    signed_in = practitioner(first_name="Dana", last_name="Example", last_login=timezone.now())
    cohort_add_member(cohort=cohort, user=signed_in)
    client.force_login(trainer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/en/learn/cohorts/{cohort.pk}/members/{signed_in.pk}/invitation/", follow=True
        )
    assert "Dana Example has signed in already" in response.content.decode()
    assert mail.outbox == []


ROLES = ["anonymous", "Practitioner", "own trainer", "other trainer", "Regional coordinator",
         "Ministry", "admin"]  # fmt: skip
#: What each role gets from the resend views: 302 to the cohort, 302 to sign in, 403 or 404.
EXPECTED = {
    "anonymous": "login",
    "Practitioner": 403,
    "own trainer": "done",
    "other trainer": 404,  # another trainer's cohort is not theirs to see
    "Regional coordinator": 403,
    "Ministry": 403,
    "admin": "done",
}


@pytest.mark.parametrize("one", [True, False], ids=["one person", "everyone"])
@pytest.mark.parametrize("role", ROLES)
def test_resend_permission_matrix(
    client: Client,
    trainer: User,
    cohort: Cohort,
    django_capture_on_commit_callbacks: Any,
    role: str,
    one: bool,
) -> None:
    person = never_signed_in("waiting@example.org")
    cohort_add_member(cohort=cohort, user=person)
    users = {
        "Practitioner": lambda: practitioner(),
        "own trainer": lambda: trainer,
        "other trainer": lambda: UserFactory(groups=["Trainer"]),
        "Regional coordinator": lambda: UserFactory(groups=["Regional coordinator"]),
        "Ministry": lambda: UserFactory(groups=["Ministry"]),
        "admin": lambda: UserFactory(is_superuser=True, is_staff=True),
    }
    if role != "anonymous":
        client.force_login(users[role]())
    url = f"/en/learn/cohorts/{cohort.pk}/" + (
        f"members/{person.pk}/invitation/" if one else "invitations/"
    )
    assert client.get(url).status_code in {302, 405}  # a POST only (or sign in first)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    expected = EXPECTED[role]
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/en/accounts/login/")
    elif expected == "done":
        assert response.status_code == 302
        assert response["Location"] == f"/en/learn/cohorts/{cohort.pk}/#not-signed-in"
        assert [m.to for m in mail.outbox] == [["waiting@example.org"]]
        return
    else:
        assert response.status_code == expected
    assert mail.outbox == [] and not Invitation.objects.exists()


def test_resending_to_someone_outside_the_cohort_is_not_found(
    client: Client, trainer: User, cohort: Cohort
) -> None:
    outsider = never_signed_in("outside@example.org")
    client.force_login(trainer)
    url = f"/en/learn/cohorts/{cohort.pk}/members/{outsider.pk}/invitation/"
    assert client.post(url).status_code == 404
    assert not Invitation.objects.exists()


# --- the specialists import ---------------------------------------------------------------------

FILE = (
    "email;full_name;specialty;region;organisation;language\n"
    "aliya.invite@example.org;Aliya Example;psychologist;KZ-75;Centre (fictional);ru\n"
    "bota.invite@example.org;Bota Example;social_worker;Астана;Office (fictional);kk\n"
).encode()


def test_the_command_invites_each_specialist_in_their_language(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(FILE)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_specialists", str(path), "--no-progress", stdout=StringIO())
    bodies = {m.to[0]: m for m in mail.outbox}
    assert "/ru/accounts/invitation/" in bodies["aliya.invite@example.org"].body
    assert "/kk/accounts/invitation/" in bodies["bota.invite@example.org"].body
    assert bodies["aliya.invite@example.org"].subject.startswith("Ваше приглашение")


def test_the_command_can_leave_invitations_out(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(FILE)
    call_command(
        "import_specialists", str(path), "--no-progress", "--no-invitations",
        stdout=StringIO(),
    )  # fmt: skip
    assert not Invitation.objects.exists()


def test_the_import_page_shows_waiting_invitations_and_sends_them(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    """The worker that should send the invitations was lost: the page keeps refreshing, says
    so, and its button sends what is waiting."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from learners.tasks import import_specialists_job

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    with django_capture_on_commit_callbacks():
        client.post(
            "/admin/specialists/import/",
            {"file": SimpleUploadedFile("people.csv", FILE, content_type="text/csv")},
        )
    job = SpecialistImportJob.objects.get()
    with django_capture_on_commit_callbacks() as lost:  # the invitations' task never runs
        import_specialists_job.apply(args=[job.pk])
    # The invitations' task (the dashboard's summary refresh is queued beside it).
    invitations = [hook for hook in lost if hook.__name__ != "_enqueue_refresh"]
    assert len(invitations) == 1 and mail.outbox == []
    job.refresh_from_db()
    assert len(job.result["invitations"]) == 2

    page = client.get(f"/admin/specialists/import/{job.pk}/").content.decode()
    assert "0 of 2 invitations sent." in page
    assert 'http-equiv="refresh"' in page
    assert "Send the waiting invitations now" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/specialists/import/{job.pk}/invitations/")
    page = client.get(response["Location"]).content.decode()
    assert "2 waiting invitations are being sent." in page
    assert "2 of 2 invitations sent." in page
    assert 'http-equiv="refresh"' not in page
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("who", ["anonymous", "Practitioner", "Trainer", "Ministry"])
def test_only_importers_may_send_an_imports_invitations(
    client: Client, who: str, django_capture_on_commit_callbacks: Any
) -> None:
    person = never_signed_in("waiting@example.org")
    from accounts.services import invitations_create

    ids = invitations_create(user_ids=[person.pk])
    job = SpecialistImportJob.objects.create(
        filename="x.csv", data=b"", result={"invitations": ids}
    )
    if who != "anonymous":
        client.force_login(UserFactory(groups=[who]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/specialists/import/{job.pk}/invitations/")
    # Wagtail answers a refusal inside the CMS with a redirect (to sign-in, or to the dashboard).
    assert response.status_code == 302
    assert response["Location"].startswith(("/admin/login/", "/admin/"))
    assert not response["Location"].startswith("/admin/specialists/")
    assert mail.outbox == []
