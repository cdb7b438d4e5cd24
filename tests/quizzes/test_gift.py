"""GIFT: every supported question kind, its details, broken files and the writer's round trip."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from quizzes.formats import (
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
    parse_gift,
    write_gift,
)

FIXTURES = Path(__file__).parent / "fixtures"


def only(text: str) -> ParsedQuestion:
    """The single question of a GIFT snippet, which must parse without errors."""
    result = parse_gift(text)
    assert result.errors == []
    assert len(result.questions) == 1
    return result.questions[0]


def error_of(text: str) -> FormatError:
    """The single error of a GIFT snippet."""
    result = parse_gift(text)
    assert result.questions == []
    assert len(result.errors) == 1
    return result.errors[0]


# Question kinds


def test_single_choice() -> None:
    question = only("Which principle comes first?{=Safety ~Choice ~Trust}")
    assert question.kind is QuestionKind.SINGLE_CHOICE
    assert question.text == "Which principle comes first?"
    assert question.choices == (
        Choice("Safety", Decimal(100)),
        Choice("Choice", Decimal(0)),
        Choice("Trust", Decimal(0)),
    )
    assert [choice.is_correct for choice in question.choices] == [True, False, False]


def test_single_choice_with_partial_credit_and_feedback() -> None:
    question = only(
        "Which comes first?{\n=Safety#Yes.\n~%50%Trust#Close.\n~%-25%Speed#No.\n~Noise}"
    )
    assert question.choices == (
        Choice("Safety", Decimal(100), "Yes."),
        Choice("Trust", Decimal(50), "Close."),
        Choice("Speed", Decimal(-25), "No."),
        Choice("Noise", Decimal(0), ""),
    )


def test_single_choice_may_have_two_fully_correct_answers() -> None:
    question = only("Pick a safe place.{=A quiet room =A garden ~A crowded hall}")
    assert [choice.weight for choice in question.choices] == [100, 100, 0]


def test_multiple_response_has_weights_and_partial_credit() -> None:
    question = only(
        "Which practices help?{~%50%Listening ~%50%Waiting#Patience helps. ~%-100%Rushing}"
    )
    assert question.kind is QuestionKind.MULTIPLE_RESPONSE
    assert question.choices == (
        Choice("Listening", Decimal(50)),
        Choice("Waiting", Decimal(50), "Patience helps."),
        Choice("Rushing", Decimal(-100)),
    )


def test_multiple_response_accepts_thirds_and_decimal_weights() -> None:
    question = only("Pick three.{~%33.333%A ~%33.333%B ~%33.333%C ~D}")
    assert question.choices[0].weight == Decimal("33.333")


@pytest.mark.parametrize(
    ("block", "correct"),
    # Moodle compares the word case-sensitively ("{true}" is a short answer: see
    # test_words_moodle_does_not_read_as_true_false).
    [("{T}", True), ("{TRUE}", True), ("{F}", False), ("{FALSE}", False)],
)
def test_true_false_words(block: str, correct: bool) -> None:
    question = only(f"Routines help children feel safe.{block}")
    assert question.kind is QuestionKind.TRUE_FALSE
    assert question.correct is correct
    assert (question.feedback_true, question.feedback_false) == ("", "")


def test_true_false_feedback_is_wrong_then_right() -> None:
    true = only("Routines help.{T#It is true.#Right.}")
    assert (true.feedback_true, true.feedback_false) == ("Right.", "It is true.")
    false = only("Pressure helps.{FALSE#It is false.#Right.####Go gently.}")
    assert (false.feedback_true, false.feedback_false) == ("It is false.", "Right.")
    assert false.general_feedback == "Go gently."


def test_true_false_with_only_wrong_answer_feedback() -> None:
    question = only("Routines help.{T#Routines lower uncertainty.}")
    assert (question.feedback_true, question.feedback_false) == ("", "Routines lower uncertainty.")


def test_short_answer_accepts_several_answers_with_weights() -> None:
    question = only("Name a sense.{=sight =hearing#Good. =%50%smell#Partly.}")
    assert question.kind is QuestionKind.SHORT_ANSWER
    assert question.answers == (
        TextAnswer("sight"),
        TextAnswer("hearing", Decimal(100), "Good."),
        TextAnswer("smell", Decimal(50), "Partly."),
    )


def test_short_answer_that_looks_like_true_false_is_still_short_answer() -> None:
    assert only("Which letter?{=T}").kind is QuestionKind.SHORT_ANSWER


def test_numeric_value_with_tolerance() -> None:
    question = only("Give pi.{#3.14:0.005}")
    assert question.kind is QuestionKind.NUMERIC
    (answer,) = question.numeric_answers
    assert answer == NumericAnswer(NumericValue(Decimal("3.14"), Decimal("0.005")))
    assert isinstance(answer.accepted, NumericValue)
    assert answer.accepted.accepts(Decimal("3.1415"))
    assert not answer.accepted.accepts(Decimal("3.15"))


def test_numeric_exact_value_range_and_feedback() -> None:
    assert only("How many?{#15}").numeric_answers == (NumericAnswer(NumericValue(Decimal(15))),)
    (answer,) = only("Seconds?{#4..8#Slow and steady.}").numeric_answers
    assert answer == NumericAnswer(
        NumericRange(Decimal(4), Decimal(8)), feedback="Slow and steady."
    )
    assert answer.accepted is not None
    assert answer.accepted.accepts(Decimal(8))
    assert not answer.accepted.accepts(Decimal("8.01"))


def test_numeric_with_several_weighted_answers() -> None:
    question = only("How many?{#\n=15#Exact.\n=%50%14:1#Close.\n=-3..-1#Negative range.}")
    assert question.numeric_answers == (
        NumericAnswer(NumericValue(Decimal(15)), feedback="Exact."),
        NumericAnswer(NumericValue(Decimal(14), Decimal(1)), Decimal(50), "Close."),
        NumericAnswer(NumericRange(Decimal(-3), Decimal(-1)), feedback="Negative range."),
    )


def test_numeric_accepts_exponents_and_leading_dots() -> None:
    question = only("Small?{#=.5 =%10%1e-3}")
    values = [answer.accepted for answer in question.numeric_answers]
    assert values == [NumericValue(Decimal("0.5")), NumericValue(Decimal("0.001"))]


def test_matching_pairs() -> None:
    question = only(
        "Match.{=Safety -> A quiet room =Choice -> Deciding what to share "
        "=Collaboration -> Planning together}"
    )
    assert question.kind is QuestionKind.MATCHING
    assert question.pairs == (
        MatchPair("Safety", "A quiet room"),
        MatchPair("Choice", "Deciding what to share"),
        MatchPair("Collaboration", "Planning together"),
    )


def test_matching_with_two_pairs_is_accepted() -> None:
    assert len(only("Match.{=a -> b =c -> d}").pairs) == 2


def test_missing_word_keeps_a_blank_in_the_text() -> None:
    question = only("A predictable {=routine ~surprise} helps children feel safe.")
    assert question.text == f"A predictable {BLANK} helps children feel safe."
    assert question.blank_position == len("A predictable ")
    assert question.text_before_blank == "A predictable "
    assert question.text_after_blank == " helps children feel safe."


def test_missing_word_at_the_start() -> None:
    question = only("{=Safety ~Speed} comes first.")
    assert question.text == f"{BLANK} comes first."
    assert question.blank_position == 0


def test_answers_at_the_end_make_no_blank() -> None:
    question = only("Which comes first? {=Safety ~Speed}  ")
    assert question.blank_position is None
    assert question.text_after_blank == ""


# Titles, categories, formats, comments, escapes


def test_title_and_general_feedback() -> None:
    question = only("::Safety first:: Which comes first?{=Safety ~Speed####Safety first.}")
    assert question.title == "Safety first"
    assert question.text == "Which comes first?"
    assert question.general_feedback == "Safety first."


def test_questions_without_title_have_an_empty_one() -> None:
    assert only("Which?{=a ~b}").title == ""


@pytest.mark.parametrize("text_format", list(TextFormat))
def test_text_formats(text_format: TextFormat) -> None:
    question = only(f"::T::[{text_format.value}]Is *this* <b>bold</b>?{{T}}")
    assert question.text_format is text_format
    assert question.text == "Is *this* <b>bold</b>?"


def test_default_format_is_moodle_and_unknown_tags_are_text() -> None:
    assert only("Which?{=a ~b}").text_format is TextFormat.MOODLE
    question = only("[Case study] Which?{=a ~b}")
    assert question.text == "[Case study] Which?"


def test_category_applies_to_following_questions_until_changed() -> None:
    result = parse_gift(
        "First?{T}\n\n$CATEGORY: $course$/top/Principles\n\nSecond?{T}\n\nThird?{F}\n\n"
        "$CATEGORY:  Practice/Grounding \nFourth?{T}"
    )
    assert result.errors == []
    assert [question.category for question in result.questions] == [
        None,
        "$course$/top/Principles",
        "$course$/top/Principles",
        "Practice/Grounding",
    ]
    assert result.questions[3].line == 10


def test_empty_category_is_an_error() -> None:
    result = parse_gift("$CATEGORY:\n\nFirst?{T}")
    assert [str(error) for error in result.errors] == ["line 1: $CATEGORY: needs a category path"]
    assert len(result.questions) == 1


def test_comments_are_ignored_and_do_not_split_questions() -> None:
    result = parse_gift(
        "// A file comment\n  // indented comment\nWhich comes first?{\n// inside\n=Safety\n"
        "~Speed // not a comment: it does not start the line\n}"
    )
    assert result.errors == []
    (question,) = result.questions
    assert question.line == 3
    assert [choice.text for choice in question.choices] == [
        "Safety",
        "Speed // not a comment: it does not start the line",
    ]


def test_urls_in_text_are_not_comments() -> None:
    assert only("See https://example.org/guide first.{T}").text == (
        "See https://example.org/guide first."
    )


def test_escaped_characters() -> None:
    question = only(
        r"::A\:B:: Escapes\: \{ \} \= \~ \# \\ and\nnew line {=a\=b\#c#fb\: \~x ~\{d\}}"
    )
    assert question.title == "A:B"
    assert question.text == "Escapes: { } = ~ # \\ and\nnew line"
    assert question.choices == (Choice("a=b#c", Decimal(100), "fb: ~x"), Choice("{d}"))


def test_unknown_escapes_are_kept_as_written() -> None:
    assert only(r"Is \(x\) LaTeX?{T}").text == r"Is \(x\) LaTeX?"


def test_multi_line_text_and_answers() -> None:
    question = only("Which comes\nfirst?\n{\n  =Safety,\n   always\n  ~Speed\n}")
    assert question.text == "Which comes\nfirst?"
    assert question.choices[0].text == "Safety,\n   always"


def test_windows_line_endings_and_byte_order_mark() -> None:
    result = parse_gift("\ufeff::A::First?{T}\r\n\r\n::B::Second?{\r\n=x\r\n~y\r\n}\r\n")
    assert result.errors == []
    assert [(question.title, question.line) for question in result.questions] == [
        ("A", 1),
        ("B", 3),
    ]


def test_lines_of_questions() -> None:
    result = parse_gift((FIXTURES / "all_types.gift").read_text())
    assert result.ok
    assert [(question.line, question.kind.value) for question in result.questions] == [
        (6, "single_choice"),
        (13, "multiple_response"),
        (20, "true_false"),
        (22, "true_false"),
        (24, "short_answer"),
        (33, "numeric"),
        (38, "numeric"),
        (40, "numeric"),
        (42, "matching"),
        (49, "single_choice"),
        (51, "single_choice"),
    ]


def test_fixture_details() -> None:
    questions = {
        q.title: q for q in parse_gift((FIXTURES / "all_types.gift").read_text()).questions
    }
    assert questions["Safety first"].category == "$course$/top/Trauma-informed care/Principles"
    assert questions["Counting senses"].category == "$course$/top/Trauma-informed care/Practice"
    assert questions["Counting senses"].numeric_answers[0].feedback == "5 + 4 + 3 + 2 + 1 = 15."
    assert questions["Helpful practices"].text_format is TextFormat.HTML
    assert questions["Grounding sense"].text_format is TextFormat.MARKDOWN
    assert questions["Pi"].text_format is TextFormat.PLAIN
    assert questions["Missing word"].blank_position is not None
    assert questions["Escapes"].text.endswith("stay as text.\nThis is a second line.")


# Round trip


def test_round_trip_of_a_file_covering_every_kind() -> None:
    questions = parse_gift((FIXTURES / "all_types.gift").read_text()).questions
    # Essays and descriptions are not in all_types.gift (the import tests count its questions).
    questions += parse_gift(
        "$CATEGORY: Written\n\n::Essay::Write about a welcome.{####[html]<b>Any</b> answer.}\n\n::Intro::[plain]Read <this>."
    ).questions
    assert {question.kind for question in questions} == set(QuestionKind)
    written = write_gift(questions)
    again = parse_gift(written)
    assert again.errors == []
    assert again.questions == questions
    assert write_gift(again.questions) == written


def test_writer_output_is_readable_gift() -> None:
    questions = parse_gift(
        "$CATEGORY: Principles\n\n::T::Which?{=a#yes ~%50%b ~c####general}\n\nRoutines?{F#No#Yes}"
    ).questions
    assert write_gift(questions) == (
        "$CATEGORY: Principles\n\n"
        "::T::Which?{\n\t=a#yes\n\t~%50%b\n\t~c\n\t####general\n}\n\n"
        "Routines?{FALSE#No#Yes}\n"
    )


def test_writer_escapes_special_characters() -> None:
    question = ParsedQuestion(
        kind=QuestionKind.SHORT_ANSWER,
        title="A::B",
        text="Braces {} and = ~ # : \\ and\na new line",
        answers=(TextAnswer("x=y", feedback="#1"),),
    )
    written = write_gift([question])
    assert written == (
        "::A\\:\\:B::Braces \\{\\} and \\= \\~ \\# \\: \\\\ and\\na new line{\n\t=x\\=y#\\#1\n}\n"
    )
    assert parse_gift(written).questions == [question]


@pytest.mark.parametrize(
    "question",
    [
        ParsedQuestion(kind=QuestionKind.TRUE_FALSE, text="[Note] Safe?", correct=True),
        ParsedQuestion(kind=QuestionKind.TRUE_FALSE, text="// not a comment", correct=False),
        ParsedQuestion(
            kind=QuestionKind.TRUE_FALSE,
            text="Safe?",
            correct=True,
            feedback_true="Right.",
            general_feedback="Safety first.",
        ),
        ParsedQuestion(
            kind=QuestionKind.SINGLE_CHOICE,
            text="Which?",
            choices=(Choice("%50 of people", Decimal(100)), Choice("%a%", Decimal(0))),
        ),
        ParsedQuestion(
            kind=QuestionKind.SINGLE_CHOICE,
            text="Which?",
            choices=(Choice("a", Decimal(100)), Choice("b", Decimal(100))),
        ),
        ParsedQuestion(
            kind=QuestionKind.NUMERIC,
            text="How many?",
            numeric_answers=(NumericAnswer(NumericValue(Decimal("1E+3"), Decimal("0.50"))),),
        ),
        ParsedQuestion(
            kind=QuestionKind.MATCHING,
            text="Match.",
            pairs=(MatchPair("a-", ">b"), MatchPair("c", "d -> e")),
        ),
        ParsedQuestion(
            kind=QuestionKind.SHORT_ANSWER,
            text=f"A {BLANK} helps.",
            blank_position=2,
            answers=(TextAnswer("routine"),),
        ),
    ],
    ids=[
        "text-like-a-format-tag",
        "text-like-a-comment",
        "true-false-feedback",
        "answers-starting-with-percent",
        "two-full-marks-choices",
        "numeric-exponent",
        "arrows-in-matching",
        "missing-word",
    ],
)
def test_awkward_questions_round_trip(question: ParsedQuestion) -> None:
    assert parse_gift(write_gift([question])).questions == [question]


def test_writer_refuses_what_gift_cannot_express() -> None:
    arrow = ParsedQuestion(
        kind=QuestionKind.SHORT_ANSWER, text="Which?", answers=(TextAnswer("a -> b"),)
    )
    with pytest.raises(ValueError, match="cannot be written"):
        write_gift([arrow])
    categorised = ParsedQuestion(
        kind=QuestionKind.TRUE_FALSE, text="A?", correct=True, category="X"
    )
    plain = ParsedQuestion(kind=QuestionKind.TRUE_FALSE, text="B?", correct=True)
    with pytest.raises(ValueError, match="no category"):
        write_gift([categorised, plain])
    assert parse_gift(write_gift([plain, categorised])).questions == [plain, categorised]


def test_writer_refuses_text_that_would_read_back_differently() -> None:
    padded = ParsedQuestion(kind=QuestionKind.TRUE_FALSE, text=" Safe? ", correct=True)
    with pytest.raises(ValueError, match="reads back as"):
        write_gift([padded])


def test_percent_without_a_closing_percent_is_text() -> None:
    question = only("Which?{=%50 of people ~half#50% is not a weight here}")
    assert question.choices == (
        Choice("%50 of people", Decimal(100)),
        Choice("half", Decimal(0), "50% is not a weight here"),
    )


def test_writer_refuses_invalid_questions() -> None:
    no_full_marks = ParsedQuestion(
        kind=QuestionKind.MULTIPLE_RESPONSE,
        text="Which?",
        choices=(Choice("a", Decimal(30)), Choice("b")),
    )
    with pytest.raises(ValueError, match="add up to 30%"):
        write_gift([no_full_marks])


def test_writing_nothing() -> None:
    assert write_gift([]) == ""
    assert parse_gift("") == parse_gift("// only a comment\n\n")


# Broken files


def test_broken_file_reports_every_question_with_its_line() -> None:
    result = parse_gift((FIXTURES / "broken.gift").read_text())
    assert [str(error) for error in result.errors] == [
        "line 3: the answer block opened with { on line 3 is not closed with } before the next "
        "blank line",
        "line 7: no correct answer: mark it with =, or give the correct answers positive weights "
        "such as ~%50%",
        "line 9: the positive weights of a multiple-response question add up to 80%, not 100%",
        "line 15: 'five' is not a number",
        "line 17 (problem at line 19): empty answer after =",
        "line 22: the weight %150% is not a number from -100 to 100",
        "line 24: the range 10..1 starts above its end",
        "line 26: } without an opening {; write \\} for a literal brace",
        "line 28: in a numeric question ~ starts the feedback for any other number "
        "(~#feedback); '6' after ~ would be ignored: write more answers with =",
        "line 30: the title is not closed: write ::title:: before the text",
    ]
    assert [question.title for question in result.questions] == ["Good"]
    assert not result.ok


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Which?{=a ~b", "line 1: the answer block opened with { on line 1 is not closed"),
        (
            "::T::\nWhich\ncomes first?\n{\n=a\n~b\n",
            "line 1 (problem at line 4): the answer block opened with { on line 4",
        ),
        ("Which?{=a {~b}", "line 1: { inside an answer block"),
        ("Which?{=a ~b} and {=c ~d}", "line 1: a question has one answer block"),
        ("Which?{=a ~b}\n}", "line 1 (problem at line 2): a question has one answer block"),
        ("{=a ~b}", "line 1: the question has no text"),
        ("::Only a title::{T}", "line 1: the question has no text"),
        ("Which?{~a}", "line 1: a multiple-choice question needs at least two answers"),
        ("Which?{=%50%a ~b}", "line 1: a weight after = in a multiple-choice question is not"),
        ("Which?{=%100%a ~b}", "line 1: a weight after = in a multiple-choice question is not"),
        ("Which?{~a ~b}", "line 1: no correct answer"),
        (
            "Which?{~%50%a ~%60%b}",
            "line 1: the positive weights of a multiple-response question add up to 110%, not 100%",
        ),
        ("Which?{=a ~%abc%b}", "line 1: the weight %abc% is not a number"),
        ("Which?{=a ~%-101%b}", "line 1: the weight %-101% is not a number from -100 to 100"),
        ("Which?\n{\n=a\n~\n}", "line 1 (problem at line 4): empty answer after ~"),
        ("Which?\n{\n=a\n~#feedback only\n}", "line 1 (problem at line 4): empty answer after ~"),
        ("Which?{a ~b =c}", "line 1: text before the first answer: each answer starts with = or ~"),
        ("Name one.{=%50%a}", "line 1: no answer earns full marks"),
        ("Name one.{=a =%-10%b}", "line 1: a short answer cannot have a negative weight (-10%)"),
        ("How many?{#}", "line 1: a numeric block {#...} needs a number"),
        ("How many?{#3:abc}", "line 1: 'abc' is not a number"),
        ("How many?{#3:-1}", "line 1: the tolerance -1 is negative"),
        ("How many?{#1..}", "line 1: '' is not a number"),
        ("How many?{#nan}", "line 1: 'nan' is not a number"),
        ("How many?{#\n=3\n=%50%x\n}", "line 1 (problem at line 3): 'x' is not a number"),
        ("How many?{#=%50%3}", "line 1: no answer earns full marks"),
        ("How many?{#=3 =%-5%4}", "line 1: a numeric answer cannot have a negative weight"),
        ("How many?{# ~3}", "line 1: in a numeric question ~ starts the feedback for any other"),
        ("How many?{#~#Wrong}", "line 1: a numeric block {#...} needs a number"),
        ("How many?{#3 ~4}", "line 1: in a numeric question ~ starts the feedback for any other"),
        ("How many?{#3 ~%0%#no}", "line 1: in a numeric question ~ starts the feedback"),
        ("Match.{=a -> b}", "line 1: a matching question needs at least two pairs"),
        ("Match.{=a -> b\n=c}", "line 1 (problem at line 2): a matching pair needs the form"),
        ("Match.{=a -> b =c -> }", "line 1: a matching pair needs an answer after ->"),
        ("Match.{=a -> b = -> }", "line 1: a matching pair needs an answer after ->"),
        ("Match.{=a -> b#fb =c -> d}", "line 1: matching pairs have no feedback"),
        ("Match.{x =a -> b =c -> d}", "line 1: text before the first pair"),
        ("Routines help.{%50%Yes}", "line 1: no answer earns full marks"),
    ],
)
def test_errors(source: str, expected: str) -> None:
    assert str(error_of(source)).startswith(expected)


@pytest.mark.parametrize(
    ("block", "answer"), [("{Yes}", "Yes"), ("{true}", "true"), ("{\\T}", "\\T")]
)
def test_words_moodle_does_not_read_as_true_false(block: str, answer: str) -> None:
    # Moodle (question/format/gift/format.php) reads any other block as a short answer, and
    # compares T, TRUE, F and FALSE case-sensitively; "\T" is no escape, so it stays as written.
    question = only(f"Routines help.{block}")
    assert question.kind is QuestionKind.SHORT_ANSWER
    assert question.answers == (TextAnswer(answer),)


def test_error_lines_count_from_the_file_start() -> None:
    result = parse_gift("// comment\n\nGood?{T}\n\n\n::Bad::\nWhich?{\n=a\n~\n}\n")
    assert result.errors == [FormatError(6, "empty answer after ~", 9)]


def test_parsing_continues_after_an_error() -> None:
    result = parse_gift("Broken?{=a\n\nFine?{T}\n\nAlso broken?{~a ~b}\n\nFine too?{F}")
    assert [error.line for error in result.errors] == [1, 5]
    assert [question.text for question in result.questions] == ["Fine?", "Fine too?"]


# Essays and descriptions (once unsupported) and what the engine cannot hold


def test_essays_and_descriptions_are_questions() -> None:
    result = parse_gift(
        "::Reflection::Describe a welcome.{}\n\n::Welcome::About first meetings.\n\n"
        "::Essay with feedback::Explain why choice matters.{\n####Choice restores control.\n}"
    )
    assert result.ok
    assert result.unsupported == []
    assert [(q.kind, q.title, q.line) for q in result.questions] == [
        (QuestionKind.ESSAY, "Reflection", 1),
        (QuestionKind.DESCRIPTION, "Welcome", 3),
        (QuestionKind.ESSAY, "Essay with feedback", 5),
    ]
    assert result.questions[2].general_feedback == "Choice restores control."


def test_the_parser_reads_the_feedback_for_any_other_number_the_importer_refuses() -> None:
    # The parser keeps the meaning (quizzes.importing refuses it; see test_import_questions).
    result = parse_gift((FIXTURES / "unsupported.gift").read_text())
    assert result.ok
    assert result.unsupported == []
    days = result.questions[0]
    assert days.numeric_answers[-1] == NumericAnswer(
        None, Decimal(0), "Count the days from Monday to Sunday."
    )


def test_skipping_unsupported_does_not_hide_real_errors() -> None:
    result = parse_gift("Essay?{}\n\nBroken?{~a ~b}", skip_unsupported=True)
    assert [error.line for error in result.errors] == [3]
    assert [q.kind for q in result.questions] == [QuestionKind.ESSAY]


# The model


def test_model_rejects_fields_that_do_not_fit_the_kind() -> None:
    with pytest.raises(ValueError, match="needs choices"):
        ParsedQuestion(kind=QuestionKind.SINGLE_CHOICE, text="Which?")
    with pytest.raises(ValueError, match="has no answers"):
        ParsedQuestion(
            kind=QuestionKind.SINGLE_CHOICE,
            text="Which?",
            choices=(Choice("a", Decimal(100)),),
            answers=(TextAnswer("a"),),
        )
    with pytest.raises(ValueError, match="needs correct"):
        ParsedQuestion(kind=QuestionKind.TRUE_FALSE, text="Safe?")
    with pytest.raises(ValueError, match="no true/false"):
        ParsedQuestion(
            kind=QuestionKind.SHORT_ANSWER, text="A?", answers=(TextAnswer("a"),), correct=True
        )
    with pytest.raises(ValueError, match="does not point"):
        ParsedQuestion(kind=QuestionKind.TRUE_FALSE, text="Safe?", correct=True, blank_position=1)


def test_line_is_not_part_of_equality() -> None:
    first = ParsedQuestion(kind=QuestionKind.TRUE_FALSE, text="Safe?", correct=True, line=3)
    assert first == ParsedQuestion(kind=QuestionKind.TRUE_FALSE, text="Safe?", correct=True)
