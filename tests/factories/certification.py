"""Factories for certification tracks and certificates (issued directly, without the courses:
for tests of what is shown and who may see it, not of issuing)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from certification.codes import new_code
from certification.models import Certificate, CertificateStatus, CertificationTrack
from tests.factories import practitioner


class TrackFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Psychosocial support, track {n}")
    slug = factory.Sequence(lambda n: f"track-{n}")

    class Meta:
        model = CertificationTrack


class CertificateFactory(factory.django.DjangoModelFactory):
    """A valid first certificate of a practitioner (fictional names), issued today."""

    track = factory.SubFactory(TrackFactory)
    user = factory.LazyFunction(practitioner)
    sequence = 1
    code = factory.LazyFunction(new_code)
    holder_name = factory.Sequence(lambda n: f"Practitioner {n}")
    issued_on = factory.LazyFunction(timezone.localdate)
    expires_on = factory.LazyAttribute(lambda c: c.issued_on + timedelta(days=730))
    status = CertificateStatus.VALID
    course_versions = factory.LazyFunction(
        lambda: {"1": {"title": "Trauma-informed care", "version": "1.0"}}
    )

    class Meta:
        model = Certificate
