"""CMS → Interactive activities: upload H5P packages, see what each holds, replace them."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList, Panel
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Activity
from .package.validation import Limits, PackageInvalid, validate_package
from .selectors import versions_of
from .services import activity_upload
from .storing import _installed

__all__ = ["ActivityForm", "ActivityViewSet"]


def _upload_path(upload: UploadedFile) -> tuple[Path, Any]:
    """A path on disk holding the upload (Django keeps large ones in a temporary file already);
    the second value keeps a temporary copy alive until it is closed."""
    temporary_path = getattr(upload, "temporary_file_path", None)
    if temporary_path is not None:
        return Path(temporary_path()), None
    handle = tempfile.NamedTemporaryFile(suffix=".h5p")  # noqa: SIM115 - the caller closes it
    for chunk in upload.chunks():
        handle.write(chunk)
    handle.flush()
    return Path(handle.name), handle


class ActivityForm(WagtailAdminModelForm):
    """The activity's details and, on creation or to replace it, its package."""

    package = forms.FileField(
        label=_("H5P package"),
        required=False,
        help_text=_(
            "An .h5p file. It is checked before anything is stored. Uploading a new package "
            "replaces the activity for new learners; those who started the old one keep it "
            "until they finish."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".h5p"}),
    )

    def clean_package(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("package")
        if not upload:
            if self.instance.pk is None or self.instance.current_version_id is None:
                raise forms.ValidationError(_("Choose an .h5p file to upload."))
            return None
        limits = Limits.from_settings()
        if upload.size is not None and upload.size > limits.max_package_bytes:
            raise forms.ValidationError(
                _("%(name)s is %(size)s MB; the largest package accepted is %(limit)s MB.")
                % {
                    "name": upload.name,
                    "size": round(upload.size / 2**20, 1),
                    "limit": round(limits.max_package_bytes / 2**20),
                }
            )
        path, keep = _upload_path(upload)
        try:
            validate_package(path, installed=_installed, limits=limits)
        except PackageInvalid as exc:
            raise forms.ValidationError(
                [
                    forms.ValidationError(
                        _("%(name)s: %(problem)s"), params={"name": upload.name, "problem": str(p)}
                    )
                    for p in exc.problems
                ]
            ) from exc
        finally:
            if keep is not None:
                keep.close()
        return upload

    def save(self, commit: bool = True) -> Activity:
        activity: Activity = super().save(commit=commit)
        upload = self.cleaned_data.get("package")
        if upload and commit:
            path, keep = _upload_path(upload)
            try:
                user = getattr(self, "for_user", None)
                activity_upload(activity=activity, path=path, user=user)
            finally:
                if keep is not None:
                    keep.close()
        return activity


class VersionsPanel(Panel):
    """The activity's packages, newest first: what each holds and who started on it."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "activities/admin/versions_panel.html"

        def get_context_data(self, parent_context: Any = None) -> Any:
            context = super().get_context_data(parent_context)
            instance = self.instance
            context["versions"] = versions_of(instance) if instance.pk else []
            return context


class _PackageColumn(Column):
    def get_value(self, instance: Activity) -> str:
        version = instance.current_version
        if version is None:
            return "—"
        return f"{version.main_library} {version.library_version} · {version.license or '—'}"


class ActivityViewSet(SnippetViewSet):
    model = Activity
    icon = "media"
    menu_label = _("Interactive activities")
    menu_order = 310
    add_to_admin_menu = True
    list_display = [
        "title",
        "slug",
        _PackageColumn("package", label=_("Main library and licence")),
    ]
    search_fields = ["title", "slug"]

    def get_queryset(self, request: Any) -> Any:
        return Activity.objects.select_related("current_version", "locale")

    def get_edit_handler(self) -> Any:
        return ObjectList(
            [
                FieldPanel("title"),
                FieldPanel("slug"),
                FieldPanel("description"),
                FieldPanel("mastery_score"),
                FieldPanel("package"),
                VersionsPanel(heading=_("Packages")),
            ],
            base_form_class=ActivityForm,
        ).bind_to_model(Activity)


register_snippet(ActivityViewSet)
