"""Benchmarks. Run each as a script, e.g. ``.venv/bin/python bench/lesson_page.py``."""

#: The benchmarks' Redis databases, flushed at their start and end: db 2 the cache, db 3 the Celery
#: broker and result backend. Not 12 to 15, the test suite's (``curriculum/settings/test.py``).
BENCH_REDIS_URL = "redis://127.0.0.1:6379/2"
BENCH_BROKER_URL = "redis://127.0.0.1:6379/3"
