"""Kontor: contract and subscription billing for service providers in the EU."""

from kontor.celery import app as celery_app

__all__ = ["celery_app"]
