"""The public interface of ``certification``, the top app: only the project package uses it.

The PDF renderer (``certification.pdf``) is not re-exported here: it imports WeasyPrint, which
needs Debian's pango, and nothing at start-up should depend on that."""

from .bulk import CertificateChain, certificates_bulk_create, certificates_delete_for_users
from .permissions import can_view_certificates
from .selectors import (
    CertificateMonth,
    TrackStanding,
    active_tracks,
    certificates_by_month,
    track_courses,
    track_standings,
)
from .tracks_file import TRACKS_FILE_NAME

__all__ = [
    "TRACKS_FILE_NAME",
    "CertificateChain",
    "CertificateMonth",
    "TrackStanding",
    "active_tracks",
    "can_view_certificates",
    "certificates_bulk_create",
    "certificates_by_month",
    "certificates_delete_for_users",
    "track_courses",
    "track_standings",
]
