"""What ``quizzes`` shows on course pages (``core.panels``): a module's assessment. Registered
from ``QuizzesConfig.ready``; the page types know nothing of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from core.api import register_panel
from courses.api import ModulePage


def module_assessment(request: HttpRequest | None, module: ModulePage) -> Mapping[str, Any] | None:
    """The module's assessment (one query), or nothing when it has none."""
    if not module.assessment_id:
        return None
    return {"assessment": module.assessment}


def register() -> None:
    register_panel(
        "courses.module_end",
        template="quizzes/panels/module_assessment.html",
        data=module_assessment,
    )
