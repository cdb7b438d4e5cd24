#!/usr/bin/env python
"""Quiz grading: 1,000 submitted attempts of a 30-question quiz, and the quiz pages' queries.

``make bench-quiz``. Each learner autosaves answers meant to be right, partly right, wrong or
blank; each attempt is graded by ``attempt_submit`` and checked against what it was meant to earn;
then again under tracemalloc. Last, the quiz pages' queries for 5 to 60 questions. See
docs/benchmarks.md.
"""

import random
import statistics
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import Check, say

#: The credit and status each kind of generated answer earns (every question is one mark).
EXPECTED = {
    "right": (Decimal(1), "correct"),
    "partial": (Decimal("0.5"), "partial"),
    "wrong": (Decimal(0), "incorrect"),
    "blank": (Decimal(0), "unanswered"),
}
CENT = Decimal("0.01")
PARTIAL_KINDS = {"multiple_response", "matching", "ordering"}
PAGE_SIZES = [5, 10, 30, 60]


def make_quiz(questions: int, course: Any) -> Any:
    """A quiz of ``questions`` questions of the automatically scored types in turn, the
    assessment of a new module of ``course``."""
    from tests.factories import ModulePageFactory
    from tests.factories.quizzes import AUTO_KINDS, make_question, make_quiz, place_on_module

    bank = [make_question(AUTO_KINDS[i % len(AUTO_KINDS)]) for i in range(questions)]
    quiz = make_quiz(bank, title=f"{questions} questions", pass_mark=80)
    place_on_module(quiz, ModulePageFactory(parent=course))
    return quiz


def response_for(snapshot: dict[str, Any], layout: dict[str, Any], meant: str) -> Any:
    """A response ``meant`` to be right, partly right, wrong or blank, as the form posts it and
    in the shapes learners type (" Tolerance", "526,0")."""
    kind, options, right = snapshot["kind"], snapshot["options"], meant == "right"
    weight = {o["id"]: Decimal(o["weight"]) for o in options}
    if meant == "blank":
        return None
    if kind in ("single_choice", "scenario"):
        return {"choice": next(i for i in layout["options"] if (weight[i] == 100) == right)}
    if kind == "multiple_response":
        positive = [i for i in layout["options"] if weight[i] > 0]
        negative = [i for i in layout["options"] if weight[i] <= 0]
        return {"choices": {"right": positive, "partial": positive[:1], "wrong": negative}[meant]}
    if kind == "true_false":
        return {"choice": "true" if snapshot["correct"] == right else "false"}
    if kind == "short_answer":
        accepted = next(o["text"] for o in options if weight[o["id"]] == 100)
        return {"text": f" {accepted.capitalize()}" if right else "patience"}
    if kind == "numeric":
        value = Decimal(next(o["value"] for o in options if weight[o["id"]] == 100))
        return {"text": f"{value:f},0" if right else f"{value + 36:f}"}
    if kind == "matching":
        keep = {"right": 99, "partial": 1, "wrong": 0}[meant]
        wrong = {o["id"]: next(a for a in layout["answers"] if a != o["match"]) for o in options}
        prompts = enumerate(o for o in options if o["text"])
        return {
            "matches": {o["id"]: o["match"] if i < keep else wrong[o["id"]] for i, o in prompts}
        }
    order = [o["id"] for o in options]  # ordering: the snapshot lists the items in order
    orders = {"right": order, "partial": [*order[1:], order[0]], "wrong": order[::-1]}
    return {"order": orders[meant]}


def meant_answers(kinds: list[str], rng: random.Random) -> list[str]:
    """One learner's answers: 3% blank, else right by the learner's ability (mean 0.73), else
    partly right 70% of the time where the type gives partial credit, else wrong."""
    ability, meant = rng.betavariate(4.0, 1.5), []
    for kind in kinds:
        if rng.random() < 0.03:
            meant.append("blank")
        elif rng.random() < ability:
            meant.append("right")
        else:
            partly = kind in PARTIAL_KINDS and rng.random() < 0.7
            meant.append("partial" if partly else "wrong")
    return meant


def answer(attempt: Any, meant: list[str] | None = None) -> list[str]:
    """Autosave an answer to every question (``meant``, or right or partly right)."""
    from quizzes.services import attempt_save

    answers = list(attempt.answers.order_by("position"))
    kinds = [a.snapshot["kind"] for a in answers]
    meant = meant or ["partial" if kind in PARTIAL_KINDS else "right" for kind in kinds]
    pairs = zip(answers, meant, strict=True)
    responses = {a.position: response_for(a.snapshot, a.layout, m) for a, m in pairs}
    attempt_save(attempt=attempt, responses=responses)
    return meant


def grade(attempts: list[Any]) -> tuple[list[float], list[int], int]:
    """``attempt_submit`` each attempt: the ms and queries of each, and how many were graded."""
    from quizzes.services import attempt_submit

    calls = [common.call(partial(attempt_submit, attempt=a)) for a in attempts]
    ms, counts, results = zip(*calls, strict=True)
    return list(ms), list(counts), sum(result[1] for result in results)


def main(argv: list[str] | None = None) -> int:
    args = common.arguments(__doc__, argv, ("--learners", 1000, "attempts graded"))
    with common.django_run("Quiz grading"):
        from django.contrib.auth import get_user_model

        from quizzes.models import AttemptAnswer, AttemptState, QuizResult
        from quizzes.services import attempt_start, attempt_submit
        from tests.factories import CoursePageFactory, practitioner

        rng, user, course = random.Random(1), get_user_model(), CoursePageFactory()
        quiz = make_quiz(30, course)
        meant, start_ms, save_ms = {}, [], []
        learners = user.objects.bulk_create(user(username=f"l{i}") for i in range(args.learners))
        for learner in learners:
            t = time.perf_counter()
            attempt = attempt_start(user=learner, quiz=quiz, rng=rng)
            start_ms.append((time.perf_counter() - t) * 1000)
            kinds = [a.snapshot["kind"] for a in attempt.answers.order_by("position")]
            t = time.perf_counter()
            meant[attempt.pk] = answer(attempt, meant_answers(kinds, rng))
            save_ms.append((time.perf_counter() - t) * 1000)
        common.analyze()
        say(
            f"attempt_start: median {statistics.median(start_ms):.1f} ms; autosaving 30 "
            f"answers (attempt_save, the answers read first): {statistics.median(save_ms):.1f} ms"
        )

        quiz_answers = AttemptAnswer.objects.filter(attempt__quiz=quiz)

        def in_progress() -> list[Any]:
            return list(quiz.attempts.filter(state=AttemptState.IN_PROGRESS).order_by("pk"))

        def as_meant() -> tuple[dict[int, Any], bool]:
            """The scores; whether every score, pass, answer status and result is as meant."""
            attempts = {a.pk: a for a in quiz.attempts.all()}
            points = {
                pk: sum((EXPECTED[m][0] for m in answers), Decimal(0))
                for pk, answers in meant.items()
            }
            score = {pk: (p * 100 / 30).quantize(CENT, ROUND_HALF_UP) for pk, p in points.items()}
            statuses = quiz_answers.values_list("attempt_id", "position", "status")
            results = dict(QuizResult.objects.filter(quiz=quiz).values_list("user_id", "grade"))
            scored = all(
                a.score == score[pk] and a.passed == (score[pk] >= 80) for pk, a in attempts.items()
            )
            marked = all(EXPECTED[meant[pk][n - 1]][1] == status for pk, n, status in statuses)
            recorded = results == {a.user_id: a.score for a in attempts.values()}
            return {pk: a.score for pk, a in attempts.items()}, scored and marked and recorded

        with common.Idle() as idle:
            t = time.perf_counter()
            ms, counts, graded = grade(in_progress())
            total = time.perf_counter() - t
        scores, right = as_meant()
        spread = ", ".join(f"{x:.1f}" for x in common.spread(ms))
        passed = sum(s >= 80 for s in scores.values())
        rate = f"{graded:,} in {total:.1f} s, {graded / total:.0f} a second"
        say(f"Graded {rate}; ms median, p95, max: {spread}; {passed} passed")

        # Again under tracemalloc, every attempt put back in progress first.
        graded_fields = dict.fromkeys(["finished_at", "points", "score", "passed"])
        quiz.attempts.update(
            state=AttemptState.IN_PROGRESS, max_points=0, closed_at_deadline=False, **graded_fields
        )
        quiz_answers.update(fraction=None, status="")
        QuizResult.objects.filter(quiz=quiz).delete()
        memory = common.memory_of(lambda: grade(in_progress()))
        again = as_meant()[0]
        peak, growth = memory["peak_mib"], memory["rss_mib"]
        say(f"Graded again under tracemalloc: peak {peak:.1f} MiB, RSS growth {growth:.1f} MiB")

        # The pages, warm, signed in as a practitioner who answered every question.
        learner = practitioner(username="bench-page-learner")
        pages: dict[int, dict[str, int]]
        client, pages = common.signed_in(learner), {}
        for size in PAGE_SIZES:
            attempt = attempt_start(user=learner, quiz=make_quiz(size, course))
            answer(attempt)
            pages[size], url = {}, f"/en/learn/quizzes/attempts/{attempt.pk}/"
            for page in ("", "summary/", "review/"):
                if page == "review/":
                    attempt_submit(attempt=attempt)
                for _ in range(2):  # the first warms this process up
                    with common.queries() as sql:
                        assert client.get(url + page).status_code == 200, url + page
                pages[size][page.rstrip("/") or "attempt"] = len(sql)
            if size == 30:
                page_ms = statistics.median(common.repeat(partial(client.get, url), 30))
        say(f"The 30-question attempt page: {page_ms:.1f} ms, median of 30")
        rows = [[f"{size} questions", *p.values()] for size, p in pages.items()]
        say(common.table(rows, ["queries", "attempt page", "summary", "review"]))

        checks = [
            Check.equal("attempts graded", graded, args.learners),
            Check.equal("scores, passes, statuses and results as meant", right, True),
            Check.equal("queries of a submit: the fewest, the most", min(counts), max(counts)),
            Check.equal("graded again: the same scores", again == scores, True),
            Check.equal("page queries: 60 questions, 5", pages[60], pages[5]),
        ]
        return common.report(checks, idle, strict=args.strict)


if __name__ == "__main__":
    raise SystemExit(main())
