"""Reading certificate PDFs back in tests: their text (pdftotext) and their QR codes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image


def poppler(tool: str, *args: str) -> bytes:
    """Run a poppler-utils tool; its absence is a failure, not a skip (CI installs it)."""
    binary = shutil.which(tool)
    if binary is None:
        pytest.fail(f"{tool} not found: install Debian's poppler-utils (make install-dev does)")
    return subprocess.run([binary, *args], check=True, capture_output=True).stdout


def pdf_text(path: Path) -> str:
    """The PDF's text with every run of whitespace made one space (lines may wrap anywhere)."""
    return " ".join(poppler("pdftotext", str(path), "-").decode().split())


def qr_codes(pdf: Path, folder: Path, dpi: int = 100) -> list[zxingcpp.Barcode]:
    """The QR codes found on the PDF's first page, rendered at ``dpi``."""
    poppler("pdftoppm", "-png", "-r", str(dpi), "-singlefile", str(pdf), str(folder / "page"))
    return list(zxingcpp.read_barcodes(Image.open(folder / "page.png")))
