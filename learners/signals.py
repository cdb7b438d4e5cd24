"""Remember at sign-in whether the user may read reports, to show the link without a query on
every page (the report views check again on every request)."""

from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

SESSION_KEY = "zhusan_can_report"


@receiver(user_logged_in, dispatch_uid="learners-remember-reporter")
def remember_reporter(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    from .selectors import report_regions

    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = report_regions(user=user) is not None
