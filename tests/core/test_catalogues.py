"""The Russian and Kazakh catalogues: complete, compiled, and with every placeholder intact.

The compiled ``.mo`` files are committed so that a fresh machine serves translated pages without
GNU gettext; these tests catch a catalogue edited but not compiled (``make messages``).
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("ru", "kk")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{\w*\}")


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


def _label(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    catalogue = _catalogue(language)
    missing = [e.msgid for e in catalogue if not e.obsolete and (not e.translated())]
    assert not missing, f"{language}: {len(missing)} untranslated or fuzzy, e.g. {missing[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_source(language: str) -> None:
    directory = ROOT / "locale" / language / "LC_MESSAGES"
    with open(directory / "django.mo", "rb") as compiled:
        messages = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    stale = []
    for entry in _catalogue(language).translated_entries():
        key = _label(entry)
        if entry.msgid_plural:
            forms = [messages.get((key, int(n))) for n in sorted(entry.msgstr_plural, key=int)]
            if forms != [entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural, key=int)]:
                stale.append(entry.msgid)
        elif messages.get(key) != entry.msgstr:
            stale.append(entry.msgid)
    assert not stale, (
        f"{language}: django.mo is older than django.po (run make messages): {stale[:5]}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language: str) -> None:
    broken = []
    for entry in _catalogue(language).translated_entries():
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        if entry.msgid_plural:
            # A form for one may drop the count (Russian "одна попытка"); named ones must stay.
            translations = list(entry.msgstr_plural.values())
            plural_wanted = sorted(PLACEHOLDER.findall(entry.msgid_plural))
            if any(
                not set(PLACEHOLDER.findall(text)) <= set(plural_wanted) for text in translations
            ):
                broken.append(entry.msgid)
            continue
        if sorted(PLACEHOLDER.findall(entry.msgstr)) != wanted:
            broken.append(entry.msgid)
    assert not broken, f"{language}: placeholders differ from the English: {broken[:5]}"
