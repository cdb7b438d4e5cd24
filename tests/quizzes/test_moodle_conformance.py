"""Our GIFT and Aiken readers give every construct the meaning Moodle gives it (issue #15).

Each case names the Moodle source it follows: a test method of
``question/format/gift/tests/giftformat_test.php``, a question of the fixtures
``question/format/gift/tests/fixtures/questions.gift.txt`` and ``questions_in_category.gift.txt``,
or ``question/format/aiken/tests/aikenformat_test.php`` with its fixtures. The input texts are our
own, written with the same structure as Moodle's (same layout, tags, weights and escapes), and the
expected values are what Moodle's importer reads from that structure.

Then: every case survives ``parse_gift`` → ``write_gift`` → ``parse_gift``, and the import into
the bank stores essays, descriptions, duplicate titles, numeric questions with several answers,
matching questions with extra wrong answers and format tags with the same meaning.
"""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

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
    parse_aiken,
    parse_gift,
    write_gift,
)
from quizzes.importing import ImportReport, questions_import
from quizzes.models import Question, QuestionType
from quizzes.validation import question_problems

D = Decimal
ESSAY, DESCRIPTION = QuestionKind.ESSAY, QuestionKind.DESCRIPTION
HTML, MOODLE, PLAIN, MARKDOWN = (
    TextFormat.HTML,
    TextFormat.MOODLE,
    TextFormat.PLAIN,
    TextFormat.MARKDOWN,
)


def q(kind: QuestionKind, text: str, **fields: Any) -> ParsedQuestion:
    return ParsedQuestion(kind=kind, text=text, **fields)


# GIFT: (source in Moodle, our input, the questions Moodle's importer reads from it)
GIFT_CASES = [
    pytest.param(
        # giftformat_test.php test_import_essay; questions.gift.txt, first question
        "// a written task\n::W1:: How do you feel today? {}",
        [q(ESSAY, "How do you feel today?", title="W1")],
        id="import_essay",
    ),
    pytest.param(
        # giftformat_test.php test_export_essay (Moodle's export layout)
        "// question: 12  name: W1\n::W1::How do you feel today?{}\n",
        [q(ESSAY, "How do you feel today?", title="W1")],
        id="export_essay",
    ),
    pytest.param(
        # giftformat_test.php test_import_match; questions.gift.txt, "Moodle activities": a tag on
        # each prompt, and "= -> answer" is an extra wrong answer (an empty prompt)
        "::Services::[html]Match each <b>service</b> with what it offers.{\n"
        "    =[html]Support with school places and lessons. -> Education department\n"
        "    =[moodle]Help with housing and benefits. -> Regional government\n"
        "    =[plain]Counselling after trauma. -> Rehabilitation centre\n"
        "    =[markdown]Guidance on faith without coercion. -> Religious counsellor\n"
        "    = -> Sports club\n"
        "}",
        [
            q(
                QuestionKind.MATCHING,
                "Match each <b>service</b> with what it offers.",
                title="Services",
                text_format=HTML,
                pairs=(
                    MatchPair("Support with school places and lessons.", "Education department"),
                    MatchPair("Help with housing and benefits.", "Regional government", MOODLE),
                    MatchPair("Counselling after trauma.", "Rehabilitation centre", PLAIN),
                    MatchPair(
                        "Guidance on faith without coercion.", "Religious counsellor", MARKDOWN
                    ),
                    MatchPair("", "Sports club"),
                ),
            )
        ],
        id="import_match",
    ),
    pytest.param(
        # giftformat_test.php test_export_match: Moodle escapes "=" inside HTML, writes tags only
        # where the prompt's format differs, and "\t= -> answer" for an extra wrong answer
        "// question: 7  name: Services\n"
        "::Services::[html]Match each <b>service</b> with what it offers.{\n"
        '\t=<div class\\="note">Support with school places.</div> -> Education department\n'
        "\t=[moodle]Help with housing. -> Regional government\n"
        "\t=[plain]Counselling after trauma. -> Rehabilitation centre\n"
        "\t= -> Sports club\n"
        "}\n",
        [
            q(
                QuestionKind.MATCHING,
                "Match each <b>service</b> with what it offers.",
                title="Services",
                text_format=HTML,
                pairs=(
                    MatchPair(
                        '<div class="note">Support with school places.</div>',
                        "Education department",
                    ),
                    MatchPair("Help with housing.", "Regional government", MOODLE),
                    MatchPair("Counselling after trauma.", "Rehabilitation centre", PLAIN),
                    MatchPair("", "Sports club"),
                ),
            )
        ],
        id="export_match",
    ),
    pytest.param(
        # giftformat_test.php test_import_multichoice; questions.gift.txt "Q2": feedback after
        # " # ", a tag on a feedback and on an answer
        "// single choice with feedback on every option\n"
        "::C2:: What comes first when a family arrives?\n{\n"
        "    =Safety and basic needs # right; that comes first\n"
        "    ~A full assessment # [html]not yet, <i>safety</i> comes first\n"
        "    ~[plain]Paperwork # not yet, safety comes first\n"
        "}",
        [
            q(
                QuestionKind.SINGLE_CHOICE,
                "What comes first when a family arrives?",
                title="C2",
                choices=(
                    Choice("Safety and basic needs", D(100), "right; that comes first"),
                    Choice(
                        "A full assessment",
                        D(0),
                        "not yet, <i>safety</i> comes first",
                        feedback_format=HTML,
                    ),
                    Choice("Paperwork", D(0), "not yet, safety comes first", text_format=PLAIN),
                ),
            )
        ],
        id="import_multichoice",
    ),
    pytest.param(
        # giftformat_test.php test_import_multichoice_multi; questions.gift.txt "colours":
        # weights, negative weights and tags together
        "// multiple response\n::helps:: Which of these help a child feel safe?\n{\n"
        "    ~%50%A routine # right\n"
        "    ~%-100%Surprises # [html]no\n"
        "    ~%50%A trusted adult # right\n"
        "    ~%-100%[plain]Being rushed # no\n"
        "}",
        [
            q(
                QuestionKind.MULTIPLE_RESPONSE,
                "Which of these help a child feel safe?",
                title="helps",
                choices=(
                    Choice("A routine", D(50), "right"),
                    Choice("Surprises", D(-100), "no", feedback_format=HTML),
                    Choice("A trusted adult", D(50), "right"),
                    Choice("Being rushed", D(-100), "no", text_format=PLAIN),
                ),
            )
        ],
        id="import_multichoice_multi",
    ),
    pytest.param(
        # giftformat_test.php test_import_multichoice_multi_tricky and
        # test_export_multichoice_multi_tricky: only "~", one answer at 100%
        "::helps::Which one helps?{\n\t~%100%Listening#right\n\t~%-50%Lecturing#no\n"
        "\t~%-50%Ignoring#no\n}\n",
        [
            q(
                QuestionKind.MULTIPLE_RESPONSE,
                "Which one helps?",
                title="helps",
                choices=(
                    Choice("Listening", D(100), "right"),
                    Choice("Lecturing", D(-50), "no"),
                    Choice("Ignoring", D(-50), "no"),
                ),
            )
        ],
        id="multichoice_multi_tricky",
    ),
    pytest.param(
        # giftformat_test.php test_export_multichoice: Moodle's export layout
        "// question: 8  name: C2\n::C2::What comes first?{\n\t=Safety#right\n"
        "\t~Assessment#[html]not <i>yet</i>\n\t~[plain]Paperwork#not yet\n}\n",
        [
            q(
                QuestionKind.SINGLE_CHOICE,
                "What comes first?",
                title="C2",
                choices=(
                    Choice("Safety", D(100), "right"),
                    Choice("Assessment", D(0), "not <i>yet</i>", feedback_format=HTML),
                    Choice("Paperwork", D(0), "not yet", text_format=PLAIN),
                ),
            )
        ],
        id="export_multichoice",
    ),
    pytest.param(
        # giftformat_test.php test_import_numerical; questions.gift.txt "Q5": "~#feedback" is the
        # answer "*" (any other number, 0%) with its feedback
        "// a range\n::N5:: How many sessions, from 1 to 5? {#3:2~#Not in the range}",
        [
            q(
                QuestionKind.NUMERIC,
                "How many sessions, from 1 to 5?",
                title="N5",
                numeric_answers=(
                    NumericAnswer(NumericValue(D(3), D(2))),
                    NumericAnswer(None, D(0), "Not in the range"),
                ),
            )
        ],
        id="import_numerical",
    ),
    pytest.param(
        # giftformat_test.php test_export_numerical: "{#" on its own line, "=%100%3:2#" with an
        # empty feedback, "~#feedback" on the next line (once stored as one answer: the bug)
        "// question: 9  name: N5\n::N5::How many sessions, from 1 to 5?{#\n"
        "\t=%100%3:2#\n\t~#Not in the range\n}\n",
        [
            q(
                QuestionKind.NUMERIC,
                "How many sessions, from 1 to 5?",
                title="N5",
                numeric_answers=(
                    NumericAnswer(NumericValue(D(3), D(2))),
                    NumericAnswer(None, D(0), "Not in the range"),
                ),
            )
        ],
        id="export_numerical",
    ),
    pytest.param(
        # format.php, numerical: several answers with partial credit, ranges and tolerances, a
        # first answer written without "=", and feedback on each
        "::Ages::At what age do children start school here?{#7 =%50%6..8#Close "
        "=%25%7:2#Nearly ~#[html]Ask the <b>education department</b>}",
        [
            q(
                QuestionKind.NUMERIC,
                "At what age do children start school here?",
                title="Ages",
                numeric_answers=(
                    NumericAnswer(NumericValue(D(7))),
                    NumericAnswer(NumericRange(D(6), D(8)), D(50), "Close"),
                    NumericAnswer(NumericValue(D(7), D(2)), D(25), "Nearly"),
                    NumericAnswer(
                        None, D(0), "Ask the <b>education department</b>", feedback_format=HTML
                    ),
                ),
            )
        ],
        id="numerical_several_answers",
    ),
    pytest.param(
        # giftformat_test.php test_import_shortanswer and test_export_shortanswer: a 0% "*"
        # answer with feedback
        "// question: 10  name: Word\n::Word::Which word names feeling safe with others?{\n"
        "    =Trust#Good!\n    =%50%Safety#Close.\n    =%0%*#Think of relationships.\n}",
        [
            q(
                QuestionKind.SHORT_ANSWER,
                "Which word names feeling safe with others?",
                title="Word",
                answers=(
                    TextAnswer("Trust", D(100), "Good!"),
                    TextAnswer("Safety", D(50), "Close."),
                    TextAnswer("*", D(0), "Think of relationships."),
                ),
            )
        ],
        id="import_shortanswer",
    ),
    pytest.param(
        # giftformat_test.php test_import_shortanswer_with_general_feedback and
        # test_export_shortanswer_with_general_feedback: "####[html]general feedback"
        "::Word::Which word names feeling safe with others?{\n\t=%100%Trust#Good!\n"
        "\t=%50%Safety#Close.\n\t####[html]Trust is <em>built</em> over time.\n}\n",
        [
            q(
                QuestionKind.SHORT_ANSWER,
                "Which word names feeling safe with others?",
                title="Word",
                general_feedback="Trust is <em>built</em> over time.",
                general_feedback_format=HTML,
                answers=(
                    TextAnswer("Trust", D(100), "Good!"),
                    TextAnswer("Safety", D(50), "Close."),
                ),
            )
        ],
        id="shortanswer_general_feedback",
    ),
    pytest.param(
        # format.php, shortanswer: a tag on an accepted answer is dropped (answers are typed,
        # never shown formatted); "{Word}" without "=" is an accepted answer too
        "::Tagged::Name the feeling.{=[html]Calm#[plain]<yes>}\n\n::Bare::Name it.{Calm}",
        [
            q(
                QuestionKind.SHORT_ANSWER,
                "Name the feeling.",
                title="Tagged",
                answers=(TextAnswer("Calm", D(100), "<yes>", PLAIN),),
            ),
            q(QuestionKind.SHORT_ANSWER, "Name it.", title="Bare", answers=(TextAnswer("Calm"),)),
        ],
        id="shortanswer_tags_and_bare_answer",
    ),
    pytest.param(
        # giftformat_test.php test_import_truefalse: the feedback for a wrong answer comes first
        "// true/false\n::TF1:: Children never ask about their past.{\n"
        "FALSE#They often ask.#Right: they do ask.}",
        [
            q(
                QuestionKind.TRUE_FALSE,
                "Children never ask about their past.",
                title="TF1",
                correct=False,
                feedback_true="They often ask.",
                feedback_false="Right: they do ask.",
            )
        ],
        id="import_truefalse",
    ),
    pytest.param(
        # giftformat_test.php test_import_truefalse_true_answer1 and _answer2; questions.gift.txt,
        # the two "2-08 TSL" questions (the same title twice)
        "// name 0-11\n::2-08 RT::Routines help.{T}\n\n// name 0-11\n::2-08 RT::Routines help.{TRUE}",
        [
            q(QuestionKind.TRUE_FALSE, "Routines help.", title="2-08 RT", correct=True),
            q(QuestionKind.TRUE_FALSE, "Routines help.", title="2-08 RT", correct=True),
        ],
        id="import_truefalse_true_answers",
    ),
    pytest.param(
        # giftformat_test.php test_export_truefalse and
        # test_export_question_with_tags_and_idnumber: a tagged feedback, general feedback
        "// question: 11  name: TF2\n// [id:tf2] [tag:safety]\n"
        "::TF2::[html]Routines <b>help</b>.{TRUE#[moodle]Not quite.#Yes.####Routines matter.}\n",
        [
            q(
                QuestionKind.TRUE_FALSE,
                "Routines <b>help</b>.",
                title="TF2",
                text_format=HTML,
                correct=True,
                feedback_true="Yes.",
                feedback_false="Not quite.",
                feedback_false_format=MOODLE,
                general_feedback="Routines matter.",
            )
        ],
        id="export_truefalse_and_tags_comment",
    ),
    pytest.param(
        # questions.gift.txt, "Q1": true/false with general feedback on its own line
        "::TF3:: Trust is built at once.{\nFALSE#It takes time.#Right.\n####Trust grows slowly.}",
        [
            q(
                QuestionKind.TRUE_FALSE,
                "Trust is built at once.",
                title="TF3",
                correct=False,
                feedback_true="It takes time.",
                feedback_false="Right.",
                general_feedback="Trust grows slowly.",
            )
        ],
        id="truefalse_general_feedback",
    ),
    pytest.param(
        # giftformat_test.php test_import_backslash and test_export_backslash: "\\" is one
        # backslash
        "// essay\n::double backslash:: A \\\\ B \\\\\\\\ C{}",
        [q(ESSAY, "A \\ B \\\\ C", title="double backslash")],
        id="backslash",
    ),
    pytest.param(
        # giftformat_test.php test_import_pre_content: an HTML essay over several lines with
        # escaped braces
        "::P1::[html]<p>What does this plan say?</p>\n<pre>\n    plan \\{\n        welcome();\n"
        "    \\}\n</pre>\n{}",
        [
            q(
                ESSAY,
                "<p>What does this plan say?</p>\n<pre>\n    plan {\n        welcome();\n"
                "    }\n</pre>",
                title="P1",
                text_format=HTML,
            )
        ],
        id="import_pre_content",
    ),
    pytest.param(
        # format.php, description: text without an answer block
        "::Intro::[markdown]This part is about **first meetings**.",
        [
            q(
                DESCRIPTION,
                "This part is about **first meetings**.",
                title="Intro",
                text_format=MARKDOWN,
            )
        ],
        id="description",
    ),
    pytest.param(
        # questions.gift.txt, "Q5": text after the answer block makes a missing-word question
        '::N6:: How many regions took families in? {#12~#Count again}";',
        [
            q(
                QuestionKind.NUMERIC,
                f'How many regions took families in? {BLANK}";',
                title="N6",
                blank_position=35,
                numeric_answers=(
                    NumericAnswer(NumericValue(D(12))),
                    NumericAnswer(None, D(0), "Count again"),
                ),
            )
        ],
        id="text_after_block",
    ),
    pytest.param(
        # questions_in_category.gift.txt: $CATEGORY with Moodle's context, escaped "=" and ":" in
        # HTML, "=%100%answer#" with an empty feedback, a matching question with an extra
        # wrong answer
        "// question: 0  name: switch category to $course$/Module 2\n"
        "$CATEGORY: $course$/Module 2\n\n"
        "// question: 43  name: Greeting\n"
        '::Greeting::[html]<a href\\="https\\://example.org/a.mp3">Listen\\:</a><br />Which language?{\n'
        "\t~English#Listen again.\n\t=Kazakh#Yes.\n}\n\n"
        "// question: 46  name: Word\n::Word::[html]Someone who supports families is a ...{\n"
        "\t=%100%practitioner#\n}\n\n"
        "::Roles::[html]Match the role.{\n\t=Teaches -> Teacher\n\t=Counsels -> Psychologist\n"
        "\t= -> Driver\n}",
        [
            q(
                QuestionKind.SINGLE_CHOICE,
                '<a href="https://example.org/a.mp3">Listen:</a><br />Which language?',
                title="Greeting",
                text_format=HTML,
                category="$course$/Module 2",
                choices=(
                    Choice("English", D(0), "Listen again."),
                    Choice("Kazakh", D(100), "Yes."),
                ),
            ),
            q(
                QuestionKind.SHORT_ANSWER,
                "Someone who supports families is a ...",
                title="Word",
                text_format=HTML,
                category="$course$/Module 2",
                answers=(TextAnswer("practitioner"),),
            ),
            q(
                QuestionKind.MATCHING,
                "Match the role.",
                title="Roles",
                text_format=HTML,
                category="$course$/Module 2",
                pairs=(
                    MatchPair("Teaches", "Teacher"),
                    MatchPair("Counsels", "Psychologist"),
                    MatchPair("", "Driver"),
                ),
            ),
        ],
        id="questions_in_category",
    ),
]


@pytest.mark.parametrize(("text", "expected"), GIFT_CASES)
def test_gift_reads_as_moodle_does(text: str, expected: list[ParsedQuestion]) -> None:
    result = parse_gift(text)
    assert result.errors == []
    assert result.questions == expected


@pytest.mark.parametrize(("text", "expected"), GIFT_CASES)
def test_every_case_survives_a_round_trip(text: str, expected: list[ParsedQuestion]) -> None:
    questions = parse_gift(text).questions
    written = write_gift(questions)
    assert parse_gift(written).questions == questions
    assert write_gift(parse_gift(written).questions) == written


def test_the_writer_uses_moodles_layout_for_tags_and_any_other_number() -> None:
    # giftformat_test.php test_export_numerical and test_export_multichoice: tags only where the
    # format differs from the question's; "~#feedback" last.
    questions = parse_gift(
        "::N::How many?{#=3:2 ~#[html]<b>No</b>}\n\n::C::Which?{=a#[plain]<ok> ~[html]<i>b</i>}"
    ).questions
    assert write_gift(questions) == (
        "::N::How many?{#\n\t=3:2\n\t~#[html]<b>No</b>\n}\n\n"
        "::C::Which?{\n\t=a#[plain]<ok>\n\t~[html]<i>b</i>\n}\n"
    )


def test_a_tag_equal_to_the_questions_format_means_no_tag() -> None:
    tagged = parse_gift("::T::[html]Which?{=[html]a ~b#[html]no}").questions
    plain = parse_gift("::T::[html]Which?{=a ~b#no}").questions
    assert tagged == plain


def test_an_unknown_tag_and_a_text_starting_with_a_bracket_stay_text() -> None:
    # format.php parse_text_with_format: only the four format names are tags.
    question = parse_gift("::T::Which?{=[note] a ~b}").questions[0]
    assert question.choices[0] == Choice("[note] a", D(100))
    written = write_gift([question])
    assert "=[moodle][note] a" in written
    assert parse_gift(written).questions == [question]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # format.php numerical: Moodle silently drops text between "~" and "#"
        ("How many?{#3 ~4#No}", "'4' after ~ would be ignored"),
        # a matching answer is required; only the prompt may be empty
        ("Match.{=a -> b = -> }", "a matching pair needs an answer after ->"),
        ("How many?{#~#Wrong}", "a numeric block {#...} needs a number"),
    ],
)
def test_what_moodle_would_read_with_a_lost_meaning_is_refused(text: str, message: str) -> None:
    errors = parse_gift(text).errors
    assert len(errors) == 1
    assert message in errors[0].message


# Aiken (aikenformat_test.php test_readquestions with fixtures/aiken_errors.txt, and
# fixtures/questions.aiken.txt)


def test_aiken_errors_fixture() -> None:
    # aiken_errors.txt: too few answers; an option and an ANSWER line without a question; a
    # good question; one never finished; options written "A)text" without a space.
    text = (
        "A question with one option\nA) Only this\nANSWER: A\n\n"
        "A) No question before me\n\nANSWER: No question either\n\n"
        "Which comes first?\nA) Safety\nB) Paperwork\nANSWER: A\n\n"
        "A question never finished\nA) Listening\nB) Lecturing\n\n"
        "Which helps?\nA)Shouting (no space)\nB)A calm voice (no space)\nANSWER: B"
    )
    result = parse_aiken(text)
    assert result.errors == [
        FormatError(1, "a question needs at least two options, found 1", 3),
        FormatError(5, "option A has no question before it"),
        FormatError(7, "ANSWER: without a question before it"),
        FormatError(14, "the question has no ANSWER: line before the next question", 18),
    ]
    assert [(q.text, [(c.text, c.weight) for c in q.choices]) for q in result.questions] == [
        ("Which comes first?", [("Safety", D(100)), ("Paperwork", D(0))]),
        ("Which helps?", [("Shouting (no space)", D(0)), ("A calm voice (no space)", D(100))]),
    ]


def test_aiken_questions_fixture_keeps_html_characters_as_text() -> None:
    # questions.aiken.txt and aikenformat_test.php (the "HTML chars such as > < &" question):
    # Moodle escapes them into HTML; we store plain text, which shows the same characters.
    result = parse_aiken(
        "Who coordinates the local network?\nA) A school\nB) The regional government\n"
        "C) A club\nANSWER: B\n\n"
        'Is <html class="x"> & text shown as written?\nA. Yes <&>\nB. No\nANSWER: A\n'
    )
    assert result.ok
    assert result.questions[1] == ParsedQuestion(
        kind=QuestionKind.SINGLE_CHOICE,
        text='Is <html class="x"> & text shown as written?',
        text_format=PLAIN,
        choices=(Choice("Yes <&>", D(100)), Choice("No", D(0))),
    )


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("Q?\nA.Yes\nB.No\nANSWER: A", ["Yes", "No"]),  # "A.text" without a space
        ("Q?\nA)\tYes\nB) No\nANSWER: A", ["Yes", "No"]),  # a tab after the label
        ("Q?\nA) Yes\nx\nB) No\nANSWER: A", ["Yes", "No"]),  # a one-character line is ignored
    ],
)
def test_aiken_option_lines_as_moodle_reads_them(text: str, options: list[str]) -> None:
    result = parse_aiken(text)
    assert result.ok
    assert [c.text for c in result.questions[0].choices] == options


def test_aiken_options_out_of_order_are_refused() -> None:
    # Moodle maps the ANSWER letter to the option at that position, whatever its label.
    result = parse_aiken("Q?\nA) Yes\nC) No\nANSWER: C\n")
    assert result.errors == [
        FormatError(
            1,
            "option C should be option B: options are lettered A, B, C… in order, because "
            "Moodle counts them by position",
            3,
        )
    ]


# Import into the bank


def import_gift(text: str, **options: Any) -> ImportReport:
    options.setdefault("publish", True)
    return questions_import(text=text, fmt="gift", category="Bank", filename="m.gift", **options)


def stored(title: str) -> Question:
    return Question.objects.get(title=title)


def rows(question: Question) -> list[tuple[Any, ...]]:
    return list(
        question.options.order_by("sort_order").values_list(
            "text", "match", "weight", "value", "tolerance", "feedback"
        )
    )


@pytest.mark.django_db
def test_essay_and_description_are_imported() -> None:
    report = import_gift(
        "::Reflection::Describe how you would welcome a family.{####A calm welcome.}\n\n"
        "::Welcome::[markdown]This part is about **first meetings**."
    )

    assert report.ok, report.errors
    essay, description = stored("Reflection"), stored("Welcome")
    assert (essay.kind, essay.text, essay.general_feedback) == (
        QuestionType.ESSAY,
        "Describe how you would welcome a family.",
        "A calm welcome.",
    )
    assert rows(essay) == []
    # A file carries no rubric: the essay waits as a draft, with a note saying why.
    assert not essay.live
    assert [n.line for n in report.notes] == [1]
    assert "add its rubric" in report.notes[0].message
    assert (description.kind, description.text_format, description.live) == (
        QuestionType.DESCRIPTION,
        "markdown",
        True,
    )
    again = import_gift(
        "::Reflection::Describe how you would welcome a family.{####A calm welcome.}\n\n"
        "::Welcome::[markdown]This part is about **first meetings**."
    )
    assert len(again.unchanged) == 2


def test_validation_of_essays_and_descriptions() -> None:
    assert question_problems(QuestionType.ESSAY, {}, []) == []
    assert question_problems(QuestionType.DESCRIPTION, {"default_mark": 0}, []) == []
    assert question_problems(QuestionType.ESSAY, {}, [{"text": "a"}]) == [
        ("options", "A written task has no options.")
    ]
    assert question_problems(QuestionType.DESCRIPTION, {}, [{"text": "a"}]) == [
        ("options", "A description has no options.")
    ]
    assert question_problems(QuestionType.ESSAY, {"min_words": 50, "max_words": 10}, []) == [
        ("max_words", "The most words must be at least the fewest words.")
    ]


@pytest.mark.django_db
def test_duplicate_titles_of_moodles_fixture_are_distinct_questions() -> None:
    # questions.gift.txt has "2-08 TSL" twice; Moodle imports both.
    text = "::2-08 RT::Routines help.{T}\n\n::2-08 RT::Routines help.{TRUE}\n\n::2-08 RT (2)::X.{F}"
    report = import_gift(text)

    assert report.ok
    assert sorted(q.title for q in report.created) == ["2-08 RT", "2-08 RT (2)", "2-08 RT (3)"]
    # " (2)" is the file's own title: the duplicate took the next free suffix.
    assert stored("2-08 RT (2)").correct_answer is False
    assert [(n.line, "'2-08 RT (3)'" in n.message) for n in report.notes] == [(3, True)]
    again = import_gift(text)
    assert (len(again.created), len(again.unchanged)) == (0, 3)


@pytest.mark.django_db
def test_numeric_with_several_answers_in_moodles_export_layout() -> None:
    report = import_gift(
        "::Ages::At what age do children start school?{#\n\t=%100%7:0#Yes\n"
        "\t=%50%6..8#Close\n\t~\n}"
    )

    assert report.ok, report.errors
    # "~" without feedback: 0% for any other number, as the scorer gives it: nothing to store.
    assert rows(stored("Ages")) == [
        ("", "", D(100), D(7), D(0), "Yes"),
        ("", "", D(50), D(7), D(1), "Close"),
    ]


@pytest.mark.django_db
def test_numeric_feedback_for_any_other_number_is_refused_or_skipped_with_its_line() -> None:
    text = "::Ok::Fine?{T}\n\n::N5::From 1 to 5?{#\n\t=%100%3:2#\n\t~#Completely wrong\n}"
    report = import_gift(text)
    assert [str(e) for e in report.errors] == [
        "m.gift:3: the feedback for any other number (~#feedback in a numeric question) cannot "
        "be stored: the quiz engine gives a number that no answer accepts 0% without feedback; "
        "remove it, or skip unsupported questions"
    ]
    assert not Question.objects.exists()

    skipped = import_gift(text, skip_unsupported=True)
    assert skipped.ok
    assert [s.line for s in skipped.skipped] == [3]
    assert list(Question.objects.values_list("title", flat=True)) == ["Ok"]


@pytest.mark.django_db
def test_matching_with_extra_wrong_answers() -> None:
    report = import_gift(
        "::Roles::Match the role.{\n\t=Teaches -> Teacher\n\t=Counsels -> Psychologist\n"
        "\t= -> Driver\n\t= -> Cook\n}"
    )

    assert report.ok, report.errors
    assert [(text, match) for text, match, *_ in rows(stored("Roles"))] == [
        ("Teaches", "Teacher"),
        ("Counsels", "Psychologist"),
        ("", "Driver"),
        ("", "Cook"),
    ]


@pytest.mark.django_db
def test_format_tags_are_converted_into_the_questions_format() -> None:
    report = import_gift(
        "::Tags::[html]Which <b>one</b>?{\n\t=[plain]<Safety> & trust#[moodle]Yes\\nreally\n"
        "\t~[markdown]**Paperwork**#no\n\t####[plain]1 < 2\n}"
    )

    assert report.ok, report.errors
    tags = stored("Tags")
    assert tags.text_format == "html"
    assert tags.general_feedback == "1 &lt; 2"
    assert rows(tags) == [
        ("&lt;Safety&gt; &amp; trust", "", D(100), None, None, "Yes<br>\nreally"),
        ("<strong>Paperwork</strong>", "", D(0), None, None, "no"),
    ]


@pytest.mark.django_db
def test_a_tag_that_cannot_be_converted_is_refused_with_its_line() -> None:
    report = import_gift("::Plain::[plain]Which one?{\n=[html]<b>Safety</b>\n~Paperwork\n}")

    assert [str(e) for e in report.errors] == [
        "m.gift:1: answer 1 is written as html ([html]) but the question is stored as plain "
        "text, and its markup cannot be converted faithfully: write it in the question's format"
    ]
    assert not Question.objects.exists()
    # Text without markup reads the same in every format, so its tag needs no conversion.
    assert import_gift("::Plain::[plain]Which one?{=[html]Safety ~Paperwork}").ok


@pytest.mark.django_db
def test_the_import_command_prints_the_notes(tmp_path: Any) -> None:
    path = tmp_path / "twice.gift"
    path.write_text("::Same::One.{T}\n\n::Same::Two.{F}\n", encoding="utf-8")
    out, err = StringIO(), StringIO()

    call_command(
        "import_questions", str(path), "--format", "gift", "--category", "Bank",
        stdout=out, stderr=err,
    )  # fmt: skip

    assert f"note: {path}:3: the title 'Same' is also used" in err.getvalue()
    assert "2 created" in out.getvalue()
