"""The practitioner specialties the platform serves (from the programme's local networks)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Specialty(models.TextChoices):
    """A practitioner's professional field; courses name the ones they are written for."""

    PSYCHOLOGIST = "psychologist", _("Psychologist")
    SCHOOL_STAFF = "school_staff", _("School psychologist or teacher")
    RELIGIOUS_COUNSELLOR = "religious_counsellor", _("Religious counsellor")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    LEGAL_ADVISER = "legal_adviser", _("Legal adviser")
    HEALTH_WORKER = "health_worker", _("Health worker")
    POLICE_PROBATION = "police_probation", _("Police or probation officer")
    LOCAL_OFFICIAL = "local_official", _("Local official")
    NGO_STAFF = "ngo_staff", _("NGO staff")
    OTHER = "other", _("Other")
