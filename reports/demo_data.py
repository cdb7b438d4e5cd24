"""Synthetic practitioners with a realistic history, so the dashboard has something to show on a
fresh site (``make run`` loads a few hundred) and the benchmark has a national load (100,000).

Everyone made here is clearly synthetic and carries the mark by which ``demo_people_delete``
finds them again: the username ``demo-000042`` (prefix ``demo-``) AND an email at
``example.invalid`` (a domain that can never receive mail). Their names are a first name from a
short list and the surname ``Demo-000042``; their organisations read like
"Demo school No. 12 (KZ-75, synthetic)". No real person is ever described.

What a person gets is drawn from a random generator seeded with ``seed`` and their number, so a
run is the same given the seed, the numbers and the day (dates count back from today), whatever
the chunking. Verification codes are the exception: they are made as every certificate's are
(``certification.codes``), random and unguessable, demo or not.

The history, drawn per person:

* a region (weighted roughly by population: Almaty, Shymkent, Astana and Turkistan are large;
  Ulytau and North Kazakhstan are kept very small so small-cell suppression shows) and a
  specialty; the first twenty people of a run cover every region and specialty;
* enrolment in each live course (its identity page) over the last 24 months, some through a
  regional demo cohort whose due date has passed (so some are overdue) or is still ahead; of the
  enrolled, some never started, many are part way, about half completed; a few left;
* one progress row per lesson completed, in order, and finished quiz attempts on the course's
  required quizzes (sometimes a failed attempt before the pass) consistent with that progress;
* a certificate on every active track whose courses they completed, a few revoked;
* about one in eight started 26 to 40 months ago: their certificates have expired (outside the
  24 months of enrolment above, necessarily) and half of them renewed, with the assessments
  passed again inside the renewal window, as the ``repass`` rule asks.

Everything is inserted in bulk (the apps' ``bulk`` services), in chunks of
``CHUNK`` people, each in its own transaction; no signals are sent per row, so the report facts
are rebuilt at the end (``reports.facts.facts_rebuild``) unless the caller says not to.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.api import (
    NewAccount,
    Role,
    account_ids_matching,
    accounts_bulk_create,
    accounts_delete,
)
from certification.api import (
    CertificateChain,
    active_tracks,
    certificates_bulk_create,
    certificates_delete_for_users,
    track_courses,
)
from core.api import Progress, Specialty
from courses.api import CoursePage, live_courses
from learners.api import (
    REGION_CODES,
    EnrollmentRow,
    MembershipRow,
    ProfileRow,
    ProgressRow,
    cohort_assign_course,
    cohort_for_name,
    cohort_ids_named,
    cohort_memberships_bulk_create,
    cohorts_delete,
    course_structures,
    enrollments_bulk_create,
    lesson_progress_bulk_create,
    profiles_bulk_create,
)
from quizzes.api import (
    AttemptRow,
    QuizRules,
    attempts_bulk_create,
    quiz_rules_of,
    required_quiz_ids,
)

__all__ = [
    "SYNTHETIC_EMAIL_DOMAIN",
    "SYNTHETIC_USERNAME_PREFIX",
    "DemoDataError",
    "DemoSummary",
    "demo_facts_rebuild",
    "demo_people_count",
    "demo_people_delete",
    "demo_people_generate",
]

#: The mark of a synthetic person: both must hold.
SYNTHETIC_USERNAME_PREFIX = "demo-"
SYNTHETIC_EMAIL_DOMAIN = "example.invalid"
#: People per chunk (one transaction each): memory stays flat however many are asked for.
CHUNK = 1000

FIRST_NAMES = (
    "Aida", "Aigerim", "Aliya", "Arman", "Asel", "Aibek", "Bauyrzhan", "Dana", "Dauren", "Dinara",
    "Gulnara", "Irina", "Kairat", "Madina", "Marat", "Nurlan", "Olga", "Saule", "Sergei", "Timur",
    "Yerlan", "Zhanna",
)  # fmt: skip

#: Rough population shares (millions), except Ulytau and North Kazakhstan, kept tiny on purpose.
REGION_WEIGHTS: dict[str, float] = {
    "KZ-10": 0.6, "KZ-11": 0.8, "KZ-15": 0.9, "KZ-19": 1.5, "KZ-23": 0.7, "KZ-27": 0.7,
    "KZ-31": 1.2, "KZ-33": 0.7, "KZ-35": 1.1, "KZ-39": 0.8, "KZ-43": 0.8, "KZ-47": 0.8,
    "KZ-55": 0.75, "KZ-59": 0.06, "KZ-61": 2.1, "KZ-62": 0.03, "KZ-63": 0.7, "KZ-71": 1.4,
    "KZ-75": 2.2, "KZ-79": 1.2,
}  # fmt: skip

SPECIALTY_WEIGHTS: dict[str, float] = {
    Specialty.PSYCHOLOGIST: 1.2,
    Specialty.SCHOOL_STAFF: 2.5,
    Specialty.RELIGIOUS_COUNSELLOR: 0.5,
    Specialty.SOCIAL_WORKER: 1.8,
    Specialty.LEGAL_ADVISER: 0.5,
    Specialty.HEALTH_WORKER: 1.5,
    Specialty.POLICE_PROBATION: 0.8,
    Specialty.LOCAL_OFFICIAL: 0.7,
    Specialty.NGO_STAFF: 0.8,
    Specialty.OTHER: 0.3,
}

ORGANISATION_KINDS: dict[str, str] = {
    Specialty.PSYCHOLOGIST: "psychological support centre",
    Specialty.SCHOOL_STAFF: "school",
    Specialty.RELIGIOUS_COUNSELLOR: "counselling centre",
    Specialty.SOCIAL_WORKER: "social services centre",
    Specialty.LEGAL_ADVISER: "legal aid office",
    Specialty.HEALTH_WORKER: "clinic",
    Specialty.POLICE_PROBATION: "probation office",
    Specialty.LOCAL_OFFICIAL: "akimat office",
    Specialty.NGO_STAFF: "NGO",
    Specialty.OTHER: "organisation",
}

LANGUAGE_WEIGHTS = {"ru": 0.55, "kk": 0.35, "en": 0.10}
REVOKED_REASON = "Synthetic demo record: revoked to show revocations on the dashboard."


class DemoDataError(ValueError):
    """The demo data cannot be made as asked (the message says why)."""


@dataclass
class DemoSummary:
    """What a run made."""

    practitioners: int = 0
    enrollments: int = 0
    lessons_completed: int = 0
    quiz_attempts: int = 0
    quiz_results: int = 0
    certificates: int = 0
    cohorts: int = 0
    facts_rebuilt: bool = False


@dataclass(frozen=True)
class _Course:
    pk: int
    version: str
    lessons: tuple[int, ...]
    quizzes: tuple[int, ...]


@dataclass
class _Chunk:
    """The rows of one chunk of people, before insertion."""

    profiles: list[ProfileRow] = field(default_factory=list)
    memberships: list[MembershipRow] = field(default_factory=list)
    enrollments: list[EnrollmentRow] = field(default_factory=list)
    progress: list[ProgressRow] = field(default_factory=list)
    attempts: list[AttemptRow] = field(default_factory=list)
    chains: list[CertificateChain] = field(default_factory=list)


def _cohort_names() -> list[tuple[str, str, int]]:
    """(name, region, due in days from today) of the demo cohorts: two per region, one overdue."""
    return [
        (f"Demo cohort {code} {letter} (synthetic)", code, due)
        for code in sorted(REGION_CODES)
        for letter, due in (("A", -60), ("B", 120))
    ]


def demo_people_count() -> int:
    """How many synthetic people there are (by their mark)."""
    return len(
        account_ids_matching(
            username_prefix=SYNTHETIC_USERNAME_PREFIX, email_domain=SYNTHETIC_EMAIL_DOMAIN
        )
    )


def demo_people_delete(*, progress: Progress | None = None) -> int:
    """Delete every synthetic person with their records and the demo cohorts; returns how many
    people. Nobody without the mark is touched."""
    ids = account_ids_matching(
        username_prefix=SYNTHETIC_USERNAME_PREFIX, email_domain=SYNTHETIC_EMAIL_DOMAIN
    )
    deleted = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with transaction.atomic():
            certificates_delete_for_users(user_ids=chunk)
            deleted += accounts_delete(user_ids=chunk)
        if progress:
            progress(start + len(chunk), len(ids), "deleting")
    cohorts_delete(cohort_ids=cohort_ids_named(names=[name for name, _, _ in _cohort_names()]))
    return deleted


def _courses() -> list[_Course]:
    """The live courses' identities (one per translation group), oldest first."""
    identities: dict[str, CoursePage] = {}
    for course in live_courses().order_by("pk"):
        identities.setdefault(str(course.translation_key), course)
    pages = list(identities.values())
    structures = course_structures(pages)
    courses = []
    for page in pages:
        lessons = tuple(lesson for m in structures.get(page.pk, []) for lesson, _ in m.lessons)
        if lessons:
            quizzes = tuple(sorted(required_quiz_ids([page])))
            courses.append(_Course(page.pk, page.version, lessons, quizzes))
    return courses


def _moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = max((end - start).total_seconds(), 0.0)
    return start + timedelta(seconds=rng.uniform(0, span))


def demo_people_generate(
    *,
    practitioners: int,
    seed: int = 1,
    progress: Progress | None = None,
    rebuild: bool = True,
    today: date | None = None,
) -> DemoSummary:
    """Make ``practitioners`` synthetic practitioners with their learning and certificates (see
    the module's docstring), numbered after those already there; then rebuild the report facts
    unless ``rebuild`` is False. Raises ``DemoDataError`` when ``practitioners`` is negative or
    no course with lessons is live."""
    if practitioners < 0:
        raise DemoDataError("The number of practitioners cannot be negative.")
    courses = _courses()
    if not courses:
        raise DemoDataError(
            "No live course with lessons: load the curriculum first (manage.py load_initial_data)."
        )
    today = today or timezone.localdate()
    now = timezone.make_aware(datetime.combine(today, time(12)))
    summary = DemoSummary()
    rules = quiz_rules_of(quiz_ids={q for c in courses for q in c.quizzes})
    # Which courses each active track asks of each specialty (identity pages, as progress).
    course_ids = {c.pk for c in courses}
    tracks: list[tuple[int, dict[str, tuple[int, ...]]]] = []
    for track in active_tracks().order_by("pk"):
        needs = {
            str(s): tuple(c.pk for c in track_courses(track=track, specialty=s)) for s in Specialty
        }
        if any(needs.values()) and all(set(n) <= course_ids for n in needs.values()):
            tracks.append((track.pk, needs))
    renews = {t.pk: t.renewal_rule == "repass" for t in active_tracks()}
    windows = {t.pk: t.renewal_window_days for t in active_tracks()}
    months = {t.pk: t.validity_months for t in active_tracks()}
    cohorts: dict[str, list[tuple[int, date]]] = {}
    for name, region, due_in in _cohort_names():
        cohort, made = cohort_for_name(name=name)
        due = today + timedelta(days=due_in)
        if made:
            cohort_assign_course(cohort=cohort, course=_page(courses[0].pk), due_date=due)
            summary.cohorts += 1
        cohorts.setdefault(region, []).append((cohort.pk, due))

    first = demo_people_count() + 1
    regions = sorted(REGION_CODES)
    specialties = [str(s) for s in Specialty]
    for start in range(0, practitioners, CHUNK):
        numbers = range(first + start, first + min(start + CHUNK, practitioners))
        accounts: list[NewAccount] = []
        people: list[tuple[random.Random, int, datetime, bool]] = []
        for number in numbers:
            # Not for secrets: a reproducible draw per person.
            rng = random.Random(f"{seed}:{number}")  # noqa: S311
            early = number - first >= len(regions) and rng.random() < 0.12
            back = rng.uniform(790, 1200) if early else rng.uniform(1, 730)
            joined = now - timedelta(days=back)
            first_name = rng.choice(FIRST_NAMES)
            last_name = f"Demo-{number:06d}"
            accounts.append(
                NewAccount(
                    username=f"{SYNTHETIC_USERNAME_PREFIX}{number:06d}",
                    email=f"{SYNTHETIC_USERNAME_PREFIX}{number:06d}@{SYNTHETIC_EMAIL_DOMAIN}",
                    first_name=first_name,
                    last_name=last_name,
                    date_joined=joined,
                )
            )
            people.append((rng, number, joined, early))
        with transaction.atomic():
            ids = accounts_bulk_create(accounts=accounts, role=Role.PRACTITIONER)
            rows = _Chunk()
            for user_id, account, (rng, number, joined, early) in zip(
                ids, accounts, people, strict=True
            ):
                index = number - first
                if index < len(regions):
                    region, specialty = regions[index], specialties[index % len(specialties)]
                else:
                    region = rng.choices(regions, [REGION_WEIGHTS.get(r, 1.0) for r in regions])[0]
                    specialty = rng.choices(
                        specialties, [SPECIALTY_WEIGHTS.get(s, 1.0) for s in specialties]
                    )[0]
                _person(
                    rows,
                    rng=rng,
                    user_id=user_id,
                    holder=f"{account.first_name} {account.last_name}",
                    region=region,
                    specialty=specialty,
                    joined=joined,
                    early=early,
                    now=now,
                    courses=courses,
                    rules=rules,
                    cohorts=cohorts.get(region, []),
                    tracks=tracks,
                    renews=renews,
                    windows=windows,
                    months=months,
                )
            summary.practitioners += profiles_bulk_create(rows=rows.profiles)
            cohort_memberships_bulk_create(rows=rows.memberships)
            summary.enrollments += enrollments_bulk_create(rows=rows.enrollments)
            summary.lessons_completed += lesson_progress_bulk_create(rows=rows.progress)
            made_attempts, made_results = attempts_bulk_create(rows=rows.attempts)
            summary.quiz_attempts += made_attempts
            summary.quiz_results += made_results
            summary.certificates += certificates_bulk_create(chains=rows.chains, today=today)
        if progress:
            progress(start + len(numbers), practitioners, "practitioners")
    if rebuild:
        summary.facts_rebuilt = demo_facts_rebuild(progress=progress)
    return summary


def _page(pk: int) -> CoursePage:
    page: CoursePage = live_courses().get(pk=pk)
    return page


def demo_facts_rebuild(*, progress: Progress | None = None) -> bool:
    """Rebuild the report facts (``reports.facts``); False when that module is not there."""
    try:
        facts = importlib.import_module("reports.facts")
    except ImportError:
        return False
    rebuild: Callable[..., object] = facts.facts_rebuild
    rebuild(progress=progress)
    return True


def _person(
    rows: _Chunk,
    *,
    rng: random.Random,
    user_id: int,
    holder: str,
    region: str,
    specialty: str,
    joined: datetime,
    early: bool,
    now: datetime,
    courses: Sequence[_Course],
    rules: dict[int, QuizRules],
    cohorts: Sequence[tuple[int, date]],
    tracks: Sequence[tuple[int, dict[str, tuple[int, ...]]]],
    renews: dict[int, bool],
    windows: dict[int, int],
    months: dict[int, int],
) -> None:
    """Draw one person's profile, learning and certificates into ``rows``."""
    organisation = (
        f"Demo {ORGANISATION_KINDS.get(specialty, 'organisation')} "
        f"No. {rng.randint(1, 40)} ({region}, synthetic)"
    )
    language = rng.choices(list(LANGUAGE_WEIGHTS), list(LANGUAGE_WEIGHTS.values()))[0]
    rows.profiles.append(ProfileRow(user_id, specialty, region, organisation, language, joined))
    cohort_course: int | None = None
    if cohorts and rng.random() < 0.35:
        cohort_id, _due = rng.choice(cohorts)
        joined_cohort = joined + timedelta(days=rng.uniform(0, 5))
        rows.memberships.append(MembershipRow(cohort_id, user_id, joined_cohort))
        cohort_course = courses[0].pk
    finished: dict[int, datetime] = {}
    quiz_numbers: dict[int, int] = {}
    last_pass: dict[int, datetime] = {}
    for position, course in enumerate(courses):
        in_cohort = course.pk == cohort_course
        if not in_cohort and rng.random() >= (0.85 if position == 0 else 0.7):
            continue
        latest = min(now, joined + timedelta(days=90 if early else 60))
        enrolled = _moment(rng, joined, latest) if latest > joined else joined
        state = rng.random()
        if early:
            state = 0.5 + state / 2  # the early ones mostly completed
        count = len(course.lessons)
        if state < 0.15:
            done = 0
        elif state < 0.53 and count > 1:
            done = rng.randint(1, count - 1)
        else:
            done = count
        left = None
        if 0 < done < count and rng.random() < 0.05:
            left = _moment(rng, enrolled, now)
        rows.enrollments.append(
            EnrollmentRow(user_id, course.pk, "cohort" if in_cohort else "self", enrolled, left)
        )
        if not done:
            continue
        span_end = min(now, enrolled + timedelta(days=rng.uniform(5, 150)))
        moments = sorted(_moment(rng, enrolled, span_end) for _ in range(done))
        for lesson, moment in zip(course.lessons, moments, strict=False):
            rows.progress.append(ProgressRow(user_id, lesson, course.pk, course.version, moment))
        # The quizzes sit through the course: those up to the share of lessons done are taken.
        taken = len(course.quizzes) if done == count else done * len(course.quizzes) // count
        for q, quiz_id in enumerate(course.quizzes[: taken + (1 if done < count else 0)]):
            at = moments[min(len(moments) - 1, (q + 1) * done // max(taken, 1) - 1)]
            must_pass = q < taken
            _quiz(rows, rng, user_id, quiz_id, rules[quiz_id], at, must_pass, quiz_numbers)
            if must_pass:
                last_pass[quiz_id] = at
        if done == count:
            finished[course.pk] = moments[-1]
    for track_id, needs in tracks:
        required = needs.get(specialty, ())
        if not required or not all(c in finished for c in required):
            continue
        issued = min(now, max(finished[c] for c in required) + timedelta(days=rng.uniform(0, 2)))
        dates = [issued.date()]
        expires = _add_months(dates[0], months[track_id])
        if early and renews[track_id] and rng.random() < 0.5:
            opens = expires - timedelta(days=windows[track_id])
            renewed = _moment(rng, _aware(opens), min(now, _aware(expires + timedelta(days=60))))
            if renewed.date() > dates[0]:
                for course in courses:
                    if course.pk in required:
                        for quiz_id in course.quizzes:
                            _quiz(rows, rng, user_id, quiz_id, rules[quiz_id], renewed, True,
                                  quiz_numbers, fail_first=False)  # fmt: skip
                dates.append(renewed.date())
        revoked = rng.random() < 0.015
        rows.chains.append(
            CertificateChain(
                user_id,
                track_id,
                specialty,
                holder,
                tuple(dates),
                revoked_at=_moment(rng, _aware(dates[-1]), now) if revoked else None,
                revoked_reason=REVOKED_REASON if revoked else "",
            )
        )


def _quiz(
    rows: _Chunk,
    rng: random.Random,
    user_id: int,
    quiz_id: int,
    rules: QuizRules,
    at: datetime,
    must_pass: bool,
    numbers: dict[int, int],
    *,
    fail_first: bool = True,
) -> None:
    """One learner's attempts at a quiz, finished by ``at``: passed when ``must_pass`` (a failed
    one first now and then, where the grading method still lets the pass count), else failed."""
    mark = rules.pass_mark
    scores: list[Decimal] = []
    if not must_pass:
        scores.append(_score(rng, 20, mark - 1))
    else:
        if fail_first and rules.grading_method in ("highest", "latest") and rng.random() < 0.2:
            scores.append(_score(rng, 20, mark - 1))
        scores.append(_score(rng, mark, 100))
    first_number = numbers.get(quiz_id, 0) + 1
    numbers[quiz_id] = first_number + len(scores) - 1
    for k, score in enumerate(scores):
        finished = at - timedelta(hours=24 * (len(scores) - 1 - k), minutes=rng.uniform(0, 30))
        started = finished - timedelta(minutes=rng.uniform(4, 25))
        number = first_number + k
        rows.attempts.append(AttemptRow(quiz_id, user_id, number, started, finished, score))


def _score(rng: random.Random, low: int, high: int) -> Decimal:
    low, high = max(0, min(low, 100)), max(0, min(high, 100))
    return Decimal(rng.randint(min(low, high) * 100, max(low, high) * 100)) / 100


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def _add_months(day: date, months: int) -> date:
    """``day`` plus calendar months, as certificates count validity (``certification.dates``)."""
    import calendar

    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
