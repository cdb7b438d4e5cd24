# ruff: noqa: RUF001  (Russian and Kazakh text is what these tests check)
"""The content lint (``curriculum.content_lint``), rule by rule: each rule finds what it is for,
with its file and line, and passes good content. The shipped curriculum itself is checked in
``tests/content/``."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from curriculum.content_lint import BANNED_TERMS, lint_content
from curriculum.translation_sources import MANIFEST, record_sources, stale_translations

COURSE = """---
slug: demo
title: {title}
summary: A course.
specialties: [psychologist]
estimated_hours: 1
version: "1.0"
outcomes: [Do one thing.]
---
About the course.
"""
MODULE = """---
slug: first
title: First
summary: The first module.
assessment: demo-check
---
"""
LESSON = """---
slug: one
title: One
summary: A lesson.
estimated_minutes: 10
---
{body}
"""
QUIZ = """title: Check
description: "{description}"
questions: demo-check.gift
draw: {draw}
attempts: 3
review:
  answers: after_last
"""
QUESTION = (
    "::Q{n} Choice::In this {word} case, Dana waits at the school gate. What helps first?{{\n"
    "\t=A calm greeting and a choice of where to talk#Correct. It gives her some control.\n"
    "\t~A full list of the rules of the school#Not quite. That can wait for later.\n"
    "}}\n\n"
)
COMPOSITE = {"en": "composite", "ru": "собирательном", "kk": "жинақталған"}
DESCRIPTION = {
    "en": "All cases are composites.",
    "ru": "Все случаи собирательные.",
    "kk": "Барлық жағдайлар жинақталған.",
}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def build(root: Path, *, body: str = "## Why\n\nCalm words.", pool: int = 6, draw: int = 2) -> Path:
    """A valid curriculum folder ``content/`` in ``root``: one course with one module, lesson
    (its English body ``body``) and drawn check, in three languages, with its translations'
    sources recorded."""
    root = root / "content"
    for language in ("en", "ru", "kk"):
        course = root / "demo" if language == "en" else root / language / "demo"
        write(course / "course.md", COURSE.format(title=f"Demo {language}"))
        write(course / "01-first" / "module.md", MODULE)
        text = body if language == "en" else "## Why\n\nCalm words."
        write(course / "01-first" / "01-one.md", LESSON.format(body=text))
        questions = "".join(
            QUESTION.format(n=n, word=COMPOSITE[language]) for n in range(1, pool + 1)
        )
        write(course / "quizzes" / "demo-check.gift", questions)
        write(
            course / "quizzes" / "demo-check.yaml",
            QUIZ.format(description=DESCRIPTION[language], draw=draw),
        )
    for language in ("ru", "kk"):
        record_sources(root / "demo", root / language / "demo")
    return root


def problems(root: Path, rule: str | None = None) -> list[str]:
    return [str(p) for p in lint_content(root) if rule is None or p.rule == rule]


def test_good_content_passes(tmp_path: Path) -> None:
    assert problems(build(tmp_path)) == []


# --- banned labels -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "label"),
    [
        ("en", "jihadi brides"),
        ("en", "Terrorists' wives"),
        ("en", "radicalised children"),
        ("ru", "жёнам террористов"),
        ("ru", "дети боевиков"),
        ("ru", "возвращенцы"),
        ("kk", "террористердің балалары"),
        ("kk", "содырлардың әйелдері"),
    ],
)
def test_a_stigmatising_label_is_found_in_its_language(
    tmp_path: Path, language: str, label: str
) -> None:
    root = build(tmp_path)
    lesson = (root / "demo" if language == "en" else root / language / "demo") / "01-first"
    write(lesson / "01-one.md", LESSON.format(body=f"## Why\n\nSome say {label} here."))
    found = problems(root, "banned-term")
    assert len(found) == 1
    assert "01-first/01-one.md:9: [banned-term]" in found[0]
    assert label in found[0]


def test_a_label_struck_through_to_teach_what_to_say_instead_passes(tmp_path: Path) -> None:
    table = "| Words that harm | Words that help |\n|---|---|\n| ~~jihadi brides~~ | women who came home |"
    root = build(tmp_path, body=f"## Words\n\n{table}")
    assert problems(root, "banned-term") == []


def test_a_label_in_another_language_is_found_too(tmp_path: Path) -> None:
    body = "## Words\n\nNever say жёны боевиков, even in an English lesson."
    found = problems(build(tmp_path, body=body), "banned-term")
    assert len(found) == 1 and "'жёны боевиков'" in found[0]


def test_labels_are_found_in_quizzes_too(tmp_path: Path) -> None:
    root = build(tmp_path)
    gift = root / "demo" / "quizzes" / "demo-check.gift"
    gift.write_text(gift.read_text().replace("Dana waits", "one of the ISIS brides waits"))
    assert [p for p in problems(root, "banned-term") if "demo-check.gift:1:" in p]


def test_the_guidelines_list_every_banned_label() -> None:
    """docs/content-guidelines.md is where writers read the list; it must not drift."""
    guidelines = (Path(__file__).parents[2] / "docs" / "content-guidelines.md").read_text()
    for language, patterns in BANNED_TERMS.items():
        for pattern in patterns:
            assert f"`{pattern}`" in guidelines, f"{language}: {pattern} is not in the guidelines"


# --- content notes -------------------------------------------------------------------------------


def test_hard_material_before_a_content_note_is_found(tmp_path: Path) -> None:
    body = "## Why\n\nHer husband died abroad.\n\n::: content-note\nLoss.\n:::\n\nHis death."
    found = problems(build(tmp_path, body=body), "content-note")
    assert found == [
        "content/demo/01-first/01-one.md:9: [content-note] touches on hard material ('died', and 1 "
        "more) before any content note: put a '::: content-note' block before it"
    ]


def test_one_passing_mention_is_not_hard_material(tmp_path: Path) -> None:
    body = "## Why\n\nChildren who moved, or whose grandparents died, join the class too."
    assert problems(build(tmp_path, body=body), "content-note") == []


def test_hard_material_after_a_content_note_passes(tmp_path: Path) -> None:
    body = "## Why\n\n::: content-note\nLoss.\n:::\n\nHer husband died abroad. His death."
    assert problems(build(tmp_path, body=body), "content-note") == []


def test_words_that_only_look_hard_pass(tmp_path: Path) -> None:
    body = "## Why\n\nThe Substance Abuse and Mental Health Services Administration (SAMHSA), and abuse."
    assert problems(build(tmp_path, body=body), "content-note") == []


def test_hard_material_is_found_in_russian_and_kazakh(tmp_path: Path) -> None:
    root = build(tmp_path)
    write(root / "ru/demo/01-first/01-one.md", LESSON.format(body="Он погиб там. Его смерть."))
    write(root / "kk/demo/01-first/01-one.md", LESSON.format(body="Ол қаза тапты. Оның өлімі."))
    assert len(problems(root, "content-note")) == 2
    # "қазақ" (Kazakh) starts like "қаза" (death) but is not one.
    write(root / "kk/demo/01-first/01-one.md", LESSON.format(body="Қазақ тілі. Қазақ өлімі."))
    assert len(problems(root, "content-note")) == 1


# --- alt text, links ---------------------------------------------------------------------------


def test_an_image_without_alt_text_is_found(tmp_path: Path) -> None:
    body = '![](pic.png)\n\n<img src="pic.png">\n\n![A tree](pic.png)\n\n<img alt="A tree" src="x">'
    found = problems(build(tmp_path, body=body), "alt-text")
    assert [p.split(": [")[0] for p in found] == [
        "content/demo/01-first/01-one.md:7",
        "content/demo/01-first/01-one.md:9",
    ]


def test_broken_links_are_found_and_good_ones_pass(tmp_path: Path) -> None:
    body = (
        "[module](/en/courses/demo/first/) [lesson](/en/courses/demo/first/one/)\n"
        "[web](https://example.org/) [mail](mailto:a@example.org) [here](#why)\n"
        "[file](../quizzes/demo-check.yaml)\n"
        "[gone](/en/courses/demo/second/) [lost](../files/nothing.pdf)"
    )
    found = problems(build(tmp_path, body=body), "link")
    assert len(found) == 2
    assert "'/en/courses/demo/second/' is not a page of the curriculum" in " ".join(found)
    assert "'../files/nothing.pdf' is not a file next to this one" in " ".join(found)


# --- composites ----------------------------------------------------------------------------------


def test_a_case_not_called_composite_is_found(tmp_path: Path) -> None:
    root = build(tmp_path)
    gift = root / "ru" / "demo" / "quizzes" / "demo-check.gift"
    gift.write_text(gift.read_text().replace("In this собирательном case", "В этом случае", 1))
    found = problems(root, "composite")
    assert found == [
        "content/ru/demo/quizzes/demo-check.gift:1: [composite] 'В этом случае' must call the case composite"
    ]


def test_a_quiz_description_that_does_not_say_composite_is_found(tmp_path: Path) -> None:
    root = build(tmp_path)
    write(root / "demo/quizzes/demo-check.yaml", QUIZ.format(description="Cases.", draw=2))
    record_sources(root / "demo", root / "ru" / "demo")
    record_sources(root / "demo", root / "kk" / "demo")
    assert problems(root, "composite") == [
        "content/demo/quizzes/demo-check.yaml:2: [composite] the description must say that the quiz's "
        "cases are composites"
    ]


# --- pools ---------------------------------------------------------------------------------------


def test_a_draw_from_a_small_pool_is_found(tmp_path: Path) -> None:
    assert problems(build(tmp_path, pool=6, draw=2), "pool") == []
    found = problems(build(tmp_path / "small", pool=5, draw=2), "pool")
    assert len(found) == 1
    assert "draws 2 questions from a pool of 5: the pool needs at least 6" in found[0]


def test_a_module_check_that_does_not_draw_is_found(tmp_path: Path) -> None:
    root = build(tmp_path)
    for language in ("", "ru/", "kk/"):
        path = root / f"{language}demo/quizzes/demo-check.yaml"
        path.write_text(re.sub(r"draw: \d+\n", "", path.read_text()))
    # A course's last module's assessment is its final: a fixed set is allowed there.
    assert problems(root, "pool") == []
    write(root / "demo/02-second/module.md", MODULE.replace("first", "second"))
    found = problems(root, "pool")
    assert len(found) == 1 and "a module's check draws its questions at random" in found[0]


# --- translations --------------------------------------------------------------------------------


def test_a_missing_translation_is_found(tmp_path: Path) -> None:
    root = build(tmp_path)
    (root / "kk/demo/01-first/01-one.md").unlink()
    assert problems(root, "translation") == [
        "content/demo/01-first/01-one.md: [translation] has no 'kk' translation"
    ]


def test_a_translation_older_than_its_source_is_found_until_it_is_recorded(tmp_path: Path) -> None:
    root = build(tmp_path)
    lesson = root / "demo/01-first/01-one.md"
    lesson.write_text(lesson.read_text() + "\nA new paragraph.\n")
    found = problems(root, "translation")
    assert len(found) == 2
    assert all("is older than its source" in p for p in found)
    assert found[0].startswith("content/kk/demo/01-first/01-one.md")
    # The translator brings the file up to date, then records its source.
    out = StringIO()
    call_command("translation_sources", str(root / "ru/demo"), "01-first/01-one.md", stdout=out)
    assert "Recorded the source of 1 files." in out.getvalue()
    assert [p[:10] for p in problems(root, "translation")] == ["content/kk"]


def test_a_translation_without_a_manifest_has_no_recorded_source(tmp_path: Path) -> None:
    root = build(tmp_path)
    (root / "ru/demo" / MANIFEST).unlink()
    stale = stale_translations(root / "demo", root / "ru/demo")
    assert ("course.md", f"has no recorded source in {MANIFEST}") in stale


def test_the_commands_report_and_fail(tmp_path: Path) -> None:
    root = build(tmp_path)
    out = StringIO()
    call_command("lint_content", str(root), stdout=out)
    assert "passes the content lint" in out.getvalue()
    (root / "kk/demo/course.md").unlink()
    with pytest.raises(CommandError, match="1 problems"):
        call_command("lint_content", str(root), stdout=StringIO())
    (root / "demo/course.md").write_text(COURSE.format(title="Changed"))
    with pytest.raises(CommandError, match="not up to date"):
        call_command("translation_sources", str(root / "ru/demo"), "--check", stdout=StringIO())
    with pytest.raises(CommandError, match="not a course folder"):
        call_command("translation_sources", str(root / "demo"), stdout=StringIO())
