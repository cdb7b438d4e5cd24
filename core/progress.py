"""A tqdm progress bar for management commands, written to stderr (stdout stays for results)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm

__all__ = ["Progress", "progress_bar"]

#: progress(done, total, label): what services call as they work.
Progress = Callable[[int, int, str], None]


@contextmanager
def progress_bar(description: str, *, unit: str, enabled: bool = True) -> Iterator[Progress | None]:
    """Yield a ``progress(done, total, label)`` callback drawing a bar, or None when disabled."""
    if not enabled:
        yield None
        return
    bar: tqdm[None] | None = None

    def update(done: int, total: int, label: str) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc=description, unit=unit, file=sys.stderr, leave=True)
        bar.set_postfix_str(label[:40], refresh=False)
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        if bar is not None:
            bar.close()
