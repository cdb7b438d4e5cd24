"""Dashboard URLs, under /<language>/dashboard/."""

from django.urls import include, path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("people/", views.people_view, name="people"),
    path("expiring/", views.expiring_view, name="expiring"),
    path("overdue/", views.overdue_view, name="overdue"),
    path("exports/", include("reports.urls_exports")),
]
