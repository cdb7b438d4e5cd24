"""Invitation links and password-reset links, with a useful page when a link no longer works; the
lockout page; two-factor sign-in (setting it up, and the code step after the password)."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

import segno
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from core.api import AuthenticatedRequest

from .forms import EveryAccountPasswordResetForm, TwoFactorCodeForm
from .middleware import mark_two_factor_done
from .permissions import can_use_two_factor, two_factor_required
from .selectors import backup_codes_left, two_factor_enabled
from .services import totp_enrolment_confirm, totp_enrolment_start, two_factor_verify
from .throttling import client_address, over_hourly_limit
from .tokens import TokenState, invitation_token_generator, invitation_valid_days


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """What a locked-out sign-in sees (django-axes' ``AXES_LOCKOUT_CALLABLE``): a 429 that says
    how long to wait, the same whether or not the account exists."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else 0
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


TWO_FACTOR_OFFER_KEY = "zhusan_two_factor_offered"


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, with a link to two-step sign-in for those who may use it."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["two_factor_link"] = _two_factor_offered(self.request)
        return context


def _two_factor_offered(request: HttpRequest) -> bool:
    """``can_use_two_factor`` for the signed-in person, worked out once a session: the page is
    one every role opens, and asks nobody's roles again (like the header's places)."""
    user = request.user
    noted = request.session.get(TWO_FACTOR_OFFER_KEY)
    if not (isinstance(noted, list) and len(noted) == 2 and noted[0] == user.pk):
        noted = [user.pk, can_use_two_factor(user)]
        request.session[TWO_FACTOR_OFFER_KEY] = noted
    return bool(noted[1])


class PasswordResetView(auth_views.PasswordResetView):
    """Django's "forgotten your password" with hourly limits on the emails: per account
    (``PASSWORD_RESET_PER_ACCOUNT_PER_HOUR``) and per client address. Past a limit nothing is
    sent, and the page says exactly what it says otherwise."""

    form_class = EveryAccountPasswordResetForm

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        email = form.cleaned_data["email"]
        over_account = over_hourly_limit(
            "reset-account", email, settings.PASSWORD_RESET_PER_ACCOUNT_PER_HOUR
        )
        over_client = over_hourly_limit(
            "reset-client",
            client_address(self.request),
            settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR,
        )
        if over_account or over_client:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


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
    # Signed in by the link, not by a password: with django-axes also configured, Django needs
    # to be told which backend signs them in.
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
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


# --- two-factor sign-in ---------------------------------------------------------------------------

WRONG_CODE = gettext_lazy(
    "That code is not right. Check the time on your phone, and use the newest code."
)


def _next_url(request: HttpRequest) -> str:
    """Where to go after the code step: a safe ``next``, or the person's home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _qr_svg(device: Any) -> str:
    """The device's setup address as an inline SVG QR code (no image request, no script)."""
    svg: str = segno.make(device.config_url, error="m").svg_inline(
        scale=4, dark="#111", light="#fff", title=_("QR code for your authenticator app")
    )
    return mark_safe(svg)  # noqa: S308 - segno's own markup, from our own secret


@never_cache
@sensitive_post_parameters("code")
@login_required
def two_factor(request: AuthenticatedRequest) -> HttpResponse:
    """The account page for two-factor sign-in: whether it is on, and setting it up.

    Setting up shows a QR code and the secret for an authenticator app, and asks for a code
    from it; the right code turns it on and shows the backup codes, once.
    """
    user = request.user
    if not can_use_two_factor(user):
        raise PermissionDenied
    if two_factor_enabled(user=user):
        if not request.user.is_verified():  # type: ignore[attr-defined]
            # Only the password so far: setting up a new app here would replace the one that
            # protects the account. The code step first.
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('accounts:two_factor_code')}?{query}")
        return render(
            request,
            "accounts/two_factor.html",
            {"enabled": True, "codes_left": backup_codes_left(user=user)},
        )
    device = totp_enrolment_start(user=user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = totp_enrolment_confirm(
            user=user, device_id=device.pk, token=form.cleaned_data["code"]
        )
        if codes is not None:
            device.refresh_from_db()
            otp_login(request, device)
            mark_two_factor_done(request)
            return render(
                request,
                "accounts/two_factor_backup_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
        form.add_error("code", WRONG_CODE)
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enabled": False,
            "required": two_factor_required(user),
            "form": form,
            "qr_svg": _qr_svg(device),
            "secret": _secret_text(device),
            "next": request.GET.get("next", ""),
        },
    )


def _secret_text(device: Any) -> str:
    """The secret as people type it into an app: base32, in groups of four."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@sensitive_post_parameters("code")
@login_required
def two_factor_code(request: AuthenticatedRequest) -> HttpResponse:
    """The step after the password for someone with two-factor sign-in: a code from their app,
    or one of their backup codes. Wrong codes are throttled (django-otp)."""
    user = request.user
    if request.user.is_verified() or not two_factor_enabled(user=user):  # type: ignore[attr-defined]
        return HttpResponseRedirect(_next_url(request))
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, locked_until = two_factor_verify(user=user, token=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            mark_two_factor_done(request)
            return HttpResponseRedirect(_next_url(request))
        if locked_until is not None:
            seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
            form.add_error(
                "code",
                ngettext(
                    "Too many wrong codes. Wait %(seconds)d second, then try again.",
                    "Too many wrong codes. Wait %(seconds)d seconds, then try again.",
                    seconds,
                )
                % {"seconds": seconds},
            )
        else:
            form.add_error("code", WRONG_CODE)
    return render(
        request,
        "accounts/two_factor_code.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )
