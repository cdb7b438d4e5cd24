"""Bulk import of specialists: encodings, delimiters, every error at once, idempotence, cohorts,
all or nothing, and the ``import_specialists`` command. Every person here is fictional."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from learners.api import Cohort, ImportResult, cohort_assign_course, specialists_import
from learners.models import CohortMembership, Enrollment, Profile
from tests.factories import CoursePageFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
HEADER = "email,full_name,specialty,region,organisation,language"
ALMA = "alma.example@example.org,Alma Example,psychologist,KZ-75,Fictional Centre No. 1,ru"
BOLAT = "Bolat.Sample@Example.org,Bolat Sample-Placeholder,Social worker,Astana,,kk"


ROW = {
    "email": "e.sample@example.org",
    "full_name": "Erlan Sample",
    "specialty": "psychologist",
    "region": "KZ-75",
    "organisation": "",
    "language": "ru",
}


def row(**changes: str) -> str:
    return ",".join({**ROW, **changes}.values())


def csv_file(*lines: str, encoding: str = "utf-8", newline: str = "\r\n") -> bytes:
    return newline.join(lines).encode(encoding)


def run(*lines: str, partial: bool = False, **kwargs: Any) -> ImportResult:
    return specialists_import(data=csv_file(*lines, **kwargs), filename="t.csv", partial=partial)


def messages(result: ImportResult) -> list[str]:
    return [str(error) for error in result.errors]


def writes(context: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in context.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


# Reading: encodings, delimiters, the header


def test_a_utf8_comma_file_creates_accounts_profiles_and_practitioners() -> None:
    result = run(HEADER, ALMA, BOLAT)

    assert (result.errors, result.rejected) == ([], False)
    assert result.created == ["alma.example@example.org", "bolat.sample@example.org"]
    assert result.summary() == "2 created, 0 updated, 0 unchanged"
    bolat = User.objects.get(username="bolat.sample@example.org")
    assert bolat.email == "bolat.sample@example.org"
    assert (bolat.first_name, bolat.last_name) == ("Bolat", "Sample-Placeholder")
    assert not bolat.has_usable_password()
    assert list(bolat.groups.values_list("name", flat=True)) == ["Practitioner"]
    profile = Profile.objects.get(user=bolat)
    assert (profile.specialty, profile.region, profile.organisation) == (
        "social_worker",
        "KZ-71",
        "",
    )
    assert profile.preferred_language == "kk"
    alma = Profile.objects.get(user__username="alma.example@example.org")
    assert (alma.specialty, alma.region, alma.organisation) == (
        "psychologist",
        "KZ-75",
        "Fictional Centre No. 1",
    )


def test_a_utf8_file_with_bom_and_semicolons_in_any_column_order() -> None:
    data = "\ufeff" + "\r\n".join(
        [
            "Language;EMAIL;Full_Name;Region;Specialty;Organisation",
            "en;dana.fictional@example.org;Dana Fictional;kz-79;NGO staff;Imaginary Aid, Shymkent",
        ]
    )
    result = specialists_import(data=data.encode("utf-8"), filename="t.csv")

    assert result.created == ["dana.fictional@example.org"], messages(result)
    profile = Profile.objects.get(user__email="dana.fictional@example.org")
    assert (profile.specialty, profile.region, profile.preferred_language) == (
        "ngo_staff",
        "KZ-79",
        "en",
    )
    assert profile.organisation == "Imaginary Aid, Shymkent"  # a comma is data with ";" files


def test_a_windows_1251_file_with_cyrillic_names_and_a_russian_region_name() -> None:
    data = csv_file(
        "email;full_name;specialty;region;organisation;language",
        "test.ivanova@example.org;Тестова Вымышленная Ивановна;Psychologist;"
        "Павлодарская область;Центр «Пример»;ru",
        encoding="cp1251",
    )
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the fixture really is Windows-1251

    result = specialists_import(data=data, filename="excel.csv")

    assert result.created == ["test.ivanova@example.org"], messages(result)
    user = User.objects.get(email="test.ivanova@example.org")
    assert (user.first_name, user.last_name) == ("Тестова", "Вымышленная Ивановна")
    assert (user.profile.region, user.profile.organisation) == ("KZ-55", "Центр «Пример»")


def test_blank_lines_quoted_values_and_spreadsheet_padding_are_read() -> None:
    result = run(
        HEADER + ",,",
        "",
        ALMA + ",,",
        '"carl.sample@example.org","Carl  Sample","other","Shymkent","Sample ""Org"", LLP","en"',
        ",,,,,,,",
    )

    assert result.errors == []
    assert result.created == ["alma.example@example.org", "carl.sample@example.org"]
    carl = User.objects.get(email="carl.sample@example.org")
    assert (carl.first_name, carl.last_name) == ("Carl", "Sample")
    assert carl.profile.organisation == 'Sample "Org", LLP'


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "line 1: the file is empty; a header row naming the columns is needed"),
        (
            b"\xef\xbb\xbf\r\n\r\n",
            "line 1: the file is empty; a header row naming the columns is needed",
        ),
        (HEADER.encode(), "line 1: the file has a header but no rows"),
        (
            b"PK\x03\x04rest-of-a-zip",
            "line 1: the file is a spreadsheet, not CSV; save it as CSV (UTF-8)",
        ),
        (
            HEADER.encode() + b"\r\n\x98",
            "line 1: the file is not UTF-8 or Windows-1251 text; save it as CSV (UTF-8)",
        ),
        (
            (HEADER + "\r\n" + row(organisation="x" * 200_000)).encode(),
            "line 2: cannot be read as CSV (field larger than field limit (131072))",
        ),
        (
            HEADER.encode("utf-16"),
            "line 1: the file is not UTF-8 or Windows-1251 text; save it as CSV (UTF-8)",
        ),
    ],
)
def test_an_unusable_file_is_one_clear_error(data: bytes, expected: str) -> None:
    result = specialists_import(data=data, filename="t.csv", partial=True)

    assert messages(result) == [expected]
    assert (result.rejected, result.invalid_rows) == (True, 0)


def test_every_header_problem_is_reported() -> None:
    result = run("email;name;Email;;specialty;language", ALMA)

    columns = "(columns: email, full_name, specialty, region, organisation, language, cohort; cohort is optional)"
    assert messages(result) == [
        f"line 1: header: unknown column 'name' {columns}",
        f"line 1: header: column 'email' appears twice {columns}",
        f"line 1: header: a column has no name {columns}",
        f"line 1: header: missing columns 'full_name', 'region', 'organisation' {columns}",
    ]
    assert result.rejected
    assert not User.objects.exists()


# Every invalid row at once, each with line, column, value and reason


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            row(region="Atlantis"),
            "line 2, column 'region': 'Atlantis' is not a region of Kazakhstan",
        ),
        (
            row(email="not-an-email"),
            "line 2, column 'email': 'not-an-email' is not an email address",
        ),
        (row(email=""), "line 2, column 'email': a value is required"),
        (row(full_name="  "), "line 2, column 'full_name': a value is required"),
        (
            row(specialty="Astronaut"),
            "line 2, column 'specialty': 'Astronaut' is not a specialty (one of: psychologist, "
            "school_staff, religious_counsellor, social_worker, legal_adviser, health_worker, "
            "police_probation, local_official, ngo_staff, other)",
        ),
        (row(region=""), "line 2, column 'region': a value is required"),
        (
            row(organisation="x" * 256),
            f"line 2, column 'organisation': '{'x' * 256}' is longer than 255 characters",
        ),
        (
            row(language="de"),
            "line 2, column 'language': 'de' is not a language of the platform (one of: en, kk, ru)",
        ),
        (
            row(email="a" * 140 + "@example.org"),
            f"line 2, column 'email': '{'a' * 140}@example.org' is longer than 150 characters",
        ),
        (
            row(full_name="Sample " + "x" * 151),
            f"line 2, column 'full_name': 'Sample {'x' * 151}' is too long (at most 150 characters for the first name and 150 for the rest)",
        ),
        (row(specialty=""), "line 2, column 'specialty': a value is required"),
        (row(language=""), "line 2, column 'language': a value is required"),
        (row()[: -len(",ru")], "line 2: has 5 fields; the header has 6"),
        (
            row(full_name='"Erlan Sample') + "\r\n" + ALMA,
            "line 2: has 2 fields; the header has 6 (is a quote opened and not closed?)",
        ),
        (row() + ",extra", "line 2: has 7 fields; the header has 6"),
    ],
)
def test_a_bad_value_is_reported_with_line_column_value_and_reason(
    line: str, expected: str
) -> None:
    result = run(HEADER, line)

    assert messages(result) == [expected]
    assert (result.rejected, result.invalid_rows) == (True, 1)
    assert not User.objects.exists()


def test_every_invalid_row_and_every_bad_value_is_reported_at_once() -> None:
    Cohort.objects.create(name="Spring 2026 (fictional)")
    result = run(
        HEADER + ",cohort",
        ALMA + ",Spring 2026 (fictional)",
        row(region="Atlantis", language="xx") + ",",
        "",
        row(email="Alma.Example@example.org") + ",Nowhere cohort",
        row(email="f.sample@example.org") + ",",
        "a.b@example.org,Short Row",
        row(email="alma.example@example.org") + ",",
    )

    assert messages(result) == [
        "line 2, column 'email': 'alma.example@example.org' also appears on lines 5, 8",
        "line 3, column 'region': 'Atlantis' is not a region of Kazakhstan",
        "line 3, column 'language': 'xx' is not a language of the platform (one of: en, kk, ru)",
        "line 5, column 'email': 'Alma.Example@example.org' also appears on lines 2, 8",
        "line 5, column 'cohort': 'Nowhere cohort' is not an existing cohort",
        "line 7: has 2 fields; the header has 7",
        "line 8, column 'email': 'alma.example@example.org' also appears on lines 2, 5",
    ]
    assert (result.invalid_rows, result.rejected) == (5, True)
    assert (result.created, result.updated, result.unchanged) == ([], [], [])
    assert not User.objects.exists()


def test_an_address_shared_by_two_accounts_or_taken_as_a_username_is_an_error() -> None:
    UserFactory(username="first", email="Shared@example.org")
    UserFactory(username="second", email="shared@example.org")
    UserFactory(username="alma.example@example.org", email="someone.else@example.org")

    result = run(HEADER, row(email="shared@example.org"), ALMA)

    assert messages(result) == [
        "line 2, column 'email': 'shared@example.org' matches 2 accounts; only one may have an address",
        "line 3, column 'email': 'alma.example@example.org' is the username of an account with "
        "another email address",
    ]


# All or nothing, or partial


def test_by_default_one_invalid_row_stops_the_whole_import() -> None:
    result = run(HEADER, ALMA, row(region="Atlantis"), BOLAT)

    assert (result.rejected, result.invalid_rows) == (True, 1)
    assert not User.objects.exists()
    assert not Profile.objects.exists()


def test_partial_imports_the_valid_rows_and_reports_the_others() -> None:
    result = run(HEADER, ALMA, row(region="Atlantis"), BOLAT, partial=True)

    assert not result.rejected
    assert messages(result) == ["line 3, column 'region': 'Atlantis' is not a region of Kazakhstan"]
    assert result.created == ["alma.example@example.org", "bolat.sample@example.org"]
    assert result.summary() == "2 created, 0 updated, 0 unchanged, 1 invalid row skipped"
    assert not User.objects.filter(email="e.sample@example.org").exists()


def test_a_failure_while_writing_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    Cohort.objects.create(name="Autumn")

    def fail(**kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("learners.importing.cohort_add_member", fail)
    with pytest.raises(RuntimeError):
        run(HEADER + ",cohort", ALMA + ",", BOLAT + ",Autumn")  # Alma is written first

    assert not User.objects.exists()
    assert not Profile.objects.exists()


# Idempotence and updates


def test_importing_the_same_file_again_changes_nothing_and_writes_nothing() -> None:
    cohort = Cohort.objects.create(name="Autumn")
    lines = (HEADER + ",cohort", ALMA + ",Autumn", BOLAT + ",")
    run(*lines)
    stamps = list(Profile.objects.order_by("pk").values_list("updated_at", flat=True))

    with CaptureQueriesContext(connection) as context:
        again = run(*lines)

    assert writes(context) == []
    assert (again.created, again.updated) == ([], [])
    assert again.unchanged == ["alma.example@example.org", "bolat.sample@example.org"]
    assert again.summary() == "0 created, 0 updated, 2 unchanged"
    assert User.objects.count() == 2
    assert Profile.objects.count() == 2
    assert CohortMembership.objects.filter(cohort=cohort).count() == 1
    assert list(Profile.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


def test_a_changed_row_updates_only_that_specialist() -> None:
    run(HEADER, ALMA, BOLAT)
    changed = "Alma.Example@example.org,Alma Renamed-Example,health_worker,Shymkent,,en"

    result = run(HEADER, changed, BOLAT)

    assert (result.created, result.updated) == ([], ["alma.example@example.org"])
    assert result.unchanged == ["bolat.sample@example.org"]
    alma = User.objects.get(username="alma.example@example.org")
    assert (alma.first_name, alma.last_name) == ("Alma", "Renamed-Example")
    profile = alma.profile
    assert (profile.specialty, profile.region, profile.organisation) == (
        "health_worker",
        "KZ-79",
        "",
    )
    assert profile.preferred_language == "en"
    assert User.objects.count() == 2


def test_an_existing_account_is_matched_on_email_whatever_its_username_or_case() -> None:
    user = UserFactory(
        username="alma-signed-up", email="Alma.Example@Example.org", first_name="Alma Maria",
        last_name="Example",
    )  # fmt: skip
    line = "alma.example@example.org,Alma Maria Example,psychologist,KZ-75,,ru"

    result = run(HEADER, line)

    assert result.updated == ["alma.example@example.org"]  # a profile and the group were added
    user.refresh_from_db()
    assert (user.username, user.email) == ("alma-signed-up", "Alma.Example@Example.org")
    assert (user.first_name, user.last_name) == ("Alma Maria", "Example")  # same name, kept
    assert user.profile.region == "KZ-75"
    assert user.groups.filter(name="Practitioner").exists()
    assert User.objects.count() == 1
    assert run(HEADER, line).unchanged == ["alma.example@example.org"]


def test_an_existing_profile_is_updated_in_place() -> None:
    profile = ProfileFactory(
        user__email="g.sample@example.org", user__groups=["Practitioner"], region="KZ-75"
    )

    result = run(HEADER, "g.sample@example.org,Galym Sample,psychologist,KZ-71,,ru")

    assert result.updated == ["g.sample@example.org"]
    assert Profile.objects.get().pk == profile.pk
    assert Profile.objects.get().region == "KZ-71"


# Cohorts


def test_the_cohort_column_adds_members_and_enrols_them_in_its_courses() -> None:
    cohort = Cohort.objects.create(name="Pavlodar, spring (fictional)")
    course = CoursePageFactory()
    cohort_assign_course(cohort=cohort, course=course)
    run(HEADER, ALMA)  # Alma exists, in no cohort

    result = run(HEADER + ",cohort", ALMA + ',"Pavlodar, spring (fictional)"', BOLAT + ",")

    assert (result.created, result.updated) == (
        ["bolat.sample@example.org"],
        ["alma.example@example.org"],
    )
    alma = User.objects.get(email="alma.example@example.org")
    assert list(cohort.members.all()) == [alma]
    enrollment = Enrollment.objects.get(user=alma)
    assert (enrollment.course_id, enrollment.source) == (course.pk, Enrollment.Source.COHORT)
    assert not Enrollment.objects.filter(user__email="bolat.sample@example.org").exists()


def test_a_member_who_left_a_cohort_course_is_not_re_enrolled_by_a_re_import() -> None:
    cohort = Cohort.objects.create(name="Autumn")
    course = CoursePageFactory()
    cohort_assign_course(cohort=cohort, course=course)
    run(HEADER + ",cohort", ALMA + ",Autumn")
    Enrollment.objects.update(left_at=timezone.now())

    result = run(HEADER + ",cohort", ALMA + ",Autumn")

    assert result.unchanged == ["alma.example@example.org"]
    assert Enrollment.objects.get().left_at is not None


def test_progress_is_reported_after_each_row() -> None:
    calls: list[tuple[int, int, str]] = []

    specialists_import(
        data=csv_file(HEADER, ALMA, BOLAT),
        filename="t.csv",
        progress=lambda done, total, label: calls.append((done, total, label)),
    )

    assert calls == [(1, 2, "alma.example@example.org"), (2, 2, "bolat.sample@example.org")]


# The command


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "specialists.csv"
    path.write_bytes(csv_file(*lines))
    return path


def test_the_command_imports_and_prints_a_summary(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER, ALMA, BOLAT)
    out, err = StringIO(), StringIO()

    call_command("import_specialists", str(path), "--no-progress", stdout=out, stderr=err)
    assert out.getvalue().splitlines() == [
        "2 created, 0 updated, 0 unchanged.",
        "2 invitations queued: each specialist gets an email with a link to set a password, "
        "valid for 14 days.",
    ]
    assert err.getvalue() == ""

    out = StringIO()
    call_command("import_specialists", str(path), "--no-progress", stdout=out)
    assert out.getvalue() == "0 created, 0 updated, 2 unchanged.\n"  # nobody invited twice


def test_the_command_lists_what_changed_when_verbose(tmp_path: Path) -> None:
    run(HEADER, ALMA)
    path = write(tmp_path, HEADER, ALMA.replace(",ru", ",en"), BOLAT)
    out = StringIO()

    call_command("import_specialists", str(path), "--no-progress", "-v", "2", stdout=out)

    assert out.getvalue().splitlines() == [
        "created: bolat.sample@example.org",
        "updated: alma.example@example.org",
        "1 created, 1 updated, 0 unchanged.",
        # Alma was imported before (without an invitation) and has never signed in: invited too.
        "2 invitations queued: each specialist gets an email with a link to set a password, "
        "valid for 14 days.",
    ]


def test_the_command_prints_every_error_and_imports_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER, ALMA, row(region="Atlantis"), row(email="x", language="de"))
    err = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command(
            "import_specialists", str(path), "--no-progress", stdout=StringIO(), stderr=err
        )

    assert str(raised.value) == f"2 invalid rows in {path}; nothing was imported."
    assert err.getvalue().splitlines() == [
        "line 3, column 'region': 'Atlantis' is not a region of Kazakhstan",
        "line 4, column 'email': 'x' is not an email address",
        "line 4, column 'language': 'de' is not a language of the platform (one of: en, kk, ru)",
    ]
    assert not User.objects.exists()


def test_the_command_with_partial_imports_the_valid_rows(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER, ALMA, row(region="Atlantis"))
    out, err = StringIO(), StringIO()

    call_command(
        "import_specialists", str(path), "--partial", "--no-progress", stdout=out, stderr=err
    )

    assert out.getvalue().splitlines() == [
        "1 created, 0 updated, 0 unchanged, 1 invalid row skipped.",
        "1 invitation queued: each specialist gets an email with a link to set a password, "
        "valid for 14 days.",
    ]
    assert err.getvalue() == "line 3, column 'region': 'Atlantis' is not a region of Kazakhstan\n"
    assert User.objects.get().email == "alma.example@example.org"


def test_the_command_refuses_an_unusable_file_even_with_partial(tmp_path: Path) -> None:
    path = write(tmp_path, "email,full_name", ALMA)
    err = StringIO()

    with pytest.raises(
        CommandError, match=r"is not a usable specialists file; nothing was imported"
    ):
        call_command("import_specialists", str(path), "--partial", "--no-progress", stderr=err)

    assert "missing columns 'specialty', 'region', 'organisation', 'language'" in err.getvalue()


def test_the_command_shows_a_progress_bar_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, HEADER, ALMA, BOLAT)

    call_command("import_specialists", str(path), stdout=StringIO())

    assert "Importing: 100%" in capsys.readouterr().err


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.csv"

    with pytest.raises(CommandError, match=rf"^{re.escape(str(missing))} does not exist\.$"):
        call_command("import_specialists", str(missing))


# No silent damage: letters lost to Windows-1251, former and misspelt regions


def excel_1251(*rows: str) -> bytes:
    """What Excel's plain "CSV" writes in a Russian locale: ``;`` and Windows-1251, with ``?``
    for every Kazakh letter that encoding lacks."""
    text = "\r\n".join(["email;full_name;specialty;region;organisation;language", *rows])
    return text.encode("cp1251", errors="replace")


def test_a_windows_1251_file_that_lost_kazakh_letters_is_refused_naming_the_rows() -> None:
    data = excel_1251(
        "a.sample@example.org;Айгүл Нұрланова;psychologist;Павлодарская область;;kk",
        "b.sample@example.org;Тестова Вымышленная;psychologist;KZ-75;;ru",
        "c.sample@example.org;Дана Сәрсенова;social_worker;Түркістан облысы;;kk",
    )
    assert b"\xd0\xef" not in data and b"?" in data  # real cp1251 bytes, with the "?" Excel writes

    for partial in (False, True):
        result = specialists_import(data=data, filename="excel.csv", partial=partial)

        assert result.rejected
        assert (result.created, result.updated) == ([], [])
        assert [(e.line, e.column) for e in result.errors] == [(2, "full_name"), (4, "full_name")]
        assert result.errors[0].value == "Айг?л Н?рланова"  # noqa: RUF001
        assert 'save the file as "CSV UTF-8"' in str(result.errors[0]).replace("Save", "save")
        assert "Windows-1251" in str(result.errors[0])
    assert not User.objects.exists()


def test_a_lossy_name_never_replaces_the_stored_one() -> None:
    user = UserFactory(
        email="n.sample@example.org", first_name="Айгүл", last_name="Нұрланова",
        groups=["Practitioner"],
    )  # fmt: skip
    ProfileFactory(
        user=user, region="KZ-55", specialty="psychologist", organisation="",
        preferred_language="kk",
    )  # fmt: skip
    base = "n.sample@example.org,{name},psychologist,KZ-55,,kk"

    lost = run(HEADER, base.format(name="Айг?л Н?рланова"))  # noqa: RUF001
    assert lost.rejected
    assert "has '?' where a letter belongs" in messages(lost)[0]

    plain = run(HEADER, base.format(name="Айгул Нурланова"))
    assert (plain.rejected, plain.updated) == (False, [])
    assert [str(n) for n in plain.notes] == [
        "line 2, column 'full_name': 'Айгул Нурланова' lacks the Kazakh letters of the stored "
        "name 'Айгүл Нұрланова', which was kept"
    ]
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Айгүл", "Нұрланова")

    renamed = run(HEADER, base.format(name="Айгүл Нұрланқызы"))
    assert renamed.updated == ["n.sample@example.org"]
    user.refresh_from_db()
    assert user.last_name == "Нұрланқызы"


def test_a_cp1251_semicolon_file_with_kazakh_region_names_is_imported() -> None:
    data = excel_1251(
        "k.sample@example.org;Тестова Вымышленная;psychologist;Түркістан облысы;;kk",
        "l.sample@example.org;Бекова Примерная;psychologist;Алматы қ.;;kk",
    )
    result = specialists_import(data=data, filename="excel.csv")

    assert result.created == ["k.sample@example.org", "l.sample@example.org"], messages(result)
    assert Profile.objects.get(user__email="k.sample@example.org").region == "KZ-61"
    assert Profile.objects.get(user__email="l.sample@example.org").region == "KZ-75"
    assert [n.line for n in result.notes] == [2, 3]
    assert "Түркістан облысы" in str(result.notes[0])


def test_former_ambiguous_and_misspelt_regions() -> None:
    result = run(
        HEADER,
        row(email="a@example.org", region="Южно-Казахстанская область"),
        row(email="b@example.org", region="KZ-ALM"),
        row(email="c@example.org", region="Павлодарска область"),
        partial=True,
    )

    assert result.created == ["a@example.org"]
    assert Profile.objects.get().region == "KZ-61"
    assert [str(n) for n in result.notes] == [
        "line 2, column 'region': 'Южно-Казахстанская область' is a former name; imported as "
        "Turkistan Region (KZ-61)"  # today's name in the reader's language
    ]
    assert messages(result) == [
        "line 3, column 'region': 'KZ-ALM' is a former region that is now 2 regions: "
        "Almaty Region (KZ-19) or Jetisu Region (KZ-33); write the one the specialist works in",
        "line 4, column 'region': 'Павлодарска область' is not a region of Kazakhstan; did you "
        "mean 'Павлодарская область (KZ-55)'?",
    ]


# The messages are in the language the import runs in (the command's --language).


def test_messages_are_in_the_active_language() -> None:
    with translation.override("ru"):
        result = run(HEADER, ALMA, row(region="Павлодарска область"), partial=True)
        assert result.summary() == (
            "создано: 1, обновлено: 0, без изменений: 0, пропущено строк с ошибками: 1"  # noqa: RUF001
        )
    assert messages(result) == [
        "строка 3, столбец «region»: «Павлодарска область» не является регионом Казахстана; "
        "возможно, вы имели в виду «Павлодарская область (KZ-55)»?"
    ]
    with translation.override("kk"):
        former = run(HEADER, row(region="ЮКО"))
        assert [str(n) for n in former.notes] == [
            "2-жол, «region» бағаны: «ЮКО» — бұрынғы атау; Түркістан облысы (KZ-61) ретінде "
            "импортталды"
        ]


def test_the_command_speaks_the_language_asked_for(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER, row(region="Atlantis", email="x"))
    err = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command(
            "import_specialists", str(path), "--no-progress", "--language", "kk",
            stdout=StringIO(), stderr=err,
        )  # fmt: skip

    assert str(raised.value) == f"{path} файлындағы қатесі бар жолдар: 1; ештеңе импортталмады."  # noqa: RUF001
    assert err.getvalue().splitlines() == [
        "2-жол, «email» бағаны: «x» электрондық пошта мекенжайы емес",
        "2-жол, «region» бағаны: «Atlantis» Қазақстанның өңірі емес",
    ]
    assert translation.get_language() == "en"  # the command's language does not leak


def test_the_command_in_russian_reports_what_it_did(tmp_path: Path) -> None:
    out = StringIO()
    call_command(
        "import_specialists", str(write(tmp_path, HEADER, ALMA)), "--no-progress",
        "--no-invitations", "--language", "ru", stdout=out, stderr=StringIO(),
    )  # fmt: skip
    assert out.getvalue() == "создано: 1, обновлено: 0, без изменений: 0.\n"


@pytest.mark.parametrize("language", ["de", "RU", "", "kz"])
def test_the_command_refuses_a_language_the_platform_lacks(tmp_path: Path, language: str) -> None:
    path = write(tmp_path, HEADER, ALMA)
    with pytest.raises(
        CommandError, match="is not a language of the platform; use one of: en, kk, ru"
    ):
        call_command("import_specialists", str(path), "--no-progress", "--language", language)
    assert not User.objects.exists()
