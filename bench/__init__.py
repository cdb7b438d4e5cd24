"""Benchmarks. Run each as a script, e.g. ``.venv/bin/python bench/lesson_page.py``."""
