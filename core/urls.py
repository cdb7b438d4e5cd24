"""URLs of ``core``, outside the language prefix: the health check and the language switcher's
target (``core.languages.choose_language``)."""

from django.urls import path

from .health import healthz
from .languages import choose_language

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("language/", choose_language, name="choose_language"),
]
