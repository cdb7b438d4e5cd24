"""xAPI URLs, at /xapi/ (no language prefix: an API, not a page). The paths are the
specification's resource names, without a trailing slash."""

from django.urls import path

from . import views

app_name = "xapi"

urlpatterns = [
    path("statements", views.statements, name="statements"),
    path("activities/state", views.state, name="state"),
]
