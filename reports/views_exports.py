"""The dashboard's exports: asking for one, following its progress, downloading it.

The buttons of ``templates/reports/includes/export_panel.html`` post the view's name and its
filters to :func:`export_request`; the job is built by a Celery task (``export_jobs``). The page
lists the reader's recent exports; ``static/js/report_exports.js`` polls :func:`export_status`
every two seconds while one is being built (without JavaScript, a "Refresh" link reloads the
page). Only the requester sees a job's status or downloads its file: for anyone else both answer
404, as if it did not exist. Every request and every download is in the audit log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.api import AuthenticatedRequest, mark_private

from .export_jobs import (
    ERROR_REFUSED,
    TooManyExports,
    export_content_type,
    export_download_record,
    export_file_path,
    export_filename,
    export_job_create,
    export_job_for_download,
)
from .filters import scope_for
from .models import ExportJob

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["export_download", "export_request", "export_status", "status_label"]


def _back(request: HttpRequest) -> str:
    """Where to go after asking: the page the form was on, or the dashboard."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("reports:dashboard")


@login_required
@require_POST
def export_request(request: AuthenticatedRequest) -> HttpResponse:
    """Ask for an export of the posted ``view`` as ``format`` with the filters ``query``; back
    to the page with a message. 403 without a dashboard scope (or a list of names without the
    right to see names); 400 naming the problem for an unknown view or format."""
    if scope_for(request.user) is None:
        raise PermissionDenied
    try:
        export_job_create(
            user=request.user,
            view=request.POST.get("view", ""),
            format=request.POST.get("format", ""),
            query=request.POST.get("query", ""),
            language=get_language() or "",
        )
    except TooManyExports as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(_back(request))
    except ValidationError as error:
        return HttpResponse(
            " ".join(error.messages), status=400, content_type="text/plain; charset=utf-8"
        )
    messages.success(
        request,
        _("Your export is being prepared. It appears under “Your exports” when it is ready."),
    )
    return HttpResponseRedirect(_back(request))


def status_label(job: ExportJob) -> str:
    """What the page says of a job: its status, and why it failed."""
    if job.status == ExportJob.Status.FAILED:
        if job.error == ERROR_REFUSED:
            return _("Failed: you may no longer export this view.")
        return _("Failed: please try again, or tell the administrator if it fails again.")
    return str(job.get_status_display())


def _download_url(job: ExportJob) -> str:
    if job.status != ExportJob.Status.DONE or export_file_path(job) is None:
        return ""
    return reverse("reports:export_download", args=[job.pk])


@login_required
@require_GET
def export_status(request: AuthenticatedRequest, job_id: int) -> JsonResponse:
    """The job's progress as JSON (``status``, ``percent``, ``done``, ``total``,
    ``download_url``, ``label``); 404 for anyone but its requester."""
    job = ExportJob.objects.filter(pk=job_id, user_id=request.user.pk).first()
    if job is None:
        raise Http404
    response = JsonResponse(
        {
            "status": job.status,
            "percent": job.percent,
            "done": job.done,
            "total": job.total,
            "download_url": _download_url(job),
            "label": status_label(job),
        }
    )
    return mark_private(response)


@login_required
@require_GET
def export_download(request: AuthenticatedRequest, job_id: int) -> FileResponse:
    """The export's file, streamed, for its requester only (404 for anyone else, or once it is
    deleted); the download is written to the audit log."""
    job = export_job_for_download(user=request.user, job_id=job_id)
    path = export_file_path(job) if job is not None else None
    if job is None or path is None:
        raise Http404
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=export_filename(job),
        content_type=export_content_type(job),
    )
    export_download_record(user=request.user, job=job)
    return mark_private(response)
