"""The `kontor` command: Django's management commands with Kontor's settings."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kontor.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kontor", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
