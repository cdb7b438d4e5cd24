"""The certificate PDF: what it says, in Kazakh and Russian names; a QR code that opens the
verification URL; and a renderer that loads nothing from outside the document.

Text is read back with poppler's ``pdftotext`` and the page is rasterised with ``pdftoppm``
(Debian's poppler-utils, installed by ``make install-dev`` and CI); the QR code on the page is
decoded with zxing-cpp.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import zxingcpp
from django.utils import translation
from weasyprint.urls import URLFetcher

from certification import pdf
from certification.pdf import (
    CertificateDocument,
    ExternalResourceRefused,
    certificate_pdf,
    qr_svg,
)
from tests.certification.helpers import pdf_text, poppler, qr_codes

KAZAKH_NAME = "Гүлшаһар Әбдіғалиқызы Төлеңова"
# Compound surnames are common: a long name gets smaller type and stays on one line.
LONG_KAZAKH_NAME = "Нұрсұлу Шаһмұратқызы Түңғышбаева-Өтегенова"
RUSSIAN_NAME = "Анна Петрова"
NAMES = {"kk": KAZAKH_NAME, "kk-long": LONG_KAZAKH_NAME, "ru": RUSSIAN_NAME}
URL = "https://academy.example.kz/verify/3F9K-7QXM-2HBD/"


def document(holder_name: str) -> CertificateDocument:
    return CertificateDocument(
        holder_name=holder_name,
        certification="Psychosocial support for returnee families",
        issued_on=date(2026, 3, 12),
        expires_on=date(2029, 3, 11),
        issuing_body="Zhusan Academy",
        verification_url=URL,
        code="3F9K-7QXM-2HBD",
        courses=("Trauma-informed care (version 2.1)", "Stories between generations (version 1.0)"),
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One PDF per name, rendered once for the module (WeasyPrint takes a few tenths of a second)."""
    folder = tmp_path_factory.mktemp("certificates")
    paths = {}
    for key, name in NAMES.items():
        paths[key] = folder / f"{key}.pdf"
        paths[key].write_bytes(certificate_pdf(document(name)))
    return paths


def test_the_kazakh_names_use_every_letter_russian_lacks() -> None:
    assert set("әғқңөұүһі") <= set((KAZAKH_NAME + LONG_KAZAKH_NAME).lower())


@pytest.mark.parametrize("key", NAMES)
def test_the_pdf_says_who_holds_what_from_when_to_when_from_whom(
    rendered: dict[str, Path], key: str
) -> None:
    text = pdf_text(rendered[key])

    # Whole, on one line: pdftotext would drop the hyphen of a name broken after it.
    assert NAMES[key] in text
    assert "Psychosocial support for returnee families" in text
    assert "Issued on 12 March 2026" in text
    assert "Valid until 11 March 2029" in text
    assert "Issued by Zhusan Academy" in text
    assert "3F9K-7QXM-2HBD" in text
    assert "Trauma-informed care (version 2.1)" in text
    assert f"Check this certificate at {URL}" in text


def test_the_pdf_is_one_a4_landscape_page_with_only_dejavu_fonts_embedded(
    rendered: dict[str, Path],
) -> None:
    info = poppler("pdfinfo", str(rendered["kk"])).decode()
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE)
    assert re.search(r"^Page size:\s+841\.89 x 595\.276 pts \(A4\)$", info, re.MULTILINE)

    # A glyph missing from DejaVu would make pango fall back to another font (or a blank box).
    rows = poppler("pdffonts", str(rendered["kk"])).decode().splitlines()[2:]
    assert rows
    for row in rows:
        assert "+DejaVu-" in row.split()[0], row
        assert " yes yes yes " in row, f"not embedded, subset and mapped to Unicode: {row}"


def test_dates_follow_the_active_language(tmp_path: Path) -> None:
    path = tmp_path / "ru.pdf"
    with translation.override("ru"):
        path.write_bytes(certificate_pdf(document(RUSSIAN_NAME)))

    text = pdf_text(path)
    assert "12 марта 2026" in text
    assert "11 марта 2029" in text


def test_the_qr_code_on_the_page_opens_exactly_the_verification_url(
    rendered: dict[str, Path], tmp_path: Path
) -> None:
    codes = qr_codes(rendered["kk"], tmp_path)

    assert [(code.format, code.text) for code in codes] == [(zxingcpp.BarcodeFormat.QRCode, URL)]
    assert codes[0].ec_level in {"M", "Q", "H"}


def test_qr_svg_is_a_standalone_svg_with_a_four_module_quiet_zone() -> None:
    svg = qr_svg(URL)

    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    view_box = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    assert view_box
    width, height = map(int, view_box.groups())
    # A regular QR symbol (not Micro QR) is 17 + 4 * version modules wide, plus the quiet zone;
    # the top-left finder pattern, the first dark run, starts four modules in.
    assert width == height and (width - 2 * 4 - 17) % 4 == 0 and width > 21 + 2 * 4
    assert 'stroke="#000" d="M4 4.5h7' in svg


EXTERNAL = [
    '<img src="https://cdn.example.org/seal.png" alt="">',
    '<link rel="stylesheet" href="https://cdn.example.org/certificate.css">',
    "<style>@import url(http://cdn.example.org/fonts.css);</style>",
    "<style>@font-face { font-family: X; src: url(https://fonts.example.org/x.woff2); }"
    " p { font-family: X; }</style>",
    '<div style="background: url(file:///etc/passwd)">x</div>',
    '<img src="/static/img/seal.png" alt="">',
]


@pytest.mark.parametrize("markup", EXTERNAL)
def test_the_renderer_refuses_anything_from_outside_the_document(
    monkeypatch: pytest.MonkeyPatch, markup: str
) -> None:
    fetched: list[str] = []

    def record(self: URLFetcher, url: str, headers: object = None) -> None:
        fetched.append(url)
        raise AssertionError(f"fetched {url}")

    monkeypatch.setattr(URLFetcher, "fetch", record)
    monkeypatch.setattr(pdf, "render_to_string", lambda *args, **kwargs: f"<p>x</p>{markup}")

    with pytest.raises(ExternalResourceRefused, match="may not load"):
        certificate_pdf(document(RUSSIAN_NAME))
    assert fetched == []


def test_the_certificate_loads_nothing_but_its_own_qr_code(monkeypatch: pytest.MonkeyPatch) -> None:
    fetched: list[str] = []
    fetch = URLFetcher.fetch

    def record(self: URLFetcher, url: str, headers: object = None) -> object:
        fetched.append(url)
        return fetch(self, url, headers)

    monkeypatch.setattr(URLFetcher, "fetch", record)

    certificate_pdf(document(RUSSIAN_NAME))

    assert len(fetched) == 1
    assert fetched[0].startswith("data:image/svg+xml;base64,")
