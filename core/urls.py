"""URLs of ``core``, outside the language prefix: the health check."""

from django.urls import path

from .health import healthz

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
]
