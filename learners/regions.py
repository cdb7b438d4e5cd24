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


def region_code_for(value: str) -> str | None:
    """An ISO code from a code ("KZ-75", "kz-75") or a name in English, Russian or Kazakh
    (case and surrounding spaces ignored); None when nothing matches."""
    wanted = value.strip().casefold()
    if wanted.upper() in REGION_CODES:
        return wanted.upper()
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
