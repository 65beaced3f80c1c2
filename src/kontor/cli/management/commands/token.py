"""`kontor token create USERNAME --name NAME` | `kontor token revoke ID` | `kontor token list`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from rich.console import Console
from rich.table import Table

from kontor.core.errors import KontorError
from kontor.core.tokens import (
    api_token_create,
    api_token_list,
    api_token_revoke,
    user_by_username,
)


class Command(BaseCommand):
    help = "Create, list and revoke API tokens (Authorization: Bearer <token>)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token; the key is printed only once.")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="What the token is for.")
        revoke = sub.add_parser("revoke", help="Revoke a token by its id (see `token list`).")
        revoke.add_argument("token_id", type=int)
        listing = sub.add_parser("list", help="List tokens (never their keys).")
        listing.add_argument("username", nargs="?")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except KontorError as exc:
            raise CommandError(str(exc)) from exc

    def _create(self, options: dict[str, Any]) -> None:
        user = user_by_username(options["username"])
        token, key = api_token_create(actor=None, user_id=user.pk, name=options["name"])
        self.stdout.write(key)
        self.stderr.write(
            _(
                "Token %(id)s (%(name)s) for %(user)s created. "
                "Store the key now: it is not shown again."
            )
            % {"id": token.pk, "name": token.name, "user": user.get_username()}
        )

    def _revoke(self, options: dict[str, Any]) -> None:
        token = api_token_revoke(actor=None, token_id=options["token_id"])
        self.stdout.write(
            _("Token %(id)s (%(name)s) revoked.") % {"id": token.pk, "name": token.name}
        )

    def _list(self, options: dict[str, Any]) -> None:
        user_id = user_by_username(options["username"]).pk if options["username"] else None
        table = Table(
            "id", _("user"), _("name"), _("prefix"), _("created"), _("last used"), _("revoked")
        )
        for token in api_token_list(actor=None, user_id=user_id):
            table.add_row(
                str(token.pk),
                token.user.get_username(),
                token.name,
                f"ktr_{token.prefix}…",
                f"{token.created_at:%Y-%m-%d %H:%M}",
                f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "—",
                f"{token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "—",
            )
        Console(file=self.stdout, width=120).print(table)
