"""The CMS page to upload a specialists file; the import runs as a Celery task with progress."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.api import invitations_progress, invitations_retry
from core.api import enqueue_on_commit

from .import_jobs import specialist_import_job_create, specialist_import_job_restart
from .permissions import can_import_specialists
from .selectors import specialist_import_job_status, specialist_import_jobs_recent

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns, regions and encodings: see “How to prepare the file” above."),
    )
    partial = forms.BooleanField(
        label=_("Import the valid rows even if some rows are invalid"), required=False
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(
                _("%(name)s is not a CSV file (.csv or .txt)."), params={"name": upload.name}
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


def _check(request: HttpRequest) -> None:
    if not can_import_specialists(request.user):
        raise PermissionDenied


def upload(request: HttpRequest) -> HttpResponse:
    """Upload a file; the import is queued once the job is committed."""
    _check(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        from .tasks import import_specialists_job

        upload_file = form.cleaned_data["file"]
        job = specialist_import_job_create(
            filename=upload_file.name,
            data=upload_file.read(),
            partial=form.cleaned_data["partial"],
            by=request.user if request.user.is_authenticated else None,
            language=get_language() or settings.LANGUAGE_CODE,
        )
        # A broker that is down fails nothing: the sweep queues the job later (``tasks``).
        enqueue_on_commit(import_specialists_job, job.pk)
        return HttpResponseRedirect(reverse("learners_import_status", args=[job.pk]))
    jobs = specialist_import_jobs_recent()
    return render(request, "learners/admin/import_upload.html", {"form": form, "jobs": jobs})


def status(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job's progress; the page refreshes itself until the import has finished."""
    _check(request)
    job = specialist_import_job_status(job_id=job_id)
    if job is None:
        raise Http404
    invitation_ids = job.result.get("invitations", []) if isinstance(job.result, dict) else []
    sent, total = invitations_progress(invitation_ids=invitation_ids)
    return render(
        request,
        "learners/admin/import_status.html",
        {
            "job": job,
            "invitations_sent": sent,
            "invitations_total": total,
            "invitations_percent": round(100 * sent / total) if total else 100,
            "sending": sent < total,
        },
    )


@require_POST
def send_invitations(request: HttpRequest, job_id: int) -> HttpResponse:
    """Send now the job's invitations that are still waiting (their task was lost)."""
    _check(request)
    job = specialist_import_job_status(job_id=job_id)
    if job is None:
        raise Http404
    invitation_ids = job.result.get("invitations", []) if isinstance(job.result, dict) else []
    count = invitations_retry(invitation_ids=invitation_ids)
    if count:
        messages.success(
            request,
            ngettext(
                "%(n)d waiting invitation is being sent.",
                "%(n)d waiting invitations are being sent.",
                count,
            )
            % {"n": count},
        )
    else:
        messages.info(request, gettext("No invitation is waiting: every one has been sent."))
    return HttpResponseRedirect(reverse("learners_import_status", args=[job.pk]))


@require_POST
def restart(request: HttpRequest, job_id: int) -> HttpResponse:
    """Queue again a job that failed (its worker died): importing a file again writes nothing
    twice (``importing``)."""
    _check(request)
    job = specialist_import_job_status(job_id=job_id)
    if job is None:
        raise Http404
    if specialist_import_job_restart(job_id=job.pk):
        from .tasks import import_specialists_job

        enqueue_on_commit(import_specialists_job, job.pk)
        messages.success(request, gettext("The import was restarted."))
    else:
        messages.info(request, gettext("Only a failed import can be restarted."))
    return HttpResponseRedirect(reverse("learners_import_status", args=[job.pk]))
