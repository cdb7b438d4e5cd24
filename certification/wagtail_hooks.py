"""CMS: certification tracks (menu: Certification tracks) and certificates (menu: Certificates,
``certification.admin_certificates``)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_versions  # noqa: F401  (the content-version report registers its hooks)
from .models import CertificationTrack


class TrackViewSet(SnippetViewSet):
    model = CertificationTrack
    icon = "success"
    menu_label = _("Certification tracks")
    add_to_admin_menu = True
    menu_order = 260
    list_display = ["name", "validity_months", "active"]
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("issuing_body"),
        InlinePanel("requirements", heading=_("Required courses"), label=_("Course")),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("validity_months"), FieldPanel("renewal_window_days")]),
                FieldRowPanel([FieldPanel("renewal_rule"), FieldPanel("refresher_course")]),
            ],
            heading=_("Validity and renewal"),
        ),
        FieldPanel("active"),
    ]


register_snippet(TrackViewSet)


@hooks.register("register_admin_viewset")
def register_certificate_viewset() -> Any:
    from .admin_certificates import CertificateViewSet

    return CertificateViewSet()


@hooks.register("register_log_actions")
def register_certificate_log_actions(actions: Any) -> None:
    from .admin_certificates import RevokeLogFormatter
    from .services import REVOKE_ACTION

    actions.register_action(REVOKE_ACTION)(RevokeLogFormatter)
