"""Issue pages: the list, the detail with its timeline and action forms, approvals, slips, messages.

Every page starts from `Issue.objects.visible_to(user)` (outside → 404). Each action is a POST to
its own URL carrying the version the form was shown with; the service checks the role (403) and
the version (someone else changed the issue → "reload").
"""

import html

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, slips
from ..filters import IssueFilter
from ..forms.base import add_service_errors
from ..forms.issues import (
    ApprovalDecisionForm,
    IssueAssignForm,
    IssueCloseForm,
    IssueEscalateForm,
    IssueExtensionForm,
    IssueFeedbackForm,
    IssueFollowUpForm,
    IssueReasonForm,
    IssueResolveForm,
    IssueResumeForm,
    IssueSendBackForm,
)
from ..links import row_link
from ..models import (
    ApprovalDecision,
    ApprovalRequest,
    Issue,
    IssueAction,
    IssueEvent,
    Level,
    Notification,
    Rules,
)
from ..models.issues import UNRESOLVED_FIRST
from ..querysets import today
from ..rulebook import APPROVER_ROLES
from ..services import issues as services
from ..templatetags.choices import choice_labels
from ..texts import shortened
from ..workdays import working_days_between

PAGE_SIZE = 50


def visible_issues(request):
    return Issue.objects.visible_to(request.user)


class Action:
    """One action form on the issue page: its form, service and the kwargs it takes.

    The title is the `IssueAction`'s label; whether the form is offered is the rulebook's answer.
    """

    def __init__(self, name, form_class, service, fields, button_class="btn-primary"):
        self.name = IssueAction(name)
        self.title = self.name.label
        self.form_class = form_class
        self.service = service
        self.fields = fields
        self.button_class = button_class

    def call(self, issue, user, data):
        kwargs = {field: data.get(field) for field in self.fields}
        return self.service(issue=issue, by=user, expected_version=data["version"], **kwargs)


# Order = order on the page. One entry per IssueAction (tests/test_rulebook.py checks it).
ACTIONS = {
    action.name: action
    for action in [
        Action(IssueAction.FOLLOW_UP, IssueFollowUpForm, services.issue_follow_up, ["text"]),
        Action(
            IssueAction.ASSIGN,
            IssueAssignForm,
            services.issue_assign,
            ["department", "assignee", "deadline", "note"],
        ),
        Action(
            IssueAction.ESCALATE,
            IssueEscalateForm,
            services.issue_escalate,
            ["reason", "leader", "department"],
            "btn-warning",
        ),
        Action(IssueAction.RESOLVE, IssueResolveForm, services.issue_resolve, ["resolution"], "btn-success"),
        Action(
            IssueAction.CLOSE,
            IssueCloseForm,
            services.issue_close,
            ["feedback", "satisfaction"],
            "btn-success",
        ),
        Action(
            IssueAction.RECORD_FEEDBACK,
            IssueFeedbackForm,
            services.issue_record_feedback,
            ["feedback"],
            "btn-outline-primary",
        ),
        Action(IssueAction.REOPEN, IssueReasonForm, services.issue_reopen, ["reason"], "btn-outline-danger"),
        Action(
            IssueAction.REQUEST_EXTENSION,
            IssueExtensionForm,
            services.issue_request_extension,
            ["reason", "new_deadline"],
            "btn-outline-primary",
        ),
        Action(
            IssueAction.REQUEST_SUSPENSION,
            IssueReasonForm,
            services.issue_request_suspension,
            ["reason"],
            "btn-outline-primary",
        ),
        Action(IssueAction.RESUME, IssueResumeForm, services.issue_resume, ["note", "deadline"]),
        Action(
            IssueAction.SEND_BACK,
            IssueSendBackForm,
            services.issue_send_back,
            ["comments"],
            "btn-outline-danger",
        ),
        Action(
            IssueAction.FLAG,
            IssueReasonForm,
            services.issue_flag_for_committee,
            ["reason"],
            "btn-outline-danger",
        ),
        Action(
            IssueAction.WITHDRAW,
            IssueReasonForm,
            services.issue_withdraw,
            ["reason"],
            "btn-outline-secondary",
        ),
    ]
}


def _initial(issue, name):
    initial = {"version": issue.version}
    if name == IssueAction.ASSIGN:
        initial.update(department=issue.department_id, assignee=issue.assignee_id, deadline=issue.deadline)
    return initial


def _form(name, issue, user, data=None):
    """The action's form, unbound (with the issue's values) or bound to `data`."""
    action = ACTIONS[name]
    kwargs = {"prefix": name}
    if name == IssueAction.ASSIGN:
        kwargs["may_set_deadline"] = services.may_set_deadline(user, issue)
    if name == IssueAction.ESCALATE:
        kwargs["target_level"] = issue.level + 1
    if data is None:
        return action.form_class(initial=_initial(issue, name), **kwargs)
    return action.form_class(data, **kwargs)


def _action_forms(issue, user, bound=None):
    """(action, form) for each action the rulebook allows; `bound` replaces one with a posted form."""
    allowed = services.allowed_actions(user, issue)
    result = []
    for name, action in ACTIONS.items():
        if name not in allowed:
            continue
        form = bound if bound is not None and bound.prefix == name else _form(name, issue, user)
        result.append({"action": action, "title": action.title, "form": form})
    return result


def _first_response(issue, limit):
    """(working days to the first response or None, late?) with `limit` = Rules.first_response_days."""
    start = timezone.localdate(issue.raised_at)
    if issue.first_response_at is not None:
        days = working_days_between(start, timezone.localdate(issue.first_response_at))
        return days, days > limit
    if issue.is_unresolved and issue.withdrawn_at is None:
        return None, working_days_between(start, today()) > limit
    return None, False


def _escaped_labels(field_name, model=Issue):
    """A choice field's labels (choice_labels, translated once per field and language), escaped once
    for a list rather than in each row."""
    return {value: conditional_escape(label) for value, label in choice_labels(model, field_name).items()}


def _name_or_dash(obj):
    return (obj.name if obj is not None else "") or "—"


# A row of the issue table (templates/projects/_issue_table.html holds the header and the loop), built
# here as the dashboard builds its breakdown cells: through the template engine its seven labelled
# cells cost about 600 calls a row, more than the rest of the page. The row's own texts are escaped
# (html.escape, as the template escapes text); the words of the page are escaped once (issue_rows).
ISSUE_ROW = (
    '<tr>\n<td><a href="{url}">{title}</a>'
    '<div class="small text-muted fw-normal">{category}{committee}{suspended}</div></td>\n'
    '<td data-label="{project_label}">{project}<div class="small text-muted">{park}</div></td>\n'
    '<td data-label="{level_label}">{level}</td>\n'
    '<td data-label="{status_label}">{status}</td>\n'
    '<td data-label="{department_label}">{department}</td>\n'
    '<td data-label="{assignee_label}">{assignee}</td>\n'
    '<td data-label="{deadline_label}" class="text-nowrap{late}">{deadline}</td>\n</tr>'
)
BADGE = ' · <span class="badge text-bg-{}">{}</span>'
LATE = SafeString(" text-danger fw-bold")


def issue_rows(issues):
    """Each row of the issue table as HTML (ISSUE_ROW), for `issues` read with IssueQuerySet.as_rows();
    the cells' labels and the choices' words translated and escaped once for the page."""
    issues = list(issues)
    if not issues:  # nothing to translate
        return []
    category, status = _escaped_labels("category"), _escaped_labels("status")
    # A level's number and name ("3 · ..."); every issue has one (the issue_level_range constraint).
    levels = {value: format_html("{} · {}", value, name) for value, name in _escaped_labels("level").items()}
    # The phone's stacked cells repeat the header's words (the header: the same msgids in the template).
    labels = {
        f"{name}_label": conditional_escape(text)
        for name, text in {
            "project": _("Project"),
            "level": _("Level"),
            "status": _("Status"),
            "department": _("Department"),
            "assignee": _("Responsible person"),
            "deadline": _("Deadline"),
        }.items()
    }
    committee = format_html(BADGE, "danger", _("Committee"))
    suspended = format_html(BADGE, "secondary", _("Suspended"))
    overdue = _("Overdue")
    issue_link = row_link("issue_detail")
    rows = []
    for issue in issues:
        late = bool(issue.deadline) and issue.is_overdue
        deadline = f"{issue.deadline:%Y-%m-%d}" if issue.deadline else "—"
        rows.append(
            mark_safe(
                ISSUE_ROW.format(
                    url=issue_link(issue.pk),
                    title=html.escape(f"#{issue.pk} {shortened(issue.description, 60)}"),
                    category=category.get(issue.category) or html.escape(issue.category),
                    committee=committee if issue.flagged_for_committee else "",
                    suspended=suspended if issue.suspended else "",
                    project=html.escape(issue.project.name),
                    park=html.escape(issue.project.park.name),
                    level=levels[issue.level],
                    status=status.get(issue.status) or html.escape(issue.status),
                    department=html.escape(_name_or_dash(issue.department)),
                    assignee=html.escape(_name_or_dash(issue.assignee)),
                    late=LATE if late else "",
                    deadline=html.escape(f"{deadline} · {overdue}" if late else deadline),
                    **labels,
                )
            )
        )
    return rows


def issue_list(request):
    issues = (
        visible_issues(request)
        .active()
        .as_rows()
        .order_by(UNRESOLVED_FIRST, F("deadline").asc(nulls_last=True), "pk")
    )
    issue_filter = IssueFilter(request.GET, queryset=issues, request=request)
    page = Paginator(issue_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/issue_list.html",
        {
            "filter": issue_filter,
            "page": page,
            "rows": issue_rows(page),
            "query": query.urlencode(),
            "title": _("Issues"),
        },
    )


def committee_list(request):
    """Issues a supervisor flagged for the Party Working Committee / Management Committee."""
    issues = (
        visible_issues(request)
        .active()
        .filter(flagged_for_committee=True)
        .as_rows()
        .order_by("status", "deadline", "pk")
    )
    page = Paginator(issues, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/issue_committee.html",
        {
            "page": page,
            "rows": issue_rows(page),
            "title": _("Flagged for the committee"),
        },
    )


# What the issue page's timeline shows of each event (timeline_items).
EVENT_FIELDS = (
    *("kind", "at", "text", "from_level", "to_level", "deadline"),
    *("by", "department", "assignee", "by__name", "department__name", "assignee__name"),
)
# An event of the timeline (issue_detail.html), written here as the lists' rows are.
EVENT_ITEM = (
    '\n      <li class="list-group-item">'
    '\n        <div class="d-flex flex-wrap justify-content-between gap-2">'
    '\n          <strong>{kind}{levels}</strong>\n          <span class="small text-muted">{at} · {by}</span>'
    "\n        </div>\n        {text}\n        {facts}\n      </li>\n    "
)
EVENT_FACTS = '\n        <div class="small text-muted">{}</div>\n        '


def timeline_items(events):
    """Each event of `events` (an issue's) as its timeline item: the kind and the levels moved, when
    (local time) and by whom ("system" for nobody), the text with its line breaks, the department,
    person and deadline it set; every text escaped. Also each event's `kind`, for its readers."""
    kinds, levels = _escaped_labels("kind", IssueEvent), _escaped_labels("to_level", IssueEvent)
    system, deadline_word = html.escape(_("system")), html.escape(_("deadline"))
    items = []
    for event in events.values(*EVENT_FIELDS):
        from_level, to_level = event["from_level"], event["to_level"]
        moved = ""
        if from_level and to_level:
            moved = f" {from_level} → {to_level}"
        elif to_level:
            moved = f" ({levels.get(to_level) or to_level})"
        facts = ""
        if event["department"] or event["assignee"] or event["deadline"]:
            facts = EVENT_FACTS.format(
                (html.escape(event["department__name"]) if event["department"] else "")
                + (f" · {html.escape(event['assignee__name'])}" if event["assignee"] else "")
                + (f" · {deadline_word} {event['deadline']:%Y-%m-%d}" if event["deadline"] else "")
            )
        html_item = EVENT_ITEM.format(
            kind=kinds.get(event["kind"]) or html.escape(event["kind"]),
            levels=moved,
            at=f"{timezone.localtime(event['at']):%Y-%m-%d %H:%M}",
            by=html.escape(event["by__name"]) if event["by"] else system,
            text=f"<div>{linebreaksbr(event['text'], autoescape=True)}</div>" if event["text"] else "",
            facts=facts,
        )
        items.append({"kind": event["kind"], "html": mark_safe(html_item)})
    return items


REQUEST_FIELDS = (
    *("issue", "kind", "new_deadline", "status", "reason", "requested_at", "decision_note"),
    *("requested_by", "decided_by", "requested_by__name", "decided_by__name"),
)


def _detail_context(request, issue, bound=None):
    limit = Rules.current().first_response_days
    days, late = _first_response(issue, limit)
    return {
        "issue": issue,
        "events": timeline_items(issue.events),
        "requests": issue.approval_requests.select_related("requested_by", "decided_by").only(
            *REQUEST_FIELDS
        ),
        "actions": _action_forms(issue, request.user, bound),
        "first_response_days": days,
        "first_response_late": late,
        "first_response_limit": limit,
        "overdue": issue.is_overdue,
        "can_decide": access.has_role(request.user, *APPROVER_ROLES),
    }


# The issue's relations its page, actions and slips show.
ISSUE_RELATIONS = (
    "project__park",
    "project__enterprise",
    "department",
    "assignee",
    "assigned_by_leader",
    "raised_by",
    "visit",
)


def _get_issue(request, pk):
    """The issue as the actions and slips read it: with its project's leader, every column."""
    return get_object_or_404(
        visible_issues(request).select_related("project__leader", *ISSUE_RELATIONS), pk=pk
    )


# What the issue page shows of the issue's project and people (issue_detail.html); the actions and
# slips read more of them (_get_issue).
PAGE_RELATED_FIELDS = (
    "project__code",
    "project__name",
    "project__park__name",
    "project__enterprise__name",
    "department__name",
    "assignee__name",
    "assigned_by_leader__name",
    "raised_by__name",
    "visit__id",
)


def _get_issue_for_page(request, pk):
    """The issue as its page reads it: every column of its own (the rulebook, the action forms and the
    first response read them), of its relations only what the page shows."""
    issue_fields = [field.name for field in Issue._meta.concrete_fields]
    return get_object_or_404(
        visible_issues(request).select_related(*ISSUE_RELATIONS).only(*issue_fields, *PAGE_RELATED_FIELDS),
        pk=pk,
    )


def issue_detail(request, pk):
    issue = _get_issue_for_page(request, pk)
    return render(request, "projects/issue_detail.html", _detail_context(request, issue))


@require_POST
def issue_action(request, pk, action):
    issue = _get_issue(request, pk)
    if action not in IssueAction.values:
        raise Http404
    action = IssueAction(action)
    spec = ACTIONS[action]
    if action not in services.allowed_actions(request.user, issue):
        raise PermissionDenied
    form = _form(action, issue, request.user, request.POST)
    if form.is_valid():
        try:
            spec.call(issue, request.user, form.cleaned_data)
        except ValidationError as exc:  # a stale version too: shown again with what was typed
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved: %(action)s.") % {"action": spec.title})
            return redirect(issue)
    issue = _get_issue_for_page(request, pk)
    return render(request, "projects/issue_detail.html", _detail_context(request, issue, form), status=400)


def approval_list(request):
    """Pending extension and suspension requests, for a coordinator's decision."""
    access.require_role(request.user, *APPROVER_ROLES)
    pending = (
        ApprovalRequest.objects.filter(
            status=ApprovalRequest.Status.PENDING,
            issue__in=visible_issues(request).active().values("pk"),
        )
        .select_related("issue__project", "issue__department", "requested_by")
        .order_by("requested_at")
    )
    decided = (
        ApprovalRequest.objects.exclude(status=ApprovalRequest.Status.PENDING)
        .select_related("issue", "requested_by", "decided_by")
        .order_by("-decided_at")[:20]
    )
    return render(
        request,
        "projects/issue_approvals.html",
        {"pending": pending, "decided": decided, "form": ApprovalDecisionForm(), "title": _("Approvals")},
    )


@require_POST
def approval_decide(request, pk):
    access.require_role(request.user, *APPROVER_ROLES)
    approval = get_object_or_404(
        ApprovalRequest.objects.filter(issue__in=visible_issues(request).values("pk")), pk=pk
    )
    form = ApprovalDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("approval_list")
    try:
        services.approval_decide(
            request=approval,
            by=request.user,
            approve=form.cleaned_data["decision"] == ApprovalDecision.APPROVE,
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("approval_list")


SLIPS = {
    # level: (its number's field, page template, page URL name, Word file URL name)
    Level.LEADER: ("assignment_slip_no", "projects/issue_assignment_slip.html", "issue_assignment_slip",
                   "issue_assignment_slip_docx"),
    Level.SUPERVISION: ("supervision_slip_no", "projects/issue_supervision_slip.html",
                        "issue_supervision_slip", "issue_supervision_slip_docx"),
}  # fmt: skip


def _slip(request, pk, level, as_docx=False):
    field, template, page_url, docx_url = SLIPS[level]
    issue = _get_issue(request, pk)
    if issue.level < level or not getattr(issue, field):
        raise Http404
    events = issue.events.select_related("by")
    document = slips.issue_slip(issue, level, list(events))
    if as_docx:
        return slips.docx_response(document, f"{page_url.removeprefix('issue_')}-{issue.pk}.docx")
    context = {
        "document": document,
        "docx_url": reverse(docx_url, args=[issue.pk]),
        "back_url": issue.get_absolute_url(),
    }
    return render(request, template, context)


def assignment_slip(request, pk):
    """交办单: printable, numbered; exists from level 3."""
    return _slip(request, pk, Level.LEADER)


def assignment_slip_docx(request, pk):
    return _slip(request, pk, Level.LEADER, as_docx=True)


def supervision_slip(request, pk):
    """督办单: printable, numbered; exists at level 4."""
    return _slip(request, pk, Level.SUPERVISION)


def supervision_slip_docx(request, pk):
    return _slip(request, pk, Level.SUPERVISION, as_docx=True)


# --- Message centre ---------------------------------------------------------------------------------


def notification_list(request):
    notifications = Notification.objects.filter(recipient=request.user)
    counts = notifications.aggregate(total=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)))
    page = Paginator(notifications.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "projects/notification_list.html",
        {"page": page, "counts": counts, "title": _("Messages and to-dos")},
    )


def _next_url(request, fallback):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@require_POST
def notification_read(request, pk):
    notification = get_object_or_404(Notification.objects.filter(recipient=request.user), pk=pk)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
    return redirect(_next_url(request, "notification_list"))


@require_POST
def notification_read_all(request):
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, _("All messages marked as read."))
    return redirect("notification_list")
