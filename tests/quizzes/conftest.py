"""Fixtures for the quiz engine: a module of a live course to place quizzes on, and learners."""

from __future__ import annotations

from typing import Any

import pytest

from courses.api import ModulePage
from tests.factories import CoursePageFactory, ModulePageFactory, practitioner


@pytest.fixture
def module(db: None) -> ModulePage:
    """A live module of a live course, made by the factories (no curriculum import)."""
    return ModulePageFactory(parent=CoursePageFactory())


@pytest.fixture
def learner(db: None) -> Any:
    return practitioner()
