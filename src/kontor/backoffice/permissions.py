"""ModelAdmin permissions derived from Kontor's role matrix, not from Django model permissions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kontor.core.permissions import Action, can


class RoleAdminMixin:
    """Set the actions a role needs to view/add/change/delete; `None` means nobody may."""

    view_action: Action | None = None
    add_action: Action | None = None
    change_action: Action | None = None
    delete_action: Action | None = None

    @staticmethod
    def _can(request: HttpRequest, action: Action | None) -> bool:
        return action is not None and can(request.user, action)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._can(request, self.view_action) or self.has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._can(request, self.add_action)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._can(request, self.change_action)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._can(request, self.delete_action)
