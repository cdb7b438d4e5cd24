"""Factories for course pages, built under the catalogue the migrations create."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory
import wagtail_factories
from django.contrib.auth import get_user_model

from courses.api import CourseIndexPage, CoursePage, LessonPage, ModulePage


def catalogue() -> CourseIndexPage:
    """The catalogue page created by migration ``courses.0002``."""
    return CourseIndexPage.objects.get(slug="courses", locale__language_code="en")


class CoursePageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    summary = "A course made by a factory."
    intended_specialties = ["psychologist"]
    estimated_hours = Decimal("2.0")
    version = "1.0"
    parent = factory.LazyFunction(catalogue)

    class Meta:
        model = CoursePage


class ModulePageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Module {n}")
    slug = factory.Sequence(lambda n: f"module-{n}")
    summary = "A module made by a factory."
    parent = factory.SubFactory(CoursePageFactory)

    class Meta:
        model = ModulePage


def lesson_body(blocks: int) -> list[tuple[str, Any]]:
    """A lesson body of ``blocks`` blocks cycling through the text block types."""
    kinds: list[tuple[str, Any]] = [
        ("markdown", "## A section\n\nSome **text**."),
        ("content_note", {"note": "The next part mentions loss."}),
        ("scenario", {"title": "A visit", "body": "A composite case."}),
        ("reflection", {"prompt": "What would help?"}),
        ("takeaways", {"items": ["One", "Two"]}),
    ]
    return [kinds[i % len(kinds)] for i in range(blocks)]


class LessonPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Lesson {n}")
    slug = factory.Sequence(lambda n: f"lesson-{n}")
    summary = "A lesson made by a factory."
    estimated_minutes = 10
    parent = factory.SubFactory(ModulePageFactory)
    body = factory.LazyFunction(lambda: lesson_body(3))

    class Meta:
        model = LessonPage


class UserFactory(factory.django.DjangoModelFactory):
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("a-long-test-password-1")

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    @factory.post_generation
    def groups(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        from django.contrib.auth.models import Group

        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))


class ProfileFactory(factory.django.DjangoModelFactory):
    user = factory.SubFactory(UserFactory)
    specialty = "psychologist"
    region = "KZ-75"
    organisation = "School No. 1 (fictional)"
    # English, as the tests read the site: the preferred language applies at sign-in and to
    # emails and certificates (tests of other languages set it).
    preferred_language = "en"

    class Meta:
        model = "learners.Profile"


def practitioner(**kwargs: Any) -> Any:
    """A signed-up practitioner: in the Practitioner group, with a completed profile."""
    user = UserFactory(groups=["Practitioner"], **kwargs)
    ProfileFactory(user=user)
    return user
