"""The platform's roles, each a Django group (created by migration ``accounts.0001``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A role is a group name; permissions are attached to the groups by migrations."""

    PRACTITIONER = "Practitioner", _("Practitioner")
    TRAINER = "Trainer", _("Trainer")
    COURSE_REVIEWER = "Course reviewer", _("Course reviewer")
    REGIONAL_COORDINATOR = "Regional coordinator", _("Regional coordinator")
    MINISTRY = "Ministry", _("Ministry")
