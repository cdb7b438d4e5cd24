"""CMS integration: the question bank and quizzes under one "Quizzes" menu.

Quizzes and questions are reviewed like pages (issue #12): Wagtail's draft, revision, lock and
workflow support for snippets (``quizzes.models``) gives their edit views "Save draft" and
"Submit to Course review" for trainers, "Publish" and the approval actions for Course
reviewers, a status column in the listings and the History view (who changed what, who approved
it), linked from the edit page's status panel and its action menu.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import LiveStatusTagColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from core.api import HomeLink, HomePanel

from .admin_grading import GradingLogViewSet
from .models import Question, QuestionCategory, QuestionType, Quiz, Selection
from .validation import question_problems

OPTION_FIELDS = ("text", "match", "weight", "value", "tolerance", "feedback")


class QuestionForm(WagtailAdminModelForm):
    """Checks the question and its options together, by the rules of its type."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        formset = self.formsets.get("options")
        if formset is None or not formset.is_valid() or "kind" not in cleaned:
            return cleaned
        options = [
            {name: form.cleaned_data.get(name) for name in OPTION_FIELDS}
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        for field, message in question_problems(cleaned["kind"], cleaned, options):
            self.add_error(
                None if field == "options" or field not in self.fields else field, message
            )
        if (
            cleaned["kind"] == QuestionType.ESSAY
            and "rubric" in self.fields
            and not cleaned.get("rubric")
        ):
            self.add_error("rubric", _("A written task needs a rubric: graders mark against it."))
        return cleaned


class QuizForm(WagtailAdminModelForm):
    """A fixed quiz needs questions; a random one needs draws."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        name = "fixed_questions" if cleaned.get("selection") == Selection.FIXED else "draws"
        formset = self.formsets.get(name)
        if formset is not None and formset.is_valid():
            kept = [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
            if not kept:
                self.add_error(
                    None,
                    _("List the quiz's questions.")
                    if name == "fixed_questions"
                    else _("Say how many questions to draw from which categories."),
                )
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The quiz must close after it opens."))
        return cleaned


class CategoryViewSet(SnippetViewSet):
    model = QuestionCategory
    icon = "folder-open-inverse"
    menu_label = _("Question categories")
    list_display = ["name", "description"]
    search_fields = ["name"]


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = _("Question bank")
    list_display = ["title", "kind", "category", LiveStatusTagColumn(label=_("Status"))]
    list_filter = ["kind", "category"]
    search_fields = ["title", "text"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("category"), FieldPanel("kind")]),
            FieldPanel("title"),
            FieldPanel("scenario"),
            FieldPanel("text"),
            FieldRowPanel([FieldPanel("text_format"), FieldPanel("default_mark")]),
            FieldPanel("general_feedback"),
            MultiFieldPanel(
                [FieldPanel("partial_credit"), FieldPanel("case_sensitive")],
                heading=_("Scoring"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("correct_answer"),
                    FieldPanel("feedback_true"),
                    FieldPanel("feedback_false"),
                ],
                heading=_("True or false"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("min_words"), FieldPanel("max_words")]),
                    FieldPanel("response_template"),
                    FieldPanel("model_answer"),
                    FieldPanel("rubric"),
                ],
                heading=_("Written task"),
            ),
            InlinePanel(
                "attachments",
                heading=_("Documents given with a written task"),
                label=_("Document"),
                panels=[FieldPanel("document")],
            ),
            InlinePanel(
                "options",
                heading=_("Options"),
                label=_("Option"),
                help_text=_(
                    "Choices and scenario questions: text, credit and feedback. Short answer: "
                    "each accepted answer (* matches anything). Numeric: number and tolerance. "
                    "Matching: the prompt as text and its matching answer. Ordering: the items "
                    "in the right order."
                ),
                panels=[
                    FieldPanel("text"),
                    FieldRowPanel([FieldPanel("weight"), FieldPanel("match")]),
                    FieldRowPanel([FieldPanel("value"), FieldPanel("tolerance")]),
                    FieldPanel("feedback"),
                ],
            ),
        ],
        base_form_class=QuestionForm,
    )


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = _("Quizzes")
    list_display = [
        "title",
        "slug",
        "selection",
        "pass_mark",
        LiveStatusTagColumn(label=_("Status")),
    ]
    search_fields = ["title", "slug"]
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldPanel("slug"),
            FieldPanel("description"),
            MultiFieldPanel(
                [
                    FieldPanel("selection"),
                    FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_options")]),
                ],
                heading=_("Questions"),
            ),
            InlinePanel("fixed_questions", heading=_("Fixed questions"), label=_("Question")),
            InlinePanel(
                "draws",
                heading=_("Random draw"),
                label=_("Draw"),
                panels=[
                    FieldPanel("category"),
                    FieldRowPanel([FieldPanel("count"), FieldPanel("include_subcategories")]),
                ],
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("pass_mark"), FieldPanel("grading_method")]),
                    FieldRowPanel([FieldPanel("attempts_allowed"), FieldPanel("delay_minutes")]),
                    FieldPanel("time_limit_minutes"),
                    FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                ],
                heading=_("Rules"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("review_score"),
                    FieldPanel("review_answers"),
                    FieldPanel("review_feedback"),
                ],
                heading=_("What learners see afterwards"),
            ),
        ],
        base_form_class=QuizForm,
    )


class QuizzesGroup(SnippetViewSetGroup):
    items = (QuizViewSet, QuestionViewSet, CategoryViewSet)
    menu_icon = "tasks"
    menu_label = _("Quizzes")
    menu_order = 250


register_snippet(QuizzesGroup)


@hooks.register("register_admin_urls")
def register_urls() -> list[Any]:
    from .admin_urls import urlpatterns

    return urlpatterns


# --- Statistics for trainers (issue #4, item 6): links to quizzes.admin_statistics ---------------
# A "Statistics" button on each row of the quiz listing, and a "Statistics" link in the action
# menu of the quiz edit view, shown to those who may see statistics (quizzes.statistics).


@hooks.register("register_snippet_listing_buttons")
def statistics_listing_button(snippet: Any, user: User, next_url: str | None = None) -> list[Any]:
    from django.urls import reverse
    from wagtail.admin.widgets.button import ListingButton

    from .permissions import can_view_statistics

    if not isinstance(snippet, Quiz) or not can_view_statistics(user):
        return []
    return [
        ListingButton(
            _("Statistics"),
            url=reverse("quizzes_statistics", args=[snippet.pk]),
            icon_name="table",
            attrs={"aria-label": _("Statistics of “%(title)s”") % {"title": snippet.title}},
            priority=50,
        )
    ]


@hooks.register("register_snippet_action_menu_item")
def statistics_action_menu_item(model: type) -> Any:
    from django.urls import reverse
    from wagtail.snippets.action_menu import ActionMenuItem

    from .permissions import can_view_statistics

    if model is not Quiz:
        return None

    class StatisticsMenuItem(ActionMenuItem):
        label = _("Statistics")
        name = "action-statistics"
        icon_name = "table"

        def is_shown(self, context: dict[str, Any]) -> bool:
            return (
                context.get("view") == "edit"
                and context.get("instance") is not None
                and can_view_statistics(context["request"].user)
            )

        def get_url(self, parent_context: dict[str, Any]) -> str:
            return reverse("quizzes_statistics", args=[parent_context["instance"].pk])

    return StatisticsMenuItem(order=90)


# --- Import and export of question files (issue #4, item 5): quizzes.admin_import -----------------
# Two top-level menu items, each shown only to those with its permission. Wagtail offers no hook to
# add items inside the "Quizzes" snippet group, so they sit right after it.


def _question_file_menu_item(
    label: Any, url_name: str, icon: str, order: int, allowed: Callable[[Any], bool]
) -> Any:
    from django.urls import reverse
    from wagtail.admin.menu import MenuItem

    class QuestionFileMenuItem(MenuItem):
        def is_shown(self, request: Any) -> bool:
            return allowed(request.user)

    return QuestionFileMenuItem(label, reverse(url_name), icon_name=icon, order=order)


grading_log_viewset = GradingLogViewSet()


@hooks.register("register_admin_viewset")
def register_grading_log_viewset() -> Any:
    return grading_log_viewset


@hooks.register("register_admin_menu_item")
def grading_log_menu_item() -> Any:
    from .permissions import can_grade_any_answer

    return _question_file_menu_item(
        _("Grading log"),
        grading_log_viewset.get_url_name("index"),
        "tasks",
        253,
        can_grade_any_answer,
    )


@hooks.register("register_admin_menu_item")
def import_questions_menu_item() -> Any:
    from .permissions import can_import_questions

    return _question_file_menu_item(
        _("Import questions"), "quizzes_import", "upload", 251, can_import_questions
    )


@hooks.register("register_admin_menu_item")
def export_questions_menu_item() -> Any:
    from .permissions import can_export_questions

    return _question_file_menu_item(
        _("Export questions"), "quizzes_export", "download", 252, can_export_questions
    )


# --- The CMS dashboard: the quizzes a trainer looks after (issue #11) ---------------------------


@hooks.register("construct_homepage_panels")
def add_home_panel(request: Any, panels: list[Any]) -> None:
    from django.urls import reverse

    from .permissions import can_import_questions, can_view_statistics

    user = request.user
    links: list[HomeLink] = []
    if can_view_statistics(user):
        links.append(
            HomeLink(
                url=reverse("wagtailsnippets_quizzes_quiz:list"),
                label=_("Quizzes and their statistics"),
                help=_(
                    "Open a quiz's Statistics to see how learners answer each question and "
                    "which questions may need rewording."
                ),
            )
        )
    if can_import_questions(user):
        links.append(
            HomeLink(
                url=reverse("quizzes_import"),
                label=_("Import questions"),
                help=_("Add questions to the question bank from a GIFT, Aiken or Moodle XML file."),
            )
        )
    from .permissions import can_open_grading_queue

    if can_open_grading_queue(user):
        links.append(
            HomeLink(
                url=reverse("quizzes:grading_queue"),
                label=_("Written work to grade"),
                help=_(
                    "Grade the written tasks learners submit, with their rubrics, oldest first."
                ),
            )
        )
    if links:
        panels.append(HomePanel(name="quizzes_home", heading=_("Quizzes"), links=links, order=60))


# --- Warnings on save (issue #15): question pools and item writing --------------------------------
# Advice, not errors: the object is saved, and the edit view it returns to shows each warning
# (quizzes.pools for a quiz, quizzes.lint for a question). A JSON save (autosave) shows none: the
# trainer sees them on the next full save.


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def warn_on_save(request: Any, instance: Any) -> None:
    from django.contrib import messages

    from .lint import question_lint
    from .pools import quiz_pool_warnings

    if not request.accepts("text/html"):
        return
    if isinstance(instance, Quiz):
        warnings: list[Any] = quiz_pool_warnings(instance)
    elif isinstance(instance, Question):
        warnings = question_lint(instance)
    else:
        return
    for warning in warnings:
        messages.warning(request, str(warning))
