"""Fixtures of the dashboard's tests: export files go to a temporary folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _export_root(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Exports are written to a temporary folder, never to private/exports."""
    root = tmp_path_factory.mktemp("exports")
    settings.REPORTS_EXPORT_ROOT = root
    return root
