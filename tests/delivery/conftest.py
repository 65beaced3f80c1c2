from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.delivery.smtp import SmtpServer


@pytest.fixture(autouse=True)
def _delivery_settings(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KONTOR_MAIL_FROM = "Beispiel Hosting <rechnung@beispiel.example>"
    settings.KONTOR_MAIL_REPLY_TO = ""
    settings.KONTOR_MAIL_BCC_ARCHIVE = ""
    settings.KONTOR_PUBLIC_URL = "https://kontor.example"
    settings.KONTOR_LINK_MAX_AGE_DAYS = 30
    settings.KONTOR_POSTAL_SURCHARGE = ""
    settings.KONTOR_DELIVERY_MAX_ATTEMPTS = 8
    settings.KONTOR_SEND_HOUR = 0
    settings.KONTOR_DELIVERY_SINCE = None


@pytest.fixture
def smtp_down(settings) -> Iterator[SmtpServer]:
    """Django's SMTP backend pointed at a port where nothing listens (yet)."""
    server = SmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_down) -> SmtpServer:
    smtp_down.start()
    return smtp_down
