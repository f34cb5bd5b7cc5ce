"""Installs the administrators-only admin site (kept apart: Django imports it before the models)."""

from django.contrib.admin.apps import AdminConfig


class NewzoneAdminConfig(AdminConfig):
    default_site = "projects.admin_site.NewzoneAdminSite"
