"""The public interface of ``quizzes`` (issue #4, in progress: the GIFT and Aiken formats)."""

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

__all__ = [
    "AikenResult",
    "FormatError",
    "GiftResult",
    "ParsedQuestion",
    "QuestionKind",
    "UnsupportedConstruct",
    "parse_aiken",
    "parse_gift",
    "write_gift",
]
