"""The public interface of ``courses``: other apps import from here only."""

from .curriculum.format import CurriculumError, CurriculumInvalid
from .models import CourseIndexPage, CoursePage, LessonPage, ModulePage
from .services import curriculum_export, curriculum_import

__all__ = [
    "CourseIndexPage",
    "CoursePage",
    "CurriculumError",
    "CurriculumInvalid",
    "LessonPage",
    "ModulePage",
    "curriculum_export",
    "curriculum_import",
]
