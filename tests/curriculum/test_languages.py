"""Issue #13, choosing the language: the switcher on every page (a Wagtail page's translation,
``/verify/``), the profile's language at sign-in and kept when picked, Accept-Language once then
the cookie, localised plurals and dates, the CMS in the user's language, and a password reset
and an export in the user's language."""

from __future__ import annotations

import gettext as gettext_module
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import translation
from django.utils.translation import ngettext
from wagtail.models import Locale, Page
from wagtail.users.models import UserProfile

from certification.models import Certificate
from courses.api import CoursePage
from learners.api import Cohort
from learners.models import Profile
from tests.factories import (
    CoursePageFactory,
    LessonPageFactory,
    ModulePageFactory,
    UserFactory,
    practitioner,
)
from tests.factories.certification import CertificateFactory

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def translate(page: Page, code: str, slug: str | None = None, publish: bool = True) -> Page:
    """``page``'s translation in ``code`` (its parents translated first), with its own slug."""
    parent = page.get_parent().specific
    locale = Locale.objects.get(language_code=code)
    if parent.depth > 1 and parent.get_translation_or_none(locale) is None:
        translate(parent, code)
    copy = page.specific.copy_for_translation(locale)
    if slug:
        copy.slug = slug
        copy.save()
    if publish:
        copy.save_revision().publish()
    else:
        copy.unpublish()
    copy.refresh_from_db()
    return copy


def switcher(html: str) -> dict[str, str]:
    """The switcher's links: language → the page it leads to (its ``next``)."""
    nav = html[html.index('class="language-switcher"') :]
    nav = nav[: nav.index("</nav>")]
    links = {}
    for href, code in re.findall(r'<a href="([^"]+)" lang="(\w+)"', nav):
        query = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
        assert urlsplit(href).path == "/language/" and query["language"] == [code]
        links[code] = query["next"][0]
    return links


@pytest.fixture
def course() -> CoursePage:
    course = CoursePageFactory(slug="care")
    LessonPageFactory(parent=ModulePageFactory(parent=course, slug="basics"), slug="first")
    return course


# --- the switcher: the same page in another language ----------------------------------------


def test_a_translated_page_links_to_its_translation_whatever_its_slug(
    client: Client, course: CoursePage
) -> None:
    module = course.get_children().first()
    lesson = module.get_children().first()
    translate(lesson, "ru", slug="pervyi")  # parents translated too, same slugs
    translate(course, "kk", slug="kutim")  # the course only: its module is not in Kazakh
    links = switcher(client.get("/en/courses/care/basics/first/").content.decode())
    assert links["en"] == "/en/courses/care/basics/first/"
    assert links["ru"] == "/ru/courses/care/basics/pervyi/"
    assert links["kk"] == "/kk/courses/kutim/"  # the nearest translated ancestor
    # And back: the Russian lesson's switcher leads to the English one.
    links = switcher(client.get("/ru/courses/care/basics/pervyi/").content.decode())
    assert links["en"] == "/en/courses/care/basics/first/"


def test_a_translation_that_is_not_live_is_skipped_for_its_parent(
    client: Client, course: CoursePage
) -> None:
    module = course.get_children().first()
    translate(module, "ru", slug="osnovy")
    translate(module.get_children().first(), "ru", slug="pervyi", publish=False)
    links = switcher(client.get("/en/courses/care/basics/first/").content.decode())
    assert links["ru"] == "/ru/courses/care/osnovy/"
    # Published later: the switcher follows at once (the cached links move on with publishing).
    Page.objects.get(slug="pervyi").specific.save_revision().publish()
    links = switcher(client.get("/en/courses/care/basics/first/").content.decode())
    assert links["ru"] == "/ru/courses/care/osnovy/pervyi/"


def test_a_page_with_no_translated_ancestor_but_the_home_goes_home(
    client: Client, course: CoursePage
) -> None:
    translate(course.get_parent(), "kk")  # the catalogue (and the home page) in Kazakh only
    links = switcher(client.get("/en/courses/care/basics/first/").content.decode())
    assert links["kk"] == "/kk/courses/"


def test_following_a_link_remembers_the_choice_and_lands_on_the_translation(
    client: Client, course: CoursePage
) -> None:
    translate(course, "ru", slug="ukhod")
    links = switcher(client.get("/en/courses/care/").content.decode())
    response = client.get("/language/", {"language": "ru", "next": links["ru"]})
    assert response.status_code == 302 and response["Location"] == "/ru/courses/ukhod/"
    assert response.cookies[COOKIE].value == "ru"
    # The view also translates a page given as it is (the signed-in form posts the current one).
    response = client.get("/language/", {"language": "ru", "next": "/en/courses/care/"})
    assert response["Location"] == "/ru/courses/ukhod/"


@pytest.mark.parametrize(
    ("params", "status", "location"),
    [
        ({"language": "de", "next": "/en/"}, 400, None),
        ({"language": "kk", "next": "https://evil.example/"}, 302, "/kk/"),
        ({"language": "kk", "next": "//evil.example/en/"}, 302, "/kk/"),
        ({"language": "kk"}, 302, "/kk/"),
        ({"language": "kk", "next": "/en/learn/?tab=2"}, 302, "/kk/learn/?tab=2"),
    ],
    ids=["unknown-language", "other-site", "scheme-relative", "no-next", "django-view"],
)
def test_the_switch_view_refuses_what_it_should(
    client: Client, params: dict[str, str], status: int, location: str | None
) -> None:
    response = client.get("/language/", params)
    assert response.status_code == status
    if location is not None:
        assert response["Location"] == location
    else:
        assert COOKIE not in response.cookies


def test_verify_has_the_switcher_and_changes_its_language(client: Client) -> None:
    certificate = CertificateFactory()
    url = f"/verify/{certificate.code}/"
    html = client.get(url).content.decode()
    assert '<html lang="en">' in html
    assert switcher(html) == {"en": url, "ru": url, "kk": url}
    response = client.get("/language/", {"language": "ru", "next": url})
    assert response["Location"] == url and response.cookies[COOKIE].value == "ru"
    html = client.get(url).content.decode()  # the client keeps the cookie
    assert '<html lang="ru">' in html and "Действителен" in html
    assert switcher(html)["kk"] == url


def test_an_anonymous_page_keeps_plain_links_and_a_signed_in_one_posts_a_form(
    client: Client, course: CoursePage
) -> None:
    html = client.get("/en/courses/care/").content.decode()
    assert "csrfmiddlewaretoken" not in html  # still the same page for every anonymous reader
    client.force_login(practitioner())
    html = client.get("/en/courses/care/").content.decode()
    nav = html[html.index('class="language-switcher"') :]
    nav = nav[: nav.index("</nav>")]
    assert '<form method="post" action="/language/">' in nav
    assert 'name="next" value="/en/courses/care/"' in nav
    assert 'name="language" value="kk"' in nav


def test_the_anonymous_header_is_shared_but_never_with_someone_signed_in(
    client: Client, course: CoursePage
) -> None:
    # Rendered once for every anonymous visitor (core's ``shared_header_key``): the first
    # visitor's header is kept, and the next reader's must still be their own.
    first = client.get("/en/courses/care/").content.decode()
    assert "Log in" in first and "Log out" not in first
    client.force_login(practitioner())
    signed_in = client.get("/en/courses/care/").content.decode()
    assert "Log out" in signed_in and ">Log in<" not in signed_in
    assert 'name="csrfmiddlewaretoken"' in signed_in
    client.logout()
    again = client.get("/en/courses/care/").content.decode()
    assert again.count('class="site-header"') == 1 and "Log out" not in again
    # In another language, that language's header, not the kept English one.
    russian = client.get("/ru/courses/care/").content.decode()
    assert 'href="/ru/courses/"' in russian and 'href="/en/courses/"' not in russian


def test_a_new_translation_shows_in_the_anonymous_header_at_once(
    client: Client, course: CoursePage
) -> None:
    lesson = course.get_children().first().get_children().first()
    assert switcher(client.get("/en/courses/care/basics/first/").content.decode())["ru"] == (
        "/ru/courses/care/basics/first/"  # no Russian page: the same path under /ru/
    )
    translate(lesson, "ru", slug="pervyi")  # a publish: the kept header goes
    links = switcher(client.get("/en/courses/care/basics/first/").content.decode())
    assert links["ru"] == "/ru/courses/care/basics/pervyi/"


def test_a_view_that_is_not_a_page_links_to_itself_in_each_language(client: Client) -> None:
    first, second = CertificateFactory(), CertificateFactory()
    for certificate in (first, second, first):  # the links of one path are kept per process
        url = f"/verify/{certificate.code}/"
        assert switcher(client.get(url).content.decode()) == {"en": url, "ru": url, "kk": url}
    html = client.get(f"/verify/{second.code}/", HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    assert '<html lang="kk">' in html
    assert 'lang="kk" hreflang="kk" aria-current="true"' in html


# --- signed in: the profile's language ----------------------------------------------------------


def sign_in(client: Client, user: User, next_url: str = "") -> Any:
    url = "/en/accounts/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": user.username, "password": "a-long-test-password-1"})


def kazakh_learner() -> User:
    user = practitioner()
    Profile.objects.filter(user=user).update(preferred_language="kk")
    return user


def test_signing_in_lands_in_the_profiles_language(client: Client) -> None:
    user = kazakh_learner()
    response = sign_in(client, user, next_url="/en/learn/")
    assert response.status_code == 302 and response["Location"] == "/kk/learn/"
    assert response.cookies[COOKIE].value == "kk"
    client.logout()
    response = sign_in(Client(), user)
    assert response["Location"] == "/kk/home/"


def test_signing_in_without_a_profile_leaves_the_language_alone(client: Client) -> None:
    user = UserFactory(groups=["Administrator"])
    response = sign_in(client, user)
    assert response.status_code == 302 and response["Location"] == "/en/home/"
    assert COOKIE not in response.cookies


def test_a_wrong_password_sets_no_language(client: Client) -> None:
    user = kazakh_learner()
    response = client.post(
        "/en/accounts/login/", {"username": user.username, "password": "wrong-password-1"}
    )
    assert response.status_code == 200 and COOKIE not in response.cookies


def test_a_signed_in_choice_is_kept_in_the_profile_on_post_only(client: Client) -> None:
    user = practitioner()
    client.force_login(user)
    response = client.get("/language/", {"language": "kk", "next": "/en/learn/"})
    assert response.cookies[COOKIE].value == "kk"
    assert Profile.objects.get(user=user).preferred_language == "en"  # a GET writes nothing
    response = client.post("/language/", {"language": "kk", "next": "/en/learn/"})
    assert response["Location"] == "/kk/learn/" and response.cookies[COOKIE].value == "kk"
    assert Profile.objects.get(user=user).preferred_language == "kk"


def test_the_signed_in_form_needs_its_csrf_token(course: CoursePage) -> None:
    user = practitioner()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/language/", {"language": "kk", "next": "/en/learn/"})
    assert response.status_code == 403
    assert Profile.objects.get(user=user).preferred_language == "en"
    html = client.get("/en/courses/care/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None
    response = client.post(
        "/language/",
        {"language": "kk", "next": "/en/learn/", "csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 302
    assert Profile.objects.get(user=user).preferred_language == "kk"


# --- anonymous: Accept-Language once, then their choice ------------------------------------------


def test_accept_language_decides_the_first_visit_and_is_remembered(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="kk,ru;q=0.8")
    assert response.status_code == 302 and response["Location"] == "/kk/"
    assert response.cookies[COOKIE].value == "kk"
    # Later, another Accept-Language (another browser setting) does not override it.
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response["Location"] == "/kk/"


def test_a_choice_beats_accept_language(client: Client) -> None:
    client.get("/language/", {"language": "ru", "next": "/ru/"})
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="kk")
    assert response["Location"] == "/ru/"
    assert COOKIE not in response.cookies  # nothing new to remember
    certificate = CertificateFactory()
    html = client.get(f"/verify/{certificate.code}/", HTTP_ACCEPT_LANGUAGE="kk").content
    assert b'<html lang="ru">' in html


def test_without_accept_language_the_default_language(client: Client) -> None:
    response = client.get("/")
    assert response["Location"] == f"/{settings.LANGUAGE_CODE}/"


# --- plurals and dates -------------------------------------------------------------------------

REMINDER = (
    "Your certificate “%(name)s” expires in %(days)d day",
    "Your certificate “%(name)s” expires in %(days)d days",
)
WAITING = (
    "%(n)d waiting invitation is being sent.",
    "%(n)d waiting invitations are being sent.",
)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", {1: "день", 2: "дня", 5: "дней", 21: "день", 22: "дня", 25: "дней"}),
        ("kk", dict.fromkeys((1, 2, 5, 21, 22, 25), "күннен")),
        ("en", {1: "day", 2: "days", 5: "days", 21: "days", 22: "days", 25: "days"}),
    ],
)
def test_reminder_plurals(language: str, expected: dict[int, str]) -> None:
    with translation.override(language):
        for n, word in expected.items():
            text = ngettext(*REMINDER, n) % {"name": "X", "days": n}
            assert re.search(rf"\b{n} {word}\b", text), (n, text)


def catalogue_plural(language: str) -> Any:
    """The catalogue's own plural rule (its Plural-Forms header), read from the .po file."""
    po = Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"
    header = re.search(r'"Plural-Forms: ([^"\\]+)', po.read_text(encoding="utf-8"))
    assert header is not None, f"{po} has no Plural-Forms header"
    nplurals = int(re.search(r"nplurals=(\d+)", header.group(1)).group(1))  # type: ignore[union-attr]
    rule = gettext_module.c2py(header.group(1).split("plural=")[1].rstrip(";"))
    return nplurals, rule


def test_catalogue_plural_headers() -> None:
    """Russian: one (1, 21), few (2, 22), many (5, 25, 11 to 14); Kazakh: CLDR one and other."""
    _n, ru = catalogue_plural("ru")
    forms = {n: ru(n) for n in (1, 2, 5, 11, 12, 14, 21, 22, 25, 101, 111)}
    assert forms[1] == forms[21] == forms[101]
    assert forms[2] == forms[22]
    assert forms[5] == forms[25] == forms[11] == forms[12] == forms[14] == forms[111]
    assert len({forms[1], forms[2], forms[5]}) == 3
    nplurals, kk = catalogue_plural("kk")
    assert nplurals == 2 and kk(1) != kk(2) and kk(2) == kk(5) == kk(21)


@pytest.mark.parametrize(
    ("language", "forms"),
    [
        ("ru", {1: "приглашение", 21: "приглашение", 2: "приглашения", 22: "приглашения",
                5: "приглашений", 25: "приглашений"}),
    ],
)  # fmt: skip
def test_another_real_message_in_russian(language: str, forms: dict[int, str]) -> None:
    with translation.override(language):
        for n, word in forms.items():
            text = ngettext(*WAITING, n) % {"n": n}
            assert word in text.split() or any(w.startswith(word) for w in text.split()), text


@pytest.mark.parametrize(("language", "month"), [("ru", "июня"), ("kk", "маусым")])
def test_my_learning_dates_have_the_languages_month_names(
    client: Client, language: str, month: str
) -> None:
    from datetime import date

    certificate: Certificate = CertificateFactory(
        issued_on=date(2026, 6, 12), expires_on=date(2028, 6, 12)
    )
    client.force_login(certificate.user)
    html = client.get(f"/{language}/learn/").content.decode()
    assert f"12 {month} 2028" in html.lower()
    assert "June" not in html


# --- the CMS in the user's language ----------------------------------------------------------


def test_our_cms_screen_follows_the_cms_users_language(client: Client) -> None:
    admin = UserFactory(groups=["Ministry"])
    UserProfile.objects.update_or_create(user=admin, defaults={"preferred_language": "kk"})
    client.force_login(admin)
    html = client.get("/admin/certificates/").content.decode()
    assert '<html lang="kk"' in html
    assert "Сертификат" in html
    UserProfile.objects.filter(user=admin).update(preferred_language="en")
    html = client.get("/admin/certificates/").content.decode()
    assert '<html lang="en"' in html


def test_the_cms_follows_the_language_chosen_at_sign_in(client: Client) -> None:
    """No CMS language set: the profile's, remembered in the cookie at sign-in."""
    user = UserFactory(groups=["Ministry"])
    Profile.objects.create(user=user, specialty="psychologist", region="KZ-75",
                           preferred_language="ru")  # fmt: skip
    sign_in(client, user)
    assert client.cookies[COOKIE].value == "ru"
    assert '<html lang="ru"' in client.get("/admin/certificates/").content.decode()


# --- messages and exports in the user's language -------------------------------------------------


def test_a_password_reset_is_written_in_the_account_holders_language(client: Client) -> None:
    user = kazakh_learner()
    client.post("/en/accounts/password/reset/", {"email": user.email}, HTTP_ACCEPT_LANGUAGE="en")
    (email,) = mail.outbox
    assert "/kk/accounts/password/reset/" in email.body  # the link in their language too
    assert re.search("[әғқңөұүһі]", email.subject + email.body), email.body
    assert "password" not in email.body.lower().replace("/password/", "")


def test_a_password_reset_for_someone_without_a_profile_is_in_the_page_language(
    client: Client,
) -> None:
    user = UserFactory()
    client.post("/ru/accounts/password/reset/", {"email": user.email})
    (email,) = mail.outbox
    assert "/ru/accounts/password/reset/" in email.body


def test_a_cohort_export_has_russian_column_headers(client: Client) -> None:
    trainer = UserFactory(groups=["Trainer"])
    cohort = Cohort.objects.create(name="Павлодар 2026")
    cohort.trainers.add(trainer)
    client.force_login(trainer)
    response = client.get(f"/ru/learn/cohorts/{cohort.pk}/export.csv")
    assert response.status_code == 200, response.status_code
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert re.search("[\u0430-\u044f]", header) and not re.search("[a-z]", header), header
    english = client.get(f"/en/learn/cohorts/{cohort.pk}/export.csv")
    assert english.content.decode("utf-8-sig").startswith("name,email,specialty,")
