"""Forms a learner fills in."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
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
    """Practitioners to add, by email address, one per line."""

    emails = forms.CharField(
        label=_("Email addresses, one per line"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Practitioners must have an account; import new ones from a CSV file first."),
    )

    def clean_emails(self) -> list[Any]:
        from django.contrib.auth import get_user_model

        lines = [line.strip() for line in self.cleaned_data["emails"].splitlines() if line.strip()]
        wanted = Q()
        for line in lines:
            wanted |= Q(email__iexact=line)
        found = get_user_model().objects.filter(wanted) if lines else []
        users = {u.email.casefold(): u for u in found}
        unknown = [line for line in lines if line.casefold() not in users]
        if unknown:
            raise forms.ValidationError(
                _("No account has the address: %(emails)s."), params={"emails": ", ".join(unknown)}
            )
        return list({id(u): u for u in (users[line.casefold()] for line in lines)}.values())


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
