"""Invitation links and password-reset links, with a useful page when a link no longer works."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

from .forms import EveryAccountPasswordResetForm
from .tokens import TokenState, invitation_token_generator, invitation_valid_days


class NewLinkOnFailureMixin:
    """When the link does not work, the page offers a form to ask for a new one."""

    link_kind = "reset"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        if not context.get("validlink"):
            context["new_link_form"] = EveryAccountPasswordResetForm()
            context["link_kind"] = self.link_kind
            context["valid_days"] = invitation_valid_days()
        return context


class PasswordResetConfirmView(NewLinkOnFailureMixin, auth_views.PasswordResetConfirmView):
    """Django's reset confirmation, with the "ask for a new link" form on a dead link."""


class InvitationView(NewLinkOnFailureMixin, auth_views.PasswordResetConfirmView):
    """The link in an invitation: choose a password, and be signed in.

    A reset confirmation with the invitation's token (its own lifetime,
    ``INVITATION_VALID_DAYS``); signing in marks the invitation accepted (``signals``).
    """

    token_generator = invitation_token_generator
    form_class = SetPasswordForm
    post_reset_login = True
    template_name = "accounts/invitation.html"
    link_kind = "invitation"

    def get_success_url(self) -> str:
        return resolve_url(settings.LOGIN_REDIRECT_URL)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if not context.get("validlink"):
            token = self.kwargs.get("token")
            if token == self.reset_url_token:
                token = self.request.session.get(auth_views.INTERNAL_RESET_SESSION_TOKEN)
            state = invitation_token_generator.state(self.user, token)
            context["expired"] = state is TokenState.EXPIRED
        return context

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set and you are signed in. Welcome."))
        return response
