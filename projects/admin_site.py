"""The Django admin is for administrators only (PRODUCT.md "Roles").

A Django superuser, or an active user holding the administrator role, may enter; anyone else is
refused, even with `is_staff` set: a logged-in user gets 403, an anonymous visitor the admin's login.
Administrators get every model permission through `AdministratorRoleBackend`, so that the role is
the single switch (no per-model permission rows to keep in step).
"""

from django.contrib.admin import AdminSite
from django.contrib.auth.backends import BaseBackend
from django.core.exceptions import PermissionDenied


def is_administrator(user):
    # Imported here: Django imports this module (for the AppConfig) before the models are ready.
    from . import access
    from .models.choices import RoleCode

    return bool(user.is_active and access.has_role(user, RoleCode.ADMINISTRATOR))


class NewzoneAdminSite(AdminSite):
    def has_permission(self, request):
        return is_administrator(request.user)

    def admin_view(self, view, cacheable=False):
        wrapped = super().admin_view(view, cacheable)

        def refuse_insiders(request, *args, **kwargs):
            # A logged-in non-administrator is told "forbidden", not sent round the admin login page.
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return wrapped(request, *args, **kwargs)

        refuse_insiders.__wrapped__ = wrapped
        refuse_insiders.admin_site = self
        return refuse_insiders


class AdministratorRoleBackend(BaseBackend):
    """Never authenticates anybody; grants every permission to active administrators."""

    def has_perm(self, user_obj, perm, obj=None):
        return user_obj.is_authenticated and is_administrator(user_obj)

    def has_module_perms(self, user_obj, app_label):
        return user_obj.is_authenticated and is_administrator(user_obj)
