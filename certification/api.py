"""The public interface of ``certification``, the top app: only the project package uses it.

The PDF renderer (``certification.pdf``) is not re-exported here: it imports WeasyPrint, which
needs Debian's pango, and nothing at start-up should depend on that."""

from .permissions import can_view_certificates
from .tracks_file import TRACKS_FILE_NAME

__all__ = ["TRACKS_FILE_NAME", "can_view_certificates"]
