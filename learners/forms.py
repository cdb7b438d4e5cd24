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


class CohortForm(forms.Form):
    """A new cohort (``services.cohort_create`` refuses a name already taken)."""

    name = forms.CharField(label=_("Name"), max_length=200)


class AddMembersForm(forms.Form):
    """People to add, by email address, one per line (or separated by commas or semicolons, as
    when pasted from a spreadsheet or an email). ``services.cohort_add_addresses`` sorts them."""

    MAX_ADDRESSES = 500

    emails = forms.CharField(
        label=_("Email addresses, one per line"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Each person who may join a cohort (practitioners) gets an email inviting them. "
            "Someone who has no account yet gets one with the invitation."
        ),
    )

    def clean_emails(self) -> list[str]:
        text = self.cleaned_data["emails"].replace(",", "\n").replace(";", "\n")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if len(lines) > self.MAX_ADDRESSES:
            raise forms.ValidationError(
                _("Add at most %(max)d addresses at a time."), params={"max": self.MAX_ADDRESSES}
            )
        return lines


class AssignCourseForm(forms.Form):
    """A course for the cohort, with an optional due date."""

    course: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Course"), queryset=None)
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from courses.api import live_courses

        super().__init__(*args, **kwargs)
        course = self.fields["course"]
        assert isinstance(course, forms.ModelChoiceField)
        course.queryset = live_courses().order_by("title")
