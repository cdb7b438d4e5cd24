"""What ``quizzes`` shows on course pages (``core.panels``): a module's assessment and the
reader's result in it, and the way from a module's last lesson to its quiz. Registered from
``QuizzesConfig.ready``; the page types know nothing of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest

from core.api import page_memo, register_panel
from courses.api import LessonPage, ModulePage

from .completion import learner_results
from .translation_status import quiz_translation_panel


def _reader(request: HttpRequest | None) -> User | None:
    """The signed-in user reading the page, or None (anonymous, or a CMS preview)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    if getattr(request, "is_preview", False):
        return None
    return user


def module_assessment(request: HttpRequest | None, module: ModulePage) -> Mapping[str, Any] | None:
    """The module's assessment (from the page memo) and whether the reader passed it, or
    nothing when it has none."""
    if not module.assessment_id:
        return None
    reader = _reader(request)
    # The quiz is the same for every reader: kept until a publish or a quiz changes.
    assessment = page_memo(request, ("module-assessment", module.pk), lambda: module.assessment)
    result = None
    if reader and assessment:
        # From the learner's quiz results, which the page's completion read already (shared
        # within the page's request: ``courses.routing.serve``).
        rows = learner_results([reader.pk], {assessment.pk})
        result = {"passed": any(passed for *_ids, _grade, passed, awaiting in rows if not awaiting)}
    return {"assessment": assessment, "result": result}


def lesson_next_quiz(request: HttpRequest | None, lesson: LessonPage) -> Mapping[str, Any]:
    """What the lesson pager's link to the module's quiz needs beyond the page's ``nav`` (which
    says whether the lesson ends a module with a quiz): no query."""
    del lesson  # the page's ``nav.assessment`` names the quiz
    return {"signed_in": _reader(request) is not None}


def register() -> None:
    register_panel(
        "courses.module_end",
        template="quizzes/panels/module_assessment.html",
        data=module_assessment,
    )
    register_panel(
        "courses.lesson_next",
        template="quizzes/panels/lesson_next_quiz.html",
        data=lesson_next_quiz,
        order=-10,
    )
    register_panel(
        "courses.translation_status",
        template="quizzes/panels/translation_status.html",
        data=quiz_translation_panel,
    )
