"""The learner's own pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def my_learning(request: HttpRequest) -> HttpResponse:
    """My learning: the signed-in user's courses. Enrolment and progress arrive with issue #3;
    until then it shows who is signed in and the way to the catalogue."""
    return render(request, "accounts/my_learning.html")
