"""Writes for learners: profiles, enrolment, lesson progress and cohorts (specialist imports:
``importing`` and ``import_jobs``).

Each is idempotent or refuses with a ``ValidationError`` that names the field, having written
nothing; a unique constraint, not an earlier check, decides a race.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.api import AccountTaken, Role, account_create
from core.api import people_changed
from courses.api import CoursePage, LessonPage, course_of_lesson, identity_of, live_courses

from .invitations import people_invite, specialists_invite
from .models import (
    Cohort,
    CohortCourse,
    CohortJoinInvitation,
    CohortMembership,
    CoordinatorRegion,
    Enrollment,
    LessonProgress,
    Profile,
)

__all__ = [
    "CohortAdditions",
    "cohort_add_addresses",
    "cohort_add_member",
    "cohort_add_members",
    "cohort_add_trainer",
    "cohort_assign_course",
    "cohort_create",
    "cohort_for_name",
    "cohort_join",
    "cohort_join_invitation_send",
    "cohort_join_invitations_record",
    "demo_learning_create",
    "enrollment_create",
    "enrollment_leave",
    "enrollments_create_bulk",
    "lesson_progress_complete",
    "profile_save",
    "profile_set_language",
]


def profile_save(
    *, user: User, specialty: str, region: str, organisation: str, preferred_language: str
) -> Profile:
    """Create or change ``user``'s specialist profile (values already validated by the form)."""
    profile, _created = Profile.objects.update_or_create(
        user=user,
        defaults={
            "specialty": specialty,
            "region": region,
            "organisation": organisation,
            "preferred_language": preferred_language,
        },
    )
    return profile


def profile_set_language(*, user: User, language: str) -> bool:
    """Keep ``language`` (one of ``settings.LANGUAGES``) as ``user``'s preferred language, the
    one their emails, certificates and sign-ins use. Someone without a profile keeps none (the
    language cookie remembers it for them). Returns whether a profile changed."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValueError(f"unknown language {language!r}")
    changed = (
        Profile.objects.filter(user=user)
        .exclude(preferred_language=language)
        .update(preferred_language=language, updated_at=timezone.now())
    )
    return bool(changed)


def enrollment_create(
    *, user: User, course: CoursePage, source: str = Enrollment.Source.SELF
) -> Enrollment:
    """Enrol ``user`` in ``course``, or re-activate an enrolment they left. Safe to repeat.

    The enrolment is in the course's identity (``courses.api.identity_of``): enrolling in the
    Russian course is enrolling in the course, whatever language it is read in."""
    course = identity_of(course)
    try:
        with transaction.atomic():
            enrollment, created = Enrollment.objects.get_or_create(
                user=user, course=course, defaults={"source": source}
            )
    except IntegrityError:  # a concurrent request made the row first
        enrollment, created = Enrollment.objects.get(user=user, course=course), False
    if not created and enrollment.left_at is not None:
        enrollment.left_at = None
        enrollment.save(update_fields=["left_at"])
    return enrollment


def enrollment_leave(*, user: User, course: CoursePage) -> Enrollment | None:
    """Leave a course (in any of its languages). The enrolment row and every progress record
    are kept."""
    enrollment = Enrollment.objects.filter(
        user=user, course__translation_key=course.translation_key, left_at=None
    ).first()
    if enrollment is not None:
        enrollment.left_at = timezone.now()
        enrollment.save(update_fields=["left_at"])
    return enrollment


def lesson_progress_complete(*, user: User, lesson: LessonPage) -> LessonProgress:
    """Record that ``user`` completed ``lesson``; the first completion is kept.

    Idempotent under double clicks, retries and concurrent requests: the named unique constraint
    makes a second row impossible, and a request that loses the race reads the winner's row.
    The record names the lesson's identity (``courses.api.identity_of``), so completing the
    Kazakh lesson completes the lesson in every language.
    """
    lesson = identity_of(lesson)
    course = course_of_lesson(lesson)
    try:
        with transaction.atomic():
            progress, _ = LessonProgress.objects.get_or_create(
                user=user,
                lesson=lesson,
                defaults={
                    "course": course,
                    "course_version": course.version,
                    "completed_at": timezone.now(),
                },
            )
    except IntegrityError:
        progress = LessonProgress.objects.get(user=user, lesson=lesson)
    return progress


def _cohort_name_taken(name: str) -> bool:
    return Cohort.objects.filter(name__iexact=name).exists()


def cohort_create(*, name: str, trainer: User) -> Cohort:
    """Start a cohort called ``name`` (runs of spaces made one), run by ``trainer``.

    Names are unique whatever their case. A name already taken raises ``ValidationError`` on
    ``name``, also when another request took it a moment ago: the unique constraint
    (``learners_cohort_unique_name_ci``) decides, and the loser is refused, not failed.
    """
    name = " ".join(name.split())
    taken = ValidationError(
        {"name": _("A cohort called “%(name)s” exists already.") % {"name": name}}
    )
    if _cohort_name_taken(name):
        raise taken
    try:
        with transaction.atomic():
            cohort = Cohort.objects.create(name=name)
            cohort.trainers.add(trainer)
    except IntegrityError:
        raise taken from None
    return cohort


def cohort_for_name(*, name: str) -> tuple[Cohort, bool]:
    """The cohort called ``name`` (any case), made if there is none, and whether it was made.
    Safe under concurrency: a request that loses the race gets the winner's cohort."""
    existing = Cohort.objects.filter(name__iexact=name).order_by("pk").first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return Cohort.objects.create(name=name), True
    except IntegrityError:  # another request made it first
        return Cohort.objects.get(name__iexact=name), False


def cohort_add_trainer(*, cohort: Cohort, trainer: User) -> None:
    """Make ``trainer`` one of the people who run ``cohort``. Safe to repeat."""
    cohort.trainers.add(trainer)


def cohort_add_member(*, cohort: Cohort, user: User) -> CohortMembership:
    """Add ``user`` to ``cohort`` and enrol them in its assigned courses. Safe to repeat."""
    with transaction.atomic():
        membership, _ = CohortMembership.objects.get_or_create(cohort=cohort, user=user)
        for assignment in cohort.assignments.select_related("course"):
            enrollment_create(user=user, course=assignment.course, source=Enrollment.Source.COHORT)
    return membership


def cohort_assign_course(
    *, cohort: Cohort, course: CoursePage, due_date: date | None = None
) -> CohortCourse:
    """Assign ``course`` to ``cohort`` (or change its due date) and enrol every member. Safe to
    repeat. A translation assigns its course's identity (``courses.api.identity_of``): the
    cohort's reports read the records kept against it, whatever language members read in."""
    course = identity_of(course)
    with transaction.atomic():
        assignment, created = CohortCourse.objects.get_or_create(
            cohort=cohort, course=course, defaults={"due_date": due_date}
        )
        if not created and assignment.due_date != due_date:
            assignment.due_date = due_date
            assignment.save(update_fields=["due_date"])
        member_ids = list(cohort.memberships.values_list("user_id", flat=True))
        enrollments_create_bulk(user_ids=member_ids, courses=[course])
    return assignment


def enrollments_create_bulk(
    *,
    user_ids: Collection[int],
    courses: Sequence[CoursePage],
    source: str = Enrollment.Source.COHORT,
) -> set[int]:
    """Enrol every one of ``user_ids`` in every one of ``courses`` (their identities), set-based:
    what :func:`enrollment_create` does for one, for thousands in a few queries. Safe to repeat
    and under concurrency (the unique constraint decides; a row already there is left alone, and
    one left is re-activated).

    Returns the ids of the people whose enrolments changed. ``post_save`` is not sent for rows
    made in bulk, so ``core.api.people_changed`` is, with those ids."""
    ids = sorted(set(user_ids))
    identities = {identity_of(course).pk for course in courses}
    if not ids or not identities:
        return set()
    changed: set[int] = set()
    with transaction.atomic():
        for course_id in sorted(identities):
            existing = set(
                Enrollment.objects.filter(course_id=course_id, user_id__in=ids).values_list(
                    "user_id", flat=True
                )
            )
            new = [user_id for user_id in ids if user_id not in existing]
            Enrollment.objects.bulk_create(
                [Enrollment(user_id=u, course_id=course_id, source=source) for u in new],
                batch_size=1000,
                ignore_conflicts=True,
            )
            changed.update(new)
            left = Enrollment.objects.filter(
                course_id=course_id, user_id__in=ids, left_at__isnull=False
            )
            changed.update(left.values_list("user_id", flat=True))
            left.update(left_at=None)
    if changed:
        people_changed.send(sender=Enrollment, user_ids=sorted(changed))
    return changed


def cohort_add_members(*, cohort: Cohort, user_ids: Collection[int]) -> set[int]:
    """Add ``user_ids`` to ``cohort`` and enrol them in its assigned courses, set-based (what
    :func:`cohort_add_member` does for one). Safe to repeat. Returns the ids that were not
    members yet."""
    ids = sorted(set(user_ids))
    if not ids:
        return set()
    with transaction.atomic():
        before = set(
            CohortMembership.objects.filter(cohort=cohort, user_id__in=ids).values_list(
                "user_id", flat=True
            )
        )
        CohortMembership.objects.bulk_create(
            [CohortMembership(cohort=cohort, user_id=u) for u in ids if u not in before],
            batch_size=1000,
            ignore_conflicts=True,
        )
        courses = [a.course for a in cohort.assignments.select_related("course")]
        changed = enrollments_create_bulk(user_ids=ids, courses=courses)
    added = set(ids) - before
    if added - changed:  # members without a course to enrol in changed too
        people_changed.send(sender=CohortMembership, user_ids=sorted(added - changed))
    return added


def demo_learning_create() -> None:
    """Give the demo accounts something to show: the practitioner's profile, the coordinator's
    region, and a demo cohort run by the trainer with the first course assigned. Idempotent."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.in_bulk(
        ["trainer", "practitioner", "coordinator"], field_name="username"
    )
    if "practitioner" in users:
        Profile.objects.get_or_create(
            user=users["practitioner"],
            defaults={"specialty": "school_staff", "region": "KZ-79",
                      "organisation": "Demo school (fictional)", "preferred_language": "ru"},
        )  # fmt: skip
    if "coordinator" in users:
        CoordinatorRegion.objects.get_or_create(user=users["coordinator"], region="KZ-79")
    course = live_courses().order_by("path").first()
    if "trainer" in users and "practitioner" in users and course is not None:
        cohort, _ = Cohort.objects.get_or_create(name="Demo cohort: Shymkent school staff")
        cohort.trainers.add(users["trainer"])
        cohort_add_member(cohort=cohort, user=users["practitioner"])
        if not cohort.assignments.filter(course=course).exists():
            cohort_assign_course(
                cohort=cohort, course=course,
                due_date=timezone.localdate() + timedelta(days=60),
            )  # fmt: skip


@dataclass
class CohortAdditions:
    """What adding a list of addresses to a cohort did, address by address.

    A trainer is told only ``accepted``, ``already`` and ``invalid``: whether an address has an
    account, and of which role, is not theirs to learn (``invited``, ``asked`` and ``ignored``
    are for tests and logs)."""

    accepted: list[str] = field(default_factory=list)  # every usable address not a member yet
    already: list[str] = field(default_factory=list)  # members already (in the trainer's table)
    invalid: list[str] = field(default_factory=list)  # not an email address
    invited: list[str] = field(default_factory=list)  # new practitioner accounts, now members
    asked: list[str] = field(default_factory=list)  # existing practitioners, asked to join
    ignored: list[str] = field(default_factory=list)  # other roles, or an ambiguous address
    #: The join invitations to send (``tasks.send_cohort_join_invitations``, queued by the
    #: caller once this commits; the sweep sends them anyway if that is lost).
    join_invitations: list[int] = field(default_factory=list)


def cohort_add_addresses(
    *, cohort: Cohort, addresses: Sequence[str], by: User, language: str | None = None
) -> CohortAdditions:
    """Bring the people with ``addresses`` into ``cohort``, through invitations only.

    - An unknown address gets a Practitioner account, is a member at once (the account holds
      nothing but the address the trainer typed) and gets the invitation to set a password (in
      ``language``, the one the trainer works in, until they choose theirs).
    - An existing practitioner is never enrolled by someone else: they get an email asking them
      to join (``cohort_joining``), and become a member when they confirm, signed in.
    - Any other account (a trainer, reviewer, coordinator, the ministry, an administrator, or an
      address several accounts share) is left alone: nothing is sent, nothing is added.

    The three are reported alike (``accepted``), so the form does not tell whether an address
    has an account. One bad address never stops the others. The join emails are recorded here
    (``cohort_join_invitations_record``); the caller queues their ids (``join_invitations``)
    with ``core.api.enqueue_on_commit``."""
    from .selectors import practitioners

    result = CohortAdditions()
    valid: list[str] = []
    seen: set[str] = set()
    for raw in addresses:
        address = raw.strip()
        if not address or address.lower() in seen:
            continue
        seen.add(address.lower())
        try:
            validate_email(address)
        except ValidationError:
            result.invalid.append(address)
            continue
        valid.append(address)
    found: dict[str, list[User]] = defaultdict(list)
    for known in (
        get_user_model()
        .objects.annotate(email_key=Lower("email"))
        .filter(email_key__in=[a.lower() for a in valid])
        .order_by("pk")
    ):
        found[known.email_key].append(known)
    eligible = set(
        practitioners()
        .filter(is_active=True, pk__in=[u.pk for users in found.values() for u in users])
        .values_list("pk", flat=True)
    )
    members = set(cohort.memberships.values_list("user_id", flat=True))
    new_ids: list[int] = []
    to_ask: list[User] = []
    with transaction.atomic():
        for address in valid:
            matches = found.get(address.lower(), [])
            if len(matches) == 1 and matches[0].pk in members and matches[0].pk in eligible:
                result.already.append(address)
                continue
            result.accepted.append(address)
            if len(matches) > 1 or (matches and matches[0].pk not in eligible):
                result.ignored.append(address)
                continue
            if matches:
                to_ask.append(matches[0])
                result.asked.append(address)
                continue
            try:
                user = account_create(email=address, role=Role.PRACTITIONER)
            except AccountTaken:  # another account's username: not theirs to learn either
                result.ignored.append(address)
                continue
            cohort_add_member(cohort=cohort, user=user)
            result.invited.append(address)
            new_ids.append(user.pk)
        people_invite(user_ids=new_ids, by=by, language=language)
        # Practitioners asked to join who cannot sign in yet (imported, never invited) also
        # get the invitation to set a password, so that the join link can be used.
        specialists_invite(emails=result.asked, by=by)
        result.join_invitations = cohort_join_invitations_record(
            cohort=cohort, users=to_ask, by=by, language=language
        )
    return result


def cohort_join(*, cohort: Cohort, user: User) -> CohortMembership:
    """``user`` joins ``cohort`` themselves, having followed a trainer's invitation (the view
    checks the link was theirs and that they are a practitioner). Their join invitation is
    marked used: an email still waiting is not sent."""
    with transaction.atomic():
        membership = cohort_add_member(cohort=cohort, user=user)
        CohortJoinInvitation.objects.filter(cohort=cohort, user=user, joined_at=None).update(
            joined_at=timezone.now(),
            status=Case(
                When(status=CohortJoinInvitation.Status.PENDING,
                     then=Value(CohortJoinInvitation.Status.SKIPPED)),
                default=F("status"),
            ),
        )  # fmt: skip
    return membership


def cohort_join_invitations_record(
    *, cohort: Cohort, users: Iterable[User], by: User, language: str | None = None
) -> list[int]:
    """Record that each of ``users`` (existing practitioners) is to be emailed a link to join
    ``cohort``; returns the ids of the invitations to send now.

    Once an hour at most per person and cohort, however often a trainer adds the address: the
    row decides (``cohort_joining.RESEND_AFTER``), so this holds with the cache down and across
    requests that race (the unique constraint; the loser sends nothing). ``language`` is the
    trainer's, used when the person's profile names none. Nothing is sent here."""
    from .cohort_joining import RESEND_AFTER

    now = timezone.now()
    wanted = {user.pk: user for user in users if user.email}
    codes = {code for code, _name in settings.LANGUAGES}
    fallback = language if language in codes else settings.LANGUAGE_CODE
    existing = dict(
        CohortJoinInvitation.objects.filter(cohort=cohort, user_id__in=wanted).values_list(
            "user_id", "pk"
        )
    )
    ids: list[int] = []
    for user_id in wanted:
        if user_id in existing:
            # Asked for over an hour ago (sent, failed, or joined and left since): ask again.
            again = CohortJoinInvitation.objects.filter(
                pk=existing[user_id], asked_at__lt=now - RESEND_AFTER
            ).update(
                status=CohortJoinInvitation.Status.PENDING,
                asked_at=now,
                invited_by=by,
                language=fallback,
                claimed_at=None,
                attempts=0,
                last_error="",
                joined_at=None,
            )
            if again:
                ids.append(existing[user_id])
            continue
        try:
            with transaction.atomic():
                invitation = CohortJoinInvitation.objects.create(
                    cohort=cohort, user_id=user_id, invited_by=by, language=fallback, asked_at=now
                )
        except IntegrityError:  # a concurrent request recorded it first, and sends it
            continue
        ids.append(invitation.pk)
    return ids


def cohort_join_invitation_send(*, invitation_id: int) -> bool:
    """Send one join invitation still waiting and record it; returns whether an email went out.

    The invitation is claimed first (a conditional update), so the task and the sweep, or two
    workers, never send it at once; ``sent_at`` is set only once the mail server took it. A
    person who has joined meanwhile, is no longer an active practitioner or has no address
    needs no email: the invitation is marked skipped. If sending fails, the claim is released
    and the error raised: the invitation waits for the sweep, until ``MAX_ATTEMPTS``."""
    from .cohort_joining import CLAIM_TIMEOUT, MAX_ATTEMPTS, join_email
    from .selectors import practitioners

    claim = timezone.now()
    claimed = (
        CohortJoinInvitation.objects.filter(
            pk=invitation_id, status=CohortJoinInvitation.Status.PENDING
        )
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=claim - CLAIM_TIMEOUT))
        .update(claimed_at=claim, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    invitation = CohortJoinInvitation.objects.select_related("cohort", "user", "invited_by").get(
        pk=invitation_id
    )
    user = invitation.user
    ours = CohortJoinInvitation.objects.filter(pk=invitation_id, claimed_at=claim)
    if (
        invitation.joined_at is not None
        or not user.email
        or not practitioners().filter(pk=user.pk, is_active=True).exists()
        or CohortMembership.objects.filter(cohort=invitation.cohort, user=user).exists()
    ):
        ours.update(status=CohortJoinInvitation.Status.SKIPPED, claimed_at=None)
        return False
    try:
        join_email(invitation).send()
    except Exception as exc:
        gave_up = invitation.attempts >= MAX_ATTEMPTS
        ours.update(
            claimed_at=None,
            last_error=f"{exc.__class__.__name__}: {exc}"[:500],
            status=(
                CohortJoinInvitation.Status.FAILED
                if gave_up
                else CohortJoinInvitation.Status.PENDING
            ),
        )
        raise
    ours.update(
        status=CohortJoinInvitation.Status.SENT,
        sent_at=timezone.now(),
        claimed_at=None,
        last_error="",
    )
    return True
