"""Events that change what the dashboard counts mark the people concerned stale, in the
transaction that changes it, and queue one refresh after the commit (``facts``).

What is heard, by lazy sender (no import of the other apps' models):

- ``post_save``/``post_delete`` of a learners ``Profile``, ``Enrollment``, ``LessonProgress``
  and ``CohortMembership``, a ``certification.Certificate`` and a ``quizzes.QuizResult`` (a
  required quiz passed completes a course): the person whose row it is;
- of a ``learners.CohortCourse`` (a course assigned to a cohort, its due date): every member of
  the cohort;
- ``m2m_changed`` of ``Cohort.members`` (rows made by ``add()`` send no ``post_save``) and of
  the users' groups (a role given or taken makes someone a practitioner or not), and a save of
  a user (staff or administrator or not);
- ``core.api.people_changed``, which the code sends after a bulk write that sends no
  ``post_save`` (set-based enrolments and cohort members, a certificate revoked).

- Wagtail's ``page_published`` and ``page_unpublished`` of a course, module or lesson (a lesson
  published or withdrawn, a quiz made required by a published page changes what everyone in the
  course must do): everyone with a standing in that course.

Anything else that slips past (a bulk write that forgot ``people_changed``) is mended by the
nightly rebuild (``tasks.rebuild_facts``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.signals import page_published, page_unpublished

from core.api import enqueue_on_commit, people_changed
from learners.api import cohort_user_ids

from .facts import stale_mark
from .models import CourseFact
from .tasks import refresh_stale

#: Models whose rows name the person they concern in ``user_id``.
PERSON_MODELS = (
    "learners.Profile",
    "learners.Enrollment",
    "learners.LessonProgress",
    "learners.CohortMembership",
    "certification.Certificate",
    "quizzes.QuizResult",
)
#: Fields of a user whose change can make them a practitioner or not (``last_login``, saved at
#: each sign-in, is not one).
USER_FIELDS = frozenset({"is_staff", "is_superuser"})


def people_stale(user_ids: Iterable[int | None]) -> None:
    """Mark ``user_ids`` stale now and queue one refresh for when the transaction commits."""
    if stale_mark(user_ids=user_ids):
        _refresh_after_commit()


def _refresh_after_commit() -> None:
    """Queue the refresh once per transaction, however many rows it changes.

    The connection remembers the list of commit hooks the refresh was added to: Django starts a
    new list at each commit and rollback (also of a savepoint), so a refresh dropped by a
    rollback is queued again by the next change; running the hook forgets it too."""
    connection = transaction.get_connection()
    hooks = connection.run_on_commit
    if connection.in_atomic_block and getattr(connection, "_reports_refresh_hooks", None) is hooks:
        return
    connection._reports_refresh_hooks = hooks
    transaction.on_commit(_enqueue_refresh)


def _enqueue_refresh() -> None:
    transaction.get_connection()._reports_refresh_hooks = None
    # Run after the commit, outside any transaction, so this queues at once; a broker that is
    # down is logged and swallowed (the sweep refreshes whoever is still marked).
    enqueue_on_commit(refresh_stale)


def person_row_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    people_stale([instance.user_id])


def cohort_course_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    people_stale(cohort_user_ids(cohort_id=instance.cohort_id))


def user_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if created or (update_fields is not None and not USER_FIELDS & set(update_fields)):
        return
    people_stale([instance.pk])


def user_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    people_stale([instance.pk])


def members_changed(
    sender: Any, instance: Any, action: str, pk_set: set[int] | None, **kwargs: Any
) -> None:
    """A many-to-many between users and something else (a cohort's members, a user's groups),
    changed from either side: ``instance`` is the user, or the cohort or group whose users
    ``pk_set`` names."""
    user_is_instance = isinstance(instance, get_user_model())
    if action in {"post_add", "post_remove"}:
        people_stale([instance.pk] if user_is_instance else sorted(pk_set or ()))
    elif action == "post_clear" and user_is_instance:
        people_stale([instance.pk])
    elif action == "pre_clear" and not user_is_instance:
        # The users are not known after the clear: read them from the rows about to go.
        people_stale(_users_through(sender, instance))


def _users_through(through: Any, instance: Any) -> list[int]:
    """The ids of the users a many-to-many's ``through`` rows link to ``instance``."""
    user_model = get_user_model()
    to_instance = to_user = None
    for field in through._meta.fields:
        if field.is_relation and field.related_model is user_model:
            to_user = field.attname
        elif field.is_relation and isinstance(instance, field.related_model):
            to_instance = field.attname
    if to_instance is None or to_user is None:
        return []
    return list(
        through.objects.filter(**{to_instance: instance.pk})
        .order_by()
        .values_list(to_user, flat=True)
    )


def course_page_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A page of a course was published or withdrawn: everyone in the course is stale."""
    from courses.api import CoursePage, identity_of

    page = instance.specific if hasattr(instance, "specific") else instance
    course = page if isinstance(page, CoursePage) else None
    if course is None:
        course = page.get_ancestors().type(CoursePage).specific().first()
    if course is None:
        return
    source = identity_of(course)
    people_stale(CourseFact.objects.filter(course_id=source.pk).values_list("user_id", flat=True))


def people_changed_heard(sender: Any, user_ids: Iterable[int], **kwargs: Any) -> None:
    people_stale(user_ids)


def connect() -> None:
    """Connect the handlers (``apps.ReportsConfig.ready``)."""
    for label in PERSON_MODELS:
        uid = f"reports-facts-{label}"
        post_save.connect(person_row_changed, sender=label, dispatch_uid=f"{uid}-save")
        post_delete.connect(person_row_changed, sender=label, dispatch_uid=f"{uid}-delete")
    post_save.connect(
        cohort_course_changed, sender="learners.CohortCourse", dispatch_uid="reports-facts-cc-save"
    )
    post_delete.connect(
        cohort_course_changed,
        sender="learners.CohortCourse",
        dispatch_uid="reports-facts-cc-delete",
    )
    user_model = get_user_model()
    post_save.connect(user_saved, sender=user_model, dispatch_uid="reports-facts-user-save")
    post_delete.connect(user_deleted, sender=user_model, dispatch_uid="reports-facts-user-delete")
    m2m_changed.connect(
        members_changed, sender="learners.CohortMembership", dispatch_uid="reports-facts-members"
    )
    m2m_changed.connect(
        members_changed,
        sender=user_model.groups.through,
        dispatch_uid="reports-facts-groups",
    )
    people_changed.connect(people_changed_heard, dispatch_uid="reports-facts-people-changed")
    for signal in (page_published, page_unpublished):
        signal.connect(
            course_page_changed, dispatch_uid=f"reports-facts-{signal is page_published}"
        )
