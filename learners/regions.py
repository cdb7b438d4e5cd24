# ruff: noqa: RUF001, RUF002, RUF003 -- Cyrillic spellings are this module's subject
"""Kazakhstan's 20 regions (17 regions and 3 cities of republican significance), keyed by their
ISO 3166-2:KZ codes, from one table in the repository: ``learners/data/regions.csv``.

The table has one row per spelling: ``code``, ``kind``, ``spelling``, ``ambiguous_with``,
``note``. ``kind`` is ``en``, ``ru`` or ``kk`` for the official name in that language (exactly one
each per region: pages show them in the reader's language), ``variant`` for another spelling
people write, or ``former`` for a former name or code, read as today's region with a note. ``note``
documents the history for the next maintainer; it is never shown (the import's notes are built
from the match, in the reader's language). A former name
whose territory is now split between regions gives the other candidates in ``ambiguous_with``
and is refused, naming them all.

Spellings are compared loosely (``_normalise``): case, ``ё``/``е``, spaces, hyphens and dots are
ignored, the Kazakh letters ә ғ қ ң ө ұ ү һ і compare equal to the Russian ones a keyboard without
them gives (а г к н о у у х и), and the words that say "city" or "region" ("г.", "город",
"қ.", "қаласы", "city", "обл.", "область", "облысы", "oblast", "region") are taken off and only
decide between a city and a region of the same name ("Алматы қ." and "Алматы облысы"). A name
with ``?`` in place of Kazakh letters (a file saved as Windows-1251) is read when only one known
word fits. See ``docs/importing-specialists.md``.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

__all__ = [
    "REGION_CODES",
    "RegionMatch",
    "region_choices",
    "region_code_for",
    "region_lookup",
    "region_name",
    "validate_region",
]

TABLE = Path(__file__).resolve().parent / "data" / "regions.csv"
LANGUAGES = ("en", "ru", "kk")
KINDS = (*LANGUAGES, "variant", "former")

#: The Kazakh letters Windows-1251 lacks (Excel writes ``?`` for them), lower case.
KAZAKH_ONLY = "әғқңөұүһ"
_FOLD = str.maketrans({"ё": "е", "ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у",
                       "ү": "у", "һ": "х", "і": "и", "–": "-", "—": "-", "‐": "-"})  # fmt: skip
_CITY_WORDS = frozenset({"г.", "г", "гор.", "город", "к.", "к", "каласы", "кала", "city"})
_REGION_WORDS = frozenset(
    {"обл.", "обл", "область", "облысы", "облыс", "oblast", "oblast'", "oblysy", "region",
     "province", "reg."}
)  # fmt: skip
_MARKERS_KK = frozenset({"қ.", "қаласы", "облысы"})
_NOT_IN_KEY = re.compile(r"[\s\-.,'’\"«»()]+")
_CYRILLIC = re.compile(r"[а-яёәғқңөұүһі]", re.IGNORECASE)
_KAZAKH = re.compile(r"[әғқңөұүһі]|облысы|қаласы|\bқ\.", re.IGNORECASE)


@dataclass(frozen=True)
class _Spelling:
    code: str
    kind: str
    spelling: str
    ambiguous_with: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class _Table:
    """The table read once: official names, and every spelling by (key, marker)."""

    names: dict[str, dict[str, str]]  # code -> language -> official name
    index: dict[tuple[str, str], _Spelling]  # (key, "city" | "region" | "") -> spelling
    words: frozenset[str]  # every word of every spelling, lower case, to restore a "?"


def _normalise(value: str) -> tuple[str, str]:
    """``(key, marker)``: the spelling without case, spaces, hyphens, dots and Kazakh letters
    (folded), and "city", "region" or "" for the word that said which it is."""
    text = " ".join(value.split()).casefold().translate(_FOLD)
    text = re.sub(r"^(г\.|гор\.)(?=\S)", r"\1 ", text)  # "г.Алматы"
    tokens = text.replace(",", " ").split()
    marker = ""
    if len(tokens) > 1 and tokens[0] in _CITY_WORDS:
        tokens, marker = tokens[1:], "city"
    if len(tokens) > 2 and tokens[0] == "city" and tokens[1] == "of":
        tokens, marker = tokens[2:], "city"
    while len(tokens) > 1 and (tokens[-1] in _CITY_WORDS or tokens[-1] in _REGION_WORDS):
        marker = "city" if tokens.pop() in _CITY_WORDS else "region"
    return _NOT_IN_KEY.sub("", " ".join(tokens)), marker


@lru_cache(maxsize=1)
def _table() -> _Table:
    """Read and check the table: the official names complete, no spelling read two ways."""
    names: dict[str, dict[str, str]] = {}
    index: dict[tuple[str, str], _Spelling] = {}
    words: set[str] = set()
    with TABLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows, start=2):
        entry = _Spelling(
            code=row["code"].strip(),
            kind=row["kind"].strip(),
            spelling=row["spelling"].strip(),
            ambiguous_with=tuple(row["ambiguous_with"].split()),
            note=row["note"].strip(),
        )
        if entry.kind not in KINDS or not entry.spelling:
            raise ValueError(f"{TABLE.name}:{number}: kind must be one of {KINDS}, with a spelling")
        if entry.kind in LANGUAGES:
            names.setdefault(entry.code, {})[entry.kind] = entry.spelling
        words.update(entry.spelling.casefold().split())
        key = _normalise(entry.spelling)
        other = index.get(key)
        if other is not None and other.code != entry.code:
            raise ValueError(
                f"{TABLE.name}:{number}: '{entry.spelling}' reads like '{other.spelling}' "
                f"({other.code})"
            )
        if other is None or other.kind in ("variant", "former"):
            index[key] = entry
    for code, by_language in names.items():
        if set(by_language) != set(LANGUAGES):
            raise ValueError(f"{TABLE.name}: {code} needs an official name in each of {LANGUAGES}")
        index.setdefault(_normalise(code), _Spelling(code, "code", code, (), ""))
    words.update(_MARKERS_KK)
    return _Table(names=names, index=index, words=frozenset(words))


REGION_CODES: frozenset[str] = frozenset(_table().names)


def _language(language: str | None) -> str:
    wanted = (language or get_language() or "en").split("-")[0].lower()
    return wanted if wanted in LANGUAGES else "en"


def region_name(code: str, language: str | None = None) -> str:
    """The region's official name in ``language`` (default: the active one; English for a
    language the table lacks); the code itself for an unknown code."""
    names = _table().names.get(code)
    return names[_language(language)] if names else code


def region_choices(language: str | None = None) -> list[tuple[str, str]]:
    """``(code, name)`` pairs sorted by name in ``language`` (default: the active one)."""
    pairs = [(code, region_name(code, language)) for code in REGION_CODES]
    return sorted(pairs, key=lambda pair: pair[1].casefold())


def _quoted(name: str) -> str:
    """``name`` in the active language's quotation marks."""
    return gettext("'%(name)s'") % {"name": name}


def _either(names: list[str]) -> str:
    """``A``, ``A or B``, ``A, B or C`` in the active language."""
    if len(names) < 2:
        return "".join(names)
    return gettext("%(some)s or %(last)s") % {"some": ", ".join(names[:-1]), "last": names[-1]}


@dataclass(frozen=True)
class RegionMatch:
    """What a spelling means.

    ``code`` is set when it names one region: ``former`` then says it was a former name or code,
    and ``restored`` is the spelling read when the value had lost its Kazakh letters (``note``
    tells the reader both). Otherwise ``candidates`` lists the regions a former name may now be
    (refuse, naming them), or ``suggestions`` the close spellings of a typo ("did you mean").
    """

    value: str
    code: str | None = None
    former: bool = False
    restored: str = ""
    candidates: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = field(default=())

    @property
    def display_language(self) -> str:
        """The language the value is written in, to name regions back to the writer."""
        if _KAZAKH.search(self.value):
            return "kk"
        return "ru" if _CYRILLIC.search(self.value) else "en"

    def named(self, code: str, language: str | None = None) -> str:
        """``Almaty Region (KZ-19)``, in ``language`` (default: the one the value is written
        in)."""
        return f"{region_name(code, language or self.display_language)} ({code})"

    @property
    def note(self) -> str:
        """What the reader should know about how the value was read, in the active language, as
        what follows the value ("'ЮКО' is a former name; read as …"); "" when there is nothing
        to tell. Built from the match, not from the table's ``note`` column (documentation)."""
        if self.code is None:
            return ""
        region = self.named(self.code, _language(None))
        if self.former and self.restored:
            return gettext(
                "is a former name, read as '%(restored)s' (the file lost its Kazakh letters); "
                "imported as %(region)s"
            ) % {"restored": self.restored, "region": region}
        if self.former:
            return gettext("is a former name; imported as %(region)s") % {"region": region}
        if self.restored:
            return gettext(
                "was read as '%(restored)s' (the file lost its Kazakh letters); imported as "
                "%(region)s"
            ) % {"restored": self.restored, "region": region}
        return ""

    @property
    def problem(self) -> str:
        """Why the value is refused, in the active language, as what follows the value; "" when
        it names one region."""
        if self.candidates:
            count = len(self.candidates)
            return ngettext(
                "is a former region that is now %(count)s region: %(regions)s; write the one the "
                "specialist works in",
                "is a former region that is now %(count)s regions: %(regions)s; write the one the "
                "specialist works in",
                count,
            ) % {
                "count": count,
                "regions": _either([self.named(code, _language(None)) for code in self.candidates]),
            }
        if self.code is not None:
            return ""
        if self.suggestions:
            return gettext("is not a region of Kazakhstan; did you mean %(suggestion)s?") % {
                "suggestion": _either([_quoted(self.named(code)) for code in self.suggestions])
            }
        return gettext("is not a region of Kazakhstan")


def _restore(value: str, words: frozenset[str]) -> str:
    """``value`` with each word holding ``?`` replaced by the one known word it can be, where a
    ``?`` stands for a Kazakh letter Windows-1251 lacks; words that fit none or several stay."""
    restored = []
    for word in value.split():
        if "?" in word:
            pattern = re.compile(
                re.escape(word.casefold()).replace(r"\?", f"[{KAZAKH_ONLY}]"), re.IGNORECASE
            )
            found = {known for known in words if pattern.fullmatch(known)}
            if len(found) == 1:
                known = found.pop()
                lower = word.strip("?").islower() and not word.startswith("?")
                word = known if lower or known in _MARKERS_KK else known.capitalize()
        restored.append(word)
    return " ".join(restored)


def _find(value: str) -> _Spelling | None:
    """The table's entry for ``value``: the same marker first, then none, then the other (a
    bare "Алматы" is the city, a bare "Павлодар" the region, "Павлодар қ." the region too)."""
    key, marker = _normalise(value)
    if not key:
        return None
    other = "city" if marker == "region" else "region"
    for wanted in (marker, "", other) if marker else ("", "region", "city"):
        if (key, wanted) in _table().index:
            return _table().index[key, wanted]
    return None


def region_lookup(value: str) -> RegionMatch:
    """What ``value`` (a code, "KZ-75", or a name as people write it in Kazakh, Russian or
    English) means: one region, perhaps with a note; a former name now split between regions
    (``candidates``); or nothing, with the close spellings in ``suggestions``."""
    table = _table()
    text = " ".join(value.split())
    found = _find(text)
    restored = ""
    if found is None and "?" in text:
        restored = _restore(text, table.words)
        found = _find(restored) if restored != text else None
        if found is None:
            restored = ""
    if found is None:
        key, _marker = _normalise(text)
        close = difflib.get_close_matches(key, {k for k, _m in table.index}, n=3, cutoff=0.75)
        codes = dict.fromkeys(
            table.index[k, m].code for k in close for m in ("", "city", "region")
            if (k, m) in table.index
        )  # fmt: skip
        return RegionMatch(value=value, suggestions=tuple(codes))
    if found.ambiguous_with:
        return RegionMatch(value=value, candidates=(found.code, *found.ambiguous_with))
    return RegionMatch(
        value=value, code=found.code, former=found.kind == "former", restored=restored
    )


def region_code_for(value: str) -> str | None:
    """The code of the one region ``value`` names (see ``region_lookup``), or None when it names
    none or a former region now split between several."""
    return region_lookup(value).code


def validate_region(value: str) -> None:
    """Model-field validator: the value must be an ISO 3166-2:KZ code."""
    if value not in REGION_CODES:
        raise ValidationError(
            _("%(value)s is not a region of Kazakhstan (ISO 3166-2:KZ code expected)."),
            code="invalid_region",
            params={"value": value},
        )
