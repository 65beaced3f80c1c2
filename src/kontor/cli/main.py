"""The `kontor` command: Django's management commands with Kontor's settings.

Commands are spelled with hyphens on the command line (`kontor demo-data`); the modules use
underscores (`demo_data.py`), as Python requires.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kontor.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["kontor", *args])


if __name__ == "__main__":
    main()
