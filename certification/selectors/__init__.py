"""Reads for certification, by topic: certificates (the CMS listing and a holder's own), what My
learning shows (``learning``), renewal (what a holder has left to do), and the report of
certificates on older course versions."""

from .certificates import (
    ChainCertificate,
    ListedCertificate,
    certificate_by_code,
    certificate_history,
    certificate_list,
    certificate_renewal,
    certificate_search,
    holder_certificates,
)
from .due import learners_to_check
from .learning import (
    CertificateCard,
    CertificateState,
    CertificationOverview,
    Contact,
    TrackCourse,
    TrackProgress,
    certificate_contact,
    certificate_ended_on,
    my_certificates,
    my_certifications,
)
from .renewal import (
    RenewalProgress,
    active_tracks,
    course_counts_toward_certification,
    renewal_attempt_window,
    renewal_progress,
    track_courses,
)
from .reporting import CertificateMonth, certificates_by_month
from .standings import TrackStanding, track_standings
from .versions import (
    OlderVersionRow,
    RefresherState,
    RefresherStatus,
    certificates_on_older_versions,
    holder_ids_on_older_versions,
    holders_of,
    holders_on_older_versions,
    major_of,
    older_version_rows,
    report_courses,
)

__all__ = [
    "CertificateCard",
    "CertificateMonth",
    "CertificateState",
    "CertificationOverview",
    "ChainCertificate",
    "Contact",
    "ListedCertificate",
    "OlderVersionRow",
    "RefresherState",
    "RefresherStatus",
    "RenewalProgress",
    "TrackCourse",
    "TrackProgress",
    "TrackStanding",
    "active_tracks",
    "certificate_by_code",
    "certificate_contact",
    "certificate_ended_on",
    "certificate_history",
    "certificate_list",
    "certificate_renewal",
    "certificate_search",
    "certificates_by_month",
    "certificates_on_older_versions",
    "course_counts_toward_certification",
    "holder_certificates",
    "holder_ids_on_older_versions",
    "holders_of",
    "holders_on_older_versions",
    "learners_to_check",
    "major_of",
    "my_certificates",
    "my_certifications",
    "older_version_rows",
    "renewal_attempt_window",
    "renewal_progress",
    "report_courses",
    "track_courses",
    "track_standings",
]
