"""The dashboard's export URLs, included by ``reports.urls`` under ``exports/`` (its app_name,
``reports``, names them: ``reports:export``, ``reports:export_status``,
``reports:export_download``)."""

from django.urls import path

from . import views_exports

urlpatterns = [
    path("", views_exports.export_request, name="export"),
    path("<int:job_id>/status/", views_exports.export_status, name="export_status"),
    path("<int:job_id>/download/", views_exports.export_download, name="export_download"),
]
