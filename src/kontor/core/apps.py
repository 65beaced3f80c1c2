from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kontor.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Make the Celery app the current one for shared tasks in every process.
        import kontor.celery  # noqa: F401
