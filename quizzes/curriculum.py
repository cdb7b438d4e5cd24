"""Quizzes in the curriculum files: a course folder's ``quizzes/`` holds one quiz per pair of files.

``quizzes/<slug>.yaml`` carries the quiz's rules and names a GIFT file with its questions, in
order. Module files name a quiz with ``assessment: <slug>``; lessons place one with the directive
``::: quiz slug="<slug>"``. The questions go to the question-bank category
``<course slug>/<quiz slug>``, identified by their ``::title::`` (required here), so importing
again updates them in place. See docs/curriculum-format.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from wagtail.models import Locale

from courses.api import CurriculumError, CurriculumInvalid, FileReader

from .blocks import rubric_problems
from .formats import ParsedQuestion, QuestionKind, parse_gift, write_gift
from .models import (
    GradingMethod,
    Question,
    QuestionCategory,
    QuestionType,
    Quiz,
    QuizDraw,
    QuizPlacement,
    QuizQuestion,
    ReviewWhen,
    Selection,
)

__all__ = ["QuizCurriculum"]

#: What a translation must keep as its source has it.
RULE_FIELDS = (
    "selection",
    "pass_mark",
    "attempts_allowed",
    "delay_minutes",
    "time_limit_minutes",
    "grading_method",
    "shuffle_questions",
    "shuffle_options",
    "review_score",
    "review_answers",
    "review_feedback",
)

SLUG_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")
REVIEW_KEYS = ("score", "answers", "feedback")


def _text(limit: int, *, required: bool = True) -> Any:
    def check(value: Any) -> str:
        if not isinstance(value, str) or (required and not value.strip()):
            raise ValueError("must be text")
        if len(value.strip()) > limit:
            raise ValueError(f"must be at most {limit} characters")
        return value.strip()

    return check


def _whole(minimum: int, maximum: int) -> Any:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            raise ValueError(f"must be a whole number from {minimum} to {maximum}")
        return value

    return check


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _choice(allowed: list[str]) -> Any:
    def check(value: Any) -> str:
        if value not in allowed:
            raise ValueError(f"must be one of: {', '.join(allowed)}")
        return str(value)

    return check


def _review(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) - set(REVIEW_KEYS):
        raise ValueError(f"must set some of {', '.join(REVIEW_KEYS)}")
    allowed = list(ReviewWhen.values)
    for key, when in value.items():
        if when not in allowed:
            raise ValueError(f"'{key}' must be one of: {', '.join(allowed)}")
    return {key: str(value.get(key, ReviewWhen.AFTER_SUBMIT)) for key in REVIEW_KEYS}


def _written_tasks(value: Any) -> dict[str, dict[str, Any]]:
    """``written_tasks``: for each written task of the GIFT file (by its ``::title::``), what a
    GIFT file cannot say: the word range, the model answer, the text the answer box starts with
    and the rubric (criteria, each with levels of points, weakest first)."""
    if not isinstance(value, dict) or not value:
        raise ValueError("must map each written task's ::title:: to its settings")
    return {
        str(title): _written_task(f"written task '{title}'", spec) for title, spec in value.items()
    }


def _written_task(where: str, spec: Any) -> dict[str, Any]:
    if not isinstance(spec, dict) or set(spec) - WRITTEN_TASK_KEYS:
        raise ValueError(f"{where}: may set {', '.join(sorted(WRITTEN_TASK_KEYS))}")
    task: dict[str, Any] = {}
    for key in ("min_words", "max_words"):
        if key in spec:
            task[key] = _whole(1, 20000)(spec[key])
    if task.get("max_words", 20000) < task.get("min_words", 0):
        raise ValueError(f"{where}: min_words is above max_words")
    for key in ("model_answer", "response_template"):
        if key in spec:
            task[key] = _text(20000, required=False)(spec[key])
    rubric = spec.get("rubric")
    if not isinstance(rubric, list):
        raise ValueError(f"{where}: needs a rubric, a list of criteria")
    task["rubric"] = [_criterion(where, criterion) for criterion in rubric]
    problems = rubric_problems(task["rubric"])
    if problems:
        raise ValueError(f"{where}: {' '.join(problems)}")
    return task


def _criterion(where: str, criterion: Any) -> dict[str, Any]:
    if not isinstance(criterion, dict) or set(criterion) - CRITERION_KEYS:
        raise ValueError(f"{where}: each criterion has criterion, description and levels")
    levels = criterion.get("levels")
    if not isinstance(levels, list) or not all(_is_level(level) for level in levels):
        raise ValueError(f"{where}: each level has points (a number) and description (text)")
    return {
        "title": str(criterion.get("criterion") or "").strip(),
        "description": str(criterion.get("description") or "").strip(),
        "levels": [
            {"points": str(level["points"]), "description": level["description"].strip()}
            for level in levels
        ],
    }


def _is_level(level: Any) -> bool:
    return (
        isinstance(level, dict)
        and set(level) <= {"points", "description"}
        and isinstance(level.get("points"), int | float)
        and not isinstance(level.get("points"), bool)
        and isinstance(level.get("description"), str)
    )


CRITERION_KEYS = {"criterion", "description", "levels"}


WRITTEN_TASK_KEYS = {"min_words", "max_words", "model_answer", "response_template", "rubric"}


QUIZ_SCHEMA = {
    "title": (True, _text(255)),
    "description": (False, _text(5000, required=False)),
    "questions": (True, _text(255)),
    "pass_mark": (False, _whole(0, 100)),
    "attempts": (False, _whole(0, 1000)),
    "delay_minutes": (False, _whole(0, 525600)),
    "time_limit_minutes": (False, _whole(0, 10080)),
    "grading": (False, _choice(list(GradingMethod.values))),
    "shuffle_questions": (False, _flag),
    "shuffle_options": (False, _flag),
    "review": (False, _review),
    "draw": (False, _whole(1, 1000)),
    "written_tasks": (False, _written_tasks),
}


@dataclass
class QuizSpec:
    slug: str
    display: str
    gift_display: str
    meta: dict[str, Any]
    questions: list[ParsedQuestion] = field(default_factory=list)
    gift_text: str = ""


@dataclass
class CourseQuizzes:
    course_slug: str
    quizzes: list[QuizSpec]
    locale: str = ""


def _quiz_fields(meta: dict[str, Any]) -> dict[str, Any]:
    review = meta.get("review") or dict.fromkeys(REVIEW_KEYS, ReviewWhen.AFTER_SUBMIT)
    return {
        "title": meta["title"],
        "description": meta.get("description", ""),
        "selection": Selection.RANDOM if meta.get("draw") else Selection.FIXED,
        "pass_mark": meta.get("pass_mark", 80),
        "attempts_allowed": meta.get("attempts", 0),
        "delay_minutes": meta.get("delay_minutes", 0),
        "time_limit_minutes": meta.get("time_limit_minutes", 0),
        "grading_method": meta.get("grading", GradingMethod.HIGHEST),
        "shuffle_questions": meta.get("shuffle_questions", False),
        "shuffle_options": meta.get("shuffle_options", True),
        "review_score": review["score"],
        "review_answers": review["answers"],
        "review_feedback": review["feedback"],
    }


class QuizCurriculum:
    """The ``quizzes/`` folder of a course (registered in ``QuizzesConfig.ready``)."""

    folder = "quizzes"

    # --- reading ------------------------------------------------------------------------------

    def parse(
        self, folder: Path, course_slug: str, root: Path, errors: list[Any], locale: str = ""
    ) -> CourseQuizzes:
        quizzes = []
        for path in sorted(folder.glob("*.yaml")):
            reader = FileReader(path, root, errors)
            slug = path.stem
            if not slug or set(slug) - SLUG_CHARS:
                reader.error(0, "file name", "must be '<quiz slug>.yaml' (a-z, 0-9 and hyphens)")
                continue
            meta = reader.read_yaml(QUIZ_SCHEMA)
            if meta is None:
                continue
            gift_path = (path.parent / meta["questions"]).resolve()
            if gift_path.parent != folder.resolve() or not gift_path.is_file():
                reader.error(
                    reader.line_of("questions"),
                    "field 'questions'",
                    f"'{meta['questions']}' must be a GIFT file in the same folder",
                )
                continue
            gift_reader = FileReader(gift_path, root, errors)
            spec = QuizSpec(slug, reader.display, gift_reader.display, meta)
            try:
                spec.gift_text = gift_path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError as exc:
                gift_reader.error(0, "", f"is not UTF-8 text ({exc.reason} at byte {exc.start})")
                continue
            result = parse_gift(spec.gift_text)
            for problem in result.errors:
                gift_reader.error(problem.problem_line or problem.line, "question", problem.message)
            titles: dict[str, int] = {}
            for question in result.questions:
                if question.category is not None:
                    gift_reader.error(
                        question.line,
                        "question",
                        "a quiz file has no $CATEGORY lines: its questions all go to the "
                        "quiz's own category",
                    )
                if not question.title:
                    gift_reader.error(
                        question.line, "question", "needs a ::title:: (titles identify questions)"
                    )
                elif question.title in titles:
                    gift_reader.error(
                        question.line,
                        "question",
                        f"the title '{question.title}' is already used at line "
                        f"{titles[question.title]}",
                    )
                else:
                    titles[question.title] = question.line
            if not result.questions and not result.errors:
                gift_reader.error(0, "", "has no questions")
            essays = {q.title for q in result.questions if q.kind is QuestionKind.ESSAY}
            tasks = meta.get("written_tasks") or {}
            for title in sorted(set(tasks) - essays):
                reader.error(
                    reader.line_of("written_tasks"),
                    "field 'written_tasks'",
                    f"'{title}' is not a written task ({{}}) of {meta['questions']}",
                )
            for question in result.questions:
                if question.kind is QuestionKind.ESSAY and question.title not in tasks:
                    gift_reader.error(
                        question.line,
                        "question",
                        f"the written task '{question.title}' needs its rubric under "
                        "written_tasks in the quiz's .yaml file",
                    )
            if "draw" in meta and result.questions and meta["draw"] > len(result.questions):
                reader.error(
                    reader.line_of("draw"),
                    "field 'draw'",
                    f"draws {meta['draw']} questions from a file of {len(result.questions)}",
                )
            spec.questions = result.questions
            quizzes.append(spec)
        return CourseQuizzes(course_slug, quizzes, locale or settings.LANGUAGE_CODE)

    # --- writing ------------------------------------------------------------------------------

    def write(self, parsed: CourseQuizzes, *, report: Any) -> None:
        from .importing import questions_import

        translation = parsed.locale != settings.LANGUAGE_CODE
        locale = Locale.objects.filter(language_code=parsed.locale).first()
        if locale is None:
            locale = Locale.objects.create(language_code=parsed.locale)
        for spec in parsed.quizzes:
            category = f"{parsed.course_slug}/{spec.slug}"
            source = None
            if translation:
                # A translation's questions live in a category of their own language.
                category = f"{category}/{parsed.locale}"
                source = _source_quiz(spec, category)
            outcome = questions_import(
                text=spec.gift_text,
                fmt="gift",
                category=category,
                filename=spec.gift_display,
                publish=True,  # the shipped curriculum is loaded live (an operator's run)
            )
            if outcome.errors:
                raise CurriculumInvalid(
                    [
                        CurriculumError(spec.gift_display, 0, "question", str(e))
                        for e in outcome.errors
                    ]
                )
            if source is not None:
                _link_questions(category, locale, source, spec)
            _apply_written_tasks(category, locale, spec.meta.get("written_tasks") or {})
            fields = _quiz_fields(spec.meta)
            if source is not None:
                # A quiz's rules are its source's (``quizzes.translations``): a translation
                # keeps them in step, and says so when its file differs.
                differ = [n for n in RULE_FIELDS if fields[n] != getattr(source, n)]
                if differ:
                    report.warnings.append(
                        f"{spec.display}: {', '.join(differ)} differ from the source quiz's; "
                        "a translation takes the source's rules"
                    )
                fields.update({name: getattr(source, name) for name in RULE_FIELDS})
            quiz = Quiz.objects.filter(slug=spec.slug, locale=locale).first()
            label = f"quiz '{spec.meta['title']}'"
            if quiz is None:
                extra = {"translation_key": source.translation_key} if source else {}
                quiz = Quiz.objects.create(
                    slug=spec.slug, live=True, locale=locale, **extra, **fields
                )
                report.created.append(label)
                changed = True
            else:
                changed = any(getattr(quiz, name) != value for name, value in fields.items())
                if changed:
                    for name, value in fields.items():
                        setattr(quiz, name, value)
                    quiz.save()
            by_title = dict(
                Question.objects.filter(category__name=category, locale=locale).values_list(
                    "title", "pk"
                )
            )
            wanted = [by_title[q.title] for q in spec.questions]
            current = list(
                quiz.fixed_questions.order_by("sort_order").values_list("question_id", flat=True)
            )
            if wanted != current:
                quiz.fixed_questions.all().delete()
                QuizQuestion.objects.bulk_create(
                    QuizQuestion(quiz=quiz, question_id=pk, sort_order=i)
                    for i, pk in enumerate(wanted)
                )
                changed = True
            # A translation draws as many as its source, from its own language's questions.
            draw = spec.meta.get("draw") if source is None else _draw_count(source)
            changed = _sync_draw(quiz, category, draw) or changed
            if label in report.created:
                continue
            if changed or outcome.created or outcome.updated:
                report.updated.append(label)
            else:
                report.unchanged.append(label)

    # --- exporting ----------------------------------------------------------------------------

    def export_ref(self, label: str, pk: int) -> str | None:
        if label != "quizzes.Quiz":
            return None
        return Quiz.objects.filter(pk=pk).values_list("slug", flat=True).first()

    def export(self, course: Any, folder: Path) -> int:
        from .exporting import NotExpressible, parsed_question

        quiz_ids = (
            QuizPlacement.objects.filter(page__path__startswith=course.path, page__live=True)
            .values_list("quiz_id", flat=True)
            .order_by()
            .distinct()
        )
        written = 0
        # Placements name each quiz's identity; the folder holds the course language's quizzes.
        placed = Quiz.objects.filter(pk__in=quiz_ids).values("translation_key")
        for quiz in Quiz.objects.filter(
            translation_key__in=placed, locale_id=course.locale_id
        ).order_by("slug"):
            draws = list(quiz.draws.select_related("category"))
            own_draw = (
                len(draws) == 1
                and not draws[0].include_subcategories
                and f"/{quiz.slug}" in draws[0].category.name
            )
            if quiz.selection != Selection.FIXED and not own_draw:
                raise CurriculumInvalid(
                    [
                        CurriculumError(
                            f"quiz '{quiz.slug}'",
                            0,
                            "",
                            "draws its questions at random from other categories; the "
                            "curriculum format holds a fixed list, or a draw from the quiz's "
                            "own questions",
                        )
                    ]
                )
            questions = []
            if quiz.selection == Selection.FIXED:
                links = (
                    quiz.fixed_questions.select_related("question__category")
                    .prefetch_related("question__options")
                    .order_by("sort_order")
                )
                bank = [link.question for link in links]
            else:
                bank = list(
                    Question.objects.filter(category=draws[0].category, live=True)
                    .select_related("category")
                    .prefetch_related("options")
                    .order_by("pk")
                )
            for question in bank:
                try:
                    questions.append(parsed_question(question, base=question.category.name))
                except NotExpressible as exc:
                    raise CurriculumInvalid(
                        [
                            CurriculumError(
                                f"quiz '{quiz.slug}'",
                                0,
                                f"question '{question.title}'",
                                f"cannot be written to a GIFT file: {exc}",
                            )
                        ]
                    ) from exc
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{quiz.slug}.gift").write_text(write_gift(questions), encoding="utf-8")
            (folder / f"{quiz.slug}.yaml").write_text(_quiz_yaml(quiz), encoding="utf-8")
            written += 2
        return written


def _source_quiz(spec: QuizSpec, category: str) -> Quiz:
    """The default-language quiz a translation file translates (same file name), whose
    questions it must translate (same ``::title::``s)."""
    source = Quiz.objects.filter(
        slug=spec.slug, locale__language_code=settings.LANGUAGE_CODE
    ).first()
    if source is None:
        raise CurriculumInvalid([CurriculumError(
            spec.display, 0, "file name",
            f"translates the quiz '{spec.slug}', which the {settings.LANGUAGE_CODE} tree does not "
            "have (a translation keeps its source's file names; import the source too)",
        )])  # fmt: skip
    source_titles = set(source.fixed_questions.values_list("question__title", flat=True))
    errors = [
        CurriculumError(
            spec.gift_display,
            question.line,
            "question",
            f"the title '{question.title}' is not a question of the source quiz: a translated "
            "question keeps its source's ::title::",
        )
        for question in spec.questions
        if question.title not in source_titles
    ]
    if errors:
        raise CurriculumInvalid(errors)
    return source


def _apply_written_tasks(category: str, locale: Locale, tasks: dict[str, dict[str, Any]]) -> None:
    """Give the written tasks of the category what the yaml says (rubric, word range, model
    answer), and publish them: the import leaves a written task as a draft because a GIFT file
    has no rubric. Unchanged tasks are not written again."""
    for question in Question.objects.filter(
        category__name=category, locale=locale, title__in=list(tasks)
    ):
        task = tasks[question.title]
        wanted = {
            "min_words": task.get("min_words"),
            "max_words": task.get("max_words"),
            "model_answer": task.get("model_answer", ""),
            "response_template": task.get("response_template", ""),
        }
        same = all(getattr(question, k) == v for k, v in wanted.items())
        if same and question.rubric_criteria() == task["rubric"] and question.live:
            continue
        for name, value in wanted.items():
            setattr(question, name, value)
        question.rubric = [
            (
                "criterion",
                {
                    "title": c["title"],
                    "description": c["description"],
                    "levels": [
                        {"points": Decimal(level["points"]), "description": level["description"]}
                        for level in c["levels"]
                    ],
                },
            )
            for c in task["rubric"]
        ]
        question.save()
        question.save_revision().publish()


def _draw_count(quiz: Quiz) -> int | None:
    draw = quiz.draws.first() if quiz.selection == Selection.RANDOM else None
    return draw.count if draw is not None else None


def _sync_draw(quiz: Quiz, category: str, count: int | None) -> bool:
    """A quiz with ``draw`` asks that many questions drawn at random from its own category (the
    questions of its file); returns whether anything changed."""
    current = list(quiz.draws.values_list("category__name", "count", "include_subcategories"))
    wanted = [(category, count, False)] if count else []
    if current == wanted:
        return False
    quiz.draws.all().delete()
    if count:
        QuizDraw.objects.create(
            quiz=quiz,
            category=QuestionCategory.objects.get(name=category),
            count=count,
            include_subcategories=False,
        )
    return True


def _link_questions(category: str, locale: Locale, source: Quiz, spec: QuizSpec) -> None:
    """Put the category's questions in ``locale`` and in their source question's translation
    group (matched by title)."""
    keys = dict(source.fixed_questions.values_list("question__title", "question__translation_key"))
    for question in Question.objects.filter(category__name=category):
        key = keys.get(question.title)
        if key is not None and (question.locale_id, question.translation_key) != (locale.pk, key):
            question.locale, question.translation_key = locale, key
            question.save(update_fields=["locale", "translation_key"])


def _quiz_yaml(quiz: Quiz) -> str:
    import yaml

    data = {
        "title": quiz.title,
        "description": quiz.description,
        "questions": f"{quiz.slug}.gift",
        "pass_mark": quiz.pass_mark,
        "attempts": quiz.attempts_allowed,
        "delay_minutes": quiz.delay_minutes,
        "time_limit_minutes": quiz.time_limit_minutes,
        "grading": quiz.grading_method,
        "shuffle_questions": quiz.shuffle_questions,
        "shuffle_options": quiz.shuffle_options,
        "review": {
            "score": quiz.review_score,
            "answers": quiz.review_answers,
            "feedback": quiz.review_feedback,
        },
    }
    if not quiz.description:
        del data["description"]
    draw = quiz.draws.first() if quiz.selection == Selection.RANDOM else None
    if draw is not None:
        data["draw"] = draw.count
    tasks = {}
    for question in _quiz_bank(quiz).filter(kind=QuestionType.ESSAY).order_by("pk"):
        task: dict[str, Any] = {
            "min_words": question.min_words,
            "max_words": question.max_words,
            "model_answer": question.model_answer,
            "response_template": question.response_template,
            "rubric": [
                {
                    "criterion": c["title"],
                    "description": c["description"],
                    "levels": [
                        {"points": _number(level["points"]), "description": level["description"]}
                        for level in c["levels"]
                    ],
                }
                for c in question.rubric_criteria()
            ],
        }
        tasks[question.title] = {k: v for k, v in task.items() if v not in (None, "")}
    if tasks:
        data["written_tasks"] = tasks
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100000)


def _quiz_bank(quiz: Quiz) -> Any:
    """The questions a quiz asks from: its list, or its draw's category."""
    if quiz.selection == Selection.FIXED:
        return Question.objects.filter(pk__in=quiz.fixed_questions.values("question_id"))
    return Question.objects.filter(category__in=quiz.draws.values("category_id"), live=True)


def _number(text: str) -> int | float:
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)
