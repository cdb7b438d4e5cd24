"""Bulk import of specialists from a CSV file (see ``docs/importing-specialists.md``).

The file is read and every row checked before anything is written, so whoever prepared it sees
every problem at once, each with its line, column, value and reason. Rows are keyed on the email
address (case ignored): a new address makes an account (with no usable password: the specialist
sets one through password reset), a profile and a place in the Practitioner group; a known one
has its name and profile updated where they differ. Writing is one transaction, and a row that
already matches the database is not written at all, so importing a file twice changes nothing.

Nothing is damaged silently: a name with ``?`` where a letter belongs (Excel writes ``?`` for the
Kazakh letters Windows-1251 lacks) refuses the whole file, and a stored name is never replaced by
a copy that lacks its Kazakh letters ("Нұрланов" stays when the file says "Нурланов"): it is kept
and the result says so in ``notes``, with former region names read as today's region.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.api import Role
from core.api import Progress, Specialty

from .models import Cohort, CohortMembership, Profile
from .regions import RegionMatch, region_lookup
from .services import cohort_add_member

__all__ = [
    "COLUMNS",
    "REQUIRED_COLUMNS",
    "ImportResult",
    "LineError",
    "LineNote",
    "Progress",
    "specialists_import",
]

logger = logging.getLogger(__name__)

#: The columns a file may have, in the order a row's errors are reported; only cohort is optional.
COLUMNS = ("email", "full_name", "specialty", "region", "organisation", "language", "cohort")
REQUIRED_COLUMNS = COLUMNS[:-1]


@dataclass(frozen=True)
class LineError:
    """One problem at one line of the file: in a value (``column`` set), a row, or the header.

    ``reason`` and ``message`` (the whole line, what ``str`` gives) are in the language that was
    active when the problem was found."""

    line: int
    reason: str
    column: str = ""
    value: str = ""

    message: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Rendered now, in the active language (the import runs in the uploader's language).
        params = {"line": self.line, "column": self.column, "value": self.value}
        params["reason"] = self.reason
        if self.column and self.value:
            text = _("line %(line)s, column '%(column)s': '%(value)s' %(reason)s") % params
        elif self.column:
            text = _("line %(line)s, column '%(column)s': %(reason)s") % params
        elif self.value:
            text = _("line %(line)s: '%(value)s' %(reason)s") % params
        else:
            text = _("line %(line)s: %(reason)s") % params
        object.__setattr__(self, "message", text)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class LineNote(LineError):
    """Something the import did that the reader should know: a former region name read as
    today's region, a stored name kept because the file's copy lost its Kazakh letters."""


@dataclass
class ImportResult:
    """What an import did: the email addresses created, updated and unchanged, and every error.

    ``rejected`` means nothing was written: the file itself is unusable (empty, not text, a bad
    header), or it has invalid rows and the import was not partial. ``invalid_rows`` counts rows,
    not errors (a row may have several); it is 0 when the problem is the file itself.
    """

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    notes: list[LineNote] = field(default_factory=list)
    invalid_rows: int = 0
    rejected: bool = False

    def summary(self) -> str:
        """What was done, in the active language: "2 created, 0 updated, 1 unchanged"."""
        counts = {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "invalid": self.invalid_rows,
        }
        if self.invalid_rows and not self.rejected:
            return (
                ngettext(
                    "%(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                    "%(invalid)s invalid row skipped",
                    "%(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                    "%(invalid)s invalid rows skipped",
                    self.invalid_rows,
                )
                % counts
            )
        return _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged") % counts


def specialists_import(
    *, data: bytes, filename: str, partial: bool = False, progress: Progress | None = None
) -> ImportResult:
    """Create or update the specialists in the CSV file ``data``.

    ``filename`` names the file in the log; the content alone decides the encoding and the
    delimiter. With ``partial`` False (the default) nothing is written unless every row is valid;
    with it True the valid rows are written and the invalid ones reported. Every error is in the
    result either way. An exception while writing (a database error) rolls the whole import back.
    """
    errors: list[LineError] = []
    read = _read(data, errors)
    if read is None:
        logger.debug("Specialists file %s rejected: %s", filename, errors[0])
        return ImportResult(errors=errors, rejected=True)
    records, encoding = read
    rows = _check_rows(records, errors, encoding)
    existing = _check_against_database(rows, errors)
    errors.sort(key=lambda e: (e.line, COLUMNS.index(e.column) if e.column else -1))
    bad_lines = {e.line for e in errors}
    result = ImportResult(errors=errors, invalid_rows=len(bad_lines))
    # Lost letters mean the whole file was saved wrongly: refused even with ``partial``.
    lossy = any(isinstance(e, _LostLetters) for e in errors)
    if bad_lines and (lossy or not partial):
        logger.debug("Specialists file %s rejected: invalid lines %s.", filename, sorted(bad_lines))
        result.rejected = True
        return result
    good = [row for row in rows if row.line not in bad_lines]
    result.notes = [note for row in good for note in row.notes]
    _write(good, existing, result, progress)
    result.notes.sort(key=lambda n: (n.line, COLUMNS.index(n.column) if n.column else -1))
    logger.debug("Imported specialists from %s: %s.", filename, result.summary())
    return result


# Reading: bytes to records, with the header checked. Every problem here concerns the whole file.


@dataclass(frozen=True)
class _Record:
    """A non-blank data row: its first line, its values by column, and its fields as read."""

    line: int
    values: dict[str, str]
    fields: list[str]
    header_width: int

    @property
    def width_ok(self) -> bool:
        """As many fields as the header, or more when the extra ones are empty (spreadsheets
        pad rows)."""
        padding = self.fields[self.header_width :]
        return len(self.fields) >= self.header_width and not any(v.strip() for v in padding)


def _decode(data: bytes) -> tuple[str, str] | None:
    """The text and encoding of a UTF-8 (with or without BOM) or Windows-1251 file; None for
    anything else.

    UTF-8 is tried first: Windows-1251 gives a character for almost every byte, whereas Cyrillic
    in Windows-1251 is practically never valid UTF-8.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, Excel's "Unicode text"
        return None
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None


def _split(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """(first line, fields) for each record with a value; a quoted value may span lines."""
    start = 1
    for fields in reader:
        line, start = start, reader.line_num + 1
        if any(value.strip() for value in fields):
            yield line, fields


def _read(data: bytes, errors: list[LineError]) -> tuple[list[_Record], str] | None:
    """The data rows and the file's encoding, or None (with the reason in ``errors``) when the
    file is unusable."""
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # .xlsx (zip), .xls (OLE)
        errors.append(LineError(1, _("the file is a spreadsheet, not CSV; save it as CSV (UTF-8)")))
        return None
    decoded = _decode(data)
    if decoded is None:
        errors.append(
            LineError(1, _("the file is not UTF-8 or Windows-1251 text; save it as CSV (UTF-8)"))
        )
        return None
    text, encoding = decoded
    header_text = next((line for line in text.splitlines() if line.strip()), "")
    if not header_text:
        errors.append(
            LineError(1, _("the file is empty; a header row naming the columns is needed"))
        )
        return None
    # Column names hold neither character, so the header shows which one separates fields.
    delimiter = ";" if header_text.count(";") > header_text.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        split = list(_split(reader))
    except csv.Error as exc:
        reason = _("cannot be read as CSV (%(error)s)") % {"error": exc}
        errors.append(LineError(reader.line_num, reason))
        return None
    header_line, header = split[0]
    columns = [name.strip().casefold() for name in header]
    while columns and not columns[-1]:  # spreadsheets pad rows with empty cells
        columns.pop()
    if not _check_header(header_line, columns, errors):
        return None
    if len(split) == 1:
        errors.append(LineError(header_line, _("the file has a header but no rows")))
        return None
    records = []
    for line, fields in split[1:]:
        values = {name: value.strip() for name, value in zip(columns, fields, strict=False)}
        records.append(_Record(line, values, fields, len(columns)))
    return records, encoding


def _check_header(line: int, columns: list[str], errors: list[LineError]) -> bool:
    problems = []
    seen: set[str] = set()
    for name in columns:
        if not name:
            problems.append(_("a column has no name"))
        elif name not in COLUMNS:
            problems.append(_("unknown column '%(name)s'") % {"name": name})
        elif name in seen:
            problems.append(_("column '%(name)s' appears twice") % {"name": name})
        seen.add(name)
    missing = [f"'{name}'" for name in REQUIRED_COLUMNS if name not in seen]
    if missing:
        problems.append(
            ngettext("missing column %(names)s", "missing columns %(names)s", len(missing))
            % {"names": ", ".join(missing)}
        )
    expected = ", ".join(COLUMNS)
    errors.extend(
        LineError(
            line,
            _("header: %(problem)s (columns: %(columns)s; cohort is optional)")
            % {"problem": problem, "columns": expected},
        )
        for problem in problems
    )
    return not problems


# Checking: each row alone, then the file's rows against each other and the database.


@dataclass(frozen=True)
class _Row:
    """A row whose values are all valid, normalised to what the database stores."""

    line: int
    email: str
    first_name: str
    last_name: str
    specialty: str
    region: str
    organisation: str
    language: str
    cohort: str
    notes: tuple[LineNote, ...] = ()


@dataclass(frozen=True)
class _LostLetters(LineError):
    """A value with ``?`` where letters were lost: the file must be saved again as UTF-8."""


#: Where Excel wrote ``?`` for a letter: in a name, any ``?``; elsewhere a ``?`` before a letter.
_LOST_IN_NAME = re.compile(r"\?")
_LOST_IN_TEXT = re.compile(r"\?\w")


def _lost_letters_reason(encoding: str) -> str:
    if encoding == "cp1251":
        return _(
            "has '?' where a letter belongs: the file was saved as Windows-1251 (plain \"CSV\" "
            "in Excel), which has no ә ғ қ ң ө ұ ү һ, so they became '?'. Save the file as "  # noqa: RUF001
            '"CSV UTF-8" and import it again'
        )
    return _(
        "has '?' where a letter belongs: the letters were lost when the file was saved in an "
        'encoding without Kazakh letters. Correct it, or save the original as "CSV UTF-8" and '
        "import it again"
    )


def _specialties() -> dict[str, str]:
    """Each specialty's value, by its value and by its English label, casefolded."""
    with translation.override("en"):
        accepted = {str(label).casefold(): value for value, label in Specialty.choices}
    accepted.update({value: value for value in Specialty.values})
    return accepted


def _max_length(model: Any, name: str) -> int:
    return int(model._meta.get_field(name).max_length)


class _RowChecker:
    """Checks one record's values, with the lookup tables and limits read once per file."""

    def __init__(self, encoding: str = "utf-8") -> None:
        user_model = get_user_model()
        self.lost_letters = _lost_letters_reason(encoding)
        self.specialties = _specialties()
        self.languages = sorted(code for code, _name in settings.LANGUAGES)
        self.username_max = _max_length(user_model, "username")
        self.first_max = _max_length(user_model, "first_name")
        self.last_max = _max_length(user_model, "last_name")
        self.organisation_max = _max_length(Profile, "organisation")
        self.regions: dict[str, RegionMatch] = {}  # a file repeats its regions: look up once

    def region(self, value: str) -> RegionMatch:
        if value not in self.regions:
            self.regions[value] = region_lookup(value)
        return self.regions[value]

    def check(self, record: _Record) -> tuple[_Row | None, list[LineError]]:
        """The row, or None and an error for each bad value (all of them, in column order)."""
        values = record.values
        if not record.width_ok:  # the values are likely in the wrong columns: check none
            sizes = {"fields": len(record.fields), "columns": record.header_width}
            if any("\n" in value for value in record.fields):  # a quote swallowed line ends
                reason = (
                    _(
                        "has %(fields)s fields; the header has %(columns)s (is a quote opened and "
                        "not closed?)"
                    )
                    % sizes
                )
            else:
                reason = _("has %(fields)s fields; the header has %(columns)s") % sizes
            return None, [LineError(record.line, reason)]
        errors: list[LineError] = []

        def fail(column: str, reason: str) -> None:
            errors.append(LineError(record.line, reason, column, values.get(column, "")))

        required = _("a value is required")
        email = values["email"].lower()
        if not email:
            fail("email", required)
        elif not _is_email(email):
            fail("email", _("is not an email address"))
        elif len(email) > self.username_max:
            fail("email", _longer(self.username_max))
        full_name = " ".join(values["full_name"].split())
        first_name, _space, last_name = full_name.partition(" ")
        if not full_name:
            fail("full_name", required)
        elif _LOST_IN_NAME.search(full_name):
            errors.append(
                _LostLetters(record.line, self.lost_letters, "full_name", values["full_name"])
            )
        elif len(first_name) > self.first_max or len(last_name) > self.last_max:
            limits = {"first": self.first_max, "rest": self.last_max}
            fail("full_name", _("is too long (at most %(first)s characters for the first name "
                 "and %(rest)s for the rest)") % limits)  # fmt: skip
        specialty = self.specialties.get(values["specialty"].casefold())
        if not values["specialty"]:
            fail("specialty", required)
        elif specialty is None:
            fail("specialty", _("is not a specialty (one of: %(values)s)")
                 % {"values": ", ".join(Specialty.values)})  # fmt: skip
        match = self.region(values["region"]) if values["region"] else None
        region = match.code if match else None
        notes: list[LineNote] = []
        if match is None:
            fail("region", required)
        elif region is None:
            fail("region", match.problem)
        elif match.note:
            notes.append(LineNote(record.line, match.note, "region", values["region"]))
        if len(values["organisation"]) > self.organisation_max:
            fail("organisation", _longer(self.organisation_max))
        elif _LOST_IN_TEXT.search(values["organisation"]):
            errors.append(
                _LostLetters(record.line, self.lost_letters, "organisation", values["organisation"])
            )
        language = values["language"].lower()
        if not language:
            fail("language", required)
        elif language not in self.languages:
            fail("language", _("is not a language of the platform (one of: %(values)s)")
                 % {"values": ", ".join(self.languages)})  # fmt: skip
        if errors or specialty is None or region is None:
            return None, errors
        row = _Row(
            line=record.line, email=email, first_name=first_name, last_name=last_name,
            specialty=specialty, region=region, organisation=values["organisation"],
            language=language, cohort=values.get("cohort", ""), notes=tuple(notes),
        )  # fmt: skip
        return row, errors


def _check_rows(records: list[_Record], errors: list[LineError], encoding: str) -> list[_Row]:
    """The rows with every value valid; an error for each bad value and each wrong-length row,
    and on every line of an email address that appears more than once."""
    checker = _RowChecker(encoding)
    rows: list[_Row] = []
    lines_by_email: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for record in records:
        row, row_errors = checker.check(record)
        errors.extend(row_errors)
        if row is not None:
            rows.append(row)
        email = record.values.get("email", "")
        if record.width_ok and email and not any(e.column == "email" for e in row_errors):
            lines_by_email[email.lower()].append((record.line, email))
    for occurrences in lines_by_email.values():
        if len(occurrences) > 1:
            for line, email in occurrences:
                others = [str(other) for other, _email in occurrences if other != line]
                reason = ngettext(
                    "also appears on line %(lines)s", "also appears on lines %(lines)s", len(others)
                ) % {"lines": ", ".join(others)}
                errors.append(LineError(line, reason, "email", email))
    return rows


def _longer(limit: int) -> str:
    return _("is longer than %(limit)s characters") % {"limit": limit}


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


@dataclass
class _Existing:
    """What the database holds for the file's rows, read before writing."""

    users: dict[str, Any]  # by lowercased email, with profile
    cohorts: dict[str, Cohort]  # by name
    practitioners: set[int]  # user ids in the Practitioner group
    memberships: set[tuple[int, int]]  # (cohort id, user id)


def _check_against_database(rows: list[_Row], errors: list[LineError]) -> _Existing:
    """Read the accounts and cohorts the rows name, with an error for each unknown cohort and
    each address that matches several accounts or another account's username."""
    user_model = get_user_model()
    emails = {row.email for row in rows}
    matches: dict[str, list[Any]] = defaultdict(list)
    for user in (
        user_model.objects.annotate(email_key=Lower("email"))
        .filter(email_key__in=emails)
        .select_related("profile")
        .order_by("pk")
    ):
        matches[user.email_key].append(user)
    taken = {
        username.lower()
        for username, email in user_model.objects.filter(username__in=emails).values_list(
            "username", "email"
        )
        if email.lower() != username.lower()
    }
    names = {row.cohort for row in rows if row.cohort}
    cohorts = {cohort.name: cohort for cohort in Cohort.objects.filter(name__in=names)}
    for row in rows:
        count = len(matches.get(row.email, []))
        if count > 1:
            errors.append(
                LineError(row.line, _("matches %(count)s accounts; only one may have an "
                          "address") % {"count": count}, "email", row.email)
            )  # fmt: skip
        elif count == 0 and row.email in taken:
            errors.append(
                LineError(row.line, _("is the username of an account with another email "
                          "address"), "email", row.email)
            )  # fmt: skip
        if row.cohort and row.cohort not in cohorts:
            errors.append(LineError(row.line, _("is not an existing cohort"), "cohort", row.cohort))
    users = {email: found[0] for email, found in matches.items() if len(found) == 1}
    ids = [user.pk for user in users.values()]
    group = Group.objects.get(name=Role.PRACTITIONER)
    return _Existing(
        users=users,
        cohorts=cohorts,
        practitioners=set(group.user_set.filter(pk__in=ids).values_list("pk", flat=True)),
        memberships=set(
            CohortMembership.objects.filter(
                user_id__in=ids, cohort__in=cohorts.values()
            ).values_list("cohort_id", "user_id")
        ),
    )


# Writing: only what differs.


def _write(
    rows: list[_Row], existing: _Existing, result: ImportResult, progress: Progress | None
) -> None:
    user_model = get_user_model()
    group = Group.objects.get(name=Role.PRACTITIONER)
    with transaction.atomic():
        for done, row in enumerate(rows, start=1):
            user = existing.users.get(row.email)
            if user is None:
                user = user_model(
                    username=row.email, email=row.email,
                    first_name=row.first_name, last_name=row.last_name,
                )  # fmt: skip
                user.set_unusable_password()
                user.save()
                Profile.objects.create(user=user, **_profile_fields(row))
                changed = True
            else:
                changed = _update_user(user, row, result)
                changed |= _update_profile(user, row)
            if user.pk not in existing.practitioners:
                group.user_set.add(user)
                changed = True
            cohort = existing.cohorts.get(row.cohort)
            if cohort is not None and (cohort.pk, user.pk) not in existing.memberships:
                cohort_add_member(cohort=cohort, user=user)
                changed = True
            if row.email not in existing.users:
                result.created.append(row.email)
            elif changed:
                result.updated.append(row.email)
            else:
                result.unchanged.append(row.email)
            if progress is not None:
                progress(done, len(rows), row.email)


#: Each Kazakh letter and the Russian one a keyboard or an encoding without it gives instead.
_WITHOUT_KAZAKH = str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноуухиАГКНОУУХИ")


def _lossy_copy(stored: str, new: str) -> bool:
    """True when ``new`` is ``stored`` with some Kazakh letters lost (made Russian, or ``?``)."""
    if new == stored or len(new) != len(stored):
        return False
    return all(
        n == s or (s != s.translate(_WITHOUT_KAZAKH) and n in (s.translate(_WITHOUT_KAZAKH), "?"))
        for n, s in zip(new, stored, strict=True)
    )


def _update_user(user: User, row: _Row, result: ImportResult) -> bool:
    """Set the name from the row unless the account already has it, however it is split, or
    the row's is the stored name without its Kazakh letters (kept, with a note)."""
    have = " ".join(f"{user.first_name} {user.last_name}".split())
    wanted = " ".join(f"{row.first_name} {row.last_name}".split())
    if have == wanted:
        return False
    if _lossy_copy(have, wanted):
        reason = _("lacks the Kazakh letters of the stored name '%(stored)s', which was kept") % {
            "stored": have
        }
        result.notes.append(LineNote(row.line, reason, "full_name", wanted))
        return False
    user.first_name, user.last_name = row.first_name, row.last_name
    user.save(update_fields=["first_name", "last_name"])
    return True


def _profile_fields(row: _Row) -> dict[str, str]:
    return {
        "specialty": row.specialty,
        "region": row.region,
        "organisation": row.organisation,
        "preferred_language": row.language,
    }


def _update_profile(user: User, row: _Row) -> bool:
    """Set the profile's fields that differ from the row (or make the profile)."""
    wanted = _profile_fields(row)
    try:
        profile = user.profile
    except Profile.DoesNotExist:
        Profile.objects.create(user=user, **wanted)
        return True
    changed = [name for name, value in wanted.items() if getattr(profile, name) != value]
    for name in changed:
        setattr(profile, name, wanted[name])
    if changed:
        profile.save(update_fields=[*changed, "updated_at"])
    return bool(changed)
