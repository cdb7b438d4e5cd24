"""The CMS's Certificates section, ``/admin/certificates/``: who is certified, each certificate's
record, and revocation (issue #5, items 1 and 5).

- ``/admin/certificates/``: every certificate, newest first, searchable by the holder's name or
  the verification code (as typed), filtered by certification, status, region and specialty,
  and downloadable as CSV or XLSX (``?export=csv``, ``?export=xlsx``) with region and specialty.
- ``/admin/certificates/inspect/<id>/``: the whole record: holder, certification, code (linked
  to its public page), dates, status, the course versions it was earned on, the renewal chain,
  and who revoked it, when and why.
- ``/admin/certificates/revoke/<id>/``: revoke with a reason, through
  ``services.certificate_revoke``; a Wagtail log entry (``certification.revoke``) records it in
  the certificate's history too.
- ``/admin/certificates/history/<id>/``: the certificate's log entries.

Certificates are issued by the system only: there is no add, edit, copy or delete view, and the
permission policy refuses those actions to everyone, the site administrator included.

Who may do what is decided in one place each: ``permissions.can_view_certificates`` (the
permission ``certification.view_certificate``) and ``permissions.can_revoke``
(``certification.revoke_certificate``). Wagtail's admin gate runs first: anonymous visitors, and
signed-in users without CMS access, are sent to the admin sign-in page. CMS users without the
permission get a 403 page that says so (like the quiz statistics and import pages), rather than
Wagtail's silent redirect to the dashboard.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

import django_filters
from django import forms
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Permission, User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.log_actions import LogFormatter
from wagtail.permission_policies import ModelPermissionPolicy

from core.api import AuthenticatedRequest, Specialty, admin_refusal, spreadsheet_safe
from learners.api import can_view_reports, region_choices, region_name

from .models import Certificate, CertificateStatus, CertificationTrack
from .permissions import can_edit_tracks, can_revoke, can_view_certificates
from .selectors import (
    ChainCertificate,
    ListedCertificate,
    certificate_history,
    certificate_list,
    certificate_search,
)
from .services import RevocationRefused, certificate_revoke

ICON = "clipboard-list"


# --- what a row shows -----------------------------------------------------------------------------


def cycle_label(sequence: int) -> str:
    """ "First" for a first certificate, "Renewal n" for the n-th renewal."""
    if sequence <= 1:
        return _("First")
    return _("Renewal %(number)s") % {"number": sequence - 1}


def status_label(status: str) -> str:
    return str(CertificateStatus(status).label)


def region_label(code: str | None) -> str:
    return region_name(code) if code else ""


def specialty_label(value: str | None) -> str:
    return str(Specialty(value).label) if value in Specialty.values else ""


def person_name(user: User | None) -> str:
    """A CMS user's name as people read it (who revoked a certificate)."""
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


# --- permissions ----------------------------------------------------------------------------------


class CertificatePermissionPolicy(ModelPermissionPolicy):
    """Viewing and revoking only: certificates are issued by the system, never added, edited or
    deleted by hand, whoever asks (the superuser's "all permissions" included)."""

    def user_has_permission(self, user: User | AnonymousUser, action: str) -> bool:
        if action == "view":
            return can_view_certificates(user)
        if action == "revoke":
            return can_revoke(user)
        return False

    def users_with_any_permission(self, actions: Any) -> Any:
        allowed = [action for action in actions if action in ("view", "revoke")]
        if not allowed:
            return get_user_model().objects.none()
        return super().users_with_any_permission(allowed)


def _refused(request: HttpRequest, message: str) -> HttpResponse:
    return admin_refusal(request, title=_("Certificates"), icon=ICON, message=message)


def refuse_unless(
    allowed: Callable[[Any], bool], message: Callable[[], str]
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A view decorator: a 403 page with ``message`` unless ``allowed(request.user)``, checked
    before anything else (so a refused user learns nothing about which certificates exist)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not allowed(request.user):
                return _refused(request, message())
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _cannot_view() -> str:
    return _(
        "You do not have permission to see certificates. Ministry administrators can; ask a "
        "site administrator if you need access."
    )


def _cannot_revoke() -> str:
    return _(
        "You do not have permission to revoke certificates. Ministry administrators can; ask a "
        "site administrator if you need access."
    )


# --- the listing ----------------------------------------------------------------------------------


class CertificateFilterSet(WagtailFilterSet):
    """Certification, status (as the verification page shows it), and the holder's region and
    specialty from their profile."""

    track = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Certification"),
        queryset=CertificationTrack.objects.order_by("name"),
        empty_label=gettext_lazy("All"),
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        field_name="current_status",
        choices=CertificateStatus.choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )
    region = django_filters.ChoiceFilter(
        label=gettext_lazy("Region"),
        field_name="user__profile__region",
        choices=lambda: region_choices(),
        empty_label=gettext_lazy("All"),
    )
    specialty = django_filters.ChoiceFilter(
        label=gettext_lazy("Specialty"),
        field_name="user__profile__specialty",
        choices=Specialty.choices,
        empty_label=gettext_lazy("All"),
    )

    class Meta:
        model = Certificate
        fields: list[str] = []


#: Export columns: heading and value of each.
EXPORT_COLUMNS: dict[str, tuple[Any, Callable[[ListedCertificate], Any]]] = {
    "holder_name": (gettext_lazy("Holder"), lambda c: c.holder_name),
    "certification": (gettext_lazy("Certification"), lambda c: c.track.localized_name),
    "cycle": (gettext_lazy("Cycle"), lambda c: cycle_label(c.sequence)),
    "issued_on": (gettext_lazy("Issued on"), lambda c: c.issued_on),
    "expires_on": (gettext_lazy("Expires on"), lambda c: c.expires_on),
    "status": (gettext_lazy("Status"), lambda c: status_label(c.current_status)),
    "region": (gettext_lazy("Region"), lambda c: region_label(c.holder_region)),
    "specialty": (gettext_lazy("Specialty"), lambda c: specialty_label(c.holder_specialty)),
    "code": (gettext_lazy("Verification code"), lambda c: c.code),
}


class CertificateIndexView(IndexView):
    """Every certificate (``selectors.certificate_list``): one query for the page of rows."""

    any_permission_required = ["view"]

    def get_base_queryset(self) -> QuerySet[ListedCertificate]:
        return certificate_list(user=self.request.user)

    @cached_property
    def header_buttons(self) -> list[Any]:
        """The dashboard's figures by region and specialty, for those who read it (the ministry,
        coordinators, administrators): certificates and figures link both ways."""
        if not can_view_reports(self.request.user):
            return []
        return [HeaderButton(_("Dashboard"), url=reverse("reports:dashboard"), icon_name="table")]

    @cached_property
    def columns(self) -> list[Any]:
        columns: list[Any] = super().columns
        columns[0].label = _("Holder")  # the title column, linking to the record
        return columns

    def order_queryset(self, queryset: QuerySet[ListedCertificate]) -> QuerySet[ListedCertificate]:
        ordered = super().order_queryset(queryset)
        return ordered.order_by(*ordered.query.order_by, "-pk")  # stable pages

    def search_queryset(self, queryset: QuerySet[ListedCertificate]) -> QuerySet[ListedCertificate]:
        """Words of the holder's name, or a verification code as typed."""
        if not self.is_searching:
            return queryset
        return certificate_search(certificates=queryset, text=self.search_query)

    def get_list_more_buttons(self, instance: ListedCertificate) -> list[Any]:
        buttons = [
            MenuItem(
                _("View"),
                url=reverse("certificate:inspect", args=[quote(instance.pk)]),
                icon_name="info-circle",
                priority=10,
            )
        ]
        if instance.current_status != CertificateStatus.REVOKED and can_revoke(self.request.user):
            buttons.append(
                MenuItem(
                    _("Revoke"),
                    url=reverse("certificate:revoke", args=[quote(instance.pk)]),
                    icon_name="cross",
                    priority=20,
                )
            )
        return buttons

    # Export: our own rows (labels, not codes), spreadsheet-safe CSV with a BOM for Excel.

    def to_row_dict(self, item: ListedCertificate) -> dict[str, Any]:
        return {name: value(item) for name, (_heading, value) in EXPORT_COLUMNS.items()}

    def get_heading(self, queryset: Any, field: str) -> str:
        return str(EXPORT_COLUMNS[field][0])

    def preprocess_field_value(self, field: str, value: Any, export_format: str) -> Any:
        value = super().preprocess_field_value(field, value, export_format)
        return spreadsheet_safe(value) if export_format == self.FORMAT_CSV else value

    def stream_csv(self, queryset: Any) -> Iterator[str]:
        yield "\ufeff"  # so Excel reads Kazakh and Russian names as UTF-8
        yield from super().stream_csv(queryset)


# --- the record -----------------------------------------------------------------------------------


class CertificateInspectView(InspectView):
    """Everything on the certificate, the renewal chain, and the revocation audit."""

    any_permission_required = ["view"]
    template_name = "certification/admin/certificate_inspect.html"

    def get_object(self, queryset: Any = None) -> Certificate:
        return get_object_or_404(
            certificate_list(user=self.request.user).select_related("revoked_by"), pk=self.pk
        )

    def get_page_title(self) -> str:
        return _("Certificate")

    def get_page_subtitle(self) -> str:
        return self.object.holder_name

    @cached_property
    def header_more_buttons(self) -> list[Any]:
        return [
            Button(
                _("History"),
                url=reverse("certificate:history", args=[quote(self.object.pk)]),
                icon_name="history",
            )
        ]

    @cached_property
    def header_buttons(self) -> list[Any]:
        if self.object.current_status == CertificateStatus.REVOKED or not can_revoke(
            self.request.user
        ):
            return []
        return [
            HeaderButton(
                _("Revoke"),
                url=reverse("certificate:revoke", args=[quote(self.object.pk)]),
                icon_name="cross",
            )
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        certificate: ListedCertificate = self.object
        track_edit_url = None
        if can_edit_tracks(self.request.user):
            track_edit_url = reverse(
                CertificationTrack.snippet_viewset.get_url_name("edit"),
                args=[quote(certificate.track_id)],
            )
        context.update(
            certificate=certificate,
            cycle=cycle_label(certificate.sequence),
            status=certificate.current_status,
            status_label=status_label(certificate.current_status),
            region=region_label(certificate.holder_region),
            specialty=specialty_label(certificate.holder_specialty),
            verify_url=reverse("certification:verify", args=[certificate.code]),
            track_edit_url=track_edit_url,
            courses=[
                {"title": entry.get("title", ""), "version": entry.get("version", "")}
                for entry in certificate.course_versions.values()
            ],
            chain=[
                {
                    "certificate": item,
                    "cycle": cycle_label(item.sequence),
                    "status_label": status_label(item.current_status),
                    "url": reverse("certificate:inspect", args=[quote(item.pk)]),
                    "current": item.pk == certificate.pk,
                    "relation": _relation(item, certificate),
                }
                for item in certificate_history(certificate=certificate)
            ],
            revoked_by=person_name(certificate.revoked_by),
        )
        return context


def _relation(item: ChainCertificate, certificate: ListedCertificate) -> str:
    """How ``item`` stands to ``certificate`` in the renewal chain, in words."""
    if item.pk == certificate.pk:
        return _("This certificate")
    if item.pk == certificate.previous_id:
        return _("Renewed by this certificate")
    if item.previous_id == certificate.pk:
        return _("Renews this certificate")
    return _("Earlier") if item.sequence < certificate.sequence else _("Later")


class CertificateHistoryView(HistoryView):
    """The certificate's log entries (its revocation), for those who may see certificates."""

    any_permission_required = ["view"]

    def get_object(self) -> Certificate:
        return get_object_or_404(certificate_list(user=self.request.user), pk=self.pk)

    def get_edit_url(self, instance: Any) -> str:
        return reverse("certificate:inspect", args=[quote(instance.pk)])

    def get_page_subtitle(self) -> str:
        return str(self.object.holder_name)

    @cached_property
    def header_buttons(self) -> list[Any]:
        return [
            HeaderButton(
                _("Certificate"),
                url=reverse("certificate:inspect", args=[quote(self.object.pk)]),
                icon_name=ICON,
            )
        ]


# --- revocation -----------------------------------------------------------------------------------


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for revoking"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=gettext_lazy(
            "Kept with the certificate and shown in its record and history in the CMS. It is "
            "not shown on the public verification page."
        ),
        error_messages={"required": gettext_lazy("Give the reason for revoking the certificate.")},
    )


def _revoke_context(certificate: ListedCertificate, form: RevokeForm) -> dict[str, Any]:
    detail_url = reverse("certificate:inspect", args=[quote(certificate.pk)])
    return {
        "header_title": _("Revoke: %(holder)s") % {"holder": certificate.holder_name},
        "header_icon": ICON,
        "header_buttons": [],
        "breadcrumbs_items": [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse("certificate:index"), "label": _("Certificates")},
            {"url": detail_url, "label": certificate.holder_name},
            {"url": "", "label": _("Revoke"), "sublabel": certificate.holder_name},
        ],
        "certificate": certificate,
        "form": form,
        "cycle": cycle_label(certificate.sequence),
        "status": certificate.current_status,
        "status_label": status_label(certificate.current_status),
        "revoked_by": person_name(certificate.revoked_by),
        "detail_url": detail_url,
        "verify_url": reverse("certification:verify", args=[certificate.code]),
    }


def revoke_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """GET: the certificate, a warning and the reason form. POST: revoke, log, and go back to
    the record; a refused revocation (no reason, already revoked) shows why and changes nothing.
    """
    certificate = get_object_or_404(
        certificate_list(user=request.user).select_related("revoked_by"), pk=pk
    )
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate_revoke(  # also writes the CMS log entry
                certificate=certificate, by=request.user, reason=form.cleaned_data["reason"]
            )
        except RevocationRefused as refusal:
            certificate = get_object_or_404(
                certificate_list(user=request.user).select_related("revoked_by"), pk=pk
            )
            form.add_error(None, _refusal_message(certificate, refusal))
        else:
            messages.success(
                request,
                _("The certificate of %(holder)s is revoked. Its verification page says so.")
                % {"holder": certificate.holder_name},
            )
            return HttpResponseRedirect(reverse("certificate:inspect", args=[quote(pk)]))
    return render(
        request,
        "certification/admin/certificate_revoke.html",
        _revoke_context(certificate, form),
        status=200,
    )


def _refusal_message(certificate: Certificate, refusal: RevocationRefused) -> str:
    if certificate.status == CertificateStatus.REVOKED:
        return _(
            "This certificate was already revoked (by %(who)s on %(when)s); nothing was changed."
        ) % {
            "who": person_name(certificate.revoked_by),
            "when": (
                date_format(timezone.localtime(certificate.revoked_at), "j E Y")
                if certificate.revoked_at
                else ""
            ),
        }
    return _("The certificate was not revoked: %(reason)s.") % {"reason": refusal}


# --- the viewset ----------------------------------------------------------------------------------


class CertificateURLFinder(ModelAdminURLFinder):
    """Links from elsewhere in the CMS (site history) open the certificate's record."""

    edit_url_name = "certificate:inspect"

    def get_edit_url(self, instance: Any) -> str | None:
        if self.user is not None and not can_view_certificates(self.user):
            return None
        return self.construct_edit_url(instance)


class CertificateViewSet(ModelViewSet):
    """Listing, record, history and revocation; no add, edit, copy or delete."""

    model = Certificate
    name = "certificate"
    url_prefix = "certificates"
    icon = ICON
    menu_label = gettext_lazy("Certificates")
    menu_order = 261  # right after Certification tracks
    add_to_admin_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = CertificateIndexView
    inspect_view_class = CertificateInspectView
    history_view_class = CertificateHistoryView
    index_template_name = "certification/admin/certificate_index.html"
    index_results_template_name = "certification/admin/certificate_index_results.html"
    filterset_class = CertificateFilterSet
    search_fields = ["holder_name", "code"]
    search_backend_name = None
    ordering = "-issued_on"
    list_per_page = 50
    list_display = [
        "holder_name",
        Column("certification", label=gettext_lazy("Certification"),
               accessor="track.localized_name", sort_key="track__name"),
        Column("cycle", label=gettext_lazy("Cycle"),
               accessor=lambda c: cycle_label(c.sequence), sort_key="sequence"),
        Column("issued_on", label=gettext_lazy("Issued"),
               accessor=lambda c: date_format(c.issued_on, "j M Y"), sort_key="issued_on"),
        Column("expires_on", label=gettext_lazy("Expires"),
               accessor=lambda c: date_format(c.expires_on, "j M Y"), sort_key="expires_on"),
        StatusTagColumn("status", label=gettext_lazy("Status"),
                        accessor=lambda c: status_label(c.current_status),
                        primary=lambda c: c.current_status == CertificateStatus.VALID),
        Column("region", label=gettext_lazy("Region"),
               accessor=lambda c: region_label(c.holder_region)),
    ]  # fmt: skip
    list_export = list(EXPORT_COLUMNS)
    export_filename = "certificates"

    @property
    def permission_policy(self) -> CertificatePermissionPolicy:
        return CertificatePermissionPolicy(self.model)

    @property
    def url_finder_class(self) -> type[ModelAdminURLFinder]:
        return CertificateURLFinder

    def get_common_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        view_kwargs: dict[str, Any] = super().get_common_view_kwargs(**kwargs)
        for name in ("add_url_name", "edit_url_name", "delete_url_name", "usage_url_name"):
            view_kwargs[name] = None  # these views do not exist
        return view_kwargs

    def construct_view(self, view_class: Any, **kwargs: Any) -> Callable[..., HttpResponse]:
        view = super().construct_view(view_class, **kwargs)
        return refuse_unless(can_view_certificates, _cannot_view)(view)

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("history-results/<int:pk>/", self.history_results_view, name="history_results"),
            path(
                "revoke/<int:pk>/",
                refuse_unless(can_revoke, _cannot_revoke)(revoke_view),
                name="revoke",
            ),
        ]

    def get_permissions_to_register(self) -> QuerySet[Permission]:
        """Only the permissions that mean something here: view and revoke."""
        return Permission.objects.filter(
            content_type__app_label="certification",
            codename__in=["view_certificate", "revoke_certificate"],
        )


class RevokeLogFormatter(LogFormatter):
    """How a revocation reads in the certificate's history (and the site history)."""

    label = gettext_lazy("Revoke certificate")

    def format_message(self, log_entry: Any) -> str:
        reason = (log_entry.data or {}).get("reason", "")
        return _("Revoked. Reason: %(reason)s") % {"reason": reason}
