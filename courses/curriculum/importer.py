"""Import curriculum files into the page tree: idempotent, atomic, with progress.

Pages are matched by slug under their parent. A page whose fields equal the file is left alone;
a changed one gets a new revision, published. Nothing is deleted: a page with no file is reported.
Any error (in the files, or raised by a page's validation) rolls the whole import back, and files
stored for new images and documents are removed again.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Case, When
from django.utils import translation
from django.utils.translation import gettext
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Locale, Page
from wagtail.utils.file import hash_filelike

from core.api import Progress, indexing_deferred
from courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage

from .extensions import ModelRef, extensions
from .format import (
    AssetRef,
    CourseSpec,
    CurriculumError,
    CurriculumInvalid,
    LessonSpec,
    ModuleSpec,
    parse_tree,
)
from .snapshot import normalise_value, page_snapshot

__all__ = ["ImportReport", "import_tree"]

logger = logging.getLogger(__name__)


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would have done)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.moved)

    def summary(self) -> str:
        verb = "would be " if self.dry_run else ""
        return (
            f"{len(self.created)} {verb}created, {len(self.updated)} {verb}updated, "
            f"{len(self.moved)} {verb}reordered, {len(self.unchanged)} unchanged"
        )


class _DryRun(Exception):
    """Raised to roll back a dry run."""


class _Importer:
    def __init__(self, root: Path, progress: Progress | None) -> None:
        self.root = root.resolve()
        self.progress = progress
        self.report = ImportReport()
        self.stored_files: list[Any] = []  # FieldFiles saved during this run
        self.asset_ids: dict[tuple[str, Path], int] = {}
        self.done = 0
        self.total = 0
        self.language = settings.LANGUAGE_CODE  # of the course being imported

    # --- assets -----------------------------------------------------------------------------

    def asset_id(self, ref: AssetRef) -> int:
        key = (ref.kind, ref.path)
        if key not in self.asset_ids:
            model = get_image_model() if ref.kind == "image" else get_document_model()
            data = ref.path.read_bytes()
            digest = hash_filelike(BytesIO(data))  # the hash Wagtail stores for uploads
            existing = model.objects.filter(file_hash=digest).order_by("pk").first()
            if existing is None:
                existing = model(title=ref.title[:255], file_size=len(data), file_hash=digest)
                existing.file.save(ref.path.name, ContentFile(data), save=False)
                self.stored_files.append(existing.file)
                if ref.kind == "image":
                    existing.file.field.update_dimension_fields(existing, force=True)
                existing.save()
            self.asset_ids[key] = existing.pk
        return self.asset_ids[key]

    def resolve(self, value: Any) -> Any:
        """Replace ``AssetRef``s and ``ModelRef``s in a raw block value by the object's id."""
        if isinstance(value, AssetRef):
            return self.asset_id(value)
        if isinstance(value, ModelRef):
            return self.model_id(value)
        if isinstance(value, dict):
            return {key: self.resolve(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        return value

    def model_id(self, ref: ModelRef) -> int:
        """The id of the object a file names by slug (an extension has stored it by now)."""
        from django.apps import apps

        model = apps.get_model(ref.label)
        found = model.objects.filter(slug=ref.slug)
        if any(f.name == "locale" for f in model._meta.get_fields()):
            # A translation names its own language's object, else the source's.
            found = found.filter(
                locale__language_code__in=[self.language, settings.LANGUAGE_CODE]
            ).order_by(Case(When(locale__language_code=self.language, then=0), default=1))
        pk = found.values_list("pk", flat=True).first()
        if pk is None:
            display, line, where = ref.where
            what = apps.get_model(ref.label)._meta.verbose_name
            raise CurriculumInvalid(
                [CurriculumError(display, line, where, f"no {what} with slug '{ref.slug}'")]
            )
        return int(pk)

    def remove_stored_files(self) -> None:
        for stored in self.stored_files:
            try:
                stored.storage.delete(stored.name)
            except OSError:  # pragma: no cover - best effort on a failed import
                logger.warning("Could not remove %s after a failed import", stored.name)

    # --- pages ------------------------------------------------------------------------------

    def step(self, label: str) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total, label)

    def sync(
        self,
        parent: Page,
        model: type[Page],
        spec_path: Path,
        slug: str,
        fields: dict[str, Any],
        source: Page | None = None,
    ) -> Page:
        """Create, update or leave one page; return it (specific, as it is now). ``source`` is
        the page it translates (a new page joins its translation group)."""
        display = str(spec_path.relative_to(self.root.parent))
        existing = parent.get_children().filter(slug=slug).specific().first()
        if existing is not None and not isinstance(existing, model):
            raise CurriculumInvalid([CurriculumError(
                display, 2, "field 'slug'",
                f"'{slug}' is already used by a {existing._meta.verbose_name} page here",
            )])  # fmt: skip
        if existing is None:
            page = model(**self.model_fields(model, fields, None))
            page.locale_id = parent.locale_id
            if source is not None:
                page.translation_key = source.translation_key
            self.save_new(parent, page, display)
            self.report.created.append(display)
            return page
        wanted = self.comparable(model, fields)
        if page_snapshot(existing) == wanted:
            self.report.unchanged.append(display)
            return existing
        if existing.has_unpublished_changes:
            self.report.warnings.append(
                f"{display}: the page had unpublished changes in the CMS; the file's version is "
                "now published (the draft stays in the page's revision history)"
            )
        for name, value in self.model_fields(model, fields, existing).items():
            setattr(existing, name, value)
        self.publish(existing, display)
        self.report.updated.append(display)
        return existing

    def comparable(self, model: type[Page], fields: dict[str, Any]) -> dict[str, Any]:
        """The spec's fields in ``page_snapshot`` form."""
        probe = model(**self.model_fields(model, fields, None))
        return page_snapshot(probe)

    def model_fields(
        self, model: type[Page], fields: dict[str, Any], existing: Page | None
    ) -> dict[str, Any]:
        """Fields as model attributes; stream fields keep the ids of unchanged positions."""
        values = dict(fields)
        values.setdefault("draft_title", values.get("title"))
        for name in ("body", "learning_outcomes"):
            if name in values:
                old = getattr(existing, name).raw_data if existing is not None else []
                values[name] = _with_ids(values[name], old)
        return values

    def save_new(self, parent: Page, page: Page, display: str) -> None:
        try:
            parent.add_child(instance=page)  # Page.save() runs full_clean()
        except ValidationError as exc:
            raise CurriculumInvalid(_validation_errors(display, exc)) from None
        page.save_revision(log_action=True).publish(log_action=True)

    def publish(self, page: Page, display: str) -> None:
        try:
            revision = page.save_revision(log_action=True, clean=True)
        except ValidationError as exc:
            raise CurriculumInvalid(_validation_errors(display, exc)) from None
        revision.publish(log_action=True)

    def order(self, parent: Page, slugs: list[str], display: dict[str, str]) -> None:
        """Put the pages named in the files in the files' order, after any others."""
        current = list(parent.get_children().filter(slug__in=slugs).values_list("slug", flat=True))
        if current == slugs:
            return
        for slug in slugs:
            child = parent.get_children().get(slug=slug)
            child.move(parent, pos="last-child")
            self.report.moved.append(display[slug])

    def warn_orphans(self, parent: Page, slugs: list[str], what: str) -> None:
        for title, slug in (
            parent.get_children().exclude(slug__in=slugs).values_list("title", "slug")
        ):
            self.report.warnings.append(
                f"{what} '{title}' ({slug}) is in the CMS but has no file; it was left as it is"
            )

    # --- the tree ---------------------------------------------------------------------------

    def run(self, courses: list[CourseSpec], catalogue: CourseIndexPage) -> None:
        self.total = sum(1 + sum(1 + len(m.lessons) for m in c.modules) for c in courses)
        languages = list(dict.fromkeys(c.locale for c in courses))  # the default one first
        for language in languages:
            self.language = language
            in_language = [c for c in courses if c.locale == language]
            here = catalogue if language == settings.LANGUAGE_CODE else None
            if here is None:
                here = self.catalogue_in(catalogue, language, in_language[0])
            for course in in_language:
                source = None
                if language != settings.LANGUAGE_CODE:
                    source = self.source_of(catalogue, course.slug, course.path, "course")
                self.import_course(here, course, source)
            self.order(
                here,
                [c.slug for c in in_language],
                {c.slug: self.rel(c.path) for c in in_language},
            )
        self.language = settings.LANGUAGE_CODE

    def catalogue_in(self, catalogue: Page, language: str, first: CourseSpec) -> Page:
        """The catalogue in ``language``. The first import of a language translates the home
        page and the catalogue (real translations, not aliases, with their words in that
        language: ``_welcome_texts``) and publishes them."""
        locale = Locale.objects.filter(language_code=language).first()
        if locale is None:
            locale = Locale.objects.create(language_code=language)
        found = catalogue.get_translation_or_none(locale)
        if found is not None and found.alias_of_id is None:
            return found.specific
        texts = _welcome_texts(language)
        for source in [catalogue.get_parent(), catalogue]:
            page = source.get_translation_or_none(locale)
            if page is not None and page.alias_of_id is not None:
                page.specific.delete()  # an alias (Wagtail's "copy parents"): translate instead
                page = None
            if page is None:
                page = source.specific.copy_for_translation(locale)
            page = page.specific
            page.title = page.draft_title = texts[type(page).__name__]["title"]
            page.introduction = texts[type(page).__name__]["introduction"]
            revision = page.save_revision(log_action=True)
            revision.publish(log_action=True)
            self.report.created.append(f"{language}: {page.title}")
        return catalogue.get_translation(locale).specific

    def source_of(self, parent: Page, slug: str, path: Path, what: str) -> Page:
        """The default-language page a translation file translates: same slug, same place."""
        found = parent.get_children().filter(slug=slug).specific().first()
        if found is None:
            raise CurriculumInvalid([CurriculumError(
                self.rel(path), 2, "field 'slug'",
                f"translates the {what} '{slug}', which the {settings.LANGUAGE_CODE} tree does "
                "not have (a translation keeps its source's slugs; import the source too)",
            )])  # fmt: skip
        return found

    def rel(self, path: Path) -> str:
        return str(path.relative_to(self.root.parent))

    def import_course(self, catalogue: Page, spec: CourseSpec, source: Page | None) -> None:
        fields = {
            "title": spec.title,
            "slug": spec.slug,
            "summary": spec.summary,
            "description": spec.description,
            "intended_specialties": spec.specialties,
            "estimated_hours": spec.estimated_hours,
            "version": spec.version,
            "learning_outcomes": [("outcome", text) for text in spec.outcomes],
            "cover_image_id": self.asset_id(spec.cover) if spec.cover else None,
            "cover_alt": spec.cover_alt,
            "completion_mode": spec.completion,
        }
        for extension in extensions():
            if extension.folder in spec.extensions:
                extension.write(spec.extensions[extension.folder], report=self.report)
        course = self.sync(catalogue, CoursePage, spec.path, spec.slug, fields, source)
        self.step(spec.title)
        for module in spec.modules:
            module_source = None
            if source is not None:
                module_source = self.source_of(source, module.slug, module.path, "module")
            self.import_module(course, module, module_source)
        slugs = [m.slug for m in spec.modules]
        self.order(course, slugs, {m.slug: self.rel(m.path) for m in spec.modules})
        self.warn_orphans(course, slugs, "Module")

    def import_module(self, course: Page, spec: ModuleSpec, source: Page | None) -> None:
        fields = {
            "title": spec.title,
            "slug": spec.slug,
            "summary": spec.summary,
            "introduction": spec.introduction,
            "assessment_id": self.model_id(spec.assessment) if spec.assessment else None,
        }
        module = self.sync(course, ModulePage, spec.path, spec.slug, fields, source)
        self.step(spec.title)
        for lesson in spec.lessons:
            lesson_source = None
            if source is not None:
                lesson_source = self.source_of(source, lesson.slug, lesson.path, "lesson")
            self.import_lesson(module, lesson, lesson_source)
        slugs = [le.slug for le in spec.lessons]
        self.order(module, slugs, {le.slug: self.rel(le.path) for le in spec.lessons})
        self.warn_orphans(module, slugs, "Lesson")

    def import_lesson(self, module: Page, spec: LessonSpec, source: Page | None) -> None:
        fields = {
            "title": spec.title,
            "slug": spec.slug,
            "summary": spec.summary,
            "estimated_minutes": spec.estimated_minutes,
            "body": [(block.type, self.resolve(block.value)) for block in spec.blocks],
        }
        self.sync(module, LessonPage, spec.path, spec.slug, fields, source)
        self.step(spec.title)


def _welcome_texts(language: str) -> dict[str, dict[str, str]]:
    """The home page's and the catalogue's words in ``language`` (the site's own text, from its
    catalogues; a trainer may edit the pages afterwards)."""
    with translation.override(language):
        return {
            "HomePage": {
                "title": gettext("Zhusan Academy"),
                "introduction": gettext(
                    "Training and certification for the practitioners who help women and "
                    "children who came home from the camps in Syria and Iraq to rebuild their "
                    "lives in Kazakhstan: psychologists, school staff, religious counsellors, "
                    "social workers, legal advisers, police and NGO staff."
                )
                + "\n\n"
                + gettext(
                    "Learn at your own pace, on a phone or a computer, and earn a certificate "
                    "you can show."
                ),
            },
            "CourseIndexPage": {
                "title": gettext("Courses"),
                "introduction": gettext(
                    "Every course is free, self-paced and written for practitioners."
                ),
            },
        }


def _with_ids(items: list[tuple[str, Any]], old_raw: Any) -> list[dict[str, Any]]:
    """Raw stream data for ``items``; a block at the same position with the same type keeps its
    id, so an unchanged block stays the same block in Wagtail's history and comments."""
    old = list(old_raw or [])
    raw = []
    for index, (block_type, value) in enumerate(items):
        same = index < len(old) and old[index]["type"] == block_type
        block_id = old[index].get("id") if same else None
        raw.append({"type": block_type, "value": _raw_value(block_type, value),
                    "id": block_id or str(uuid.uuid4())})  # fmt: skip
    return raw


def _raw_value(block_type: str, value: Any) -> Any:
    """List blocks store items as ``{"type": "item", "value": ..., "id": ...}``."""
    if block_type == "takeaways":
        items = [{"type": "item", "value": v, "id": str(uuid.uuid4())} for v in value["items"]]
        return {**value, "items": items}
    return normalise_value(value) if isinstance(value, str) else value


def _validation_errors(display: str, exc: ValidationError) -> list[CurriculumError]:
    if hasattr(exc, "error_dict"):
        return [
            CurriculumError(display, 0, f"field '{name}'", "; ".join(str(m) for m in messages))
            for name, messages in exc.message_dict.items()
        ]
    return [CurriculumError(display, 0, "", "; ".join(exc.messages))]


def import_tree(
    root: Path, *, progress: Progress | None = None, dry_run: bool = False
) -> ImportReport:
    """Validate every file under ``root``, then create or update the pages in one transaction."""
    courses = parse_tree(root)
    catalogue = (
        CourseIndexPage.objects.filter(locale__language_code=settings.LANGUAGE_CODE)
        .order_by("path")
        .first()
    )
    if catalogue is None:
        raise CurriculumInvalid(
            [
                CurriculumError(
                    str(root), 0, "", "the site has no course catalogue page to import into"
                )
            ]
        )
    importer = _Importer(root, progress)
    importer.report.dry_run = dry_run
    try:
        # Each page is saved several times: its indexes are updated once, at the end (none on a
        # dry run, which raises inside).
        with transaction.atomic(), indexing_deferred():
            importer.run(courses, catalogue)
            if dry_run:
                raise _DryRun
    except _DryRun:
        importer.remove_stored_files()
    except BaseException:
        importer.remove_stored_files()
        raise
    return importer.report
