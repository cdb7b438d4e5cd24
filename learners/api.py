"""The public interface of ``learners`` (issue #3, in progress)."""

from .completion import (
    CourseCompletion,
    MissingItem,
    ModuleCompletion,
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
    "Profile",
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
