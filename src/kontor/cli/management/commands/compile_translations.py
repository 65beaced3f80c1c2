"""Compile the .po catalogues to .mo with Babel (no GNU gettext needed on the machine)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile Kontor's translation catalogues (de, en, sv)."

    def handle(self, *args: object, **options: object) -> None:
        count = 0
        from django.apps import apps

        app_dirs = [
            Path(app.path) / "locale"
            for app in apps.get_app_configs()
            if app.name.startswith("kontor.")
        ]
        for locale_dir in [*settings.LOCALE_PATHS, *app_dirs]:
            for po_path in Path(locale_dir).glob("*/LC_MESSAGES/*.po"):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                with po_path.open("rb") as po_file:
                    catalog = read_po(po_file)
                with mo_path.open("wb") as mo_file:
                    write_mo(mo_file, catalog)
                count += 1
        self.stdout.write(f"{count} catalogue(s) compiled.")
