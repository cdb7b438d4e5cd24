"""The curriculum importer and exporter: round trip, idempotence, bad input, atomicity."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Revision

from courses.api import (
    CoursePage,
    CurriculumInvalid,
    LessonPage,
    ModulePage,
    curriculum_export,
    curriculum_import,
)
from tests.conftest import FLAGSHIP_CURRICULUM, SAMPLE_CURRICULUM
from tests.courses.helpers import errors_of

pytestmark = pytest.mark.django_db

LESSON = "sample-course/01-first-module/01-every-block.md"


def state() -> tuple[int, int, int, int]:
    """What an import could change: pages, revisions, images, documents."""
    return (
        Page.objects.count(),
        Revision.objects.count(),
        get_image_model().objects.count(),
        get_document_model().objects.count(),
    )


# --- creating ----------------------------------------------------------------------------------


def test_import_creates_the_page_tree_with_every_block() -> None:
    report = curriculum_import(path=SAMPLE_CURRICULUM)
    assert len(report.created) == 6  # course, 2 modules, 3 lessons
    course = CoursePage.objects.get(slug="sample-course")
    assert course.live
    assert course.version == "2.1"
    assert str(course.estimated_hours) == "1.5"
    assert course.intended_specialties == ["psychologist", "social_worker"]
    assert course.completion_mode == "reach_end"
    assert [b.value for b in course.learning_outcomes] == [
        "Read a lesson with every kind of block.",
        "Find the next lesson.",
    ]
    assert course.cover_image is not None
    assert course.cover_alt == "A plain teal rectangle"
    modules = ModulePage.objects.child_of(course).order_by("path")
    assert [m.slug for m in modules] == ["first-module", "second-module"]
    lesson = LessonPage.objects.get(slug="every-block")
    assert [b.block_type for b in lesson.body] == [
        "markdown", "markdown", "rich_text", "image", "video", "video", "content_note",
        "markdown", "scenario", "reflection", "resource", "takeaways",
    ]  # fmt: skip
    takeaways = lesson.body[-1].value
    assert list(takeaways["items"]) == ["Safety comes first.", "Offer choices."]
    assert lesson.body[3].value["alt_text"] == "An orange square"
    assert lesson.body[5].value["captions"].file.name.endswith(".vtt")
    assert lesson.body[10].value["document"].title == "First-visit checklist"
    assert lesson.live_revision is not None


def test_flagship_imports_cleanly() -> None:
    report = curriculum_import(path=FLAGSHIP_CURRICULUM)
    assert not report.warnings
    course = CoursePage.objects.get(slug="trauma-informed-care", locale__language_code="en")
    assert course.title == "Trauma-informed care for returnee families"
    assert ModulePage.objects.child_of(course).count() >= 3
    assert LessonPage.objects.descendant_of(course).count() >= 8


# --- idempotence and updates -------------------------------------------------------------------


def test_second_import_changes_nothing() -> None:
    curriculum_import(path=SAMPLE_CURRICULUM)
    before = state()
    report = curriculum_import(path=SAMPLE_CURRICULUM)
    assert not report.changed
    assert len(report.unchanged) == 6
    assert state() == before


def test_changed_file_updates_only_its_page_as_a_new_revision(
    curriculum_copy: Callable[[Path], Path],
) -> None:
    root = curriculum_copy(SAMPLE_CURRICULUM)
    curriculum_import(path=root)
    lesson = LessonPage.objects.get(slug="second-lesson")
    other = LessonPage.objects.get(slug="third-lesson")
    revisions_before = {p.pk: p.revisions.count() for p in Page.objects.all()}
    old_ids = [b.id for b in LessonPage.objects.get(slug="every-block").body]

    path = root / "sample-course/01-first-module/02-second-lesson.md"
    path.write_text(path.read_text().replace("Short text.", "Short, revised text."))
    report = curriculum_import(path=root)

    assert report.updated == ["curriculum/sample-course/01-first-module/02-second-lesson.md"]
    assert not report.created
    lesson.refresh_from_db()
    assert "Short, revised text." in lesson.body[0].value
    assert lesson.revisions.count() == revisions_before[lesson.pk] + 1
    assert lesson.live_revision == lesson.latest_revision
    assert other.revisions.count() == revisions_before[other.pk]
    # Unchanged blocks keep their ids.
    assert [b.id for b in LessonPage.objects.get(slug="every-block").body] == old_ids


def test_reordered_files_reorder_pages(curriculum_copy: Callable[[Path], Path]) -> None:
    root = curriculum_copy(SAMPLE_CURRICULUM)
    curriculum_import(path=root)
    module = root / "sample-course/01-first-module"
    (module / "01-every-block.md").rename(module / "03-every-block.md")
    report = curriculum_import(path=root)
    assert report.moved
    slugs = [p.slug for p in ModulePage.objects.get(slug="first-module").get_children()]
    assert slugs == ["second-lesson", "every-block"]
    assert not curriculum_import(path=root).changed


def test_page_without_a_file_is_kept_and_reported(curriculum_copy: Callable[[Path], Path]) -> None:
    root = curriculum_copy(SAMPLE_CURRICULUM)
    curriculum_import(path=root)
    (root / "sample-course/01-first-module/02-second-lesson.md").unlink()
    report = curriculum_import(path=root)
    assert LessonPage.objects.filter(slug="second-lesson").exists()
    assert any("second-lesson" in w and "no file" in w for w in report.warnings)


def test_unpublished_cms_draft_is_reported_when_a_file_replaces_it(
    curriculum_copy: Callable[[Path], Path],
) -> None:
    root = curriculum_copy(SAMPLE_CURRICULUM)
    curriculum_import(path=root)
    lesson = LessonPage.objects.get(slug="third-lesson")
    lesson.summary = "A draft summary from the CMS."
    lesson.save_revision()
    path = root / "sample-course/02-second-module/01-third-lesson.md"
    path.write_text(path.read_text().replace("The last lesson's text.", "New text."))
    report = curriculum_import(path=root)
    assert any("unpublished changes" in w for w in report.warnings)
    lesson.refresh_from_db()
    assert lesson.summary == "The last lesson."
    assert lesson.revisions.count() == 3  # import, draft, import: the draft is kept


def test_dry_run_writes_nothing() -> None:
    before = state()
    report = curriculum_import(path=SAMPLE_CURRICULUM, dry_run=True)
    assert report.dry_run
    assert len(report.created) == 6
    assert state() == before


# --- round trip --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source", [SAMPLE_CURRICULUM, FLAGSHIP_CURRICULUM], ids=["sample", "flagship"]
)
def test_import_of_an_export_changes_nothing(source: Path, tmp_path: Path) -> None:
    curriculum_import(path=source)
    before = state()
    export = curriculum_export(path=tmp_path / "export")
    assert export.courses
    report = curriculum_import(path=tmp_path / "export")
    assert not report.changed, report
    assert state() == before


def test_export_writes_the_format_with_assets(tmp_path: Path) -> None:
    curriculum_import(path=SAMPLE_CURRICULUM)
    curriculum_export(path=tmp_path)
    lesson = (tmp_path / "sample-course/01-first-module/01-every-block.md").read_text()
    assert lesson.startswith("---\nslug: every-block\n")
    assert (
        '::: image src="../files/diagram.png" alt="An orange square" caption="A diagram"' in lesson
    )
    assert "::: markdown\nA second Markdown block straight after the first.\n:::" in lesson
    assert (tmp_path / "sample-course/files/diagram.png").read_bytes() == (
        SAMPLE_CURRICULUM / "sample-course/files/diagram.png"
    ).read_bytes()
    course = (tmp_path / "sample-course/course.md").read_text()
    assert "version: '2.1'" in course
    assert "cover: files/cover.png" in course
    assert "completion: reach-end" in course


def test_export_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    curriculum_import(path=SAMPLE_CURRICULUM)
    curriculum_export(path=tmp_path)
    marker = tmp_path / "sample-course/notes.txt"
    marker.write_text("mine")
    with pytest.raises(CurriculumInvalid, match="already exists; use --force"):
        curriculum_export(path=tmp_path)
    assert marker.exists()
    curriculum_export(path=tmp_path, force=True)
    assert not marker.exists()
    assert (tmp_path / "sample-course/course.md").exists()


def test_export_of_unknown_course_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CurriculumInvalid, match="no published course with slug 'nope'"):
        curriculum_export(path=tmp_path, slugs=["nope"])


# --- bad input ---------------------------------------------------------------------------------


def break_file(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text()
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1))


BAD_LESSON_EDITS = [
    # (old, new, expected message fragment)
    ("estimated_minutes: 15", "estimated_minutes: soon",
     f"curriculum/{LESSON}:5: field 'estimated_minutes': must be a whole number greater than 0, got 'soon'"),
    ("estimated_minutes: 15", "estimated_minutes: 0", "field 'estimated_minutes': must be a whole number"),
    ("slug: every-block", "slug: Every Block", f"curriculum/{LESSON}:2: field 'slug': must be lowercase"),
    ("title: A lesson with every block\n", "", "field 'title': is required"),
    ("summary: One of each block type.", "summary: " + "x" * 501, "field 'summary': must be at most 500"),
    ("summary: One of each block type.", "summary: [unclosed", "front matter: is not valid YAML"),
    ("estimated_minutes: 15", "estimated_minutes: 15\ncolour: blue", "field 'colour': is unknown"),
    ('::: scenario title="A first visit"', "::: scenario",
     f"curriculum/{LESSON}:41: directive 'scenario': missing attribute 'title'"),
    ("::: reflection", "::: reflexion", "directive 'reflexion': is unknown"),
    ('alt="An orange square" ', "", "directive 'image': missing attribute 'alt'"),
    ("../files/diagram.png", "../files/missing.png", "file not found: '../files/missing.png'"),
    ("../files/diagram.png", "../../../../../etc/passwd", "must be inside the curriculum folder"),
    ("../files/diagram.png", "../files/checklist.txt", "is not an image"),
    ('::: video embed="https://video.example.org/watch/1"', "::: video",
     "give exactly one of 'src' (a video file) or 'embed' (a URL)"),
    (' captions="../files/intro.vtt"', "", "a video file needs a 'captions' (.vtt) file"),
    ("../files/intro.vtt", "../files/checklist.txt", "'captions' must be a .vtt file"),
    ("- Safety comes first.", "Safety comes first.", "each takeaway is a line starting with '- '"),
    ('caption="A diagram"', 'caption=A diagram', "cannot read attributes"),
    ("::: reflection\nWhat would", "::: reflection\n::: scenario title=\"x\"\nWhat would",
     "directives do not nest: close 'reflection' (opened at line 45) first"),
    ("- Offer choices.\n:::", "- Offer choices.", "directive 'takeaways': is not closed"),
    ("## Opening section", ":::\n## Opening section", "':::' closes nothing"),
    ("::: content-note\nThe next part mentions the loss of a parent.\n:::", "::: content-note\n:::",
     "directive 'content-note': needs some content"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "expected"), BAD_LESSON_EDITS)
def test_bad_lesson_is_rejected_with_file_line_and_field(
    curriculum_copy: Callable[[Path], Path], old: str, new: str, expected: str
) -> None:
    root = curriculum_copy(SAMPLE_CURRICULUM)
    break_file(root, LESSON, old, new)
    before = state()
    errors = errors_of(root)
    assert any(expected in e for e in errors), errors
    assert all(e.startswith("curriculum/") for e in errors), errors
    assert state() == before


BAD_COURSE_EDITS = [
    ("version: '2.1'", "version: 2.1", "field 'version': must be MAJOR.MINOR in quotes"),
    ("- social_worker", "- social worker", "field 'specialties': unknown 'social worker'"),
    ("estimated_hours: 1.5", "estimated_hours: -1", "field 'estimated_hours': must be a number greater than 0"),
    ("cover_alt: A plain teal rectangle\n", "", "field 'cover_alt': is required with 'cover'"),
    ("outcomes:\n", "outcomes: []\nold_outcomes:\n", "field 'outcomes': must be a non-empty list"),
    ("---\nslug", "slug", "the file must start with a line '---'"),
    ("completion: reach-end", "completion: sometimes", "field 'completion': must be 'mark' or 'reach-end'"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "expected"), BAD_COURSE_EDITS)
def test_bad_course_file_is_rejected(
    curriculum_copy: Callable[[Path], Path], old: str, new: str, expected: str
) -> None:
    root = curriculum_copy(SAMPLE_CURRICULUM)
    break_file(root, "sample-course/course.md", old, new)
    errors = errors_of(root)
    assert any(expected in e and "curriculum/sample-course/course.md" in e for e in errors), errors


def test_every_error_in_every_file_is_reported_at_once(
    curriculum_copy: Callable[[Path], Path],
) -> None:
    root = curriculum_copy(SAMPLE_CURRICULUM)
    break_file(root, LESSON, "estimated_minutes: 15", "estimated_minutes: soon")
    break_file(root, "sample-course/02-second-module/01-third-lesson.md", "slug: third-lesson",
               "slug: Third")  # fmt: skip
    break_file(root, "sample-course/course.md", "version: '2.1'", "version: two")
    errors = errors_of(root)
    assert len(errors) == 3
    assert {e.split(":")[0] for e in errors} == {
        f"curriculum/{LESSON}",
        "curriculum/sample-course/02-second-module/01-third-lesson.md",
        "curriculum/sample-course/course.md",
    }


def test_duplicate_slugs_are_rejected(curriculum_copy: Callable[[Path], Path]) -> None:
    root = curriculum_copy(SAMPLE_CURRICULUM)
    break_file(root, "sample-course/01-first-module/02-second-lesson.md", "slug: second-lesson",
               "slug: every-block")  # fmt: skip
    errors = errors_of(root)
    assert any("'every-block' is already used by another lesson" in e for e in errors), errors


def test_module_folder_without_module_file(curriculum_copy: Callable[[Path], Path]) -> None:
    root = curriculum_copy(SAMPLE_CURRICULUM)
    (root / "sample-course/02-second-module/module.md").unlink()
    errors = errors_of(root)
    assert errors == ["curriculum/sample-course/02-second-module: has lessons but no module.md"]


def test_non_utf8_file_is_rejected(curriculum_copy: Callable[[Path], Path]) -> None:
    root = curriculum_copy(SAMPLE_CURRICULUM)
    (root / LESSON).write_bytes("---\nslug: урок\n---\n".encode("cp1251"))
    errors = errors_of(root)
    assert any("is not UTF-8 text" in e for e in errors), errors


def test_failed_import_changes_nothing_already_stored(
    curriculum_copy: Callable[[Path], Path],
) -> None:
    """A valid change in one file and an invalid one in another: nothing is written."""
    root = curriculum_copy(SAMPLE_CURRICULUM)
    curriculum_import(path=root)
    before = state()
    break_file(root, "sample-course/01-first-module/02-second-lesson.md", "Short text.", "Changed.")
    break_file(root, "sample-course/02-second-module/01-third-lesson.md", "estimated_minutes: 5",
               "estimated_minutes: five")  # fmt: skip
    errors_of(root)
    assert state() == before
    assert "Short text." in LessonPage.objects.get(slug="second-lesson").body[0].value


def test_error_during_writing_rolls_back_and_removes_stored_files(
    curriculum_copy: Callable[[Path], Path], settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error the parser cannot see (a slug already taken in the CMS by a page of another
    type) is found while writing: everything rolls back, and the image file stored earlier in
    the same import is deleted again."""
    from PIL import Image

    from tests.factories import LessonPageFactory

    root = curriculum_copy(SAMPLE_CURRICULUM)
    curriculum_import(path=root)
    course = CoursePage.objects.get(slug="sample-course")
    LessonPageFactory(parent=course, slug="third-module")  # bypasses the page-type rules
    Image.new("RGB", (5, 5), (1, 2, 3)).save(root / "sample-course/files/new.png")
    # Module 2 changes and stores a new image; module 3 then fails.
    (root / "sample-course/02-second-module/01-third-lesson.md").write_text(
        "---\nslug: third-lesson\ntitle: Changed\nsummary: S\nestimated_minutes: 1\n---\n"
        '::: image src="../files/new.png" alt="New"\n:::\n'
    )
    (root / "sample-course/03-third-module").mkdir()
    (root / "sample-course/03-third-module/module.md").write_text(
        "---\nslug: third-module\ntitle: T\nsummary: S\n---\n"
    )
    (root / "sample-course/03-third-module/01-lesson.md").write_text(
        "---\nslug: a-lesson\ntitle: T\nsummary: S\nestimated_minutes: 1\n---\nText.\n"
    )
    before = state()
    media = Path(settings.MEDIA_ROOT)  # type: ignore[attr-defined]
    files_before = sorted(p.name for p in media.rglob("*") if p.is_file())
    from courses.curriculum import importer

    removed: list[str] = []
    original = importer._Importer.remove_stored_files

    def spy(self: importer._Importer) -> None:
        removed.extend(f.name for f in self.stored_files)
        original(self)

    monkeypatch.setattr(importer._Importer, "remove_stored_files", spy)

    errors = errors_of(root)

    assert errors == [
        "curriculum/sample-course/03-third-module/module.md:2: field 'slug': 'third-module' is "
        "already used by a lesson page here"
    ]
    assert state() == before
    assert LessonPage.objects.get(slug="third-lesson").title == "The third lesson"
    assert removed == ["original_images/new.png"]  # it was stored, then removed
    assert sorted(p.name for p in media.rglob("*") if p.is_file()) == files_before


def test_missing_folder() -> None:
    assert errors_of(Path("/nonexistent/curriculum")) == [
        "/nonexistent/curriculum: is not a folder"
    ]


# --- the commands ------------------------------------------------------------------------------


def test_import_command_reports_and_is_idempotent() -> None:
    out = StringIO()
    call_command("import_curriculum", str(SAMPLE_CURRICULUM), "--no-progress", stdout=out)
    assert "6 created, 0 updated, 0 reordered, 0 unchanged" in out.getvalue()
    out = StringIO()
    call_command("import_curriculum", str(SAMPLE_CURRICULUM), "--no-progress", stdout=out)
    assert "0 created, 0 updated, 0 reordered, 6 unchanged" in out.getvalue()


def test_import_command_shows_a_progress_bar() -> None:
    err = StringIO()
    import sys

    old, sys.stderr = sys.stderr, err
    try:
        call_command("import_curriculum", str(SAMPLE_CURRICULUM), stdout=StringIO())
    finally:
        sys.stderr = old
    assert "Importing" in err.getvalue()
    assert "6/6" in err.getvalue()


def test_import_command_lists_errors_and_fails(curriculum_copy: Callable[[Path], Path]) -> None:
    root = curriculum_copy(SAMPLE_CURRICULUM)
    break_file(root, LESSON, "estimated_minutes: 15", "estimated_minutes: soon")
    err = StringIO()
    with pytest.raises(CommandError, match=r"1 error in .*; nothing was imported"):
        call_command("import_curriculum", str(root), "--no-progress", stderr=err)
    assert f"curriculum/{LESSON}:5: field 'estimated_minutes'" in err.getvalue()


def test_export_command(tmp_path: Path) -> None:
    curriculum_import(path=SAMPLE_CURRICULUM)
    out = StringIO()
    call_command("export_curriculum", str(tmp_path), "--no-progress", stdout=out)
    assert "Exported 1 course(s)" in out.getvalue()
    with pytest.raises(CommandError, match="Nothing was exported"):
        call_command("export_curriculum", str(tmp_path), "--no-progress", stderr=StringIO())
