"""The Django admin, for administrators: every model with its columns, search, filters and inlines."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import models as m
from .admin_widgets import GuardedAutocomplete
from .services import issues as issue_services

admin.site.site_header = _("Newzone administration")
admin.site.site_title = _("Newzone")
admin.site.index_title = _("Administration")


class StaffInline(admin.StackedInline):
    model = m.Staff
    can_delete = False
    filter_horizontal = ["parks", "roles"]
    extra = 0


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class NewzoneUserAdmin(UserAdmin):
    """Users with their zone profile (roles, department, parks) on the same page."""

    inlines = [StaffInline]
    list_display = ["username", "staff_name", "staff_roles", "is_active", "is_superuser", "last_login"]
    list_select_related = ["staff"]

    @admin.display(description=_("name"))
    def staff_name(self, user):
        return getattr(getattr(user, "staff", None), "name", "")

    @admin.display(description=_("roles"))
    def staff_roles(self, user):
        staff = getattr(user, "staff", None)
        return ", ".join(str(role) for role in staff.roles.all()) if staff else ""

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("staff__roles")


@admin.register(m.Park)
class ParkAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]
    search_fields = ["name"]


@admin.register(m.Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]
    search_fields = ["name"]


@admin.register(m.NameAlias)
class NameAliasAdmin(admin.ModelAdmin):
    """Names a ledger writes for known parks, departments and people, confirmed by an importer."""

    list_display = ["alias", "kind", "park", "department", "staff", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["alias", "park__name", "department__name", "staff__name"]
    autocomplete_fields = ["park", "department", "staff"]
    readonly_fields = ["created_by", "created_at"]


@admin.register(m.ColumnAlias)
class ColumnAliasAdmin(admin.ModelAdmin):
    list_display = ["header", "field", "created_at"]
    search_fields = ["header"]


class ContactInline(admin.TabularInline):
    model = m.Contact
    extra = 0


@admin.register(m.Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "address"]
    search_fields = ["name", "credit_code"]
    inlines = [ContactInline]


@admin.register(m.Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["code", "__str__"]


@admin.register(m.Staff)
class StaffAdmin(GuardedAutocomplete, admin.ModelAdmin):
    list_display = ["name", "user", "department", "title", "phone", "mobile"]
    list_filter = ["roles", "department", "parks"]
    search_fields = ["name", "user__username", "phone", "mobile"]
    filter_horizontal = ["parks", "roles"]
    list_select_related = ["user", "department"]
    autocomplete_fields = ["user"]


class ListingInline(admin.TabularInline):
    model = m.Listing
    extra = 0


class MonthlyReportInline(GuardedAutocomplete, admin.TabularInline):
    model = m.MonthlyReport
    extra = 0
    fields = ["year", "month", "amount", "note", "reported_by"]
    autocomplete_fields = ["reported_by"]


class PermitInline(GuardedAutocomplete, admin.TabularInline):
    model = m.Permit
    extra = 0
    autocomplete_fields = ["handler"]


class PlanNodeInline(admin.TabularInline):
    """The plan is adjusted on the plan page (services.plans writes through to stage dates and
    permits); here it is only shown."""

    model = m.PlanNode
    extra = 0
    fields = ["order", "name", "is_key", "stage", "permit_type", "planned_date", "actual_date", "responsible"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(m.Project)
class ProjectAdmin(GuardedAutocomplete, SimpleHistoryAdmin):
    list_display = [
        "code",
        "name",
        "enterprise",
        "park",
        "stage",
        "total_investment",
        "leader",
        "grid_worker",
    ]
    list_filter = ["park", "stage", "listings__year", "listings__level", "listings__kind", "leader"]
    search_fields = ["code", "name", "enterprise__name"]
    list_select_related = ["enterprise", "park", "leader", "grid_worker"]
    autocomplete_fields = ["enterprise", "leader", "grid_worker"]
    inlines = [ListingInline, MonthlyReportInline, PermitInline, PlanNodeInline]
    # The stage and its dates move only through the progress services (the rulebook's LOG_PROGRESS,
    # a progress note, the stage never contradicting the dates).
    readonly_fields = [
        "stage",
        "signed_on",
        "filed_on",
        "actual_start",
        "actual_completion",
        "production_date",
        "created_at",
        "updated_at",
    ]

    def get_queryset(self, request):
        # Filtering on listings joins several rows per project; show each project once.
        return super().get_queryset(request).distinct()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:  # a new project gets its node plan from its type's template
            from .services.plans import plan_create

            plan_create(project=obj, by=request.user)


@admin.register(m.Listing)
class ListingAdmin(GuardedAutocomplete, SimpleHistoryAdmin):
    list_display = ["year", "project", "level", "kind", "planned_investment"]
    list_filter = ["year", "level", "kind", "project__park"]
    search_fields = ["project__code", "project__name"]
    list_select_related = ["project"]
    autocomplete_fields = ["project"]


@admin.register(m.MonthlyReport)
class MonthlyReportAdmin(GuardedAutocomplete, SimpleHistoryAdmin):
    list_display = ["project", "year", "month", "amount", "reported_by", "reported_at"]
    list_filter = ["year", "month", "project__park"]
    search_fields = ["project__code", "project__name"]
    list_select_related = ["project", "reported_by"]
    autocomplete_fields = ["project", "reported_by"]


@admin.register(m.MonthLock)
class MonthLockAdmin(admin.ModelAdmin):
    list_display = ["year", "month", "locked_at", "locked_by"]


@admin.register(m.ReportCorrection)
class ReportCorrectionAdmin(GuardedAutocomplete, SimpleHistoryAdmin):
    list_display = ["project", "year", "month", "old_amount", "new_amount", "status", "requested_by"]
    list_filter = ["status", "year", "month"]
    search_fields = ["project__code", "project__name", "reason"]
    list_select_related = ["project", "requested_by"]
    autocomplete_fields = ["project", "requested_by", "decided_by"]


class PhotoInline(admin.TabularInline):
    model = m.Photo
    extra = 0
    fields = ["image", "taken_at"]


@admin.register(m.ProgressNote)
class ProgressNoteAdmin(GuardedAutocomplete, SimpleHistoryAdmin):
    list_display = ["project", "date", "stage_from", "stage_to", "author"]
    list_filter = ["stage_to", "project__park"]
    search_fields = ["project__name", "text"]
    list_select_related = ["project", "author"]
    autocomplete_fields = ["project", "author"]
    inlines = [PhotoInline]


@admin.register(m.PermitType)
class PermitTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "required_from", "order"]
    list_editable = ["required_from", "order"]


@admin.register(m.Permit)
class PermitAdmin(GuardedAutocomplete, SimpleHistoryAdmin):
    list_display = ["project", "permit_type", "status", "applied_on", "approved_on", "handler"]
    list_filter = ["status", "permit_type", "project__park"]
    search_fields = ["project__code", "project__name"]
    list_select_related = ["project", "permit_type", "handler"]
    autocomplete_fields = ["project", "handler"]


@admin.register(m.NodeTemplate)
class NodeTemplateAdmin(admin.ModelAdmin):
    """The standard plan per project type: administrators edit order, department, offset, key flag."""

    list_display = [
        "project_type",
        "order",
        "name",
        "department",
        "offset_days",
        "is_key",
        "stage",
        "permit_type",
    ]
    list_editable = ["order", "department", "offset_days", "is_key"]
    list_filter = ["project_type"]
    search_fields = ["name"]


@admin.register(m.Document)
class DocumentAdmin(SimpleHistoryAdmin):
    """Documents are attached on the project's pages (type checked by content); here they are read."""

    list_display = ["name", "project", "node", "permit", "content_type", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["name", "project__name", "project__code"]
    list_select_related = ["project", "node", "permit", "uploaded_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(m.Visit)
class VisitAdmin(GuardedAutocomplete, SimpleHistoryAdmin):
    list_display = ["date", "project", "kind", "recorded_by", "withdrawn_at"]
    list_filter = ["kind", "date", "project__park"]
    search_fields = ["project__name", "summary", "people_met"]
    list_select_related = ["project", "recorded_by"]
    autocomplete_fields = ["project", "recorded_by"]
    filter_horizontal = ["participants", "departments"]
    inlines = [PhotoInline]


class ReadOnlyInline(admin.TabularInline):
    """Rows a service writes (the timeline, approval requests): shown, never added, edited or removed."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class IssueEventInline(ReadOnlyInline):
    model = m.IssueEvent
    fields = ["at", "kind", "by", "from_level", "to_level", "department", "deadline", "text"]


class ApprovalRequestInline(ReadOnlyInline):
    model = m.ApprovalRequest
    fields = ["kind", "status", "new_deadline", "reason", "requested_by", "decided_by", "decision_note"]


class ReasonForm(forms.Form):
    """The reason an administrator gives for an admin action on the selected issues."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=200)


def _issue_admin_action(service, title):
    """An admin action that asks for a reason, then calls the issue service on each selected issue.

    The service asks the rulebook, as on the issue page: an issue it refuses is reported, not changed.
    """

    def action(modeladmin, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return TemplateResponse(
                request,
                "admin/projects/issue/action_reason.html",
                {
                    **modeladmin.admin_site.each_context(request),
                    "title": title,
                    "form": form,
                    "issues": queryset,
                    "action": request.POST["action"],
                    "opts": modeladmin.model._meta,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        done = 0
        for issue in queryset.select_related("project", "department"):
            try:
                with transaction.atomic():
                    service(issue=issue, by=request.user, reason=form.cleaned_data["reason"])
            except PermissionDenied:
                modeladmin.message_user(
                    request,
                    _("Issue #%(pk)s: the rulebook does not allow this now; nothing changed.")
                    % {"pk": issue.pk},
                    messages.WARNING,
                )
            except ValidationError as exc:
                modeladmin.message_user(request, f"#{issue.pk}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                done += 1
        modeladmin.message_user(request, _("%(count)s issue(s) changed.") % {"count": done}, messages.SUCCESS)
        return None

    action.short_description = title
    action.__name__ = f"act_{service.__name__}"
    return action


# The ladder's fields: the issue services own them (a change bumps the version and writes the timeline).
ISSUE_SERVICE_FIELDS = [
    "project",
    "visit",
    "category",
    "level",
    "status",
    "department",
    "assignee",
    "assigned_by_leader",
    "deadline",
    "level_entered_at",
    "raised_by",
    "raised_at",
    "first_response_at",
    "resolution",
    "resolved_at",
    "solved_on_site",
    "feedback",
    "satisfaction",
    "closed_at",
    "suspended",
    "flagged_for_committee",
    "assignment_slip_no",
    "supervision_slip_no",
    "withdrawn_reason",
    "withdrawn_at",
    "version",
]


@admin.register(m.Issue)
class IssueAdmin(SimpleHistoryAdmin):
    """Read-only: an administrator acts through the issue page or the actions here, which call the
    services (and so the rulebook), never by editing the ladder's fields."""

    list_display = ["pk", "project", "category", "level", "status", "department", "deadline", "suspended"]
    list_filter = ["level", "status", "category", "suspended", "flagged_for_committee", "department"]
    search_fields = ["description", "project__name", "project__code"]
    list_select_related = ["project", "department"]
    readonly_fields = ISSUE_SERVICE_FIELDS + ["description"]
    inlines = [IssueEventInline, ApprovalRequestInline]
    date_hierarchy = "raised_at"
    actions = [
        _issue_admin_action(issue_services.issue_withdraw, _("Withdraw the selected issues")),
        _issue_admin_action(issue_services.issue_escalate, _("Escalate the selected issues one level")),
        _issue_admin_action(
            issue_services.issue_flag_for_committee, _("Flag the selected issues for the committee")
        ),
    ]

    def has_add_permission(self, request):
        # Issues are raised on a project's page or during a visit (issue_raise).
        return False


@admin.register(m.ApprovalRequest)
class ApprovalRequestAdmin(admin.ModelAdmin):
    """Read-only: a coordinator or administrator decides on /approvals/ (approval_decide)."""

    list_display = ["issue", "kind", "status", "new_deadline", "requested_by", "requested_at", "decided_by"]
    list_filter = ["kind", "status"]
    list_select_related = ["issue", "requested_by", "decided_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MeetingItemInline(GuardedAutocomplete, admin.TabularInline):
    """The agenda; decisions are recorded on the meeting page (meeting_record_decisions)."""

    model = m.MeetingItem
    extra = 0
    autocomplete_fields = ["issue"]
    readonly_fields = ["decision", "department", "deadline", "note"]


@admin.register(m.Meeting)
class MeetingAdmin(GuardedAutocomplete, SimpleHistoryAdmin):
    list_display = ["date", "number", "title", "chair", "held"]
    list_filter = ["held"]
    search_fields = ["title", "number"]
    autocomplete_fields = ["chair"]
    filter_horizontal = ["attendees", "departments"]
    inlines = [MeetingItemInline]


@admin.register(m.Rules)
class RulesAdmin(admin.ModelAdmin):
    list_display = ["__str__", "grid_help_days", "coordination_days", "leader_days", "supervision_days"]

    def has_add_permission(self, request):
        return not m.Rules.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class MapSettingsForm(forms.ModelForm):
    """The map's base layer: each file is checked by its content (projects/geo.py, photos.py) and size."""

    park_outlines_file = forms.FileField(
        label=_("Upload the parks' outlines (.geojson)"),
        required=False,
        help_text=_("Replaces the text above with the file's content."),
    )

    class Meta:
        model = m.MapSettings
        fields = [
            "base_layer",
            "plan_image",
            "plan_south",
            "plan_west",
            "plan_north",
            "plan_east",
            "tile_archive",
            "tile_max_zoom",
            "park_outlines",
        ]

    def clean_plan_image(self):
        from .photos import photo_check

        image = self.cleaned_data.get("plan_image")
        if image and hasattr(image, "content_type"):  # a new upload, not the stored file
            photo_check(image)
        return image

    def clean_tile_archive(self):
        from django.conf import settings

        from .geo import archive_check

        archive = self.cleaned_data.get("tile_archive")
        if archive and hasattr(archive, "content_type"):
            self.archive_info = archive_check(archive, settings.MAP_TILES_MAX_BYTES)
        return archive

    def clean_park_outlines_file(self):
        from .geo import MAX_GEOJSON_BYTES, park_outlines_check

        upload = self.cleaned_data.get("park_outlines_file")
        if not upload:
            return None
        if upload.size > MAX_GEOJSON_BYTES:
            raise ValidationError(_("The GeoJSON file is too large."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("This is not GeoJSON: the file is not UTF-8 text.")) from None
        park_outlines_check(text)
        return text

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("park_outlines_file"):
            cleaned["park_outlines"] = cleaned["park_outlines_file"]
            self.instance.park_outlines = cleaned["park_outlines"]
        corners = [cleaned.get(name) for name in ("plan_south", "plan_west", "plan_north", "plan_east")]
        if any(c is not None for c in corners) and any(c is None for c in corners):
            raise ValidationError(_("Give all four edges of the plan image, or none."))
        if all(c is not None for c in corners) and (corners[0] >= corners[2] or corners[1] >= corners[3]):
            raise ValidationError(
                _("The plan image's north edge must lie above its south, east right of west.")
            )
        if cleaned.get("base_layer") == m.BaseLayer.PLAN_IMAGE and not (
            cleaned.get("plan_image") and all(c is not None for c in corners)
        ):
            raise ValidationError(_("The plan image needs its file and its four edges."))
        if cleaned.get("base_layer") == m.BaseLayer.TILES and not cleaned.get("tile_archive"):
            raise ValidationError(_("The tile archive base layer needs an archive file."))
        return cleaned

    def save(self, commit=True):
        instance = super().save(commit=False)
        if getattr(self, "archive_info", None):
            instance.tile_kind, instance.tile_max_zoom = self.archive_info
        elif not instance.tile_archive:
            instance.tile_kind = ""
        if commit:
            instance.save()
        return instance


@admin.register(m.MapSettings)
class MapSettingsAdmin(admin.ModelAdmin):
    form = MapSettingsForm
    list_display = ["__str__", "base_layer", "tile_kind"]
    readonly_fields = ["tile_kind"]

    def has_add_permission(self, request):
        return not m.MapSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(m.CategoryRoute)
class CategoryRouteAdmin(admin.ModelAdmin):
    list_display = ["category", "department"]
    list_editable = ["department"]


@admin.register(m.CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"


@admin.register(m.Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "text", "created_at", "read_at"]
    list_select_related = ["recipient"]
    search_fields = ["text", "recipient__username"]


@admin.register(m.GroupRobot)
class GroupRobotAdmin(admin.ModelAdmin):
    list_display = ["channel", "park", "department"]
    list_filter = ["channel"]
    list_select_related = ["park", "department"]


@admin.register(m.Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """What was sent, when, to whom and how it went: read-only evidence, written by the senders."""

    list_display = ["created_at", "sender_name", "target", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "sender"]
    search_fields = ["subject", "text", "recipients__username", "recipients__staff__name"]
    date_hierarchy = "created_at"

    @admin.display(description=_("sender"))
    def sender_name(self, delivery):
        return delivery.sender.rsplit(".", 1)[-1]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(m.ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["sent_at", "recipient", "kind", "item", "due", "days_before"]
    list_filter = ["kind", "days_before"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__username"]
    date_hierarchy = "sent_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- Access and audit (issue 5) ---------------------------------------------------------------
# Issues, visits and monthly reports are withdrawn, never deleted, by ordinary users; in the admin
# (administrators only, see admin_site.py) deleting one stays an administrator's act, and
# SimpleHistoryAdmin with HistoryRequestMiddleware records it as a "-" history row naming the user.
def _administrators_delete(model_admin_class):
    def has_delete_permission(self, request, obj=None):
        from .admin_site import is_administrator

        return is_administrator(request.user)

    model_admin_class.has_delete_permission = has_delete_permission
    return model_admin_class


for _admin_class in (IssueAdmin, VisitAdmin, MonthlyReportAdmin):
    _administrators_delete(_admin_class)


# The login audit kept by django-axes is evidence: administrators read it, nobody edits or deletes
# it. (Deleting an AccessAttempt stays allowed: that is how an administrator unlocks an account.)
from axes.admin import AccessFailureLogAdmin, AccessLogAdmin  # noqa: E402
from axes.models import AccessFailureLog, AccessLog  # noqa: E402


class _ReadOnlyMixin:
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for _model, _base in ((AccessLog, AccessLogAdmin), (AccessFailureLog, AccessFailureLogAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, type(f"ReadOnly{_base.__name__}", (_ReadOnlyMixin, _base), {}))
