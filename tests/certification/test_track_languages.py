"""Issue #13, documents and messages in the holder's language: the track's translated name,
description and issuing body (the model, the tracks file), the certificate PDF in the holder's
language with Kazakh letters read back by pdftotext, /verify/, My learning, the CMS, and the
reminders of a Russian-preference holder with no English left."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import translation

from certification.models import Certificate, CertificationTrack
from certification.tasks import nightly
from certification.tracks_file import tracks_file_parse, tracks_import
from courses.api import CurriculumInvalid
from learners.models import Profile
from tests.certification.helpers import pdf_text
from tests.factories import CoursePageFactory, UserFactory, practitioner
from tests.factories.certification import CertificateFactory, TrackFactory

pytestmark = pytest.mark.django_db

KAZAKH_LETTERS = set("әғқңөұүһі")
TRANSLATIONS = {
    "ru": {
        "name": "Психосоциальная поддержка семей, вернувшихся на родину",
        "description": "Для специалистов, которые поддерживают женщин и детей.",
        "issuing_body": "Академия Жусан",
    },
    "kk": {
        "name": "Елге оралған отбасыларға психоәлеуметтік қолдау",
        "issuing_body": "Жусан академиясы",
    },
}


def track(**fields: Any) -> CertificationTrack:
    return TrackFactory(name="Psychosocial support for returnee families",
                        translations=TRANSLATIONS, **fields)  # fmt: skip


def holder(language: str) -> Any:
    user = practitioner(first_name="Айгерім", last_name="Нұрланова", email="aigerim@example.org")
    Profile.objects.filter(user=user).update(preferred_language=language)
    return user


# --- the model ----------------------------------------------------------------------------------


def test_text_in_a_language_falls_back_to_the_source() -> None:
    t = track(description="For practitioners.")
    assert t.text_in("name", "ru") == TRANSLATIONS["ru"]["name"]
    assert t.text_in("description", "kk") == "For practitioners."  # no Kazakh description
    assert t.text_in("name", "en") == "Psychosocial support for returnee families"
    assert t.text_in("name", "de") == "Psychosocial support for returnee families"
    with translation.override("kk"):
        assert t.localized_name == TRANSLATIONS["kk"]["name"]
        assert t.localized_issuing_body == "Жусан академиясы"
    t.translations = {"ru": {"name": "  "}}  # blank is no translation
    assert t.text_in("name", "ru") == t.name
    with pytest.raises(ValueError, match="has no translations"):
        t.text_in("slug", "ru")


# --- the tracks file ----------------------------------------------------------------------------

HEAD = """\
- slug: ps
  name: Psychosocial support
  issuing_body: Zhusan Academy
  validity_months: 24
  renewal_window_days: 90
  renewal_rule: repass
  courses: [care]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "certification-tracks.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_file_carries_translations_and_the_import_keeps_them(tmp_path: Path) -> None:
    CoursePageFactory(slug="care")
    path = write(
        tmp_path,
        HEAD
        + """\
  translations:
    ru:
      name: Психосоциальная поддержка
      description: Для специалистов.
    kk:
      name: Психоәлеуметтік қолдау
      issuing_body: Жусан академиясы
""",
    )
    (spec,) = tracks_file_parse(path)
    assert spec.translations["kk"] == {
        "name": "Психоәлеуметтік қолдау",
        "issuing_body": "Жусан академиясы",
    }
    report = tracks_import(path=path)
    assert report.created == ["Psychosocial support"]
    stored = CertificationTrack.objects.get(slug="ps")
    assert stored.text_in("name", "kk") == "Психоәлеуметтік қолдау"
    assert stored.text_in("description", "ru") == "Для специалистов."
    assert tracks_import(path=path).unchanged == ["Psychosocial support"]  # idempotent
    # A changed translation is an update; taking them out empties them.
    write(tmp_path, path.read_text(encoding="utf-8").replace("Для специалистов.", "Для всех."))
    assert tracks_import(path=path).updated == ["Psychosocial support"]
    write(tmp_path, HEAD)
    tracks_import(path=path)
    assert CertificationTrack.objects.get(slug="ps").translations == {}


@pytest.mark.parametrize(
    ("translations", "line", "message"),
    [
        ("  translations:\n    de:\n      name: Psychosoziale\n", 9,
         "field 'translations': unknown language 'de'; allowed: ru, kk"),
        ("  translations:\n    en:\n      name: Again\n", 9, "unknown language 'en'"),
        ("  translations:\n    ru:\n      title: Заголовок\n", 10,
         "field 'translations.ru.title': is unknown; allowed: name, description, issuing_body"),
        ("  translations:\n    kk:\n      name: " + "қ" * 256 + "\n", 10,
         "field 'translations.kk.name': must be at most 255 characters, got 256"),
        ("  translations:\n    ru:\n      name: ''\n", 10,
         "field 'translations.ru.name': must be non-empty text"),
        ("  translations:\n    ru: Психосоциальная\n", 9, "field 'translations.ru': must be"),
        ("  translations: [ru, kk]\n", 8, "field 'translations': must map a language"),
    ],
    ids=["unknown-language", "source-language", "unknown-field", "too-long", "empty", "not-a-map",
         "a-list"],
)  # fmt: skip
def test_bad_translations_are_reported_field_by_field(
    tmp_path: Path, translations: str, line: int, message: str
) -> None:
    path = write(tmp_path, HEAD + translations)
    with pytest.raises(CurriculumInvalid) as caught:
        tracks_file_parse(path)
    text = str(caught.value)
    assert message in text, text
    assert f":{line}" in text, text


def test_the_shipped_tracks_file_still_reads() -> None:
    from django.conf import settings

    specs = tracks_file_parse(Path(settings.BASE_DIR) / "content" / "certification-tracks.yaml")
    for spec in specs:
        for language, texts in spec.translations.items():
            assert language in {"ru", "kk"} and texts.get("name"), (spec.slug, language)


# --- the certificate PDF, in the holder's language -----------------------------------------------


def download(client: Client, certificate: Certificate, tmp_path: Path, prefix: str = "en") -> str:
    client.force_login(certificate.user)
    response = client.get(f"/{prefix}/learn/certificates/{certificate.pk}/certificate.pdf")
    assert response.status_code == 200
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(response.content)
    return pdf_text(pdf)


def test_a_kazakh_holders_certificate_is_in_kazakh_read_back_with_pdftotext(
    client: Client, tmp_path: Path
) -> None:
    certificate = CertificateFactory(
        user=holder("kk"), track=track(), holder_name="Айгерім Нұрланова",
        issued_on=date(2026, 6, 12), expires_on=date(2028, 6, 12),
    )  # fmt: skip
    text = download(client, certificate, tmp_path, prefix="en")  # read in English, printed in kk
    assert "Елге оралған отбасыларға психоәлеуметтік қолдау" in text
    assert "Жусан академиясы" in text
    assert "маусым" in text.lower()  # June, in the dates
    # The labels (not only the names) are Kazakh, with Kazakh letters in them.
    labels = text.replace("Айгерім Нұрланова", "").replace(TRANSLATIONS["kk"]["name"], "")
    labels = labels.replace("Жусан академиясы", "")
    assert KAZAKH_LETTERS & set(labels), text
    for english in ("Certificate", "Valid until", "Issued on", "has completed"):
        assert english not in text, english


def test_a_russian_holders_certificate_is_in_russian(client: Client, tmp_path: Path) -> None:
    certificate = CertificateFactory(user=holder("ru"), track=track(),
                                     expires_on=date(2028, 6, 12))  # fmt: skip
    text = download(client, certificate, tmp_path, prefix="kk")
    assert TRANSLATIONS["ru"]["name"] in text and "июня" in text
    assert "Valid until" not in text


def test_the_pdf_uses_fonts_that_cover_kazakh(client: Client, tmp_path: Path) -> None:
    from tests.certification.helpers import poppler

    certificate = CertificateFactory(user=holder("kk"), track=track())
    client.force_login(certificate.user)
    response = client.get(f"/kk/learn/certificates/{certificate.pk}/certificate.pdf")
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(response.content)
    fonts = poppler("pdffonts", str(pdf)).decode()
    assert "DejaVu" in fonts and all("DejaVu" in line for line in fonts.splitlines()[2:]), fonts


# --- /verify/, My learning and the CMS ---------------------------------------------------------


def test_verify_shows_the_track_in_the_readers_language(client: Client) -> None:
    certificate = CertificateFactory(track=track())
    html = client.get(f"/verify/{certificate.code}/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert TRANSLATIONS["ru"]["name"] in html and "Академия Жусан" in html
    html = client.get(f"/verify/{certificate.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Psychosocial support for returnee families" in html


def test_my_learning_shows_the_track_in_the_page_language(client: Client) -> None:
    certificate = CertificateFactory(track=track())
    client.force_login(certificate.user)
    assert TRANSLATIONS["kk"]["name"] in client.get("/kk/learn/").content.decode()
    assert TRANSLATIONS["ru"]["name"] in client.get("/ru/learn/").content.decode()


def test_the_cms_certificate_list_shows_the_track_in_the_cms_users_language(
    client: Client,
) -> None:
    from wagtail.users.models import UserProfile

    CertificateFactory(track=track())
    official = UserFactory(groups=["Ministry"])
    UserProfile.objects.update_or_create(user=official, defaults={"preferred_language": "ru"})
    client.force_login(official)
    html = client.get("/admin/certificates/").content.decode()
    assert TRANSLATIONS["ru"]["name"] in html


# --- reminders ----------------------------------------------------------------------------------

ALMATY = ZoneInfo("Asia/Almaty")


def test_a_russian_preference_learner_gets_russian_reminders_with_no_english_left(
    settings: Any,
) -> None:
    settings.SITE_URL = "https://academy.example.kz"
    CertificateFactory(user=holder("ru"), track=track(), expires_on=date(2027, 6, 30))
    for day in (date(2027, 5, 1), date(2027, 6, 10), date(2027, 6, 29), date(2027, 7, 1)):
        before = len(mail.outbox)
        with time_machine.travel(datetime(day.year, day.month, day.day, 2, 30, tzinfo=ALMATY)):
            nightly()
        (email,) = mail.outbox[before:]
        text = f"{email.subject}\n{email.body}".replace("https://academy.example.kz/ru/learn/", "")
        assert TRANSLATIONS["ru"]["name"] in email.subject
        assert not re.search("[A-Za-z]", text), text
        assert re.search("[\u0430-\u044f]", email.body)
