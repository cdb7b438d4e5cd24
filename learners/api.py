"""The public interface of ``learners``: other apps import from here only."""

from .completion import (
    CourseCompletion,
    MissingItem,
    ModuleCompletion,
    ModuleStructure,
    RequirementLookup,
    course_completion,
    courses_completion,
    register_requirement,
)
from .importing import ImportResult, LineError, specialists_import
from .models import (
    Cohort,
    CohortCourse,
    CohortMembership,
    CoordinatorRegion,
    Enrollment,
    LessonProgress,
    Profile,
)
from .regions import REGION_CODES, region_choices, region_code_for, region_name
from .services import (
    cohort_add_member,
    cohort_assign_course,
    demo_learning_create,
    enrollment_create,
    enrollment_leave,
    lesson_progress_complete,
)

__all__ = [
    "REGION_CODES",
    "Cohort",
    "CohortCourse",
    "CohortMembership",
    "CoordinatorRegion",
    "CourseCompletion",
    "Enrollment",
    "ImportResult",
    "LessonProgress",
    "LineError",
    "MissingItem",
    "ModuleCompletion",
    "ModuleStructure",
    "Profile",
    "RequirementLookup",
    "cohort_add_member",
    "cohort_assign_course",
    "course_completion",
    "courses_completion",
    "demo_learning_create",
    "enrollment_create",
    "enrollment_leave",
    "lesson_progress_complete",
    "region_choices",
    "region_code_for",
    "region_name",
    "register_requirement",
    "specialists_import",
]
