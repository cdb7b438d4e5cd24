"""xAPI: the statement store and the State resource (docs/xapi.md)."""

from django.apps import AppConfig


class XapiConfig(AppConfig):
    name = "xapi"
    verbose_name = "xAPI statements"
    default_auto_field = "django.db.models.BigAutoField"
