from . import access


def navigation(request):
    """What every page's header needs: the user's roles, what the menu offers them, unread messages."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .models import Notification, ProjectAction, RoleCode
    from .rulebook import APPROVER_ROLES, VISIT_EVIDENCE_ROLES, may_take_some, zone_actions

    roles = access.role_codes(user)
    zone_may = zone_actions(user)
    staff = access.get_staff(user)
    return {
        "staff": staff,
        # A user without a profile or role sees a clear message on every page (base.html).
        "has_no_role": not roles,
        "zone_may": zone_may,
        # The menu's pages each user may open, as the pages' own checks say (templatetags/layout.py).
        "may_fill_round": may_take_some(user, ProjectAction.LOG_PROGRESS),
        "may_read_round_status": zone_may["READ_ROUND_STATUS"],
        "may_decide_stage_corrections": may_take_some(user, ProjectAction.DECIDE_STAGE_CORRECTION),
        "may_decide_requests": bool(roles & APPROVER_ROLES),
        "may_read_visit_evidence": bool(roles & VISIT_EVIDENCE_ROLES),
        # The administration pages and the login audit (admin_site.is_administrator).
        "may_administer": RoleCode.ADMINISTRATOR in roles,
        "may_set_channels": staff is not None,
        "unread_notifications": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
    }
