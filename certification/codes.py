"""Verification codes: 100 random bits in Crockford's base 32, read back as people type them."""

from __future__ import annotations

import secrets

__all__ = ["CODE_ALPHABET", "code_normalise", "new_code"]

#: Crockford's base 32: no I, L, O or U, so a code read aloud or typed is not misread.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS = 5  # 5 groups of 4: 100 random bits


def new_code() -> str:
    """A random verification code such as ``7K2M-Q9XD-…`` (100 bits: not guessable)."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(4 * CODE_GROUPS))
    return "-".join(chars[i : i + 4] for i in range(0, len(chars), 4))


def code_normalise(text: str) -> str | None:
    """A code as typed (any case, spaces or hyphens, O for 0, I/L for 1) in stored form, or None
    when it cannot be one."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    if len(cleaned) != 4 * CODE_GROUPS or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return "-".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))
