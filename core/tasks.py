"""Infrastructure tasks."""

from celery import shared_task


@shared_task(name="core.ping")
def ping() -> str:
    """Answer ``"pong"``: used by the health check of a worker and by the CI worker test."""
    return "pong"
