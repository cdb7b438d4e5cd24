"""The public interface of ``courses``: other apps import from here only.

The page types are exported for type hints and ``isinstance``; other apps read pages through the
selectors here, never through a page type's manager."""

from .curriculum.extensions import CurriculumExtension, ModelRef, register_curriculum_extension
from .curriculum.format import CurriculumError, CurriculumInvalid, FileReader
from .models import CompletionMode, CourseIndexPage, CoursePage, LessonPage, ModulePage
from .navigation import ModuleSequel, module_sequel
from .privacy import page_viewable, require_page_viewable
from .routing import remember_site
from .routing import serve as serve_page
from .selectors import (
    all_courses,
    course_lessons,
    course_of_lesson,
    lesson_content_type_id,
    live_courses,
    live_courses_shown,
    live_lessons,
    live_modules,
)
from .services import curriculum_export, curriculum_import
from .translation_status import (
    LocaleSummary,
    TranslationCell,
    TranslationMember,
    TranslationStatus,
    locale_summaries,
    translation_cells,
    translation_groups,
    translation_locales,
)
from .translations import identity_of, in_active_language, translation_ids

__all__ = [
    "CompletionMode",
    "CourseIndexPage",
    "CoursePage",
    "CurriculumError",
    "CurriculumExtension",
    "CurriculumInvalid",
    "FileReader",
    "LessonPage",
    "LocaleSummary",
    "ModelRef",
    "ModulePage",
    "ModuleSequel",
    "TranslationCell",
    "TranslationMember",
    "TranslationStatus",
    "all_courses",
    "course_lessons",
    "course_of_lesson",
    "curriculum_export",
    "curriculum_import",
    "identity_of",
    "in_active_language",
    "lesson_content_type_id",
    "live_courses",
    "live_courses_shown",
    "live_lessons",
    "live_modules",
    "locale_summaries",
    "module_sequel",
    "page_viewable",
    "register_curriculum_extension",
    "remember_site",
    "require_page_viewable",
    "serve_page",
    "translation_cells",
    "translation_groups",
    "translation_ids",
    "translation_locales",
]
