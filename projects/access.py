"""Who the logged-in user is in the zone: their staff profile and roles.

Visibility itself lives in the querysets (`Project.objects.visible_to(user)`); views start from them,
so an object outside a user's reach is a 404, and use `require_role` for actions (403).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import F

from .models.choices import RoleCode
from .prepared import SameSQL

# Roles that see every project, issue and visit of the zone (PRODUCT.md "Roles").
ZONE_WIDE_ROLES = (RoleCode.COORDINATOR, RoleCode.LEADER, RoleCode.SUPERVISOR, RoleCode.ADMINISTRATOR)


def _staff_with_roles(user_id):
    from .models import Staff

    return Staff.objects.filter(user=user_id).annotate(role_code=F("roles__code"))


_STAFF_WITH_ROLES = SameSQL(_staff_with_roles)


def get_staff(user):
    """The user's staff profile, or None (anonymous, or a user nobody gave a profile)."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_newzone_staff"):
        # The profile and its roles in one query: a row per role (none: one row with no code).
        rows = _STAFF_WITH_ROLES.rows(user.pk)
        staff = rows[0] if rows else None
        if staff is not None:
            staff._role_codes = {row.role_code for row in rows if row.role_code}
        user._newzone_staff = staff
    return user._newzone_staff


def actor(by):
    """(user, staff or None) of whoever acts: the services accept a user or their Staff profile.

    None (a command acting as the system) gives (None, None).
    """
    from .models import Staff

    if by is None:
        return None, None
    if isinstance(by, Staff):
        return by.user, by
    return by, get_staff(by)


def role_codes(user):
    """The user's roles; a superuser is an administrator whether or not it has a profile."""
    if user is None:
        return set()
    staff = get_staff(user)
    codes = set(staff.role_codes()) if staff else set()
    if user.is_authenticated and user.is_superuser:
        codes.add(RoleCode.ADMINISTRATOR)
    return codes


def has_role(user, *codes):
    return bool(role_codes(user) & set(codes))


def sees_everything(user):
    return has_role(user, *ZONE_WIDE_ROLES)


class RoleRequired(PermissionDenied):
    """A 403 that names the roles the action needs (the error page shows them)."""

    def __init__(self, *roles):
        order = list(RoleCode)
        self.roles = tuple(sorted((RoleCode(role) for role in roles), key=order.index))
        super().__init__(", ".join(self.roles))


def require_role(user, *codes):
    """Raise 403 (naming the roles) unless the user holds one of them."""
    if not has_role(user, *codes):
        raise RoleRequired(*codes)
