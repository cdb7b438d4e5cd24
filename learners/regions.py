"""Kazakhstan's regions from ISO 3166-2:KZ (17 regions and 3 cities of republican significance),
read from pycountry rather than typed by hand, with names in the reader's language where
pycountry has a translation."""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

__all__ = ["REGION_CODES", "region_choices", "region_code_for", "region_name", "validate_region"]


@lru_cache(maxsize=1)
def _subdivisions() -> tuple[tuple[str, str, str], ...]:
    """(code, English name, type) for every KZ subdivision, sorted by code."""
    return tuple(
        sorted((s.code, s.name, s.type) for s in pycountry.subdivisions.get(country_code="KZ"))
    )


REGION_CODES: frozenset[str] = frozenset(sub[0] for sub in _subdivisions())


@lru_cache(maxsize=8)
def _translation(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-2", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def region_name(code: str, language: str | None = None) -> str:
    """The region's name in ``language`` (default: the active one), English where pycountry
    has no translation."""
    names = {sub[0]: sub[1] for sub in _subdivisions()}
    if code not in names:
        return code
    return _translation(language or get_language() or "en").gettext(names[code])


def region_choices(language: str | None = None) -> list[tuple[str, str]]:
    """``(code, name)`` pairs sorted by name in ``language``."""
    pairs = [(code, region_name(code, language)) for code in REGION_CODES]
    return sorted(pairs, key=lambda pair: pair[1].casefold())


#: Names in common use that pycountry lacks: the official Russian names of every region (pycountry
#: translates only some, and some by old names) and the cities' names as people write them.
ALIASES: dict[str, str] = {
    "абайская область": "KZ-10", "акмолинская область": "KZ-11", "актюбинская область": "KZ-15",
    "алматинская область": "KZ-19", "атырауская область": "KZ-23",
    "западно-казахстанская область": "KZ-27", "жамбылская область": "KZ-31",
    "жетысуская область": "KZ-33", "карагандинская область": "KZ-35",
    "костанайская область": "KZ-39", "кызылординская область": "KZ-43",
    "мангистауская область": "KZ-47", "павлодарская область": "KZ-55",
    "северо-казахстанская область": "KZ-59", "туркестанская область": "KZ-61",
    "улытауская область": "KZ-62", "восточно-казахстанская область": "KZ-63",
    "астана": "KZ-71", "нур-султан": "KZ-71", "nur-sultan": "KZ-71",
    "алматы": "KZ-75", "алма-ата": "KZ-75", "шымкент": "KZ-79",
}  # fmt: skip


def region_code_for(value: str) -> str | None:
    """An ISO code from a code ("KZ-75", "kz-75") or a name in English, Russian or Kazakh
    (case and surrounding spaces ignored); None when nothing matches."""
    wanted = " ".join(value.split()).casefold()
    if wanted.upper() in REGION_CODES:
        return wanted.upper()
    if wanted in ALIASES:
        return ALIASES[wanted]
    for language in ("en", "ru", "kk"):
        for code in REGION_CODES:
            if region_name(code, language).casefold() == wanted:
                return code
    return None


def validate_region(value: str) -> None:
    """Model-field validator: the value must be an ISO 3166-2:KZ code."""
    if value not in REGION_CODES:
        raise ValidationError(
            _("%(value)s is not a region of Kazakhstan (ISO 3166-2:KZ code expected)."),
            code="invalid_region",
            params={"value": value},
        )
