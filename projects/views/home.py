from django.shortcuts import render

from .. import access
from ..models import Issue, Project
from ..querysets import today


def home(request):
    """My work: what needs the user now."""
    staff = access.get_staff(request.user)
    if staff is None and not request.user.is_superuser:
        return render(request, "projects/no_profile.html", status=200)
    issues = Issue.objects.visible_to(request.user).unresolved().select_related("project", "department")
    context = {
        "my_issues": issues.filter(assignee=staff).order_by("deadline")[:20] if staff else [],
        "overdue_issues": issues.overdue().order_by("deadline")[:20],
        "not_visited": Project.objects.visible_to(request.user)
        .not_visited_since(30)
        .select_related("park")[:20],
        "today": today(),
    }
    return render(request, "projects/home.html", context)
