"""Project-wide signals that are not about one model's save.

``people_changed``: sent after a bulk write about people that bypasses ``post_save`` (for example
set-based enrolments), so whatever keeps per-person data (caches, counts) can refresh it.
"""

import django.dispatch

people_changed = django.dispatch.Signal()  # kwargs: user_ids
