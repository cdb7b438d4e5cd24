"""Forms a learner fills in."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Profile
from .regions import region_choices


class ProfileForm(forms.ModelForm[Profile]):
    """The specialist profile a practitioner completes at first sign-in."""

    region = forms.ChoiceField(label=_("Region"), choices=())

    class Meta:
        model = Profile
        fields = ["specialty", "region", "organisation", "preferred_language"]
        help_texts = {
            "organisation": _("Where you work, e.g. the school, centre or office."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Region names in the reader's language where pycountry has them.
        region = self.fields["region"]
        assert isinstance(region, forms.ChoiceField)
        region.choices = [("", "---------"), *region_choices()]
