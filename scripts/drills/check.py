"""What the database holds after a drill or a load test, as one JSON object on stdout.

Run by :mod:`stack` inside the stack's environment. For the seeded practitioners
(``learner*@drill.example.org``): lesson progress rows and duplicates, attempts and submitted
attempts, quiz results and passes, certificates, and how many learners are *due* a certificate
(every required course complete, by the project's own completion rule) against how many hold one.
With ``--acks FILE`` (JSON written by the load test or a drill: the writes that were answered
with success), it also checks every acknowledged write is present exactly once.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

DOMAIN = "@drill.example.org"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--acks", type=Path)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from certification.models import Certificate, CertificationTrack
    from certification.services import courses_completion, specialty_of, track_courses
    from learners.models import LessonProgress
    from quizzes.models import Attempt, QuizResult

    users = list(get_user_model().objects.filter(username__endswith=DOMAIN))
    ids = [u.pk for u in users]
    progress = LessonProgress.objects.filter(user_id__in=ids)
    dup_progress = (
        progress.values("user_id", "lesson_id").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    attempts = Attempt.objects.filter(user_id__in=ids)
    submitted = attempts.exclude(state="in_progress")
    results = QuizResult.objects.filter(user_id__in=ids)
    certificates = Certificate.objects.filter(user_id__in=ids)
    dup_certs = (
        certificates.values("user_id", "track_id", "sequence")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    due = 0
    missing: list[str] = []
    holders = set(certificates.values_list("user_id", flat=True))
    tracks = list(CertificationTrack.objects.filter(active=True))
    for user in users:
        for track in tracks:
            courses = track_courses(track=track, specialty=specialty_of(user=user))
            if not courses:
                continue
            completion = courses_completion(user=user, courses=courses)
            if all(completion[c.pk].complete for c in courses):
                due += 1
                if user.pk not in holders:
                    missing.append(user.get_username())
    out: dict[str, object] = {
        "learners": len(ids),
        "progress_rows": progress.count(),
        "progress_duplicates": dup_progress,
        "attempts": attempts.count(),
        "attempts_submitted": submitted.count(),
        "attempts_per_user_max": max(
            attempts.values("user_id").annotate(n=Count("id")).values_list("n", flat=True),
            default=0,
        ),
        "results": results.count(),
        "results_passed": results.filter(passed=True).count(),
        "certificates_due": due,
        "certificates_issued": certificates.count(),
        "certificates_missing": len(missing),
        "certificate_duplicates": dup_certs,
        "missing_sample": missing[:5],
    }
    if args.acks:
        out.update(_check_acks(json.loads(args.acks.read_text()), users))
    print(json.dumps(out))
    return 0


def _check_acks(acks: dict[str, list[list[Any]]], users: Sequence[Any]) -> dict[str, object]:
    """``acks``: ``{"complete": [[username, lesson_id], ...], "submit": [[username, attempt_id],
    ...], "autosave": [[username, attempt_id], ...]}``: each must be in the database once."""
    from learners.models import LessonProgress
    from quizzes.models import Attempt

    by_name: dict[str, int] = {u.get_username(): u.pk for u in users}
    lost: list[str] = []
    duplicated: list[str] = []
    checked = 0
    for username, lesson_id in acks.get("complete", []):
        checked += 1
        n = LessonProgress.objects.filter(
            user_id=by_name.get(username, 0), lesson_id=int(lesson_id)
        ).count()
        if n == 0:
            lost.append(f"complete {username} {lesson_id}")
        elif n > 1:
            duplicated.append(f"complete {username} {lesson_id}")
    for kind in ("submit", "autosave"):
        for username, attempt_id in acks.get(kind, []):
            checked += 1
            attempt = Attempt.objects.filter(
                pk=int(attempt_id), user_id=by_name.get(username, 0)
            ).first()
            if attempt is None:
                lost.append(f"{kind} {username} {attempt_id}")
                continue
            if kind == "submit" and attempt.state == "in_progress":
                lost.append(f"submit {username} {attempt_id} (still in progress)")
            # Answers saved are on the attempt's rows; an acknowledged save must have left one.
            if not attempt.answers.exclude(response=None).exists():
                lost.append(f"{kind} {username} {attempt_id} (no answer stored)")
    for username, quiz_id in acks.get("submit_quiz", []):
        n = Attempt.objects.filter(user_id=by_name.get(username, 0), quiz_id=int(quiz_id)).count()
        if n > 1:
            duplicated.append(f"attempts {username} quiz {quiz_id}: {n}")
    return {
        "acks_checked": checked,
        "acks_lost": len(lost),
        "acks_duplicated": len(duplicated),
        "acks_problems": (lost + duplicated)[:10],
    }


if __name__ == "__main__":
    raise SystemExit(main())
