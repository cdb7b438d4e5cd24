# ruff: noqa: RUF001, RUF003 -- Cyrillic spellings are what this tests
"""The region table (learners/data/regions.csv) against the spellings clerks write."""

from __future__ import annotations

import pycountry
import pytest
from django.utils import translation

from learners.regions import (
    REGION_CODES,
    region_choices,
    region_code_for,
    region_lookup,
    region_name,
)

#: Spellings seen in ministry spreadsheets, each with the region it means.
SPELLINGS = [
    # the refused spellings
    ("Түркістан облысы", "KZ-61"), ("Алматы қаласы", "KZ-75"), ("г. Алматы", "KZ-75"),
    ("Астана қаласы", "KZ-71"), ("ВКО", "KZ-63"), ("Жетісу облысы", "KZ-33"),
    ("Ұлытау облысы", "KZ-62"), ("Almaty Region", "KZ-19"),
    # official names
    ("Абай облысы", "KZ-10"), ("Абайская область", "KZ-10"), ("Abai Region", "KZ-10"),
    ("Ақмола облысы", "KZ-11"), ("Акмолинская область", "KZ-11"), ("Akmola", "KZ-11"),
    ("Ақтөбе облысы", "KZ-15"), ("Актюбинская обл.", "KZ-15"), ("Aktobe region", "KZ-15"),
    ("Алматы облысы", "KZ-19"), ("Алматинская область", "KZ-19"), ("Almaty oblast", "KZ-19"),
    ("Атырау облысы", "KZ-23"), ("Атырауская обл", "KZ-23"), ("Atyrau", "KZ-23"),
    ("Батыс Қазақстан облысы", "KZ-27"), ("ЗКО", "KZ-27"), ("БҚО", "KZ-27"),
    ("западно-казахстанская область", "KZ-27"), ("ЗАПАДНО КАЗАХСТАНСКАЯ ОБЛ.", "KZ-27"),
    ("Жамбыл облысы", "KZ-31"), ("Жамбылская область", "KZ-31"), ("Zhambyl Region", "KZ-31"),
    ("Жетысуская область", "KZ-33"), ("Jetisu", "KZ-33"), ("Zhetysu oblast", "KZ-33"),
    ("Қарағанды облысы", "KZ-35"), ("Карагандинская область", "KZ-35"), ("Karaganda", "KZ-35"),
    ("Карагандинская", "KZ-35"), ("Қостанай облысы", "KZ-39"), ("Костанайская область", "KZ-39"),
    ("Қызылорда облысы", "KZ-43"), ("Кызылординская область", "KZ-43"),
    ("Маңғыстау облысы", "KZ-47"), ("Мангистауская область", "KZ-47"), ("Mangystau", "KZ-47"),
    ("Павлодар облысы", "KZ-55"), ("Павлодарская область", "KZ-55"), ("Павлодар", "KZ-55"),
    ("Солтүстік Қазақстан облысы", "KZ-59"), ("СКО", "KZ-59"), ("СҚО", "KZ-59"),
    ("Северо-Казахстанская  область", "KZ-59"), ("North Kazakhstan Region", "KZ-59"),
    ("Туркестанская область", "KZ-61"), ("Turkistan region", "KZ-61"),
    ("Улытауская область", "KZ-62"), ("Ulytau", "KZ-62"),
    ("Шығыс Қазақстан облысы", "KZ-63"), ("ШҚО", "KZ-63"), ("Восточно-Казахстанская область", "KZ-63"),
    ("East-Kazakhstan region", "KZ-63"),
    # the three cities
    ("Астана", "KZ-71"), ("г.Астана", "KZ-71"), ("город Астана", "KZ-71"), ("Astana city", "KZ-71"),
    ("Алматы", "KZ-75"), ("Алматы қ.", "KZ-75"), ("Алматы к.", "KZ-75"), ("Алма-Ата", "KZ-75"),
    ("Almaty", "KZ-75"), ("ALMATY", "KZ-75"), ("Шымкент", "KZ-79"), ("Шымкент қаласы", "KZ-79"),
    ("г. Шымкент", "KZ-79"), ("Shymkent", "KZ-79"),
    # codes, keyboards without Kazakh letters, ё/е, dashes
    ("KZ-75", "KZ-75"), (" kz-71 ", "KZ-71"), ("Акмола облысы", "KZ-11"),
    ("Туркістан облысы", "KZ-61"), ("Улытау облысы", "KZ-62"), ("Шыгыс Казакстан облысы", "KZ-63"),
    ("Северо–Казахстанская область", "KZ-59"), ("Семей", "KZ-10"),
]  # fmt: skip

FORMER = [  # (spelling, today's region, how the note names it in English)
    ("Южно-Казахстанская область", "KZ-61", "Turkistan Region (KZ-61)"),
    ("Южно-Казахстанская", "KZ-61", "Turkistan Region (KZ-61)"),
    ("ЮКО", "KZ-61", "Turkistan Region (KZ-61)"),
    ("Нур-Султан", "KZ-71", "Astana (KZ-71)"),
    ("Nur-Sultan", "KZ-71", "Astana (KZ-71)"),
    ("Целиноград", "KZ-71", "Astana (KZ-71)"),
    ("г. Акмола", "KZ-71", "Astana (KZ-71)"),
    ("Семипалатинская область", "KZ-10", "Abai Region (KZ-10)"),
    ("KZ-YUZ", "KZ-61", "Turkistan Region (KZ-61)"),
]

AMBIGUOUS = [
    ("KZ-ALM", {"KZ-19", "KZ-33"}),
    ("KZ-VOS", {"KZ-63", "KZ-10"}),
    ("KZ-KAR", {"KZ-35", "KZ-62"}),
    ("Алма-Атинская область", {"KZ-19", "KZ-33"}),
    ("Кокчетавская область", {"KZ-59", "KZ-11"}),
]


def test_the_table_has_the_twenty_iso_regions_with_names_in_three_languages() -> None:
    iso = {s.code for s in pycountry.subdivisions.get(country_code="KZ")}
    assert iso == REGION_CODES
    assert len(REGION_CODES) == 20
    for language in ("en", "ru", "kk"):
        assert len({name for _, name in region_choices(language)}) == 20


def test_the_spelling_list_is_long_enough() -> None:
    assert len(SPELLINGS) >= 60
    assert {code for _, code in SPELLINGS} == REGION_CODES


@pytest.mark.parametrize(("spelling", "code"), SPELLINGS)
def test_every_common_spelling_is_accepted(spelling: str, code: str) -> None:
    match = region_lookup(spelling)
    assert (match.code, match.note, match.candidates) == (code, "", ())
    assert region_code_for(spelling) == code


@pytest.mark.parametrize(("spelling", "code", "said"), FORMER)
def test_a_former_name_is_todays_region_with_a_note(spelling: str, code: str, said: str) -> None:
    match = region_lookup(spelling)
    assert (match.code, match.former) == (code, True)
    assert match.note == f"is a former name; imported as {said}"


@pytest.mark.parametrize(("spelling", "candidates"), AMBIGUOUS)
def test_a_former_region_split_since_is_refused_naming_the_candidates(
    spelling: str, candidates: set[str]
) -> None:
    match = region_lookup(spelling)
    assert match.code is None
    assert region_code_for(spelling) is None
    assert set(match.candidates) == candidates


def test_todays_names_of_split_regions_are_accepted() -> None:
    """Almaty, East Kazakhstan and Karaganda are still regions: their names are not refused."""
    assert region_code_for("Алматинская область") == "KZ-19"
    assert region_code_for("Восточно-Казахстанская область") == "KZ-63"
    assert region_code_for("Қарағанды облысы") == "KZ-35"


@pytest.mark.parametrize(
    ("typo", "suggested"),
    [("Павлодарска область", "KZ-55"), ("Алмата", "KZ-75"), ("Шымкен", "KZ-79"),
     ("Карагандинска обл", "KZ-35"), ("Tурkestan", "KZ-61")],
)  # fmt: skip
def test_a_typo_is_refused_with_suggestions(typo: str, suggested: str) -> None:
    match = region_lookup(typo)
    assert match.code is None
    assert suggested in match.suggestions


def test_nonsense_is_refused_without_suggestions() -> None:
    assert region_lookup("Atlantis").suggestions == ()
    assert region_code_for("") is None


def test_letters_lost_to_windows_1251_are_restored_when_only_one_word_fits() -> None:
    match = region_lookup("Т?ркістан облысы")
    assert match.code == "KZ-61"
    assert "Түркістан облысы" in match.note
    assert region_lookup("Шы?ыс ?аза?стан облысы").code == "KZ-63"
    assert region_lookup("Алматы ?.").code == "KZ-75"


def test_names_follow_the_readers_language() -> None:
    assert region_name("KZ-19", "kk") == "Алматы облысы"
    assert region_name("KZ-19", "ru") == "Алматинская область"
    assert region_name("KZ-19", "en") == "Almaty Region"
    with translation.override("kk"):
        assert region_name("KZ-23") == "Атырау облысы"
    with translation.override("ru"):
        assert dict(region_choices())["KZ-59"] == "Северо-Казахстанская область"
    assert region_name("XX-1") == "XX-1"
