"""Statistics for trainers: facility, discrimination, score distribution, pass rates; the CMS page,
its chart and CSV, who may see them, and query budgets that do not grow with the attempts."""

from __future__ import annotations

import csv
import io
import math
import re
import statistics as pystats
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.users.models import UserProfile

from quizzes.models import (
    Attempt,
    AttemptAnswer,
    AttemptState,
    Question,
    QuestionType,
    Quiz,
    QuizResult,
)
from quizzes.services import attempt_start, attempt_submit
from quizzes.statistics import question_hints, quiz_statistics
from tests.factories import UserFactory, practitioner
from tests.factories.quizzes import QuizFactory, make_question, make_quiz

pytestmark = pytest.mark.django_db

DASH = "\N{EN DASH}"  # score ranges are labelled with an en dash, as typeset

#: One answer of a hand-built attempt: the question (None: deleted from the bank, with this
#: snapshot title), the fraction scored and the question's marks.
Row = tuple[Question | None, str, str] | tuple[Question | None, str, str, str]


def finished_attempt(quiz: Quiz, user: Any, rows: Sequence[Row], *, number: int = 1) -> Attempt:
    """A finished attempt with its answers, its points and score as grading would store them."""
    points = sum((Decimal(r[1]) * Decimal(r[2]) for r in rows), Decimal(0))
    maximum = sum((Decimal(r[2]) for r in rows), Decimal(0))
    score = (points * 100 / maximum).quantize(Decimal("0.01"), ROUND_HALF_UP)
    now = timezone.now()
    attempt = Attempt.objects.create(
        quiz=quiz,
        user=user,
        number=number,
        state=AttemptState.FINISHED,
        started_at=now,
        finished_at=now,
        points=points,
        max_points=maximum,
        score=score,
        passed=score >= quiz.pass_mark,
    )
    AttemptAnswer.objects.bulk_create(
        [
            AttemptAnswer(
                attempt=attempt,
                position=position,
                question=row[0],
                snapshot={
                    "v": 1,
                    "kind": row[0].kind if row[0] else QuestionType.TRUE_FALSE,
                    "title": row[0].title if row[0] else row[3],  # type: ignore[misc]
                },
                max_points=Decimal(row[2]),
                fraction=Decimal(row[1]),
                status="right" if Decimal(row[1]) == 1 else "wrong",
            )
            for position, row in enumerate(rows, start=1)
        ]
    )
    return attempt


def attempt_with_score(quiz: Quiz, question: Question, score: str) -> Attempt:
    """A one-question attempt (marks 100) scoring ``score`` percent, for a new learner."""
    return finished_attempt(quiz, UserFactory(), [(question, str(Decimal(score) / 100), "100")])


@pytest.fixture
def four_learners() -> tuple[Quiz, dict[str, Question]]:
    """Four learners, four one-mark questions, scored by hand (1 right, 0 wrong):

    ========  ====  ====  ====  ======  =====
    learner   all   top   low   filler  total
    ========  ====  ====  ====  ======  =====
    A         1     1     0     1       3
    B         1     1     0     1       3
    C         1     0     0     0       1
    D         1     0     1     0       2
    ========  ====  ====  ====  ======  =====
    """
    questions = {
        name: make_question(QuestionType.TRUE_FALSE, title=name)
        for name in ("all", "top", "low", "filler")
    }
    quiz = make_quiz(list(questions.values()), pass_mark=75)
    table = {"A": (1, 1, 0, 1), "B": (1, 1, 0, 1), "C": (1, 0, 0, 0), "D": (1, 0, 1, 0)}
    for scores in table.values():
        user = practitioner()
        rows = [(q, str(s), "1") for q, s in zip(questions.values(), scores, strict=True)]
        attempt = finished_attempt(quiz, user, rows)
        QuizResult.objects.create(
            quiz=quiz, user=user, grade=attempt.score, passed=attempt.passed, attempts=1
        )
    return quiz, questions


# --- the figures ---------------------------------------------------------------------------------


def test_facility_and_discrimination_match_the_hand_computed_values(
    four_learners: tuple[Quiz, dict[str, Question]],
) -> None:
    quiz, _questions = four_learners
    by_title = {q.title: q for q in quiz_statistics(quiz=quiz).questions}

    # Everyone right: facility 100; the question's score never varies, so no correlation.
    everyone = by_title["all"]
    assert (everyone.asked, everyone.facility, everyone.discrimination) == (4, 100.0, None)
    assert everyone.hints == ("very easy",)

    # Only the two strongest right. x = (1, 1, 0, 0), rest y = total - x = (2, 2, 1, 2):
    # deviations dx = (.5, .5, -.5, -.5), dy = (.25, .25, -.75, .25); Σdxdy = .5, Σdx² = 1,
    # Σdy² = .75, so r = .5 / √.75 = 1/√3.
    top = by_title["top"]
    assert top.facility == 50.0
    assert top.discrimination == pytest.approx(100 / math.sqrt(3))
    assert top.hints == ()

    # Only D right. x = (0, 0, 0, 1), y = (3, 3, 1, 1): dx = (-.25, -.25, -.25, .75),
    # dy = (1, 1, -1, -1); Σdxdy = -1, Σdx² = .75, Σdy² = 4, so r = -1 / √3.
    low = by_title["low"]
    assert low.facility == 25.0
    assert low.discrimination == pytest.approx(-100 / math.sqrt(3))
    assert low.hints == ("check this question: stronger learners did worse",)

    # Positions follow the fixed quiz's order.
    assert [q.position for q in quiz_statistics(quiz=quiz).questions] == [1, 2, 3, 4]


def test_quiz_figures_and_pass_rates(four_learners: tuple[Quiz, dict[str, Question]]) -> None:
    quiz, questions = four_learners
    # A second, failed attempt by a learner who already passed: counted in the attempts, but
    # the learner still passes by the grading method (QuizResult).
    first = Attempt.objects.filter(quiz=quiz, score=75).first()
    assert first is not None
    finished_attempt(
        quiz, first.user, [(q, "0", "1") for q in questions.values()], number=2
    )  # score 0
    # Attempts in progress are not counted.
    Attempt.objects.create(
        quiz=quiz, user=practitioner(), number=1, started_at=timezone.now(), max_points=4
    )

    stats = quiz_statistics(quiz=quiz)
    # Scores: 75, 75, 25, 50 and 0; pass mark 75.
    assert stats.attempts == 5
    assert stats.learners == 4
    assert stats.attempts_passed == 2
    assert stats.attempt_pass_rate == pytest.approx(40.0)
    assert (stats.learners_graded, stats.learners_passed) == (4, 2)
    assert stats.learner_pass_rate == pytest.approx(50.0)
    assert stats.mean_score == pytest.approx(45.0)
    assert stats.median_score == pytest.approx(50.0)
    assert [b.count for b in stats.distribution] == [1, 0, 1, 0, 0, 1, 0, 2, 0, 0]
    assert stats.distribution[7].percent == pytest.approx(40.0)
    assert stats.questions[0].asked == 5  # the second attempt asked every question again


def test_distribution_bins_put_10_in_the_second_bin_and_100_in_the_last() -> None:
    question = make_question(QuestionType.TRUE_FALSE)
    quiz = make_quiz([question])
    for score in ("0", "9.99", "10", "55", "90", "99.99", "100", "100"):
        attempt_with_score(quiz, question, score)

    bins = quiz_statistics(quiz=quiz).distribution
    assert [(b.low, b.high) for b in bins] == [(i * 10, i * 10 + 10) for i in range(10)]
    assert [b.label for b in bins][::9] == [f"0{DASH}10", f"90{DASH}100"]
    assert [b.count for b in bins] == [2, 1, 0, 0, 0, 1, 0, 0, 0, 4]
    assert sum(b.percent for b in bins) == pytest.approx(100.0)


def test_weak_discrimination_and_marks_weight_the_rest_of_the_attempt() -> None:
    """The rest of the attempt is in points: q2's two marks count twice as much as q3's one.
    Unweighted, q1 would correlate negatively (r = -0.22) with the rest here."""
    q1, q2, q3 = (make_question(QuestionType.TRUE_FALSE, title=t) for t in ("q1", "q2", "q3"))
    quiz = make_quiz([q1, q2, q3])
    data = [
        ("1", "1", "0.5"), ("0", "0", "1"), ("1", "0", "0"),
        ("0", "0", "1"), ("0", "0.5", "1"), ("0", "0", "0.5"),
    ]  # fmt: skip
    for f1, f2, f3 in data:
        finished_attempt(quiz, UserFactory(), [(q1, f1, "1"), (q2, f2, "2"), (q3, f3, "1")])

    by_title = {q.title: q for q in quiz_statistics(quiz=quiz).questions}
    x1 = [float(f1) for f1, _, _ in data]
    rest = [2 * float(f2) + float(f3) for _, f2, f3 in data]
    expected = 100 * pystats.correlation(x1, rest)
    assert expected == pytest.approx(6.9337524528)
    assert by_title["q1"].discrimination == pytest.approx(expected)
    assert by_title["q1"].hints == ("weak discrimination",)
    assert by_title["q1"].facility == pytest.approx(100 / 3)
    assert by_title["q2"].facility == pytest.approx(100 * 1.5 / 6)


def test_not_enough_data_with_one_attempt_or_no_variance_in_the_rest() -> None:
    q1 = make_question(QuestionType.TRUE_FALSE, title="q1")
    q2 = make_question(QuestionType.TRUE_FALSE, title="q2")
    quiz = make_quiz([q1, q2])
    finished_attempt(quiz, UserFactory(), [(q1, "1", "1"), (q2, "0", "1")])
    assert [q.discrimination for q in quiz_statistics(quiz=quiz).questions] == [None, None]

    # q1 varies, but the rest of the attempt (q2) does not: still no correlation for q1.
    finished_attempt(quiz, UserFactory(), [(q1, "0", "1"), (q2, "0", "1")])
    by_title = {q.title: q for q in quiz_statistics(quiz=quiz).questions}
    assert by_title["q1"].discrimination is None
    assert by_title["q1"].facility == 50.0


def test_deleted_questions_are_grouped_by_snapshot_title_and_flagged() -> None:
    kept = make_question(QuestionType.TRUE_FALSE, title="Kept")
    quiz = make_quiz([kept])
    for fraction in ("1", "0", "1"):
        finished_attempt(
            quiz, UserFactory(), [(kept, fraction, "1"), (None, fraction, "1", "Old question")]
        )
    finished_attempt(quiz, UserFactory(), [(kept, "1", "1"), (None, "0", "1", "Other old")])

    questions = quiz_statistics(quiz=quiz).questions
    assert [(q.title, q.deleted, q.asked, q.position) for q in questions] == [
        ("Kept", False, 4, 1),
        ("Old question", True, 3, None),
        ("Other old", True, 1, None),
    ]
    assert questions[1].facility == pytest.approx(200 / 3)
    assert questions[1].kind_label == "True or false"


def test_a_fixed_question_not_asked_yet_is_listed_without_figures() -> None:
    asked, new = (make_question(QuestionType.TRUE_FALSE, title=t) for t in ("asked", "new"))
    quiz = make_quiz([asked, new])
    finished_attempt(quiz, UserFactory(), [(asked, "1", "1")])
    row = quiz_statistics(quiz=quiz).questions[1]
    assert (row.title, row.asked, row.facility, row.discrimination, row.hints) == (
        "new",
        0,
        None,
        None,
        (),
    )


def test_hint_thresholds() -> None:
    assert question_hints(facility=90.0, discrimination=20.0) == ()
    assert question_hints(facility=90.1, discrimination=None) == ("very easy",)
    assert question_hints(facility=19.9, discrimination=0.0) == (
        "very hard",
        "weak discrimination",
    )
    assert question_hints(facility=50.0, discrimination=-0.1) == (
        "check this question: stronger learners did worse",
    )


def test_end_to_end_through_the_attempt_services() -> None:
    """Learners take the quiz through the services; the statistics read what grading stored."""
    choice = make_question(QuestionType.SINGLE_CHOICE, title="choice")
    statement = make_question(QuestionType.TRUE_FALSE, title="statement")
    quiz = make_quiz([choice, statement], pass_mark=50)

    def respond(attempt: Attempt, right: dict[str, bool]) -> dict[int, Any]:
        responses: dict[int, Any] = {}
        for answer in attempt.answers.all():
            snapshot = answer.snapshot
            ok = right[snapshot["title"]]
            if snapshot["kind"] == QuestionType.TRUE_FALSE:
                responses[answer.position] = {
                    "choice": "true" if snapshot["correct"] == ok else "false"
                }
            else:
                option = next(o for o in snapshot["options"] if (Decimal(o["weight"]) == 100) == ok)
                responses[answer.position] = {"choice": option["id"]}
        return responses

    outcomes = [
        {"choice": True, "statement": True},
        {"choice": True, "statement": False},
        {"choice": False, "statement": False},
    ]
    for right in outcomes:
        attempt = attempt_start(user=practitioner(), quiz=quiz)
        attempt_submit(attempt=attempt, responses=respond(attempt, right))
    attempt_start(user=practitioner(), quiz=quiz)  # in progress: not counted

    stats = quiz_statistics(quiz=quiz)
    assert (stats.attempts, stats.learners, stats.attempts_passed) == (3, 3, 2)
    assert (stats.learners_graded, stats.learners_passed) == (3, 2)
    assert [b.count for b in stats.distribution] == [1, 0, 0, 0, 0, 1, 0, 0, 0, 1]
    by_title = {q.title: q for q in stats.questions}
    assert by_title["choice"].facility == pytest.approx(200 / 3)
    assert by_title["statement"].facility == pytest.approx(100 / 3)
    # choice x = (1, 1, 0) against statement y = (1, 0, 0): r = 0.5.
    assert by_title["choice"].discrimination == pytest.approx(50.0)
    assert by_title["statement"].discrimination == pytest.approx(50.0)


def test_queries_do_not_grow_with_attempts() -> None:
    questions = [make_question(QuestionType.TRUE_FALSE) for _ in range(3)]
    quiz = make_quiz(questions)

    def add_attempts(n: int) -> None:
        for i in range(n):
            rows = [(q, "1" if (i + j) % 2 else "0", "1") for j, q in enumerate(questions)]
            finished_attempt(quiz, UserFactory(), rows)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            quiz_statistics(quiz=quiz)
        return len(context.captured_queries)

    add_attempts(3)
    few = queries()
    add_attempts(27)
    assert queries() == few == 4


# --- the CMS page ---------------------------------------------------------------------------------


def page_url(quiz: Quiz) -> str:
    return reverse("quizzes_statistics", args=[quiz.pk])


def csv_url(quiz: Quiz) -> str:
    return reverse("quizzes_statistics_csv", args=[quiz.pk])


ALLOWED = {
    "trainer": lambda: UserFactory(groups=["Trainer"]),
    "reviewer": lambda: UserFactory(groups=["Course reviewer"]),
    "superuser": lambda: UserFactory(is_superuser=True, is_staff=True),
}
REFUSED = {
    "practitioner": lambda: practitioner(),
    "ministry": lambda: UserFactory(groups=["Ministry"]),
    "coordinator": lambda: UserFactory(groups=["Regional coordinator"]),
}


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_page_and_csv_render_for_trainers_reviewers_and_superusers(
    client: Client, role: str, four_learners: tuple[Quiz, dict[str, Question]]
) -> None:
    quiz, _questions = four_learners
    client.force_login(ALLOWED[role]())
    page = client.get(page_url(quiz))
    assert page.status_code == 200
    html = page.content.decode()
    assert quiz.title in html
    assert "not enough data" in html  # the question everyone got right
    assert "check this question: stronger learners did worse" in html
    assert csv_url(quiz) in html

    download = client.get(csv_url(quiz))
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="quiz-{quiz.slug}-statistics.csv"' in download["Content-Disposition"]
    text = download.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == [
        "position", "question_id", "title", "type", "deleted", "times_asked", "facility",
        "discrimination", "hints",
    ]  # fmt: skip
    assert rows[1][2:] == ["all", "True or false", "no", "4", "100.0", "", "very easy"]
    assert rows[2][2:8] == ["top", "True or false", "no", "4", "50.0", "57.7"]
    assert rows[3][6:] == ["25.0", "-57.7", "check this question: stronger learners did worse"]


def test_the_chart_is_an_accessible_svg_with_the_numbers_in_a_table(
    client: Client, four_learners: tuple[Quiz, dict[str, Question]]
) -> None:
    quiz, _questions = four_learners
    client.force_login(UserFactory(groups=["Trainer"]))
    html = client.get(page_url(quiz)).content.decode()
    figure = html[html.index("<figure") : html.index("</figure>")]
    assert "<figcaption>" in figure
    svg_tag = figure[figure.index("<svg") : figure.index(">", figure.index("<svg"))]
    assert 'role="img"' in svg_tag
    assert 'aria-label="Bar chart of the scores of 4 finished attempts' in svg_tag
    assert f"70{DASH}80%: 2" in svg_tag  # A and B scored 75
    assert figure.count("<rect") == 10
    # The same numbers in a table after the figure.
    after = html[html.index("</figure>") :]
    assert "<caption>Score distribution: attempts per score range</caption>" in after
    assert f'<th scope="row">70{DASH}80</th>\n                <td class="num">2</td>' in after


def test_chart_coordinates_keep_a_decimal_point_in_russian(
    client: Client, four_learners: tuple[Quiz, dict[str, Question]]
) -> None:
    quiz, _questions = four_learners
    trainer = UserFactory(groups=["Trainer"])
    profile = UserProfile.get_for_user(trainer)
    profile.preferred_language = "ru"
    profile.save()
    client.force_login(trainer)
    html = client.get(page_url(quiz)).content.decode()
    assert '<html lang="ru"' in html
    assert "50,0%" in html  # the figures are in Russian number format ...
    svg = html[html.index('<svg xmlns="http://www.w3.org/2000/svg"') :]
    svg = svg[: svg.index("</svg>")]
    assert 'x="53.84"' in svg  # ... the chart's coordinates are not (the first bar)
    assert not re.search(r'="[0-9]+,[0-9]', svg)


def test_empty_state_without_finished_attempts(client: Client) -> None:
    quiz = make_quiz([make_question(QuestionType.TRUE_FALSE)])
    Attempt.objects.create(
        quiz=quiz, user=practitioner(), number=1, started_at=timezone.now(), max_points=1
    )  # in progress only
    client.force_login(UserFactory(groups=["Trainer"]))
    html = client.get(page_url(quiz)).content.decode()
    assert "No one has finished this quiz yet" in html
    assert "<figure" not in html
    assert 'role="img"' not in html
    assert csv_url(quiz) not in html


@pytest.mark.parametrize("role", sorted(REFUSED))
def test_other_roles_are_refused(client: Client, role: str) -> None:
    """Wagtail's admin gate sends users without admin access to the sign-in page; with admin
    access but without the quiz permission, the page itself answers 403."""
    quiz = make_quiz([make_question(QuestionType.TRUE_FALSE)])
    user = REFUSED[role]()
    client.force_login(user)
    if not user.has_perm("wagtailadmin.access_admin"):  # the ministry is in the CMS already
        for url in (page_url(quiz), csv_url(quiz)):
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("wagtailadmin_login"))

    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(type(user).objects.get(pk=user.pk))  # a fresh permission cache
    for url in (page_url(quiz), csv_url(quiz)):
        response = client.get(url)
        assert response.status_code == 403
        assert b"permission to see quiz statistics" in response.content
        assert b"text/csv" not in response["Content-Type"].encode()


def test_anonymous_visitors_are_sent_to_the_admin_sign_in(client: Client) -> None:
    quiz = QuizFactory()
    response = client.get(page_url(quiz))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('wagtailadmin_login')}?next={page_url(quiz)}"


def test_unknown_quiz_is_404(client: Client) -> None:
    client.force_login(UserFactory(groups=["Trainer"]))
    response = client.get(reverse("quizzes_statistics", args=[999999]), follow=True)
    assert response.status_code == 404


def test_listing_and_edit_view_link_to_the_statistics(client: Client) -> None:
    quiz = make_quiz([make_question(QuestionType.TRUE_FALSE)])
    viewset: Any = Quiz.snippet_viewset  # type: ignore[attr-defined]
    client.force_login(UserFactory(groups=["Trainer"]))
    listing = client.get(reverse(viewset.get_url_name("list"))).content.decode()
    assert f'href="{page_url(quiz)}"' in listing
    assert "Statistics" in listing
    edit = client.get(reverse(viewset.get_url_name("edit"), args=[quiz.pk])).content.decode()
    assert f'href="{page_url(quiz)}"' in edit


def test_page_queries_do_not_grow_with_attempts(client: Client) -> None:
    questions = [make_question(QuestionType.TRUE_FALSE) for _ in range(3)]
    quiz = make_quiz(questions)
    client.force_login(UserFactory(groups=["Trainer"]))

    def add_attempts(n: int) -> None:
        for i in range(n):
            rows = [(q, "1" if (i * j) % 3 else "0", "1") for j, q in enumerate(questions)]
            finished_attempt(quiz, UserFactory(), rows)

    def queries(url: str) -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    add_attempts(3)
    few = (queries(page_url(quiz)), queries(csv_url(quiz)))
    add_attempts(27)
    assert (queries(page_url(quiz)), queries(csv_url(quiz))) == few


def test_the_csv_reads_in_the_readers_language(
    client: Client, four_learners: tuple[Quiz, dict[str, Question]]
) -> None:
    quiz, _questions = four_learners
    client.force_login(UserFactory(groups=["Trainer"]))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    text = client.get(csv_url(quiz)).content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:3] == ["позиция", "id вопроса", "название"]
    assert rows[1][4] == "нет"
