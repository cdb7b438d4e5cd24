"""Benchmarks. Run each as a script, e.g. ``.venv/bin/python bench/lesson_page.py``."""

#: The Redis database the benchmarks use (and flush) as the cache: db 13 on the loopback interface.
BENCH_REDIS_URL = "redis://127.0.0.1:6379/13"

#: The Celery broker (and, where a benchmark reads results, the result backend) of the data
#: benchmarks (``bench.common.django_run``), flushed at their start and end: db 12, which no test
#: uses.
BENCH_BROKER_URL = "redis://127.0.0.1:6379/12"
