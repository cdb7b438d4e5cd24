"""Page-tree rules, and the trainer permissions and review workflow set up by migration."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.models import Page, Site, Workflow

from courses.api import CourseIndexPage, CoursePage, LessonPage, ModulePage
from courses.models import HomePage
from tests.factories import CoursePageFactory, LessonPageFactory, UserFactory, catalogue

pytestmark = pytest.mark.django_db

RULES = [
    # (page type, parent types it may be created under)
    (HomePage, {Page}),
    (CourseIndexPage, {HomePage}),
    (CoursePage, {CourseIndexPage}),
    (ModulePage, {CoursePage}),
    (LessonPage, {ModulePage}),
]
ALL_TYPES = [Page, HomePage, CourseIndexPage, CoursePage, ModulePage, LessonPage]


@pytest.mark.parametrize(("child", "parents"), RULES, ids=lambda v: getattr(v, "__name__", ""))
def test_each_page_type_lives_only_under_its_parent(child: type[Page], parents: set) -> None:
    for parent in ALL_TYPES:
        allowed = (
            child in parent.allowed_subpage_models()
            and parent in child.allowed_parent_page_models()
        )
        assert allowed is (parent in parents), f"{child.__name__} under {parent.__name__}"


def test_lesson_has_no_children() -> None:
    assert LessonPage.allowed_subpage_models() == []


def test_migration_builds_the_site() -> None:
    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    assert isinstance(home, HomePage)
    index = catalogue()
    assert index.get_parent().pk == home.pk
    assert index.url_path == "/home/courses/"


def test_trainer_may_edit_but_not_publish_under_the_catalogue() -> None:
    trainer = UserFactory(groups=["Trainer"])
    course = CoursePageFactory()
    perms = course.permissions_for_user(trainer)
    assert perms.can_edit()
    assert perms.can_add_subpage()
    assert not perms.can_publish()
    assert catalogue().permissions_for_user(trainer).can_add_subpage()
    home = catalogue().get_parent()
    assert not home.permissions_for_user(trainer).can_edit()


def test_reviewer_may_publish() -> None:
    reviewer = UserFactory(groups=["Course reviewer"])
    assert CoursePageFactory().permissions_for_user(reviewer).can_publish()


def test_course_pages_go_through_the_review_workflow() -> None:
    lesson = LessonPageFactory()
    workflow = lesson.get_workflow()
    assert workflow is not None
    assert workflow.name == "Course review"
    task = workflow.tasks.get().specific
    assert list(task.groups.values_list("name", flat=True)) == ["Course reviewer"]
    assert Workflow.objects.get(name="Course review").active


def test_trainer_submits_a_change_for_review(client: Client) -> None:
    """End to end in the admin: the trainer's edit is not live until a reviewer approves it."""
    trainer = UserFactory(groups=["Trainer"])
    lesson = LessonPageFactory(title="Before")
    client.force_login(trainer)
    edit_url = f"/admin/pages/{lesson.pk}/edit/"
    assert client.get(edit_url).status_code == 200
    from wagtail.test.utils.form_data import nested_form_data, streamfield

    data = nested_form_data(
        {
            "title": "After",
            "slug": lesson.slug,
            "summary": lesson.summary,
            "estimated_minutes": 10,
            "body": streamfield([("markdown", "Edited by a trainer.")]),
            "action-submit": "Submit for review",
        }
    )
    response = client.post(edit_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    lesson.refresh_from_db()
    assert lesson.title == "Before"  # still the live version
    assert lesson.current_workflow_state is not None
    assert lesson.current_workflow_state.status == "in_progress"


def test_role_groups_exist() -> None:
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Practitioner", "Trainer", "Course reviewer", "Ministry"
    }  # fmt: skip
