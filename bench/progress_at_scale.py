#!/usr/bin/env python
"""Progress at scale: the cohort table, course-wide completion and the dashboard's summary tables
with 10,000 learners in one course.

``make bench-progress``. One course of 40 lessons; 10,000 learners over the 20 regions and 10
specialties, 4 in 5 having completed every lesson and the others some (about 360,000 progress
rows); a trainer with cohorts of 500 and 50. See docs/benchmarks.md.
"""

import random
import sys
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from statistics import median
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import Check, say

MAX_PAGE_MS = 300.0  # the warm 500-member cohort page, median
NAMES = ["Айгерим", "Арман", "Асель", "Бауыржан", "Гульнара", "Данияр", "Ainur", "Olga", "Sergei"]
SURNAMES = ["Ахметов", "Бекова", "Жумабаев", "Исаева", "Касымов", "Ким", "Petrov", "Nurlanova"]


def generate(learners: int, rng: random.Random) -> dict[str, Any]:
    """The course; the learners with profiles and enrolments, 4 in 5 with every lesson done and
    the others some, in order (a few of those left the course); the trainer's two cohorts."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.utils import timezone

    from core.api import Specialty
    from learners.models import Cohort, CohortCourse, CohortMembership, Enrollment, Profile
    from learners.regions import REGION_CODES
    from tests.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory

    course, now, user = CoursePageFactory(), timezone.now(), get_user_model()
    modules = [ModulePageFactory(parent=course) for _ in range(4)]
    lessons = [LessonPageFactory(parent=module).pk for module in modules for _ in range(10)]
    users = user.objects.bulk_create(
        user(username=f"l{i}", first_name=rng.choice(NAMES), last_name=rng.choice(SURNAMES))
        for i in range(learners)
    )
    regions, specialties = sorted(REGION_CODES), list(Specialty.values)
    Profile.objects.bulk_create(
        Profile(
            user=u,
            region=regions[i % 20],
            specialty=specialties[i // 20 % 10],
            organisation=f"School No. {i % 300 + 1}",
        )
        for i, u in enumerate(users)
    )
    done = [40 if rng.random() < 0.8 else rng.randrange(40) for _ in users]
    members = rng.sample(range(learners), 500)
    left = {i for i in range(0, learners, 50) if done[i] < 40} - set(members)
    Enrollment.objects.bulk_create(
        Enrollment(user=u, course=course, left_at=now if i in left else None)
        for i, u in enumerate(users)
    )
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            "COPY learners_lessonprogress (user_id, lesson_id, course_id, course_version, "
            "completed_at) FROM STDIN"
        ) as copy,
    ):
        for i, u in enumerate(users):
            for j in range(done[i]):
                copy.write_row((u.pk, lessons[j], course.pk, "1.0", now - timedelta(hours=99 - j)))
    trainer = user.objects.create_user("bench-trainer", first_name="Bench", last_name="Trainer")
    trainer.groups.add(Group.objects.get(name="Trainer"))
    cohorts = [Cohort.objects.create(name=f"Bench cohort of {size}") for size in (500, 50)]
    for cohort, size in zip(cohorts, (500, 50), strict=True):
        cohort.trainers.add(trainer)
        CohortCourse.objects.create(cohort=cohort, course=course, due_date=now - timedelta(14))
        CohortMembership.objects.bulk_create(
            CohortMembership(cohort=cohort, user=users[i]) for i in members[:size]
        )
    common.analyze()
    return {
        "course": course,
        "trainer": trainer,
        "cohorts": cohorts,
        "rows": sum(done),
        "complete": {u.pk for i, u in enumerate(users) if done[i] == 40},
        "members_complete": sum(done[i] == 40 for i in members),
        "enrolled": learners - len(left),
    }


def recompute_all(course: Any) -> dict[int, Any]:
    """Completion of every learner of ``course`` as completion works for a batch: the structure
    once, every progress row grouped by learner, the requirements looked up once."""
    from learners.completion import completion_from, course_structures, requirements_lookup
    from learners.models import Enrollment, LessonProgress

    structure = course_structures([course])[course.pk]
    learners = list(Enrollment.objects.filter(course=course).values_list("user_id", flat=True))
    done: dict[int, set[int]] = defaultdict(set)
    for user_id, lesson_id in LessonProgress.objects.filter(course=course).values_list(
        "user_id", "lesson_id"
    ):
        done[user_id].add(lesson_id)
    structures = {course.pk: structure}
    requirements = requirements_lookup(users=learners, courses=[course], structures=structures)
    shared = {"course": course, "structure": structure, "requirements": requirements}
    return {u: completion_from(user=u, done_ids=done[u], **shared) for u in learners}


def course_dashboard(course_id: int) -> Any:
    """The dashboard's figures for the course, national scope, the cache emptied first."""
    from dataclasses import replace

    from django.core.cache import cache

    from learners.regions import REGION_CODES
    from reports.filters import Filters, Scope
    from reports.selectors import dashboard

    cache.clear()
    scope = Scope(regions=REGION_CODES, national=True)
    return dashboard(scope=scope, filters=replace(Filters.default(), course=course_id))


def main(argv: list[str] | None = None) -> int:
    args = common.arguments(
        __doc__,
        argv,
        (
            "--learners",
            10_000,
            "learners, at least 500 (the larger cohort)",
            {"type": common.at_least(500)},
        ),
    )
    with common.django_run("Progress at scale"):
        from learners.selectors import cohort_table
        from reports.facts import facts_rebuild

        data = generate(args.learners, random.Random(1))
        say(f"{args.learners:,} learners, {data['rows']:,} progress rows")
        client, rows, peaks, queries = common.signed_in(data["trainer"]), {}, {}, {}
        with common.Idle() as idle:
            for cohort in data["cohorts"]:  # 500 members, then 50
                url, size = f"/en/learn/cohorts/{cohort.pk}/", cohort.memberships.count()
                rows[f"cohort page, {size} members"] = common.repeat(partial(client.get, url), 11)
                with common.queries() as sql:
                    html = client.get(url).content.decode()
                queries[size] = len(sql), html.count('scope="row"')
            big = data["cohorts"][0]
            rows["cohort_table(), 500 members"] = common.repeat(
                partial(cohort_table, cohort=big), 11
            )
            steps: dict[str, Callable[[], Any]] = {
                "completion of every learner": lambda: recompute_all(data["course"]),
                "facts_rebuild(), every learner": facts_rebuild,
                "dashboard(), the course, national": lambda: course_dashboard(data["course"].pk),
            }
            for label, fn in steps.items():
                rows[label], peaks[label] = common.repeat(fn, 3), common.memory_of(fn)["peak_mib"]
        table = [[k, ms[0], median(ms[1:]), peaks.get(k, "")] for k, ms in rows.items()]
        columns = ["milliseconds", "first", "median of the others", "peak MiB, tracemalloc"]
        say(common.table(table, columns))
        warm = median(rows["cohort page, 500 members"][1:])
        complete = {u for u, c in recompute_all(data["course"]).items() if c.complete}
        in_table = sum(row.cells[0].complete for row in cohort_table(cohort=big).rows if row.cells)
        board = course_dashboard(data["course"].pk).totals
        totals = [board[k].count.value for k in ("practitioners", "enrolled", "completed")]
        member_rows, recomputed = [queries[500][1], queries[50][1]], [in_table, len(complete)]
        wanted = [data["members_complete"], len(data["complete"])]
        totals_wanted = [args.learners, data["enrolled"], len(data["complete"])]
        practitioners = "sanity: the dashboard's practitioners, enrolled, completed"
        checks = [
            Check.below("cohort page, 500 members, warm median", warm, MAX_PAGE_MS, "ms"),
            Check.equal("cohort page queries, 500 and 50 members", queries[500][0], queries[50][0]),
            Check.equal("sanity: member rows on the pages", member_rows, [500, 50]),
            Check.equal("sanity: complete, in the table and recomputed", recomputed, wanted),
            Check.equal(practitioners, totals, totals_wanted),
        ]
        return common.report(checks, idle, strict=args.strict)


if __name__ == "__main__":
    raise SystemExit(main())
