from . import access


def navigation(request):
    """What every page's header needs: the user's roles and unread notification count."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .models import Notification

    roles = access.role_codes(user)
    return {
        "staff": access.get_staff(user),
        "user_roles": roles,
        # A user without a profile or role sees a clear message on every page (base.html).
        "has_no_role": not roles,
        "sees_everything": access.sees_everything(user),
        "unread_notifications": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
    }
