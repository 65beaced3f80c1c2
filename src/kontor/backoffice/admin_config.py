"""Replaces `django.contrib.admin` in INSTALLED_APPS so that `admin.site` is Kontor's site."""

from django.contrib.admin.apps import AdminConfig


class KontorAdminConfig(AdminConfig):
    default_site = "kontor.backoffice.site.KontorAdminSite"
