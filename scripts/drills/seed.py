"""Seed a drill or load-test stack: a course, a quiz, a certification track and N practitioners.

Run by :mod:`stack` inside the stack's environment (production settings, the throwaway
PostgreSQL), after ``migrate``; prints one JSON object that the drills and the load test read:
the lesson ids and paths, the quiz, the practitioners' user names and the shared password.

    python scripts/drills/seed.py --learners 100
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

#: Every seeded practitioner's password (a throwaway stack; never a real account).
PASSWORD = "drill-Password-2026!"  # noqa: S105 - throwaway stack
LESSONS = 3
QUESTIONS = 3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accounts.api import Role, account_create
    from certification.models import CertificationTrack, TrackRequirement
    from learners.models import Profile
    from quizzes.models import QuestionType

    # The test factories build valid pages and quizzes; imported by name so that mypy, which
    # leaves tests/ out, does not follow them from here.
    factories = importlib.import_module("tests.factories")
    quizzes = importlib.import_module("tests.factories.quizzes")
    course_factory, module_factory = factories.CoursePageFactory, factories.ModulePageFactory
    lesson_factory = factories.LessonPageFactory
    make_question, make_quiz = quizzes.make_question, quizzes.make_quiz

    with transaction.atomic():
        course = course_factory(title="Drill course", slug="drill-course", version="1.0")
        module = module_factory(parent=course, title="Drill module", slug="drill-module")
        lessons = [
            lesson_factory(parent=module, title=f"Drill lesson {n}", slug=f"drill-lesson-{n}")
            for n in range(1, LESSONS + 1)
        ]
        # True/false questions whose right answer ("false") the simulated learners know.
        quiz = make_quiz(
            [make_question(QuestionType.TRUE_FALSE) for _ in range(QUESTIONS)],
            title="Drill assessment",
            slug="drill-assessment",
        )
    quizzes.place_on_module(quiz, module)
    track = CertificationTrack.objects.create(
        name="Drill track", slug="drill-track", validity_months=24
    )
    TrackRequirement.objects.create(track=track, course=course, specialty="", sort_order=0)

    # One hash with the configured hasher, shared by every learner: seeding 1,000 learners must
    # not take 1,000 hashes; signing in still verifies it the production way.
    hashed = make_password(PASSWORD)
    users = []
    for i in range(args.learners):
        user = account_create(email=f"learner{i:04d}@drill.example.org", role=Role.PRACTITIONER)
        users.append(user)
    user_model = get_user_model()
    user_model.objects.filter(pk__in=[u.pk for u in users]).update(password=hashed)
    Profile.objects.bulk_create(
        [Profile(user=u, specialty="psychologist", region="KZ-75") for u in users]
    )
    # A file in media/ with its row, for the backup drill (a lesson handout).
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    handout = get_document_model().objects.create(
        title="Drill handout", file=ContentFile(b"Drill handout\n" * 100, name="handout.txt")
    )
    for lesson in lessons:
        lesson.refresh_from_db()
    print(
        json.dumps(
            {
                "course_id": course.pk,
                "module_path": module.url_path,
                "lessons": [{"id": lesson.pk, "url": lesson.url} for lesson in lessons],
                "quiz_id": quiz.pk,
                "module_id": module.pk,
                "track_id": track.pk,
                "password": PASSWORD,
                "document_url": handout.url,
                "learners": [u.get_username() for u in users],
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
