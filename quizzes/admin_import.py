"""The CMS pages to import a GIFT or Aiken file (``/admin/quizzes/import/``) and to export a
category as GIFT (``/admin/quizzes/export/``).

Both run in the request: question files are small (at most 2 MB, a few hundred questions), and
the import is one transaction that either stores every question or nothing. Importing is
idempotent, so posting the same file twice is harmless.

Wagtail's admin gate runs first: anonymous visitors, and signed-in users without admin access,
are sent to the admin sign-in page. Users with admin access but without the permission
(``quizzes.add_question`` to import, ``quizzes.view_question`` to export) get a 403.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from core.api import admin_refusal

from .exporting import questions_export, questions_export_moodle_xml
from .importing import questions_import
from .models import QuestionCategory
from .permissions import can_export_questions, can_import_questions, can_publish_questions

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
#: Moodle XML carries its images, so it may be larger (the CMS request limit still applies).
MAX_XML_UPLOAD_BYTES = 10 * 1024 * 1024


class ImportForm(forms.Form):
    """A question file, its format, the category it goes to, and how to import it."""

    file = forms.FileField(
        label=_("Question file"),
        help_text=_(
            "A Moodle GIFT file or an Aiken file (UTF-8, at most 2 MB), or a Moodle XML file "
            "with its images (at most 10 MB)."
        ),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("gift", _("GIFT (Moodle)")),
            ("xml", _("Moodle XML")),
            ("aiken", _("Aiken")),
        ],
        initial="gift",
    )
    category = forms.ModelChoiceField(
        label=_("Existing category"),
        queryset=QuestionCategory.objects.all(),
        required=False,
        help_text=_(
            "Optional for a GIFT file: its $CATEGORY lines name the categories of the questions "
            "after them. Questions before any $CATEGORY line (and every question of an Aiken "
            "file) go here."
        ),
    )
    new_category = forms.CharField(
        label=_("or a new category"),
        max_length=255,
        required=False,
        help_text=_("Use / to nest categories, for example “Trauma-informed care/Module 1”."),
    )
    nest = forms.BooleanField(
        label=_("Put the file's categories inside this category"),
        required=False,
        help_text=_(
            "For example, $CATEGORY: Module 1 then goes to “<this category>/Module 1”. Leave "
            "it unticked to use the file's categories as they are."
        ),
    )
    skip_unsupported = forms.BooleanField(
        label=_(
            "Skip what the quiz engine cannot store (essays, descriptions) and list it, "
            "instead of refusing the file"
        ),
        required=False,
    )
    dry_run = forms.BooleanField(label=_("Check only: store nothing"), required=False)

    def clean_file(self) -> Any:
        """The file's text (a Moodle XML file: the upload, read as a stream); the upload itself
        is not kept."""
        upload = self.cleaned_data["file"]
        if self.data.get("format") == "xml":
            if upload.size > MAX_XML_UPLOAD_BYTES:
                raise forms.ValidationError(_("The file is larger than 10 MB."))
        elif upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        self.filename = upload.name
        if self.data.get("format") == "xml":
            upload.seek(0)
            return upload
        try:
            return str(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(
                _(
                    "%(name)s is not UTF-8 text (byte %(byte)s); "
                    "save it as UTF-8 and upload it again."
                ),
                params={"name": upload.name, "byte": exc.start},
            ) from None

    def clean(self) -> dict[str, Any]:
        """At most one of an existing category and a new name (``category_name`` is the one, or
        ""); one is needed for an Aiken file and to put the file's categories inside it."""
        super().clean()
        cleaned = self.cleaned_data
        existing, new = cleaned.get("category"), (cleaned.get("new_category") or "").strip()
        if existing and new:
            self.add_error(
                "new_category", _("Choose an existing category or name a new one, not both.")
            )
        elif not existing and not new and cleaned.get("format") == "aiken":
            self.add_error(
                "category", _("An Aiken file has no categories: choose one or name a new one.")
            )
        elif not existing and not new and cleaned.get("nest"):
            self.add_error(
                "category",
                _("Choose the category to put the file's categories in, or untick that box."),
            )
        cleaned["category_name"] = existing.name if existing else new
        return cleaned


class ExportForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=QuestionCategory.objects.all(), required=True
    )
    subcategories = forms.BooleanField(
        label=_("With the categories inside it"), required=False, initial=True
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("gift", _("GIFT (Moodle)")), ("xml", _("Moodle XML, with images"))],
        initial="gift",
        required=False,
    )


def _refused(request: HttpRequest, *, title: Any, icon: str, message: Any) -> HttpResponse:
    who = _("Trainers and course reviewers can; ask an administrator if you need access.")
    return admin_refusal(request, title=title, icon=icon, message=f"{message} {who}")


def import_questions(request: HttpRequest) -> HttpResponse:
    """The upload form; on a post, the import's result: its counts, or every problem found."""
    if not can_import_questions(request.user):
        return _refused(
            request,
            title=_("Import questions"),
            icon="upload",
            message=_("You do not have permission to add questions to the question bank."),
        )
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        report = questions_import(
            text=data["file"],
            fmt=data["format"],
            category=data["category_name"],
            nest=data["nest"],
            skip_unsupported=data["skip_unsupported"],
            dry_run=data["dry_run"],
            filename=form.filename,
            # Reviewed like pages: only those who may publish questions import them live.
            publish=can_publish_questions(request.user),
            user=request.user,
        )
    return render(
        request,
        "quizzes/admin/import.html",
        {
            "form": form,
            "report": report,
            "bank_url": reverse("wagtailsnippets_quizzes_question:list"),
        },
    )


def export_questions(request: HttpRequest) -> HttpResponse:
    """Choose a category; see what GIFT cannot hold; download the ``.gift`` file."""
    if not can_export_questions(request.user):
        return _refused(
            request,
            title=_("Export questions"),
            icon="download",
            message=_("You do not have permission to see the question bank."),
        )
    form = ExportForm(request.GET if "category" in request.GET else None)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        category = form.cleaned_data["category"]
        xml = form.cleaned_data.get("format") == "xml"
        export = questions_export_moodle_xml if xml else questions_export
        subcategories = form.cleaned_data["subcategories"]
        result = export(category=category, include_subcategories=subcategories)
        if request.GET.get("download"):
            content_type = "application/xml" if xml else "text/plain; charset=utf-8"
            response = HttpResponse(result.text, content_type=content_type)
            name = slugify(category.name.replace("/", " "), allow_unicode=True) or "questions"
            # Never None for an attachment; the fallback only satisfies the type.
            response["Content-Disposition"] = (
                content_disposition_header(
                    as_attachment=True, filename=f"{name}.{'xml' if xml else 'gift'}"
                )
                or "attachment"
            )
            return response
        query: dict[str, Any] = {"category": category.pk, "download": 1}
        if form.cleaned_data["subcategories"]:
            query["subcategories"] = "on"
        if xml:
            query["format"] = "xml"
        context.update(
            category=category,
            result=result,
            xml=xml,
            download_url=f"{request.path}?{urlencode(query)}",
        )
    return render(request, "quizzes/admin/export.html", context)


urlpatterns: list[Any] = [
    path("quizzes/import/", import_questions, name="quizzes_import"),
    path("quizzes/export/", export_questions, name="quizzes_export"),
]
