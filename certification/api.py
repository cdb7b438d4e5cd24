"""The public interface of ``certification`` (issue #5, in progress).

The PDF renderer (``certification.pdf``) is not re-exported here: it imports WeasyPrint, which
needs Debian's pango, and nothing at start-up should depend on that."""

from .models import Certificate, CertificateStatus, CertificationTrack, TrackRequirement
from .services import certificate_issue, certificate_revoke, code_normalise, new_code
from .tracks_file import TRACKS_FILE_NAME

__all__ = [
    "TRACKS_FILE_NAME",
    "Certificate",
    "CertificateStatus",
    "CertificationTrack",
    "TrackRequirement",
    "certificate_issue",
    "certificate_revoke",
    "code_normalise",
    "new_code",
]
