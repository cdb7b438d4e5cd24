"""Question file formats: GIFT (read and write) and Aiken (read), independent of storage.

The quiz engine imports questions through these functions and turns the ``ParsedQuestion``
values into its own models; nothing here touches the database.
"""

from quizzes.formats.aiken import AikenResult, parse_aiken
from quizzes.formats.gift import GiftResult, parse_gift, write_gift
from quizzes.formats.model import (
    BLANK,
    Choice,
    FormatError,
    MatchPair,
    NumericAnswer,
    NumericRange,
    NumericValue,
    ParsedQuestion,
    QuestionKind,
    TextAnswer,
    TextFormat,
    UnsupportedConstruct,
)

__all__ = [
    "BLANK",
    "AikenResult",
    "Choice",
    "FormatError",
    "GiftResult",
    "MatchPair",
    "NumericAnswer",
    "NumericRange",
    "NumericValue",
    "ParsedQuestion",
    "QuestionKind",
    "TextAnswer",
    "TextFormat",
    "UnsupportedConstruct",
    "parse_aiken",
    "parse_gift",
    "write_gift",
]
