"""Kontor: contract and subscription billing for service providers in the EU.

The Celery app lives in `kontor.celery` and is loaded by the core app's `ready()`, so that
importing a pure module (e.g. `kontor.contracts.terms`) pulls in neither Django nor Celery.
"""
