"""The Celery app. Without KONTOR_BROKER_URL every task runs in-process (eager)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kontor.settings")

app = Celery("kontor")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
