"""StreamField blocks for lesson bodies.

Every block sets an icon, a template, a description and a preview value, so trainers see a live
preview in the block picker. Trainer-written text (Markdown, rich text) is always sanitised with
nh3 on the way out (see ``core.html``); the templates never mark stored text safe themselves.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

#: Rich-text features: no embeds or images inside rich text (they have blocks of their own with
#: required alt text and captions), no raw HTML.
RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link", "hr"]

PREVIEW_MARKDOWN = (
    "## Why routines matter\n\n"
    "Children who lived through **long uncertainty** often feel safer when the day is "
    "predictable.\n\n- Meals at set times\n- A short, calm bedtime ritual\n"
)


def _first_or_none(model_path: str) -> Any:
    """The first stored object of a model, for a block preview; ``None`` when there is none."""
    from django.apps import apps

    model = apps.get_model(model_path)
    return model.objects.order_by("pk").first()


class MarkdownBlock(blocks.TextBlock):
    """Markdown text, rendered with markdown-it-py and sanitised with nh3."""

    class Meta:
        icon = "doc-full"
        label = _("Markdown")
        template = "courses/blocks/markdown.html"
        description = _("Text written in Markdown: headings (##), lists, links, tables.")
        preview_value = PREVIEW_MARKDOWN
        form_classname = "monospace"


class SanitisedRichTextBlock(blocks.RichTextBlock):
    """Rich text from the editor, with a restricted feature set, sanitised on output."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        label = _("Rich text")
        template = "courses/blocks/rich_text.html"
        description = _("Formatted text written in the editor.")
        preview_value = (
            "<h2>Listening first</h2><p>Begin by asking what would help <b>today</b>.</p>"
        )


class ImageBlock(blocks.StructBlock):
    """An image with required alternative text and an optional caption."""

    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        max_length=250,
        help_text=_("Describe what the image shows for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)

    def get_preview_value(self) -> Any:
        return self.to_python(
            {
                "image": getattr(_first_or_none("wagtailimages.Image"), "pk", None),
                "alt_text": "A practitioner and a mother talking at a kitchen table",
                "caption": "A first home visit",
            }
        )

    class Meta:
        icon = "image"
        label = _("Image")
        template = "courses/blocks/image.html"
        description = _("A picture with alternative text (required) and a caption.")


class VideoBlock(blocks.StructBlock):
    """A video, uploaded (with a captions file) or embedded, always with a transcript."""

    video = DocumentChooserBlock(
        label=_("Video file"),
        required=False,
        help_text=_("An MP4 or WebM file. Use this or an embed, not both."),
    )
    embed = EmbedBlock(
        label=_("Embed URL"),
        required=False,
        help_text=_("A video page address. Only works where the site can reach it."),
    )
    captions = DocumentChooserBlock(
        label=_("Captions (WebVTT)"),
        required=False,
        help_text=_("A .vtt captions file; required for an uploaded video."),
    )
    transcript = blocks.TextBlock(
        label=_("Transcript"),
        help_text=_("The full text of what is said and shown, for people who cannot watch."),
    )

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        errors: dict[str, ErrorList] = {}
        has_file, has_embed = bool(value.get("video")), bool(value.get("embed"))
        if has_file == has_embed:
            message = _("Give either a video file or an embed URL (exactly one).")
            errors["video"] = ErrorList([ValidationError(message)])
        if has_file and not value.get("captions"):
            errors["captions"] = ErrorList(
                [ValidationError(_("An uploaded video needs a captions file."))]
            )
        captions = value.get("captions")
        if captions and not captions.file.name.lower().endswith(".vtt"):
            errors["captions"] = ErrorList(
                [ValidationError(_("Captions must be a WebVTT (.vtt) file."))]
            )
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return value

    def get_preview_value(self) -> Any:
        return self.to_python(
            {
                "video": None,
                "embed": None,
                "captions": None,
                "transcript": "A trainer explains the three steps of a calm first visit.",
            }
        )

    class Meta:
        icon = "media"
        label = _("Video")
        template = "courses/blocks/video.html"
        description = _("A video with captions and a transcript.")


class ContentNoteBlock(blocks.StructBlock):
    """A note shown before difficult material.

    On a lesson page, everything after the note (up to the next note) is folded away until the
    reader chooses to continue, with a link to pause and come back later.
    """

    note = blocks.TextBlock(
        label=_("What the following material touches on"),
        help_text=_("Say plainly what is coming, without detail. E.g. 'the loss of a parent'."),
    )

    class Meta:
        icon = "warning"
        label = _("Content note")
        template = "courses/blocks/content_note.html"
        description = _("Shown before difficult material, with a way to pause and come back.")
        preview_value = {
            "note": "The next section talks about children who lost a parent, without detail."
        }


class ReflectionPromptBlock(blocks.StructBlock):
    """A question for the practitioner to think through."""

    prompt = blocks.TextBlock(label=_("Prompt (Markdown)"))

    class Meta:
        icon = "help"
        label = _("Reflection prompt")
        template = "courses/blocks/reflection.html"
        description = _("A question that asks practitioners to relate the lesson to their work.")
        preview_value = {
            "prompt": "Think of a family who did not want to talk to you. "
            "What might they have been protecting?"
        }


class CaseScenarioBlock(blocks.StructBlock):
    """A case scenario. Always labelled as a composite: no real person is ever described."""

    title = blocks.CharBlock(label=_("Title"), max_length=200)
    body = blocks.TextBlock(
        label=_("Scenario (Markdown)"),
        help_text=_(
            "A composite of many situations. Never describe a real or identifiable person."
        ),
    )

    class Meta:
        icon = "group"
        label = _("Case scenario")
        template = "courses/blocks/scenario.html"
        description = _("A composite case, labelled as such on the page.")
        preview_value = {
            "title": "A first week at a new school",
            "body": "A ten-year-old girl has joined a class mid-year. Her teacher notices...",
        }


class KeyTakeawaysBlock(blocks.StructBlock):
    """The few points a practitioner should keep from the lesson."""

    items = blocks.ListBlock(blocks.CharBlock(max_length=300), label=_("Takeaways"), min_num=1)

    class Meta:
        icon = "list-ul"
        label = _("Key takeaways")
        template = "courses/blocks/takeaways.html"
        description = _("A short list of what to remember.")
        preview_value = {
            "items": [
                "Safety and predictability come before talking about the past.",
                "Offer choices, even small ones.",
            ]
        }


class ResourceBlock(blocks.StructBlock):
    """A file to download: a handout, a worksheet, a checklist."""

    document = DocumentChooserBlock(label=_("File"))
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    description = blocks.TextBlock(label=_("Description"), required=False)

    def get_preview_value(self) -> Any:
        return self.to_python(
            {
                "document": getattr(_first_or_none("wagtaildocs.Document"), "pk", None),
                "title": "Self-care plan template",
                "description": "A one-page plan to fill in and keep.",
            }
        )

    class Meta:
        icon = "download"
        label = _("Downloadable resource")
        template = "courses/blocks/resource.html"
        description = _("A file practitioners can download and keep.")


class QuizBlock(blocks.StructBlock):
    """A quiz inside a lesson: its introduction and a way in. The attempt itself happens on the
    quiz's own page, so the lesson stays the same for every reader (and cacheable)."""

    quiz = SnippetChooserBlock("quizzes.Quiz", label=_("Quiz"))
    required = blocks.BooleanBlock(
        label=_("Required for completing the course"), required=False, default=True
    )

    def get_preview_value(self) -> Any:
        return self.to_python(
            {"quiz": getattr(_first_or_none("quizzes.Quiz"), "pk", None), "required": True}
        )

    class Meta:
        icon = "tasks"
        label = _("Quiz")
        template = "courses/blocks/quiz.html"
        description = _("A quiz from the question bank; it can count towards completion.")


class ActivityBlock(blocks.StructBlock):
    """An interactive activity (an H5P package from CMS → Interactive activities). It plays in a
    sandboxed frame that the page's script opens for each reader, so the lesson's HTML stays the
    same for everyone (and cacheable)."""

    activity = SnippetChooserBlock("activities.Activity", label=_("Interactive activity"))
    required = blocks.BooleanBlock(
        label=_("Required for completing the course"), required=False, default=True
    )

    def get_preview_value(self) -> Any:
        return self.to_python(
            {
                "activity": getattr(_first_or_none("activities.Activity"), "pk", None),
                "required": True,
            }
        )

    class Meta:
        icon = "media"
        label = _("Interactive activity")
        template = "courses/blocks/activity.html"
        description = _(
            "An H5P activity (a scenario, a drag-and-drop, flashcards); completing it can count "
            "towards completion."
        )


class LessonStreamBlock(blocks.StreamBlock):
    """The blocks a lesson body is made of."""

    markdown = MarkdownBlock()
    rich_text = SanitisedRichTextBlock()
    image = ImageBlock()
    video = VideoBlock()
    content_note = ContentNoteBlock()
    reflection = ReflectionPromptBlock()
    scenario = CaseScenarioBlock()
    takeaways = KeyTakeawaysBlock()
    resource = ResourceBlock()
    quiz = QuizBlock()
    activity = ActivityBlock()


class OutcomesBlock(blocks.StreamBlock):
    """A course's learning outcomes, one sentence each."""

    outcome = blocks.CharBlock(
        max_length=300,
        icon="tick",
        label=_("Outcome"),
        template="courses/blocks/outcome.html",
        description=_("One thing a practitioner will be able to do after the course."),
        preview_value="Explain how long danger affects a child's sleep and attention.",
    )
