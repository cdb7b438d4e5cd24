"""The question bank, quizzes, attempts and results.

Questions live in categories and are edited in the CMS. A quiz either lists its questions or draws
them at random from categories. Each attempt keeps a *snapshot* of every question it asked (text,
options and the answer key, as they were when the attempt started), so editing a question later
never changes an attempt already taken, and grading needs no query per question.

The answer key is only ever read by ``quizzes.scoring`` on the server; the attempt page is built
from ``quizzes.services.question_display``, which leaves it out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.fields import StreamField
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    RevisionMixin,
    TranslatableMixin,
    WorkflowMixin,
)

from .blocks import RubricCriterionBlock


class QuestionCategory(models.Model):
    """A folder of the question bank. ``/`` in the name nests it: ``Trauma care/Module 1``."""

    name = models.CharField(
        _("name"),
        max_length=255,
        unique=True,
        help_text=_("Use / to nest categories, for example “Trauma-informed care/Module 1”."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("question category")
        verbose_name_plural = _("question categories")

    def __str__(self) -> str:
        return self.name


class QuestionType(models.TextChoices):
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_RESPONSE = "multiple_response", _("Multiple response")
    TRUE_FALSE = "true_false", _("True or false")
    SHORT_ANSWER = "short_answer", _("Short answer")
    NUMERIC = "numeric", _("Numeric")
    MATCHING = "matching", _("Matching")
    ORDERING = "ordering", _("Ordering")
    SCENARIO = "scenario", _("Scenario (a case with feedback on every option)")
    ESSAY = "essay", _("Written task (graded by a trainer with a rubric)")
    DESCRIPTION = "description", _("Description (text between questions, no answer)")


#: Kinds a person grades: an attempt asking one waits for its grader (``quizzes.grading``).
GRADED_BY_PERSON = frozenset({QuestionType.ESSAY})
#: Kinds with no answer and no marks.
NOT_ANSWERED = frozenset({QuestionType.DESCRIPTION})


class TextFormat(models.TextChoices):
    MARKDOWN = "markdown", _("Markdown")
    HTML = "html", _("HTML")
    PLAIN = "plain", _("Plain text")


class Question(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    TranslatableMixin,
    ClusterableModel,
):
    """One question of the bank. Its options are :class:`QuestionOption` rows.

    Edited like a page: a change to a live question is kept as a revision and reaches the row
    (and so the quizzes that ask it) only when a Course reviewer publishes it, through the
    "Course review" workflow (migration quizzes 0006). A question never published
    (``live=False``) is not asked in any attempt.
    """

    category = models.ForeignKey(
        QuestionCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="questions",
    )
    kind = models.CharField(_("type"), max_length=20, choices=QuestionType.choices)
    title = models.CharField(
        _("title"),
        max_length=255,
        help_text=_("A short name for the bank; learners do not see it."),
    )
    scenario = models.TextField(
        _("case"),
        blank=True,
        help_text=_("Scenario questions: the case the learner reads first. Say it is a composite."),
    )
    text = models.TextField(_("question"))
    text_format = models.CharField(
        _("text format"), max_length=10, choices=TextFormat.choices, default=TextFormat.MARKDOWN
    )
    general_feedback = models.TextField(
        _("general feedback"), blank=True, help_text=_("Shown to everyone after answering.")
    )
    default_mark = models.DecimalField(
        _("marks"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    partial_credit = models.BooleanField(
        _("partial credit"),
        default=True,
        help_text=_(
            "Multiple response, matching and ordering: give credit for a partly right answer."
        ),
    )
    case_sensitive = models.BooleanField(
        _("case sensitive"), default=False, help_text=_("Short answer only.")
    )
    correct_answer = models.BooleanField(
        _("the statement is true"), null=True, blank=True, help_text=_("True or false only.")
    )
    feedback_true = models.TextField(
        _("feedback for “true”"), blank=True, help_text=_("True or false only.")
    )
    feedback_false = models.TextField(
        _("feedback for “false”"), blank=True, help_text=_("True or false only.")
    )
    min_words = models.PositiveIntegerField(
        _("fewest words"),
        null=True,
        blank=True,
        help_text=_("Written tasks only. Empty: no limit."),
    )
    max_words = models.PositiveIntegerField(
        _("most words"),
        null=True,
        blank=True,
        help_text=_("Written tasks only. Empty: no limit."),
    )
    response_template = models.TextField(
        _("answer starts with"),
        blank=True,
        help_text=_("Written tasks only: headings or prompts the answer box starts with."),
    )
    model_answer = models.TextField(
        _("model answer and notes for graders"),
        blank=True,
        help_text=_("Written tasks only. Shown to graders, never to learners."),
    )
    rubric = StreamField(
        [("criterion", RubricCriterionBlock())],
        blank=True,
        verbose_name=_("rubric"),
        help_text=_(
            "Written tasks only: each criterion with its levels, weakest first. The mark is the "
            "points of the levels the grader picks over the most points possible."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category__name", "title"]
        verbose_name = _("question")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "title", "locale"], name="quizzes_question_unique_title"
            ),
            models.UniqueConstraint(
                fields=["translation_key", "locale"], name="quizzes_question_translation"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def graded_by_person(self) -> bool:
        """True for a written task: a trainer grades it with its rubric."""
        return self.kind in GRADED_BY_PERSON

    def rubric_criteria(self) -> list[dict[str, Any]]:
        """The rubric as plain data: ``[{"title", "description", "levels": [{"points",
        "description"}]}]``, points as strings so that the data survives JSON exactly."""
        return [
            {
                "title": block.value["title"],
                "description": block.value["description"] or "",
                "levels": [
                    {"points": str(level["points"]), "description": level["description"]}
                    for level in block.value["levels"]
                ],
            }
            for block in self.rubric
        ]


class QuestionAttachment(Orderable):
    """A document given with a written task (a case file, a worksheet to fill in)."""

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")

    def __str__(self) -> str:
        return str(self.document)


class QuestionOption(Orderable):
    """An option (choice, accepted answer, number, pair or item) of a question.

    Which fields count depends on the question's type: choices use ``text`` and ``weight``;
    short answers use ``text`` (an accepted answer) and ``weight``; numeric answers use ``value``,
    ``tolerance`` and ``weight``; matching uses ``text`` (the prompt; empty for an extra wrong
    answer) and ``match``; ordering lists its items in the right order in ``text``.
    """

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.TextField(_("text"), blank=True)
    match = models.CharField(_("matching answer"), max_length=255, blank=True)
    weight = models.DecimalField(
        _("credit (%)"),
        max_digits=8,
        decimal_places=5,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(-100)), MaxValueValidator(Decimal(100))],
        help_text=_(
            "100 for a right answer, 0 for a wrong one; partial or negative credit allowed."
        ),
    )
    value = models.DecimalField(_("number"), max_digits=20, decimal_places=8, null=True, blank=True)
    tolerance = models.DecimalField(
        _("tolerance (±)"),
        max_digits=20,
        decimal_places=8,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    feedback = models.TextField(_("feedback"), blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("option")


class Selection(models.TextChoices):
    FIXED = "fixed", _("The questions listed, in this order")
    RANDOM = "random", _("A random draw from categories")


class GradingMethod(models.TextChoices):
    HIGHEST = "highest", _("Highest attempt")
    LATEST = "latest", _("Latest attempt")
    FIRST = "first", _("First attempt")
    AVERAGE = "average", _("Average of all attempts")


class ReviewWhen(models.TextChoices):
    NEVER = "never", _("Never")
    AFTER_SUBMIT = "after_submit", _("After the attempt is submitted")
    AFTER_CLOSE = "after_close", _("After the quiz closes")
    #: When the learner can take no more attempts, so the answers cannot help the next one.
    AFTER_LAST = "after_last", _("After the last allowed attempt, or when the quiz closes")


class Quiz(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    TranslatableMixin,
    ClusterableModel,
):
    """A quiz and its rules. Place it in a lesson (quiz block) or on a module (assessment).

    Edited like a page: the row holds the live (published) quiz that learners take; changes wait
    in revisions until a Course reviewer approves and publishes them (``docs/quizzes.md``,
    "Review of changes"). A quiz never published (``live=False``) is not offered to learners.

    A quiz's translations are rows in other locales sharing its ``translation_key``. The first
    row of the group (``canonical``) is the quiz's identity: its rules, attempts and results,
    whatever language a learner takes it in; a translation gives only the words (title,
    description and its own translated questions). See ``quizzes.translations``.
    """

    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(
        _("slug"), max_length=100, help_text=_("Shared by the quiz's translations.")
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("Markdown, shown before the quiz starts.")
    )
    selection = models.CharField(
        _("questions"), max_length=10, choices=Selection.choices, default=Selection.FIXED
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=False)
    shuffle_options = models.BooleanField(_("shuffle options"), default=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=80, validators=[MaxValueValidator(100)]
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=0, help_text=_("0 for unlimited.")
    )
    delay_minutes = models.PositiveIntegerField(
        _("minutes between attempts"), default=0, help_text=_("0 for none.")
    )
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"), default=0, help_text=_("0 for no limit.")
    )
    grading_method = models.CharField(
        _("grading method"),
        max_length=10,
        choices=GradingMethod.choices,
        default=GradingMethod.HIGHEST,
    )
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(
        _("closes"),
        null=True,
        blank=True,
        help_text=_("Review options set to “after the quiz closes” apply from this time."),
    )
    review_score = models.CharField(
        _("show the score"),
        max_length=12,
        choices=ReviewWhen.choices,
        default=ReviewWhen.AFTER_SUBMIT,
    )
    review_answers = models.CharField(
        _("show the right answers"),
        max_length=12,
        choices=ReviewWhen.choices,
        default=ReviewWhen.AFTER_SUBMIT,
    )
    review_feedback = models.CharField(
        _("show feedback"),
        max_length=12,
        choices=ReviewWhen.choices,
        default=ReviewWhen.AFTER_SUBMIT,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="quizzes_quiz_unique_slug"),
            models.UniqueConstraint(
                fields=["translation_key", "locale"], name="quizzes_quiz_translation"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """The quiz's page for learners, in the current language."""
        from django.urls import reverse

        return reverse("quizzes:quiz", args=[self.pk])


class QuizQuestion(Orderable):
    """A question a fixed quiz asks."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="fixed_questions")
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta(Orderable.Meta):
        verbose_name = _("question")
        constraints = [
            models.UniqueConstraint(fields=["quiz", "question"], name="quizzes_fixed_unique")
        ]


class QuizDraw(Orderable):
    """How many questions a random quiz draws from a category (and the categories inside it)."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="draws")
    category = models.ForeignKey(
        QuestionCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    count = models.PositiveSmallIntegerField(_("questions"), validators=[MinValueValidator(1)])
    include_subcategories = models.BooleanField(_("include the categories inside"), default=True)

    class Meta(Orderable.Meta):
        verbose_name = _("draw")


class AttemptState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    GRADING = "grading", _("Being graded")
    #: Submitted, with a written task waiting for its grader; no score yet.
    AWAITING = "awaiting", _("Awaiting grading")
    FINISHED = "finished", _("Finished")


class Attempt(models.Model):
    """One learner's attempt at a quiz. At most one per learner and quiz is in progress."""

    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    number = models.PositiveSmallIntegerField()
    state = models.CharField(
        max_length=12, choices=AttemptState.choices, default=AttemptState.IN_PROGRESS
    )
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: When answers were last saved; every save and the submit update this row first, so two
    #: requests on one attempt take turns (see ``services``).
    saved_at = models.DateTimeField(null=True, blank=True)
    #: How many times the answers have been saved. The attempt page sends the revision it was
    #: built from with every save; a save from an older one (another tab or window saved since) is
    #: refused, so it never overwrites newer answers (``services.attempt_save``).
    revision = models.PositiveIntegerField(default=0)
    #: The quiz's rules as they were when the attempt started (pass mark, grading method, time
    #: limit, review options; ``services.quiz_rules``): the attempt is graded and reviewed by
    #: these, so a change published while it is in progress does not change it.
    quiz_settings = models.JSONField(default=dict, blank=True)
    #: The quiz's live revision when the attempt started (None before revisions were kept).
    quiz_revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: True when the attempt was closed at its deadline rather than submitted by the learner.
    closed_at_deadline = models.BooleanField(default=False)
    points = models.DecimalField(max_digits=9, decimal_places=4, null=True)
    max_points = models.DecimalField(max_digits=9, decimal_places=4, default=Decimal(0))
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True)  # percent
    passed = models.BooleanField(null=True)
    #: Written tasks: when the last grade was given and the attempt finished (``finished_at`` is
    #: when the learner submitted), and when the learner was told.
    graded_at = models.DateTimeField(null=True, blank=True)
    learner_notified_at = models.DateTimeField(null=True, blank=True)
    #: Written tasks: the first marking left the attempt close to the pass mark, so a second
    #: marker grades it too (``quizzes.grading``).
    needs_second_marker = models.BooleanField(default=False)

    class Meta:
        ordering = ["quiz", "user", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "user", "number"], name="quizzes_attempt_unique_number"
            ),
            models.UniqueConstraint(
                fields=["quiz", "user"],
                condition=Q(state="in_progress"),
                name="quizzes_attempt_one_open",
            ),
        ]
        indexes = [
            models.Index(fields=["quiz", "state"], name="quizzes_attempt_quiz_state"),
            # The grading queue: attempts awaiting grading, oldest first.
            models.Index(
                fields=["finished_at"],
                condition=Q(state="awaiting"),
                name="quizzes_attempt_awaiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} #{self.number} ({self.user})"

    @property
    def pass_mark(self) -> int:
        """The pass mark this attempt is graded by: the quiz's when the attempt started."""
        return int((self.quiz_settings or {}).get("pass_mark", self.quiz.pass_mark))


class AttemptAnswer(models.Model):
    """A question as asked in an attempt (snapshot and display order) and the learner's answer."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(
        Question, null=True, on_delete=models.SET_NULL, related_name="attempt_answers"
    )
    snapshot = models.JSONField()
    #: What the learner sees and in which order: ``{"options": [option ids]}``, and for matching
    #: also ``"answers"``: the answer texts offered, shuffled.
    layout = models.JSONField(default=dict)
    response = models.JSONField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    max_points = models.DecimalField(max_digits=6, decimal_places=2)
    fraction = models.DecimalField(max_digits=5, decimal_places=4, null=True)
    status = models.CharField(max_length=12, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"], name="quizzes_answer_unique_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.position}"


class WrittenGrade(models.Model):
    """One marker's grade of a written answer. Never changed once given: the rows are the audit
    of grading (who, when, the level picked for each criterion, the feedback)."""

    answer = models.ForeignKey(AttemptAnswer, on_delete=models.CASCADE, related_name="grades")
    #: 1 for the first marker, 2 for the second marker of a borderline attempt.
    marker = models.PositiveSmallIntegerField()
    grader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: The index of the level picked for each criterion of the snapshot's rubric, in order.
    levels = models.JSONField()
    points = models.DecimalField(max_digits=8, decimal_places=2)
    fraction = models.DecimalField(max_digits=5, decimal_places=4)
    feedback = models.TextField(blank=True)
    graded_at = models.DateTimeField()

    class Meta:
        ordering = ["answer_id", "marker"]
        verbose_name = _("grade of a written answer")
        permissions = [("grade_any_answer", "Can grade any learner's written answers")]
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "marker"], name="quizzes_grade_one_per_marker"
            )
        ]

    def __str__(self) -> str:
        return f"{self.answer_id} marker {self.marker}: {self.points}"


class QuizResult(models.Model):
    """A learner's grade on a quiz by its grading method, kept current as attempts finish.

    Completion rules read this table (one query for any number of learners and quizzes).
    """

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="results")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_results"
    )
    grade = models.DecimalField(max_digits=5, decimal_places=2)
    passed = models.BooleanField()
    attempts = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # By id, not by the related rows' own ordering, which would join the quiz and the user.
        ordering = ["quiz_id", "user_id"]
        verbose_name = _("quiz result")
        constraints = [
            models.UniqueConstraint(fields=["quiz", "user"], name="quizzes_result_unique")
        ]
        # The certificate sweep asks for the passes since its last window.
        indexes = [models.Index(fields=["updated_at"], name="quizzes_result_updated")]

    def __str__(self) -> str:
        return f"{self.quiz_id}/{self.user_id}: {self.grade}"


class PlacementKind(models.TextChoices):
    LESSON = "lesson", _("Quiz block in a lesson")
    MODULE = "module", _("Module assessment")


class QuizPlacement(models.Model):
    """Where a quiz appears in a course, kept in step with published pages (``signals``).

    Completion reads it to know which quizzes a course requires without opening lesson bodies.
    """

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="placements")
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="quiz_placements"
    )
    kind = models.CharField(max_length=10, choices=PlacementKind.choices)
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["quiz_id", "page_id"]
        verbose_name = _("quiz placement")
        constraints = [
            models.UniqueConstraint(fields=["quiz", "page"], name="quizzes_placement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.quiz_id} on {self.page_id}"
