"""Coordination meetings (调度会): list, create with a proposed agenda, record every decision in one
post, print the agenda and the minutes (会议纪要)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import access, slips
from ..forms.meetings import MeetingCancelForm, MeetingDecisionFormSet, MeetingForm
from ..querysets import today
from ..services.meetings import (
    MEETING_ROLES,
    meeting_agenda_candidates,
    meeting_cancel,
    meeting_create,
    meeting_record_decisions,
    meetings_visible_to,
)


def _meeting(request, pk):
    return get_object_or_404(
        meetings_visible_to(request.user).select_related("chair", "created_by"),
        pk=pk,
    )


def _items(meeting):
    return meeting.items.select_related(
        "issue", "issue__project", "issue__department", "issue__assignee", "department"
    )


def meeting_list(request):
    meetings = (
        meetings_visible_to(request.user)
        .select_related("chair")
        .annotate(
            item_count=Count("items", distinct=True),
            decided_count=Count("items", filter=~Q(items__decision=""), distinct=True),
        )
        .order_by("-date", "-pk")[:200]
    )
    return render(
        request,
        "projects/meeting_list.html",
        {"meetings": meetings, "may_create": access.has_role(request.user, *MEETING_ROLES), "today": today()},
    )


def meeting_new(request):
    access.require_role(request.user, *MEETING_ROLES)
    candidates = meeting_agenda_candidates()
    data = request.POST if request.method == "POST" else None
    staff = access.get_staff(request.user)
    initial = {
        "date": today(),
        "title": _("Monthly coordination meeting on key projects"),
        "chair": staff,
        "issues": list(candidates),
    }
    form = MeetingForm(data, candidates=candidates, initial=initial)
    ask_same_month = False
    if data is not None and form.is_valid():
        cleaned = form.cleaned_data
        chosen = set(cleaned["issues"])
        try:
            meeting = meeting_create(
                by=request.user,
                date=cleaned["date"],
                title=cleaned["title"],
                number=cleaned["number"],
                location=cleaned["location"],
                chair=cleaned["chair"],
                attendees=cleaned["attendees"],
                departments=cleaned["departments"],
                # In the agenda's order: level, then deadline.
                issues=[issue for issue in candidates if issue in chosen],
                same_month_confirmed=cleaned["same_month_confirmed"],
            )
        except ValidationError as error:
            if getattr(error, "error_dict", {}).get("date"):
                ask_same_month = True
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request, _("Meeting created with %(count)s issue(s) on the agenda.") % {"count": len(chosen)}
            )
            return redirect(meeting)
    return render(
        request,
        "projects/meeting_form.html",
        {"form": form, "candidates": candidates, "today": today(), "ask_same_month": ask_same_month},
    )


def meeting_cancel_view(request, pk):
    """Cancel a meeting with a reason (MEETING_ROLES); its issues go back to the agenda pool."""
    access.require_role(request.user, *MEETING_ROLES)
    meeting = _meeting(request, pk)
    form = MeetingCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_cancel(meeting=meeting, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The meeting was cancelled; its issues are back on the agenda pool."))
            return redirect(meeting)
    return render(
        request,
        "projects/meeting_cancel.html",
        {"meeting": meeting, "form": form},
        status=400 if form.is_bound else 200,
    )


def meeting_detail(request, pk):
    meeting = _meeting(request, pk)
    items = list(_items(meeting))
    may_record = access.has_role(request.user, *MEETING_ROLES) and not meeting.is_cancelled
    open_items = [item for item in items if not item.decision]
    formset = None
    if may_record and open_items:
        data = request.POST if request.method == "POST" else None
        formset = MeetingDecisionFormSet(
            data, prefix="decision", initial=[{"item": item.pk} for item in open_items]
        )
        if data is not None:
            if formset.is_valid() and formset.total_form_count() == len(open_items):
                by_pk = {item.pk: item for item in open_items}
                decisions = []
                for form in formset.forms:
                    item = by_pk.get(form.cleaned_data.get("item"))
                    if item is None:
                        continue
                    decisions.append({**form.cleaned_data, "item": item})
                try:
                    applied = meeting_record_decisions(meeting=meeting, by=request.user, decisions=decisions)
                except ValidationError as error:
                    for message in error.messages:
                        messages.error(request, message)
                else:
                    messages.success(request, _("%(count)s decision(s) recorded.") % {"count": applied})
                    return redirect(meeting)
            else:
                messages.error(request, _("Nothing was saved: please correct the decisions marked below."))
    elif request.method == "POST":
        access.require_role(request.user, *MEETING_ROLES)
        messages.info(request, _("Every issue of this meeting has its decision already."))
        return redirect(meeting)
    forms_by_item = (
        dict(zip((item.pk for item in open_items), formset.forms, strict=False)) if formset else {}
    )
    context = {
        "meeting": meeting,
        "rows": [{"item": item, "form": forms_by_item.get(item.pk)} for item in items],
        "formset": formset,
        "attendees": meeting.attendees.all(),
        "departments": meeting.departments.all(),
        "may_record": may_record,
        "today": today(),
    }
    return render(request, "projects/meeting_detail.html", context)


def meeting_agenda(request, pk):
    meeting = _meeting(request, pk)
    return render(
        request,
        "projects/meeting_agenda.html",
        {
            "meeting": meeting,
            "items": _items(meeting),
            "attendees": meeting.attendees.all(),
            "departments": meeting.departments.all(),
        },
    )


def _minutes(request, pk):
    meeting = _meeting(request, pk)
    items = _items(meeting).select_related("issue__project__enterprise")
    return meeting, slips.meeting_minutes(meeting, items, meeting.attendees.all(), meeting.departments.all())


def meeting_minutes(request, pk):
    meeting, document = _minutes(request, pk)
    context = {
        "document": document,
        "docx_url": reverse("meeting_minutes_docx", args=[meeting.pk]),
        "back_url": meeting.get_absolute_url(),
    }
    return render(request, "projects/meeting_minutes.html", context)


def meeting_minutes_docx(request, pk):
    meeting, document = _minutes(request, pk)
    return slips.docx_response(document, f"minutes-{meeting.pk}.docx")
