"""Playing an activity: the launch answer, the sandboxed player page, and the package's files.

How an activity reaches a learner (docs/h5p.md):

1. The lesson's activity block (the same HTML for every reader, so the lesson stays cacheable)
   names the activity's launch URL. ``static/activities/js/activity.js`` asks it, with the
   learner's session, for a player URL, the CSRF token and the saved state's id.
2. ``launch`` picks the version the learner plays (the one their attempt started on, else the
   current one) and signs a short-lived ticket naming the learner and the version.
3. The iframe loads ``embed`` with that ticket, inside ``sandbox="allow-scripts"`` (and the page's
   own ``Content-Security-Policy: sandbox allow-scripts``): the activity runs in an opaque
   origin, cannot read the site's cookies or storage, and cannot call the site as the learner.
   The ticket, not a cookie, says whose saved state to give the player; with
   ``H5P_CONTENT_ORIGIN`` the iframe is served from another origin altogether.
4. The player's bridge (``static/activities/js/frame.js``) sends statements and state to the
   parent with ``postMessage``; the parent checks the message's source and origin and posts
   them to ``/xapi/`` with the learner's session and CSRF token.
5. ``content_file`` and ``library_file`` serve the package's files, never as HTML: with
   ``X-Content-Type-Options: nosniff``, a Content-Security-Policy that allows nothing to run if
   one is opened directly, and CORS open to any origin (they are fetched from the opaque origin).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from core.api import mark_private
from learners.api import lesson_done

from . import selectors, services
from .models import Activity, ActivityVersion, H5PLibrary
from .storing import h5p_root

__all__ = ["content_file", "embed", "launch", "library_file"]

TICKET_SALT = "activities.embed"
TICKET_MAX_AGE = 12 * 60 * 60  # a lesson left open for a working day still saves

#: What each kind of package file is served as; anything else is refused (the upload's
#: allowlist already keeps other files out).
CONTENT_TYPES = {
    ".json": "application/json",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".bmp": "image/bmp",
    ".webp": "image/webp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".wav": "audio/wav",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".ogv": "video/ogg",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".vtt": "text/vtt",
    ".webvtt": "text/vtt",
    ".txt": "text/plain",
    ".md": "text/plain",
    ".csv": "text/csv",
    ".pdf": "application/pdf",
}

#: A package file opened on its own runs nothing and loads nothing.
FILE_POLICY = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"


def content_origin(request: HttpRequest) -> str:
    """The origin the player's iframe is served from (this site's, by default)."""
    return settings.H5P_CONTENT_ORIGIN or f"{request.scheme}://{request.get_host()}"


def _site_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


@require_GET
@never_cache
def launch(request: HttpRequest, activity_id: int) -> JsonResponse:
    """What the lesson page needs to start an activity for the reader (JSON)."""
    activity = get_object_or_404(Activity.objects.select_related("current_version"), pk=activity_id)
    if activity.current_version_id is None:
        return JsonResponse({"error": _("This activity has no package yet.")}, status=404)
    user = request.user if request.user.is_authenticated else None
    identity = selectors.identity_of(activity)
    if request.GET.get("status"):
        # After a completing statement: did it complete the activity, and the lesson?
        lesson_id = request.GET.get("page", "")
        status = {
            "completed": bool(user and selectors.completed(user=user, activity=identity)),
            "lesson_completed": bool(
                user and lesson_id.isdigit() and lesson_done(user=user, lesson_id=int(lesson_id))
            ),
        }
        return mark_private(JsonResponse(status))
    version: ActivityVersion | None = (
        services.attempt_version(user=user, activity=activity)
        if user is not None
        else activity.current_version
    )
    assert version is not None
    ticket = signing.dumps(
        {"u": user.pk if user else None, "v": version.pk, "a": activity.pk}, salt=TICKET_SALT
    )
    embed_url = f"{content_origin(request) if settings.H5P_CONTENT_ORIGIN else ''}"
    embed_url += f"/h5p/embed/{version.pk}/?ticket={ticket}"
    answer: dict[str, Any] = {
        "embed_url": embed_url,
        "frame_origin": settings.H5P_CONTENT_ORIGIN or "null",
        "activity_iri": activity.iri,
        "state_id": services.state_id(version),
        "signed_in": user is not None,
        "completed": bool(user and selectors.completed(user=user, activity=identity)),
    }
    if user is not None:
        answer["csrf_token"] = get_token(request)
        answer["actor"] = selectors.actor_for(user)
    response = JsonResponse(answer)
    return mark_private(response)


@require_GET
@xframe_options_exempt  # framing is decided by the policy's frame-ancestors (the site only)
def embed(request: HttpRequest, version_id: int) -> HttpResponse:
    """The player page that runs inside the sandboxed iframe."""
    try:
        ticket = signing.loads(
            request.GET.get("ticket", ""), salt=TICKET_SALT, max_age=TICKET_MAX_AGE
        )
    except signing.BadSignature:
        return HttpResponse(
            _("This activity link has expired. Reload the lesson page."),
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    if ticket.get("v") != version_id:
        raise Http404
    version = get_object_or_404(ActivityVersion.objects.select_related("activity"), pk=version_id)
    activity = version.activity
    previous_state = None
    if ticket.get("u"):
        previous_state = selectors.saved_state(
            user_id=ticket["u"], activity=activity, state_id=services.state_id(version)
        )
    base = settings.H5P_CONTENT_ORIGIN
    config = {
        "h5pJsonPath": f"{base}/h5p/content/{version.pk}",
        "librariesPath": f"{base}/h5p/libraries",
        "frameJs": base + static("h5p-standalone/frame.bundle.js"),
        "frameCss": base + static("h5p-standalone/styles/h5p.css"),
        "xAPIObjectIRI": activity.iri,
        "frame": False,
        "copyright": False,
        "export": False,
        "icon": False,
        "fullScreen": False,
        # The player renders in this page, not in an iframe of its own: this page already is
        # the sandbox, and an inner about:blank frame of a sandboxed page cannot be scripted.
        "embedType": "div",
        # H5P hands a saved state to the content only when autosaving is on; the bridge does
        # the saving (frame.js), so H5P's own timer only finds no server to post to.
        "saveFreq": 3600,
        "metadata": {"defaultLanguage": version.language or settings.LANGUAGE_CODE},
    }
    if previous_state:
        config["contentUserData"] = [{"state": previous_state}]
    parent_origin = _parent_origin(request)
    response = render(
        request,
        "activities/embed.html",
        {
            "config": config,
            "bridge": {
                "parent_origin": parent_origin,
                "activity_iri": activity.iri,
                "recording": bool(ticket.get("u")),
                "error_text": _("The activity could not be started. Reload the lesson page."),
            },
            "title": version.title,
            "language": version.language or settings.LANGUAGE_CODE,
        },
    )
    response["Content-Security-Policy"] = _embed_policy(request, parent_origin)
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    response._csp_exempt = True  # type: ignore[attr-defined]  # the policy above, not the site's
    return response


def _parent_origin(request: HttpRequest) -> str:
    """The lesson page's origin: the site (``SITE_URL``) when the iframe is on its own origin."""
    if settings.H5P_CONTENT_ORIGIN:
        parts = urlsplit(settings.SITE_URL)
        return f"{parts.scheme}://{parts.netloc}"
    return _site_origin(request)


def _embed_policy(request: HttpRequest, parent_origin: str) -> str:
    own = settings.H5P_CONTENT_ORIGIN or "'self'"
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {own}",
            f"style-src {own} 'unsafe-inline'",  # H5P libraries set style attributes
            f"img-src {own} data: blob:",
            f"media-src {own} blob:",
            f"font-src {own} data:",
            f"connect-src {own}",
            "frame-src 'none'",
            f"frame-ancestors {parent_origin}",
            "base-uri 'none'",
            "form-action 'none'",
            "sandbox allow-scripts",
        ]
    )


def _serve(request: HttpRequest, folder: Path, relative: str, *, immutable: bool) -> Any:
    target = (folder / relative).resolve()
    if not target.is_relative_to(folder.resolve()) or not target.is_file():
        raise Http404
    content_type = CONTENT_TYPES.get(target.suffix.lower())
    if content_type is None:
        raise Http404
    if content_type.startswith("text/") or content_type in {"application/json", "image/svg+xml"}:
        content_type += "; charset=utf-8"
    response = FileResponse(target.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_POLICY
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Cache-Control"] = (
        "public, max-age=31536000, immutable" if immutable else "public, max-age=3600"
    )
    response._csp_exempt = True  # type: ignore[attr-defined]
    return response


@require_GET
def content_file(request: HttpRequest, version_id: str, path: str) -> Any:
    """A file of one version's package (``h5p.json``, ``content/…``). Versions never change."""
    version = get_object_or_404(ActivityVersion.objects.only("h5p_json"), pk=version_id)
    if path == "h5p.json":
        response = HttpResponse(
            json.dumps(version.h5p_json), content_type="application/json; charset=utf-8"
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = FILE_POLICY
        response["Access-Control-Allow-Origin"] = "*"
        response["Cross-Origin-Resource-Policy"] = "cross-origin"
        response["Cache-Control"] = "public, max-age=31536000, immutable"
        response._csp_exempt = True  # type: ignore[attr-defined]
        return response
    if not path.startswith("content/"):
        raise Http404
    folder = h5p_root() / version.storage_folder
    return _serve(request, folder, path[len("content/") :], immutable=True)


@require_GET
def library_file(request: HttpRequest, folder: str, path: str) -> Any:
    """A file of an installed library, asked for as ``<Name>-<major>.<minor>/<file>``; the
    stored patch version answers (a newer patch replaces an older one for every activity)."""
    name, _dash, version = folder.rpartition("-")
    major, _dot, minor = version.partition(".")
    if not (name and major.isdigit() and minor.isdigit()):
        raise Http404
    library = get_object_or_404(
        H5PLibrary.objects.only("machine_name", "major", "minor", "patch"),
        machine_name=name,
        major=int(major),
        minor=int(minor),
    )
    return _serve(request, h5p_root() / library.storage_folder, path, immutable=False)
