"""Two-factor sign-in (issue #12, deliver 5): administrators and the Ministry set up an
authenticator app; from then on signing in, on our page or the CMS's, asks for its code; a
setting can require it."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import totp_enrolment_confirm, totp_enrolment_start
from tests.factories import UserFactory, practitioner

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password-1"
ENROL = "/en/accounts/two-factor/"
CODE = "/en/accounts/two-factor/code/"


def code_for(device: TOTPDevice) -> str:
    """The code the person's app shows now (``time.time``, which time-machine moves)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def enrolled(user: User) -> tuple[TOTPDevice, list[str]]:
    device = totp_enrolment_start(user=user)
    codes = totp_enrolment_confirm(user=user, device_id=device.pk, token=code_for(device))
    assert codes is not None
    device.refresh_from_db()
    return device, codes


def sign_in(client: Client, user: User, path: str = "/en/accounts/login/") -> Any:
    return client.post(path, {"username": user.username, "password": PASSWORD})


def administrator() -> Any:
    return UserFactory(is_staff=True, is_superuser=True)


# --- setting it up ---------------------------------------------------------------------------------


def test_an_administrator_sets_up_an_app_and_gets_backup_codes_once() -> None:
    user = administrator()
    client = Client()
    client.force_login(user)
    page = client.get(ENROL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    # A reload shows the same secret, not a new one.
    client.get(ENROL)
    assert TOTPDevice.objects.filter(user=user).count() == 1
    wrong = client.post(ENROL, {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):  # past the 1 s throttle
        done = client.post(ENROL, {"code": code_for(device)})
    assert done.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    tokens = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(tokens) == 10
    assert all(token in done.content.decode() for token in tokens)
    # Afterwards the page says it is on, and never shows the codes again.
    again = client.get(ENROL).content.decode()
    assert "Two-step sign-in is on" in again
    assert not any(token in again for token in tokens)


def test_the_ministry_may_set_it_up_and_a_practitioner_may_not() -> None:
    client = Client()
    ministry: Any = UserFactory(groups=["Ministry"])
    client.force_login(ministry)
    assert client.get(ENROL).status_code == 200
    learner: Any = practitioner()
    client.force_login(learner)
    assert client.get(ENROL).status_code == 403
    assert client.post(ENROL, {"code": "123456"}).status_code == 403
    assert not TOTPDevice.objects.filter(user=learner).exists()


# --- the code step ---------------------------------------------------------------------------------


def test_sign_in_asks_for_the_code_before_anything_else() -> None:
    user: Any = UserFactory(groups=["Ministry"])
    device, _codes = enrolled(user)
    client = Client()
    response = sign_in(client, user)
    assert response.status_code == 302
    home = client.get(response["Location"])
    assert home.status_code == 302
    assert home["Location"].startswith(CODE)
    # Every page, not only home, waits for the code.
    learn = client.get("/en/learn/")
    assert learn.status_code == 302 and learn["Location"].startswith(CODE)
    step = client.get(learn["Location"])
    assert step.status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        done = client.post(CODE, {"code": code_for(device), "next": "/en/learn/"})
        assert done.status_code == 302
        assert done["Location"] == "/en/learn/"
        assert client.get("/en/home/").status_code in (200, 302)
        assert not client.get("/en/home/").get("Location", "").startswith(CODE)


def test_the_password_alone_cannot_replace_the_app() -> None:
    """Someone with only the password cannot set up an app of their own in place of the
    owner's: the set-up page sends them to the code step first."""
    user = administrator()
    device, _codes = enrolled(user)
    client = Client()
    sign_in(client, user)
    page = client.get(ENROL)
    assert page.status_code == 302
    assert page["Location"].startswith(CODE)
    assert client.post(ENROL, {"code": "123456"}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=user)) == [device]
    assert TOTPDevice.objects.get(user=user).confirmed


def test_wrong_codes_are_throttled_even_when_the_next_one_is_right() -> None:
    user = administrator()
    device, _codes = enrolled(user)
    client = Client()
    sign_in(client, user)
    with time_machine.travel(timezone.now() + timedelta(seconds=31), tick=False) as traveller:
        right = code_for(device)
        wrong = "000000" if right != "000000" else "111111"
        first = client.post(CODE, {"code": wrong})
        assert "That code is not right" in first.content.decode()
        # Straight after a wrong code even the right one is not checked.
        second = client.post(CODE, {"code": right})
        assert second.status_code == 200
        assert "Too many wrong codes" in second.content.decode()
        traveller.shift(timedelta(seconds=2))
        third = client.post(CODE, {"code": right})
    assert third.status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_a_backup_code_works_once() -> None:
    user = administrator()
    _device, codes = enrolled(user)
    client = Client()
    sign_in(client, user)
    assert client.post(CODE, {"code": codes[0]}).status_code == 302
    client.post("/en/accounts/logout/")
    other = Client()
    sign_in(other, user)
    refused = other.post(CODE, {"code": codes[0]})
    assert refused.status_code == 200
    assert StaticToken.objects.filter(device__user=user).count() == 9


def test_the_cms_sign_in_asks_for_the_code_too() -> None:
    user = administrator()
    device, _codes = enrolled(user)
    client = Client()
    response = sign_in(client, user, "/admin/login/")
    assert response.status_code == 302
    admin = client.get("/admin/")
    assert admin.status_code == 302
    assert admin["Location"].startswith(CODE)
    assert "next=%2Fadmin%2F" in admin["Location"]
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        done = client.post(CODE, {"code": code_for(device), "next": "/admin/"})
        assert done["Location"] == "/admin/"
        assert client.get("/admin/").status_code == 200


def test_people_without_an_app_sign_in_with_their_password_alone() -> None:
    user: Any = practitioner()
    client = Client()
    sign_in(client, user)
    response = client.get("/en/learn/")
    assert response.status_code == 200


# --- required of some roles ------------------------------------------------------------------------


@pytest.fixture
def required(settings: Any) -> None:
    settings.TWO_FACTOR_REQUIRED_ROLES = ["superuser", "Ministry"]


@pytest.mark.usefixtures("required")
def test_a_required_administrator_is_sent_to_set_up_an_app_even_from_the_cms() -> None:
    user = administrator()
    client = Client()
    sign_in(client, user, "/admin/login/")
    admin = client.get("/admin/")
    assert admin.status_code == 302
    assert admin["Location"].startswith(ENROL + "?next=")
    assert client.get("/admin/pages/").status_code == 302
    page = client.get(ENROL)
    assert "Your role requires two-step sign-in" in page.content.decode()
    device = TOTPDevice.objects.get(user=user)
    with time_machine.travel(timezone.now() + timedelta(seconds=1)):
        client.post(ENROL, {"code": code_for(device), "next": "/admin/"})
        assert client.get("/admin/").status_code == 200


@pytest.mark.usefixtures("required")
def test_a_required_ministry_user_is_sent_to_set_up_and_others_are_not() -> None:
    ministry: Any = UserFactory(groups=["Ministry"])
    client = Client()
    sign_in(client, ministry)
    response = client.get("/en/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith(ENROL)
    # Signing out still works.
    assert client.post("/en/accounts/logout/").status_code == 302
    learner = Client()
    learner_user: Any = practitioner()
    sign_in(learner, learner_user)
    assert learner.get("/en/learn/").status_code == 200


def test_without_the_setting_nobody_is_required(settings: Any) -> None:
    settings.TWO_FACTOR_REQUIRED_ROLES = []
    client = Client()
    sign_in(client, administrator(), "/admin/login/")
    assert client.get("/admin/").status_code == 200


def test_an_administrator_can_reset_a_lost_device() -> None:
    user = administrator()
    enrolled(user)
    out = StringIO()
    call_command("two_factor_reset", user.username, stdout=out)
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    client = Client()
    sign_in(client, user, "/admin/login/")
    assert client.get("/admin/").status_code == 200


def production_setting(name: str, **env: str) -> str:
    """A setting as production reads it from ``env`` (in a fresh interpreter)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TWO_FACTOR")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "curriculum.settings.production",
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "academy.example.kz",
            "SITE_URL": "https://academy.example.kz",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip()


def test_production_requires_it_of_administrators_and_the_ministry_unless_told_otherwise() -> None:
    assert production_setting("TWO_FACTOR_REQUIRED_ROLES") == "['superuser', 'Ministry']"
    assert production_setting("TWO_FACTOR_REQUIRED_ROLES", TWO_FACTOR_REQUIRED_ROLES="none") == "[]"
    assert (
        production_setting(
            "TWO_FACTOR_REQUIRED_ROLES", TWO_FACTOR_REQUIRED_ROLES="Ministry,Trainer"
        )
        == "['Ministry', 'Trainer']"
    )
