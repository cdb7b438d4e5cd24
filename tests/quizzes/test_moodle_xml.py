"""Moodle XML import and export: every type, images, bad files, attacks, round trips, memory."""

from __future__ import annotations

import base64
import io
import tracemalloc
from decimal import Decimal
from typing import Any

import pytest
from PIL import Image as PillowImage
from wagtail.images import get_image_model

from quizzes.exporting import questions_export_moodle_xml
from quizzes.formats import QuestionKind, TextFormat
from quizzes.formats.moodle_xml import parse_moodle_xml
from quizzes.importing import ImportReport, questions_import
from quizzes.models import Question, QuestionCategory
from quizzes.models import TextFormat as StoredFormat


def png(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (4, 3), colour).save(buffer, "PNG")
    return buffer.getvalue()


PNG64 = base64.b64encode(png()).decode()

ALL_TYPES = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<question type="category"><category><text>$course$/top/Module 1</text></category></question>
<question type="multichoice">
  <name><text>Chart</text></name>
  <questiontext format="html"><text><![CDATA[<p>Read <img src="@@PLUGINFILE@@/chart%201.png" alt="A bar chart"></p>]]></text>
  <file name="chart 1.png" path="/" encoding="base64">{PNG64[:20]}
  {PNG64[20:]}</file></questiontext>
  <generalfeedback format="html"><text>General</text></generalfeedback>
  <single>true</single>
  <answer fraction="100" format="html"><text>Right</text><feedback format="html"><text>Yes</text></feedback></answer>
  <answer fraction="0" format="html"><text>Wrong</text></answer>
</question>
<question type="multichoice">
  <name><text>Several</text></name>
  <questiontext format="markdown"><text>Pick *two*</text></questiontext>
  <single>false</single>
  <answer fraction="50"><text>A</text></answer>
  <answer fraction="50"><text>B</text></answer>
  <answer fraction="-100"><text>C</text></answer>
</question>
<question type="truefalse">
  <name><text>Safety</text></name>
  <questiontext format="moodle_auto_format"><text>Safety comes first.</text></questiontext>
  <answer fraction="100"><text>true</text><feedback><text>Indeed</text></feedback></answer>
  <answer fraction="0"><text>false</text><feedback><text>Think again</text></feedback></answer>
</question>
<question type="shortanswer">
  <name><text>Word</text></name>
  <questiontext format="plain_text"><text>The word?</text></questiontext>
  <usecase>0</usecase>
  <answer fraction="100"><text>trust</text></answer>
</question>
<question type="numerical">
  <name><text>Number</text></name>
  <questiontext><text>How many?</text></questiontext>
  <answer fraction="100"><text>42</text><tolerance>0.5</tolerance></answer>
</question>
<question type="match">
  <name><text>Pairs</text></name>
  <questiontext><text>Match</text></questiontext>
  <subquestion><text>Listen</text><answer><text>Hear</text></answer></subquestion>
  <subquestion><text>Ask</text><answer><text>Question</text></answer></subquestion>
  <subquestion><text></text><answer><text>Distractor</text></answer></subquestion>
</question>
<question type="essay">
  <name><text>Reflect</text></name>
  <questiontext><text>Write about a case.</text></questiontext>
  <graderinfo format="html"><text>Look for empathy</text></graderinfo>
  <responsetemplate format="html"><text>Situation:</text></responsetemplate>
  <minwordlimit>50</minwordlimit>
  <maxwordlimit>300</maxwordlimit>
</question>
<question type="description">
  <name><text>Intro</text></name>
  <questiontext><text>Read the case below.</text></questiontext>
</question>
</quiz>
"""


def parse(text: str, **options: Any) -> Any:
    return parse_moodle_xml(io.BytesIO(text.encode()), **options)


def import_xml(text: str | bytes, category: str = "Bank", **options: Any) -> ImportReport:
    data = text.encode() if isinstance(text, str) else text
    options.setdefault("publish", True)
    return questions_import(
        text=io.BytesIO(data), fmt="xml", category=category, filename="q.xml", **options
    )


def test_every_type_is_read() -> None:
    with parse(ALL_TYPES) as result:
        assert result.errors == []
        kinds = [q.kind for q in result.questions]
        assert kinds == [
            QuestionKind.SINGLE_CHOICE,
            QuestionKind.MULTIPLE_RESPONSE,
            QuestionKind.TRUE_FALSE,
            QuestionKind.SHORT_ANSWER,
            QuestionKind.NUMERIC,
            QuestionKind.MATCHING,
            QuestionKind.ESSAY,
            QuestionKind.DESCRIPTION,
        ]
        chart, several, tf, word, number, pairs, essay, _ = result.questions
        assert chart.category == "$course$/top/Module 1"
        assert chart.general_feedback == "General"
        assert chart.choices[0].feedback == "Yes"
        assert several.text_format is TextFormat.MARKDOWN
        assert [c.weight for c in several.choices] == [50, 50, -100]
        assert (tf.correct, tf.feedback_true, tf.feedback_false) == (True, "Indeed", "Think again")
        assert tf.text_format is TextFormat.MOODLE
        assert word.text_format is TextFormat.PLAIN
        assert number.numeric_answers[0].accepted.tolerance == Decimal("0.5")
        assert pairs.pairs[-1].prompt == ""
        assert (essay.grader_info, essay.response_template) == ("Look for empathy", "Situation:")
        assert (essay.min_words, essay.max_words) == (50, 300)
        [image] = result.images.values()
        assert (image.name, image.alt, image.extension) == ("chart 1.png", "A bar chart", "png")
        assert image.path.read_bytes() == png()
        assert 'src="@@PLUGINFILE@@/chart 1.png"' in chart.text


@pytest.mark.django_db
def test_import_stores_rows_and_a_wagtail_image_with_alt_text() -> None:
    report = import_xml(ALL_TYPES)
    assert report.ok, report.errors
    assert len(report.created) == 8
    essay = Question.objects.get(title="Reflect")
    assert (essay.model_answer, essay.response_template) == ("Look for empathy", "Situation:")
    assert (essay.min_words, essay.max_words) == (50, 300)
    assert Question.objects.get(title="Intro").kind == "description"
    assert report.images_created == ["chart 1.png"]
    image = get_image_model().objects.get()
    assert image.description == "A bar chart"
    assert (image.width, image.height) == (4, 3)
    chart = Question.objects.get(title="Chart")
    assert chart.category.name == "Module 1"
    assert f'src="{image.file.url}"' in chart.text
    from quizzes.services import _render

    assert f'<img src="{image.file.url}" alt="A bar chart">' in _render(
        chart.text, chart.text_format
    )
    assert Question.objects.get(title="Several").text_format == StoredFormat.MARKDOWN
    again = import_xml(ALL_TYPES)
    assert again.ok and len(again.unchanged) == 8 and again.images_created == []
    assert get_image_model().objects.count() == 1


def test_an_image_without_alt_text_is_refused_with_its_line() -> None:
    text = ALL_TYPES.replace(' alt="A bar chart"', "")
    with parse(text) as result:
        [error] = result.errors
        assert error.problem_line == 6 and "chart 1.png" in error.message
        assert "alt text" in error.message


def huge_png_header() -> bytes:
    """A PNG that says it is 30,000 x 30,000 pixels (a decompression bomb): only its header."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (base64.b64encode(b"%PDF-1.4 a document").decode(), "not a readable"),
        ("@@@", "base64"),
        (base64.b64encode(huge_png_header()).decode(), "not a readable"),
    ],
    ids=["pdf", "damaged", "decompression-bomb"],
)
def test_non_images_and_damaged_files_are_refused(data: str, message: str) -> None:
    text = ALL_TYPES.replace(f"{PNG64[:20]}\n  {PNG64[20:]}", data)
    with parse(text) as result:
        [error] = result.errors
        assert message in error.message and error.problem_line == 7


@pytest.mark.django_db
def test_bad_xml_is_reported_with_its_line_and_nothing_is_stored() -> None:
    broken = ALL_TYPES.replace("<single>false</single>", "<single>false</singel>")
    report = import_xml(broken)
    [error] = report.errors
    assert error.line == 17 and "not well-formed" in error.message
    assert str(error).startswith("q.xml:17:")
    assert not Question.objects.exists() and not QuestionCategory.objects.exists()
    assert not get_image_model().objects.exists()


@pytest.mark.django_db
def test_a_bad_question_stores_nothing_not_even_the_images() -> None:
    report = import_xml(ALL_TYPES.replace("<text>42</text>", "<text>forty</text>"))
    assert [e.line for e in report.errors] == [37]
    assert "not a number" in report.errors[0].message
    assert not Question.objects.exists() and not get_image_model().objects.exists()


@pytest.mark.django_db
def test_unknown_types_are_refused_or_skipped_with_their_line() -> None:
    text = ALL_TYPES.replace(
        "</quiz>",
        '<question type="calculated"><name><text>C</text></name></question>\n'
        '<question type="ddwtos"><name><text>D</text></name></question>\n</quiz>',
    )
    refused = import_xml(text)
    assert [e.line for e in refused.errors] == [58, 59]
    assert "skip unsupported" in refused.errors[0].message
    assert not Question.objects.exists()
    skipped = import_xml(text, skip_unsupported=True)
    assert skipped.ok and [s.line for s in skipped.skipped] == [58, 59]
    assert not Question.objects.filter(title__in=["C", "D"]).exists()


@pytest.mark.parametrize(
    "attack",
    [
        '<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<quiz>&b;</quiz>',
        '<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<quiz>&x;</quiz>",
    ],
)
def test_entities_are_refused_without_expansion(attack: str) -> None:
    with parse(attack) as result:
        [error] = result.errors
        assert "DOCTYPE" in error.message and result.questions == []


def test_a_file_that_is_not_a_quiz_is_refused() -> None:
    with parse("<html><body/></html>") as result:
        assert "starts with <quiz>" in result.errors[0].message


def snapshot() -> list[tuple[Any, ...]]:
    return [
        (
            q.category.name, q.title, q.kind, q.text_format, q.general_feedback,
            q.correct_answer, q.feedback_true, q.feedback_false,
            [(o.text, o.match, o.weight, o.value, o.tolerance, o.feedback) for o in q.options.all()],
        )
        for q in Question.objects.order_by("title")
    ]  # fmt: skip


@pytest.mark.django_db
def test_round_trip_xml_db_xml_db() -> None:
    assert import_xml(ALL_TYPES).ok
    before = snapshot()
    bank = QuestionCategory.objects.get(name="Module 1")
    exported = questions_export_moodle_xml(category=bank)
    assert exported.exported == 8 and exported.skipped == []
    assert "@@PLUGINFILE@@/quiz-" in exported.text and 'encoding="base64"' in exported.text
    Question.objects.all().delete()
    get_image_model().objects.all().delete()
    report = import_xml(exported.text, category="Module 1")
    assert report.ok, report.errors
    assert snapshot() == before
    assert get_image_model().objects.get().description == "A bar chart"


def test_memory_stays_flat_on_a_large_file() -> None:
    question = (
        '<question type="multichoice"><name><text>Q{n}</text></name>'
        '<questiontext format="html"><text><![CDATA[<p>{pad} <img src="@@PLUGINFILE@@/i.png" '
        'alt="x"></p>]]></text><file name="i.png" encoding="base64">{image}</file>'
        '</questiontext><answer fraction="100"><text>a</text></answer>'
        '<answer fraction="0"><text>b</text></answer></question>\n'
    )
    image = base64.b64encode(png() + b"\0" * 3000).decode()

    def chunks() -> Any:
        yield b"<quiz>\n"
        for n in range(1200):
            yield question.format(n=n, pad="x" * 300, image=image).encode()
        yield b"</quiz>\n"

    data = b"".join(chunks())
    assert len(data) > 5_000_000
    tracemalloc.start()
    with parse_moodle_xml(io.BytesIO(data)) as result:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert result.errors == [] and len(result.questions) == 1200
    # The parsed questions themselves (~1 MB) plus one question's worth: never the 5 MB file.
    assert peak < 2_500_000, peak


NUMERIC_OTHER = """<quiz>
<question type="numerical">
  <name><text>Other</text></name>
  <questiontext format="html"><text>How many?</text></questiontext>
  <answer fraction="100"><text>3</text><feedback format="plain_text"><text>Yes</text></feedback></answer>
  <answer fraction="0"><text>*</text><feedback><text>{feedback}</text></feedback></answer>
</question>
</quiz>"""


def test_any_other_number_and_answer_formats_are_read() -> None:
    with parse(NUMERIC_OTHER.format(feedback="")) as result:
        [question] = result.questions
        first, other = question.numeric_answers
        assert first.feedback_format is TextFormat.PLAIN and other.any_other


@pytest.mark.django_db
def test_feedback_for_any_other_number_is_refused_on_import() -> None:
    assert import_xml(NUMERIC_OTHER.format(feedback="")).ok
    report = import_xml(NUMERIC_OTHER.format(feedback="Count again"))
    assert [e.line for e in report.errors] == [2]


def test_credit_for_any_other_number_is_refused() -> None:
    text = NUMERIC_OTHER.format(feedback="").replace(
        'fraction="0"><text>*', 'fraction="50"><text>*'
    )
    with parse(text) as result:
        assert result.errors[0].problem_line == 6 and "0%" in result.errors[0].message


@pytest.mark.django_db
def test_the_command_and_the_cms_import_and_export_xml(client: Any, tmp_path: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from tests.factories import UserFactory

    path = tmp_path / "q.xml"
    path.write_text(ALL_TYPES, encoding="utf-8")
    call_command("import_questions", str(path), "--format", "xml", stdout=io.StringIO())
    assert Question.objects.count() == 8
    client.force_login(UserFactory(groups=["Trainer"]))
    upload = SimpleUploadedFile("q.xml", ALL_TYPES.encode())
    page = client.post(
        "/admin/quizzes/import/", {"file": upload, "format": "xml", "dry_run": "on"}
    ).content.decode()
    assert "0 to create, 0 to update, 8 unchanged" in page
    category = QuestionCategory.objects.get(name="Module 1")
    download = client.get(
        "/admin/quizzes/export/", {"category": category.pk, "format": "xml", "download": 1}
    )
    assert download["Content-Disposition"].endswith('.xml"')
    assert b'<question type="essay">' in download.content
    out = tmp_path / "out.xml"
    call_command("export_questions", "--category", "Module 1", "--format", "xml", "-o", str(out))
    assert out.read_bytes().count(b'encoding="base64"') == 1


def test_a_file_that_is_not_an_image_is_refused_even_unused() -> None:
    pdf = base64.b64encode(b"%PDF-1.4 handout").decode()
    text = ALL_TYPES.replace(
        "<single>false</single>",
        f'<single>false</single><file name="handout.pdf" encoding="base64">{pdf}</file>',
    )
    with parse(text) as result:
        [error] = result.errors
        assert error.problem_line == 17 and "'handout.pdf' is not an image" in error.message


def test_a_link_to_a_file_is_refused() -> None:
    text = ALL_TYPES.replace("<p>Read <img", '<p><a href="@@PLUGINFILE@@/chart%201.png">x</a><img')
    with parse(text) as result:
        assert "only images can be imported" in result.errors[0].message


@pytest.mark.django_db
def test_a_dry_run_stores_no_image() -> None:
    report = import_xml(ALL_TYPES, dry_run=True)
    assert report.ok and len(report.created) == 8
    assert not get_image_model().objects.exists() and not Question.objects.exists()
    assert "1 image stored" in import_xml(ALL_TYPES).summary()


@pytest.mark.django_db
def test_usecase_sets_case_sensitivity_and_is_written_back() -> None:
    text = ALL_TYPES.replace("<usecase>0</usecase>", "<usecase>1</usecase>")
    report = import_xml(text)
    assert report.ok, report.errors
    word = Question.objects.get(kind="short_answer")
    assert word.case_sensitive is True
    exported = questions_export_moodle_xml(category=word.category)
    assert "<usecase>1</usecase>" in exported.text
    # A file that says nothing leaves what the bank has; one that says 0 turns it off.
    assert import_xml(ALL_TYPES).ok
    word.refresh_from_db()
    assert word.case_sensitive is False


def _bank(count: int, salt: str) -> str:
    """A file of ``count`` questions, each with a picture of its own (distinct bytes)."""
    question = (
        '<question type="truefalse"><name><text>{salt} {n}</text></name>'
        '<questiontext format="html"><text><![CDATA[<p>Look <img src="@@PLUGINFILE@@/p{n}.png" '
        'alt="Picture {n}"></p>]]></text><file name="p{n}.png" encoding="base64">{image}</file>'
        '</questiontext><answer fraction="100"><text>true</text></answer>'
        '<answer fraction="0"><text>false</text></answer></question>\n'
    )
    body = "".join(
        question.format(
            n=n, salt=salt, image=base64.b64encode(png() + f"{salt}{n}".encode()).decode()
        )
        for n in range(count)
    )
    return f"<quiz>\n{body}</quiz>\n"


@pytest.mark.django_db
def test_imported_images_are_indexed_for_search_in_one_batch() -> None:
    """Saved one at a time, each image's search indexing re-read the whole search index
    (quadratic: most of an hour for 5,000 pictures on PostgreSQL). The statements that touch
    the search index are now the same for 2 pictures and for 8, and every picture is found."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def index_statements(count: int, salt: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            report = import_xml(_bank(count, salt), category=salt)
        assert report.ok, report.errors
        assert len(report.images_created) == count
        return sum("wagtailsearch_indexentry" in q["sql"] for q in queries.captured_queries)

    assert index_statements(2, "Few") == index_statements(8, "Many")
    images = get_image_model().objects.all()
    assert images.count() == 10
    found = {image.title for image in images.search("p7.png")}
    assert "p7.png" in found
