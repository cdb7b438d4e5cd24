"""Model fields used by course pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.api import Specialty


class SpecialtyListField(models.JSONField):
    """A list of :class:`~core.api.Specialty` values, stored as JSON (works on SQLite and
    PostgreSQL alike), edited as checkboxes and validated against the list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("default", None)
        kwargs.pop("blank", None)
        return name, path, args, kwargs

    def validate(self, value: Any, model_instance: Any) -> None:
        super().validate(value, model_instance)
        if not isinstance(value, list):
            raise ValidationError(_("Specialties must be a list."), code="invalid")
        unknown = [v for v in value if v not in Specialty.values]
        if unknown:
            raise ValidationError(
                _("Unknown specialty: %(values)s."),
                code="invalid_choice",
                params={"values": ", ".join(map(str, unknown))},
            )

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        return forms.TypedMultipleChoiceField(
            choices=Specialty.choices,
            widget=forms.CheckboxSelectMultiple,
            required=not self.blank,
            label=self.verbose_name,
            help_text=self.help_text,
        )
