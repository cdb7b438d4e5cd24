"""Benchmarks. Run each as a script, e.g. ``.venv/bin/python bench/lesson_page.py``."""

#: The only Redis database the benchmarks use (and flush): db 13 on the loopback interface.
BENCH_REDIS_URL = "redis://127.0.0.1:6379/13"
