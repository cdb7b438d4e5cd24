"""A trainer's import goes to review in every format (decision 0009, issue #15 part 5): a change
to a live question that a live quiz asks is kept as a revision, and learners keep the published
question until a course reviewer publishes it."""

from __future__ import annotations

import io
from typing import Any

import pytest

from quizzes.importing import questions_import
from quizzes.models import Question
from tests.factories.quizzes import make_quiz

pytestmark = pytest.mark.django_db

FILES = {
    "gift": ("::Safe::Which helps a child feel safe? {=A routine ~Surprises}", "A routine"),
    "aiken": ("Which helps a child feel safe?\nA. A routine\nB. Surprises\nANSWER: A\n", None),
    "xml": (
        '<?xml version="1.0"?><quiz><question type="multichoice"><name><text>Safe</text></name>'
        '<questiontext format="html"><text>Which helps a child feel safe?</text></questiontext>'
        "<single>true</single>"
        '<answer fraction="100"><text>A routine</text></answer>'
        '<answer fraction="0"><text>Surprises</text></answer></question></quiz>',
        None,
    ),
}


def run(fmt: str, text: str, *, publish: bool) -> Any:
    data: Any = io.BytesIO(text.encode()) if fmt == "xml" else text
    return questions_import(
        text=data, fmt=fmt, category="Bank", filename=f"q.{fmt}", publish=publish
    )


@pytest.mark.parametrize("fmt", ["gift", "xml"])
def test_a_trainers_import_over_a_live_question_waits_for_review(fmt: str) -> None:
    text, _ = FILES[fmt]
    first = run(fmt, text, publish=True)  # an operator's run: live
    assert first.ok, first.errors
    question = Question.objects.get()
    assert question.live
    quiz = make_quiz([question], live=True)
    changed = text.replace("feel safe", "feel settled")
    report = run(fmt, changed, publish=False)  # a trainer's run through the CMS
    assert report.ok and not report.published and len(report.updated) == 1
    question.refresh_from_db()
    # The row the live quiz asks is untouched; the change waits as a revision.
    assert "feel safe" in question.text
    assert question.has_unpublished_changes
    assert "feel settled" in str(question.latest_revision.content["text"])
    assert list(quiz.fixed_questions.values_list("question_id", flat=True)) == [question.pk]
    # Importing the same file again finds the change waiting and writes nothing new.
    again = run(fmt, changed, publish=False)
    assert again.ok and not again.updated
    assert question.revisions.count() == 1


def test_an_aiken_change_is_a_new_draft_beside_the_live_question() -> None:
    """Aiken has no titles: a question is named after its text, so a changed text is a new
    question, created as a draft, and the live one stays as it was."""
    text, _ = FILES["aiken"]
    assert run("aiken", text, publish=True).ok
    live = Question.objects.get()
    report = run("aiken", text.replace("feel safe", "feel settled"), publish=False)
    assert report.ok and len(report.created) == 1 and not report.updated
    draft = Question.objects.exclude(pk=live.pk).get()
    assert not draft.live and "feel settled" in draft.text
    live.refresh_from_db()
    assert live.live and "feel safe" in live.text


@pytest.mark.parametrize("fmt", FILES)
def test_a_trainers_new_question_is_a_draft(fmt: str) -> None:
    text, _ = FILES[fmt]
    report = run(fmt, text, publish=False)
    assert report.ok
    question = Question.objects.get()
    assert not question.live  # never asked until a reviewer publishes it
