"""The public interface of ``quizzes``: the GIFT and Aiken formats, and what certification needs
to read and extend (required quizzes, passes since a date, the attempt-window hook)."""

from .bulk import AttemptRow, QuizRules, attempts_bulk_create, quiz_rules_of
from .completion import quiz_links, quizzes_passed_since, required_quiz_ids
from .formats import (
    AikenResult,
    FormatError,
    GiftResult,
    ParsedQuestion,
    QuestionKind,
    UnsupportedConstruct,
    parse_aiken,
    parse_gift,
    write_gift,
)
from .models import Quiz
from .permissions import can_open_grading_queue
from .selectors import attempt_counts_by_course, learner_ids_passed
from .services import register_attempt_window

__all__ = [
    "AikenResult",
    "AttemptRow",
    "FormatError",
    "GiftResult",
    "ParsedQuestion",
    "QuestionKind",
    "Quiz",
    "QuizRules",
    "UnsupportedConstruct",
    "attempt_counts_by_course",
    "attempts_bulk_create",
    "can_open_grading_queue",
    "learner_ids_passed",
    "parse_aiken",
    "parse_gift",
    "quiz_links",
    "quiz_rules_of",
    "quizzes_passed_since",
    "register_attempt_window",
    "required_quiz_ids",
    "write_gift",
]
