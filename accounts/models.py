"""What accounts stores besides Django's users: the invitations sent to people whose account was
made for them (by a specialists import or a trainer adding them to a cohort)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Invitation(models.Model):
    """One person's invitation to set a password and sign in, and what became of it.

    ``pending`` is set whenever a send is asked for (the first time and on each resend) and
    cleared once the email has gone out, so an invitation whose task was lost (a worker or the
    broker went away) is still pending and the sweep (``accounts.send_pending_invitations``)
    sends it. ``claimed_at`` marks a send in progress, so two workers do not send it twice.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitation"
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    queued_at = models.DateTimeField(_("last asked for at"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("asked for by"),
    )
    pending = models.BooleanField(_("waiting to be sent"), default=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)
    send_count = models.PositiveIntegerField(_("times sent"), default=0)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        ordering = ["-queued_at"]
        verbose_name = _("invitation")
        indexes = [
            models.Index(fields=["pending", "queued_at"], name="accounts_invitation_pending")
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.user.get_username()}"
