"""Certification tracks in a file: ``import_tracks`` and ``content/certification-tracks.yaml``.

Every bad file is refused whole: each error names the file, the line and the field, and nothing
is written (not even the good tracks before the bad one).
"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from certification.models import CertificationTrack, RenewalRule, TrackRequirement
from certification.tracks_file import tracks_import
from courses.api import CoursePage, CurriculumInvalid
from tests.conftest import SHIPPED_CURRICULUM, SOURCES_CURRICULUM
from tests.factories import CoursePageFactory
from tests.factories.certification import CertificateFactory

pytestmark = pytest.mark.django_db

SHIPPED_TRACKS = SHIPPED_CURRICULUM / "certification-tracks.yaml"

GOOD = """\
- slug: first-track
  name: First track
  issuing_body: Zhusan Academy
  validity_months: 24
  renewal_window_days: 90
  renewal_rule: repass
  courses:
    - sample-course
"""


@pytest.fixture
def course() -> CoursePage:
    """A live course with the sample course's slug (the factory's is quicker than an import)."""
    return CoursePageFactory(slug="sample-course")


def run(path: Path, *args: str) -> str:
    """Run the command; its output."""
    out = StringIO()
    call_command("import_tracks", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def refused(path: Path) -> list[str]:
    """Run the command on a bad file: the errors it lists (it must fail)."""
    err = StringIO()
    with pytest.raises(CommandError, match=r"nothing was imported"):
        call_command("import_tracks", str(path), stdout=StringIO(), stderr=err)
    return err.getvalue().splitlines()


def counts() -> tuple[int, int]:
    return CertificationTrack.objects.count(), TrackRequirement.objects.count()


def write(tmp_path: Path, text: str, name: str = "tracks.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based number of the line holding the ``occurrence``-th ``needle`` (-1: the last)."""
    numbers = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return numbers[occurrence - 1 if occurrence > 0 else occurrence]


# --- the shipped file ---------------------------------------------------------------------------


SPECIALISTS = ("psychologist", "school_staff", "social_worker", "religious_counsellor")


def test_the_shipped_file_gives_the_foundation_and_the_specialist_track() -> None:
    call_command("import_curriculum", str(SOURCES_CURRICULUM), "--no-progress", stdout=StringIO())

    assert run(SHIPPED_TRACKS).strip() == "Tracks: 2 created, 0 updated, 0 unchanged."

    foundation = CertificationTrack.objects.get(slug="psychosocial-support-for-returnee-families")
    assert foundation.name == "Foundation: psychosocial support for returnee families"
    specialist = CertificationTrack.objects.get(slug="children-and-mothers-specialist")
    assert specialist.name == "Specialist: working with children and mothers who came home"
    for track in (foundation, specialist):
        assert track.issuing_body == "Zhusan Academy"
        assert (track.validity_months, track.renewal_window_days) == (24, 90)
        assert track.renewal_rule == RenewalRule.REPASS
        assert track.refresher_course is None
        assert track.active
        assert set(track.translations) == {"ru", "kk"}
    assert "came home" in foundation.description
    assert [(r.course.slug, r.specialty) for r in foundation.requirements.all()] == [
        ("trauma-informed-care", ""),
        ("reducing-stigma", ""),
    ]
    # The specialist track: all four courses, of four specialties only (a track that requires
    # nothing of a specialty issues nothing to it).
    assert {(r.course.slug, r.specialty) for r in specialist.requirements.all()} == {
        (course, specialty)
        for course in (
            "trauma-informed-care",
            "reducing-stigma",
            "talking-with-children",
            "stories-between-generations",
        )
        for specialty in SPECIALISTS
    }
    # A second run changes nothing.
    assert run(SHIPPED_TRACKS).strip() == "Tracks: 0 created, 0 updated, 2 unchanged."
    assert counts() == (2, 18)


def test_the_default_file_is_the_shipped_one() -> None:
    call_command("import_curriculum", str(SOURCES_CURRICULUM), "--no-progress", stdout=StringIO())
    out = StringIO()
    call_command("import_tracks", "--dry-run", stdout=out)
    assert "Dry run: Tracks: 2 would be created" in out.getvalue()
    assert counts() == (0, 0)


# --- matching by slug ---------------------------------------------------------------------------


def test_a_second_run_leaves_everything_unchanged(course: CoursePage, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    assert "1 created, 0 updated, 0 unchanged" in run(path)
    requirement_ids = list(TrackRequirement.objects.values_list("pk", flat=True))

    assert "0 created, 0 updated, 1 unchanged" in run(path)
    assert list(TrackRequirement.objects.values_list("pk", flat=True)) == requirement_ids


def test_a_changed_track_is_updated_in_place_and_its_requirements_replaced(
    tmp_path: Path,
) -> None:
    call_command("import_curriculum", str(SOURCES_CURRICULUM), "--no-progress", stdout=StringIO())
    run(SHIPPED_TRACKS)
    track = CertificationTrack.objects.get(slug="psychosocial-support-for-returnee-families")
    old_requirements = list(track.requirements.values_list("pk", flat=True))
    certificate = CertificateFactory(track=track)
    issued = (certificate.issued_on, certificate.expires_on, certificate.status)
    # The English course: its translations share the slug, and the track names the source.
    shipped = CoursePage.objects.get(slug="trauma-informed-care", locale__language_code="en")
    stigma = CoursePage.objects.get(slug="reducing-stigma", locale__language_code="en")
    other = CoursePageFactory(slug="stigma-and-communities")

    text = SHIPPED_TRACKS.read_text(encoding="utf-8")
    assert "validity_months: 24\n" in text
    assert "    - trauma-informed-care  # required of every specialty\n" in text
    changed = text.replace("validity_months: 24", "validity_months: 36", 1).replace(
        "    - trauma-informed-care  # required of every specialty\n",
        "    - stigma-and-communities\n"
        "    - course: trauma-informed-care\n"
        "      specialty: school_staff\n",
    )
    assert "0 created, 1 updated, 1 unchanged" in run(write(tmp_path, changed))

    track.refresh_from_db()
    assert CertificationTrack.objects.get(slug=track.slug).pk == track.pk
    assert track.validity_months == 36
    assert [
        (r.course_id, r.specialty, r.sort_order) for r in track.requirements.order_by("sort_order")
    ] == [(other.pk, "", 0), (shipped.pk, "school_staff", 1), (stigma.pk, "", 2)]
    assert not track.requirements.filter(pk__in=old_requirements).exists()
    # Certificates are not touched: the one issued keeps its dates and its status.
    certificate.refresh_from_db()
    assert (certificate.issued_on, certificate.expires_on, certificate.status) == issued


def test_only_the_requirements_changing_is_an_update(course: CoursePage, tmp_path: Path) -> None:
    other = CoursePageFactory(slug="stigma-and-communities")
    run(write(tmp_path, GOOD))
    changed = GOOD.replace("    - sample-course\n", "    - stigma-and-communities\n")
    assert "0 created, 1 updated, 0 unchanged" in run(write(tmp_path, changed))
    assert list(TrackRequirement.objects.values_list("course_id", flat=True)) == [other.pk]


def test_a_track_not_in_the_file_is_left_alone(course: CoursePage, tmp_path: Path) -> None:
    kept = CertificationTrack.objects.create(name="Made in the CMS", slug="made-in-the-cms")
    assert "1 created, 0 updated, 0 unchanged" in run(write(tmp_path, GOOD))
    assert CertificationTrack.objects.filter(pk=kept.pk).exists()
    assert counts() == (2, 1)


def test_the_full_format_several_courses_specialties_a_refresher(
    sample_course: CoursePage, tmp_path: Path
) -> None:
    refresher = CoursePageFactory(slug="refresher-2026")
    school = CoursePageFactory(slug="talking-with-children")
    text = """\
- slug: full-track
  name: Full track
  description: Plain words.
  issuing_body: Ministry of Education
  validity_months: 12
  renewal_window_days: 0
  renewal_rule: refresher
  refresher_course: refresher-2026
  active: false
  courses:
    - sample-course
    - course: talking-with-children
      specialty: school_staff
    - course: talking-with-children
      specialty: psychologist
"""
    tracks_import(path=write(tmp_path, text))
    track = CertificationTrack.objects.get()
    assert (track.issuing_body, track.validity_months, track.renewal_window_days) == (
        "Ministry of Education",
        12,
        0,
    )
    assert track.renewal_rule == RenewalRule.REFRESHER
    assert track.refresher_course_id == refresher.pk
    assert not track.active
    assert track.description == "Plain words."
    assert [(r.course_id, r.specialty) for r in track.requirements.order_by("sort_order")] == [
        (sample_course.pk, ""),
        (school.pk, "school_staff"),
        (school.pk, "psychologist"),
    ]


def test_the_command_names_what_it_created_at_verbosity_2(
    course: CoursePage, tmp_path: Path
) -> None:
    assert "created: First track" in run(write(tmp_path, GOOD), "-v2")


def test_an_empty_file_declares_no_tracks(tmp_path: Path) -> None:
    assert "0 created, 0 updated, 0 unchanged" in run(write(tmp_path, "# nothing yet\n"))


# --- bad files ----------------------------------------------------------------------------------


def track(**changes: Any) -> str:
    """A track's YAML: GOOD's fields with ``changes`` (None takes a field out)."""
    fields: dict[str, Any] = {
        "slug": "second-track",
        "name": "Second track",
        "issuing_body": "Zhusan Academy",
        "validity_months": 24,
        "renewal_window_days": 90,
        "renewal_rule": "repass",
        "courses": "\n    - sample-course",
    }
    fields.update(changes)
    lines = [f"{name}: {value}" for name, value in fields.items() if value is not None]
    return "- " + "\n  ".join(lines) + "\n"


# (the second track's text, the text on the line the error must name, the field, the message)
BAD: dict[str, tuple[str, str, str, str]] = {
    "unknown field": (
        track(validity="24"),
        "validity: 24",
        "field 'validity'",
        "is unknown; allowed: slug, name",
    ),
    "missing field": (
        track(issuing_body=None),
        "- slug: second-track",
        "field 'issuing_body'",
        "is required",
    ),
    "a field given twice": (
        track(name="Second track\n  name: Second track, again"),
        "name: Second track, again",
        "field 'name'",
        "is given twice (first at line",
    ),
    "months not a number": (
        track(validity_months="two years"),
        "validity_months: two years",
        "field 'validity_months'",
        "must be a whole number from 1 to 120, got 'two years'",
    ),
    "months out of range": (
        track(validity_months=0),
        "validity_months: 0",
        "field 'validity_months'",
        "must be a whole number from 1 to 120, got 0",
    ),
    "window out of range": (
        track(renewal_window_days=400),
        "renewal_window_days: 400",
        "field 'renewal_window_days'",
        "from 0 to 365",
    ),
    "active not a flag": (
        track(active="sometimes"),
        "active: sometimes",
        "field 'active'",
        "must be true or false",
    ),
    "empty name": (track(name='""'), 'name: ""', "field 'name'", "must be non-empty text"),
    "bad slug": (
        track(slug="Second Track"),
        "slug: Second Track",
        "field 'slug'",
        "lowercase letters, digits and hyphens",
    ),
    "unknown renewal rule": (
        track(renewal_rule="retake"),
        "renewal_rule: retake",
        "field 'renewal_rule'",
        "unknown renewal rule 'retake'; allowed: refresher, repass",
    ),
    "unknown specialty": (
        track(courses="\n    - course: sample-course\n      specialty: teacher"),
        "specialty: teacher",
        "field 'specialty'",
        "unknown specialty 'teacher'; allowed: psychologist",
    ),
    "unknown field in a course": (
        track(courses="\n    - course: sample-course\n      speciality: psychologist"),
        "speciality: psychologist",
        "field 'speciality'",
        "is unknown; allowed: course, specialty",
    ),
    "a course without its slug": (
        track(courses="\n    - specialty: psychologist"),
        "- specialty: psychologist",
        "field 'course'",
        "is required",
    ),
    "no courses": (track(courses="[]"), "courses: []", "field 'courses'", "non-empty list"),
    "a course listed twice": (
        track(courses="\n    - sample-course\n    - sample-course"),
        "    - sample-course",
        "field 'courses'",
        "lists 'sample-course' again",
    ),
    "a course for everyone and a specialty": (
        track(
            courses="\n    - sample-course\n    - course: sample-course\n      specialty: school_staff"
        ),
        "- course: sample-course",
        "field 'specialty'",
        "'sample-course' is already required of everyone",
    ),
    "a course that does not exist": (
        track(courses="\n    - no-such-course"),
        "- no-such-course",
        "field 'courses'",
        "no published course has the slug 'no-such-course'",
    ),
    "a course that is not published": (
        track(courses="\n    - draft-course"),
        "- draft-course",
        "field 'courses'",
        "no published course has the slug 'draft-course'",
    ),
    "a refresher course that does not exist": (
        track(renewal_rule="refresher", refresher_course="no-such-refresher"),
        "refresher_course: no-such-refresher",
        "field 'refresher_course'",
        "no published course has the slug 'no-such-refresher'",
    ),
    "the refresher rule without a refresher course": (
        track(renewal_rule="refresher"),
        "renewal_rule: refresher",
        "field 'refresher_course'",
        "is required when renewal_rule is 'refresher'",
    ),
    "a refresher course with the re-pass rule": (
        track(refresher_course="sample-course"),
        "refresher_course: sample-course",
        "field 'refresher_course'",
        "is only used with renewal_rule 'refresher'",
    ),
    "a duplicate slug": (
        track(slug="first-track"),
        "- slug: first-track",
        "field 'slug'",
        "'first-track' is already used by the track at line 1",
    ),
    "a track that is not a mapping": (
        "- just a name\n",
        "- just a name",
        "track 2",
        "must be a set of 'field: value' lines",
    ),
    "broken YAML": (
        track(name="Second: track: here"),
        "name: Second: track: here",
        "the file",
        "is not valid YAML",
    ),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_a_bad_track_is_refused_naming_file_line_and_field(
    case: str, course: CoursePage, tmp_path: Path
) -> None:
    """The first track is good and the second bad: neither is written."""
    CoursePageFactory(slug="draft-course", live=False)
    second, needle, field_name, message = BAD[case]
    text = GOOD + second
    path = write(tmp_path, text)
    existing = CertificationTrack.objects.create(
        name="Made in the CMS", slug="first-track", validity_months=6
    )
    before = counts()

    errors = refused(path)

    assert len(errors) == 1, errors
    line = line_of(text, needle, occurrence=-1)  # the second track's, when both have it
    expected = f"{tmp_path.name}/tracks.yaml:{line}: {field_name}: "
    assert errors[0].startswith(expected), errors[0]
    assert message in errors[0]
    assert counts() == before
    existing.refresh_from_db()
    assert existing.validity_months == 6  # the good first track did not update it either


def test_every_error_in_the_file_is_listed_at_once(course: CoursePage, tmp_path: Path) -> None:
    text = GOOD.replace("validity_months: 24", "validity_months: -1") + track(
        renewal_rule="retake", courses="\n    - no-such-course"
    )
    errors = refused(write(tmp_path, text))
    assert [re.sub(r"^.*?:(\d+): (field '\w+'):.*$", r"\1 \2", e) for e in errors] == [
        f"{line_of(text, 'validity_months: -1')} field 'validity_months'",
        f"{line_of(text, 'renewal_rule: retake')} field 'renewal_rule'",
        f"{line_of(text, '- no-such-course')} field 'courses'",
    ]
    assert counts() == (0, 0)


def test_the_file_must_be_a_list_of_tracks(tmp_path: Path) -> None:
    errors = refused(write(tmp_path, "slug: first-track\nname: First track\n"))
    assert errors == [
        f"{tmp_path.name}/tracks.yaml:1: the file: must be a list of tracks, each starting "
        "with '- slug: ...'"
    ]


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    errors = refused(tmp_path / "nowhere.yaml")
    assert errors == [f"{tmp_path.name}/nowhere.yaml: file not found"]


def test_a_file_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "tracks.yaml"
    path.write_bytes(GOOD.replace("First", "F\xefrst").encode("latin-1"))
    assert "is not UTF-8 text" in refused(path)[0]


def test_the_service_raises_with_the_errors(course: CoursePage, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("repass", "retake"))
    with pytest.raises(CurriculumInvalid) as caught:
        tracks_import(path=path)
    assert [(e.line, e.field) for e in caught.value.errors] == [
        (line_of(GOOD, "renewal_rule"), "field 'renewal_rule'")
    ]
    assert counts() == (0, 0)
