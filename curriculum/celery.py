"""The Celery application.

With no ``CELERY_BROKER_URL`` set, tasks run eagerly in-process (see ``settings.base``), so the
project works on a fresh machine with nothing else installed. With a broker URL, a worker is
started with ``celery -A curriculum worker``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "curriculum.settings.dev")

app = Celery("curriculum")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
