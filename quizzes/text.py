"""Numbers as people read them: ``80`` rather than ``80.00`` or ``8E+1``."""

from __future__ import annotations

from decimal import Decimal

__all__ = ["decimal_text"]


def decimal_text(value: Decimal | int, places: int = 2) -> str:
    """``value`` rounded to ``places`` decimals, without trailing zeros: 80, 66.67, 0.5."""
    text = format(Decimal(value).quantize(Decimal(1).scaleb(-places)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
