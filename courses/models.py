"""Page types: HomePage → CourseIndexPage → CoursePage → ModulePage → LessonPage.

A course is a tree of pages so trainers get Wagtail's revisions, moderation and permissions for
free; the order of modules and lessons is the order of the pages in the tree.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page, PageViewRestriction
from wagtail.search import index

from core.api import Specialty, mark_cacheable, page_memo

from . import navigation, routing
from .blocks import LessonStreamBlock, OutcomesBlock
from .fields import SpecialtyListField

VERSION_RE = re.compile(r"^\d+\.\d+$")


class CoursePageMixin:
    """Shared by every page type of the course site."""

    path: str
    alias_of_id: int | None

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        """Serve the page; an anonymous reader's copy may be cached whole (core.page_cache)."""
        response = super().serve(request, *args, **kwargs)  # type: ignore[misc]
        return mark_cacheable(request, response)

    #: Set by ``routing.serve`` when the page memo knows that neither this page nor any page
    #: above it has a view restriction (most pages; every request asks).
    _zhusan_public = False

    def get_view_restrictions(self) -> Any:
        """The view restrictions on this page and its ancestors: none without a query when
        ``routing.serve`` found the page public, else one query (Wagtail's own method loads the
        ancestors first, to follow aliases; only an alias needs that)."""
        if self._zhusan_public and not self.alias_of_id:
            return PageViewRestriction.objects.none()
        if self.alias_of_id:
            return super().get_view_restrictions()  # type: ignore[misc]
        return PageViewRestriction.objects.filter(page__path__in=routing.ancestor_paths(self))


class HomePage(CoursePageMixin, Page):
    """The site's root page: a welcome and the way into the catalogue."""

    introduction = models.TextField(
        _("introduction"), blank=True, help_text=_("Markdown, shown under the title.")
    )

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CourseIndexPage"]
    template = "courses/home_page.html"

    class Meta:
        verbose_name = _("home page")

    def route(self, request: HttpRequest, path_components: list[str]) -> Any:
        """Find a page below the home page in one lookup by URL path instead of one query per
        path segment (Wagtail's default walks the tree and loads each level twice).

        Equivalent to the default because no page type below the home page overrides
        ``route``; when nothing matches (or a page type does override it), Wagtail's walk
        decides, so custom routing still works.
        """
        if path_components:
            url_path = f"{self.url_path}{'/'.join(path_components)}/"
            page = (
                Page.objects.filter(url_path=url_path, locale_id=self.locale_id).specific().first()
            )
            if page is None:
                page = self._source_page(path_components)
            if page is not None and type(page).route is Page.route:
                return page.route(request, [])
        return super().route(request, path_components)

    def _source_page(self, path_components: list[str]) -> Page | None:
        """A page not (yet) translated into this home page's language: the default language's
        page at the same path, served in this language's interface (as before a language had a
        tree of its own), so links and bookmarks keep working while translations are made."""
        source = self.source_home()
        if source is None:
            return None
        url_path = f"{source.url_path}{'/'.join(path_components)}/"
        page: Page | None = (
            Page.objects.filter(url_path=url_path, locale_id=source.locale_id).specific().first()
        )
        return page

    def source_home(self) -> Page | None:
        """The default language's home page, when this one is a translation of it."""
        if self.locale.language_code == settings.LANGUAGE_CODE:
            return None
        return Page.objects.filter(
            translation_key=self.translation_key, locale__language_code=settings.LANGUAGE_CODE
        ).first()

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["catalogue"] = CourseIndexPage.objects.live().child_of(self).first()
        return context


class CourseIndexPage(CoursePageMixin, Page):
    """The catalogue: every published course under it."""

    introduction = models.TextField(_("introduction"), blank=True, help_text=_("Markdown."))

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    parent_page_types = ["courses.HomePage"]
    subpage_types = ["courses.CoursePage"]
    template = "courses/course_index_page.html"

    class Meta:
        verbose_name = _("course catalogue")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        courses = CoursePage.objects.child_of(self)
        if get_language() != settings.LANGUAGE_CODE:
            # Courses not translated into this language yet are listed in their own language.
            source = Page.objects.filter(
                translation_key=self.translation_key, locale__language_code=settings.LANGUAGE_CODE
            ).first()
            if source is not None and source.pk != self.pk:
                courses = courses | CoursePage.objects.child_of(source).exclude(
                    translation_key__in=CoursePage.objects.child_of(self).values("translation_key")
                )
        context["courses"] = navigation.catalogue(courses)
        return context


class CompletionMode(models.TextChoices):
    """How a lesson of a course becomes complete for a learner."""

    MARK = "mark", _("The learner marks each lesson complete")
    REACH_END = "reach_end", _("A lesson completes when the learner reaches its end and moves on")


class CoursePage(CoursePageMixin, Page):
    """A course: the unit practitioners enrol in and certification tracks require."""

    summary = models.TextField(
        _("summary"), max_length=500, help_text=_("One or two sentences for the catalogue.")
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("Markdown, shown on the course overview.")
    )
    intended_specialties = SpecialtyListField(
        _("intended specialties"), help_text=_("Who the course is written for.")
    )
    estimated_hours = models.DecimalField(
        _("estimated hours"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    learning_outcomes = StreamField(OutcomesBlock(), blank=True, verbose_name=_("outcomes"))
    version = models.CharField(
        _("version"),
        max_length=20,
        default="1.0",
        validators=[RegexValidator(VERSION_RE, _("Use MAJOR.MINOR, for example 1.0 or 2.3."))],
        help_text=_(
            "MAJOR.MINOR. Raise MAJOR when practice changes enough that certificates earned on "
            "the old version should be refreshed."
        ),
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cover_alt = models.CharField(_("cover image alternative text"), max_length=250, blank=True)
    completion_mode = models.CharField(
        _("lesson completion"),
        max_length=16,
        choices=CompletionMode.choices,
        default=CompletionMode.MARK,
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("intended_specialties"),
                FieldPanel("estimated_hours"),
                FieldPanel("version"),
                FieldPanel("completion_mode"),
            ],
            heading=_("About the course"),
        ),
        FieldPanel("learning_outcomes"),
        MultiFieldPanel([FieldPanel("cover_image"), FieldPanel("cover_alt")], heading=_("Cover")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("description"),
    ]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]
    template = "courses/course_page.html"

    class Meta:
        verbose_name = _("course")

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        if self.cover_image_id and not self.cover_alt.strip():
            raise ValidationError({"cover_alt": _("A cover image needs alternative text.")})

    @property
    def major_version(self) -> int:
        """The MAJOR part of the version label."""
        return int(self.version.split(".", 1)[0])

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        # The same for every reader: kept until the next publish (core.page_memo).
        context["outline"] = page_memo(
            request,
            ("course-outline", self.pk, request.get_host(), get_language()),
            lambda: navigation.course_outline(
                modules=ModulePage.objects.child_of(self),
                lessons=LessonPage.objects.descendant_of(self),
                request=request,
            ),
        )
        known = set(Specialty.values)
        context["specialty_labels"] = [
            Specialty(value).label for value in self.intended_specialties if value in known
        ]
        return context


class ModulePage(CoursePageMixin, Page):
    """A module: a group of lessons with an introduction."""

    summary = models.TextField(_("summary"), max_length=500)
    introduction = models.TextField(_("introduction"), blank=True, help_text=_("Markdown."))
    assessment = models.ForeignKey(
        "quizzes.Quiz",
        verbose_name=_("module assessment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A quiz learners must pass to complete the module."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("introduction"),
        FieldPanel("assessment"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]
    template = "courses/module_page.html"

    class Meta:
        verbose_name = _("module")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        # The same for every reader: kept until the next publish (core.page_memo).
        context["course"], context["lessons"] = page_memo(
            request,
            ("module-context", self.pk, request.get_host(), get_language()),
            lambda: (
                self.get_parent(),
                navigation.module_lessons(
                    lessons=LessonPage.objects.child_of(self), request=request
                ),
            ),
        )
        return context


class LessonPage(CoursePageMixin, Page):
    """A lesson: the page practitioners read, made of blocks."""

    summary = models.TextField(_("summary"), max_length=500)
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated minutes"), validators=[MinValueValidator(1)]
    )
    body = StreamField(LessonStreamBlock(), verbose_name=_("body"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("estimated_minutes"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
    ]
    parent_page_types = ["courses.ModulePage"]
    subpage_types: list[str] = []
    template = "courses/lesson_page.html"

    class Meta:
        verbose_name = _("lesson")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        # The same for every reader: kept until the next publish (core.page_memo).
        context["nav"] = page_memo(
            request,
            ("lesson-nav", self.pk, request.get_host(), get_language()),
            lambda: navigation.lesson_navigation(lesson=self, request=request),
        )
        context["body_cache_seconds"] = settings.LESSON_BODY_CACHE_SECONDS
        return context

    def body_sections(self) -> list[dict[str, Any]]:
        """Split the body at content notes.

        Each section is ``{"note": block or None, "blocks": [...]}``: the blocks after a content
        note, up to the next one, belong to it and are folded away behind it on the page.
        """
        sections: list[dict[str, Any]] = [{"note": None, "blocks": []}]
        for block in self.body:
            if block.block_type == "content_note":
                sections.append({"note": block, "blocks": []})
            else:
                sections[-1]["blocks"].append(block)
        return [s for s in sections if s["note"] is not None or s["blocks"]]
