"""The public interface of ``reports``: other apps import from here only."""

from .demo_data import demo_people_count, demo_people_generate

__all__: list[str] = ["demo_people_count", "demo_people_generate"]
