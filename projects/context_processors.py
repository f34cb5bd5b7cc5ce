from . import access
from .links import menu_links


def navigation(request):
    """What every page's header needs: the user's roles, what the menu offers them, unread messages."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .models import Notification, ProjectAction
    from .rulebook import APPROVER_ROLES, may_take_some, zone_actions

    roles = access.role_codes(user)
    return {
        "staff": access.get_staff(user),
        "user_roles": roles,
        # A user without a profile or role sees a clear message on every page (base.html).
        "has_no_role": not roles,
        "sees_everything": access.sees_everything(user),
        # The menu's links to write pages, as the rulebook says (no role lists in the templates).
        "zone_may": zone_actions(user),
        "may_fill_round": may_take_some(user, ProjectAction.LOG_PROGRESS),
        "may_decide_stage_corrections": may_take_some(user, ProjectAction.DECIDE_STAGE_CORRECTION),
        "may_decide_requests": access.has_role(user, *APPROVER_ROLES),
        "unread_notifications": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
        "menu": menu_links(),
    }
