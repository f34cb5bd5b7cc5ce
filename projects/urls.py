from django.urls import path

from .views import accountability as accountability_views
from .views import audit, home, projects
from .views import channels as channels_views
from .views import dashboard as dashboard_views
from .views import issues as issue_views
from .views import jobs as job_views
from .views import ledger as ledger_views
from .views import maps as map_views
from .views import meetings as meeting_views
from .views import plans as plan_views
from .views import progress as progress_views
from .views import reports_round as round_views
from .views import stage_corrections as stage_correction_views
from .views import visits as visit_views

urlpatterns = [
    path("", home.home, name="home"),
    # Projects
    path("projects/", projects.project_list, name="project_list"),
    path("projects/<int:pk>/", projects.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", projects.project_edit, name="project_edit"),
    # The zone on one map, its offline base layer, a project's place, visit evidence (issue 17)
    path("map/", map_views.map_page, name="map"),
    path("map.geojson", map_views.map_geojson, name="map_geojson"),
    path("map/parks.geojson", map_views.map_parks, name="map_parks"),
    path("map/plan-image", map_views.map_plan_image, name="map_plan_image"),
    path("map/archive.pmtiles", map_views.map_archive, name="map_archive"),
    path("map/tiles/<int:z>/<int:x>/<int:y>", map_views.map_tile, name="map_tile"),
    path("projects/<int:pk>/location/", map_views.project_location, name="project_location"),
    path("visits/<int:pk>/use-location/", map_views.visit_use_location, name="visit_use_location"),
    path("visits/evidence/", map_views.visit_evidence, name="visit_evidence"),
    # Dashboard and its figures as JSON (issue 4, dashboard area)
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard.json", dashboard_views.dashboard_json, name="dashboard_json"),
    path(
        "dashboard/accountability/",
        accountability_views.dashboard_accountability,
        name="dashboard_accountability",
    ),
    # The ledger in Excel: import, template, exports, monthly report (issue 4, ledger area)
    path("ledger/import/", ledger_views.ledger_import, name="ledger_import"),
    path("ledger/template.xlsx", ledger_views.ledger_template, name="ledger_template"),
    path("projects/export.xlsx", ledger_views.project_export, name="project_export"),
    path("issues/export.xlsx", ledger_views.issue_export, name="issue_export"),
    path("reports/monthly/", ledger_views.monthly_report_page, name="monthly_report"),
    path("reports/monthly.xlsx", ledger_views.monthly_report_xlsx, name="monthly_report_xlsx"),
    # Background jobs: progress, result, and the confirmation of a ledger checked in the background
    path("jobs/<int:pk>/", job_views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/download/", job_views.job_download, name="job_download"),
    path("jobs/<int:pk>/import/", job_views.job_confirm_import, name="job_confirm_import"),
    path("jobs/<int:pk>/answer/", job_views.job_answer, name="job_answer"),
    # Access and audit (issue 5)
    path("history/<str:model>/<int:pk>/", audit.object_history, name="object_history"),
    path("audit/logins/", audit.login_audit, name="login_audit"),
    # Issues, the ladder, approvals, slips and the message centre (issue 3, issues area)
    path("issues/", issue_views.issue_list, name="issue_list"),
    path("issues/committee/", issue_views.committee_list, name="issue_committee"),
    path("issues/<int:pk>/", issue_views.issue_detail, name="issue_detail"),
    path("issues/<int:pk>/assignment-slip/", issue_views.assignment_slip, name="issue_assignment_slip"),
    path("issues/<int:pk>/supervision-slip/", issue_views.supervision_slip, name="issue_supervision_slip"),
    path(
        "issues/<int:pk>/assignment-slip.docx",
        issue_views.assignment_slip_docx,
        name="issue_assignment_slip_docx",
    ),
    path(
        "issues/<int:pk>/supervision-slip.docx",
        issue_views.supervision_slip_docx,
        name="issue_supervision_slip_docx",
    ),
    path("issues/<int:pk>/<slug:action>/", issue_views.issue_action, name="issue_action"),
    path("approvals/", issue_views.approval_list, name="approval_list"),
    path("approvals/<int:pk>/decide/", issue_views.approval_decide, name="approval_decide"),
    path("notifications/", issue_views.notification_list, name="notification_list"),
    path("notifications/channels/", channels_views.notification_channels, name="notification_channels"),
    path("notifications/read-all/", issue_views.notification_read_all, name="notification_read_all"),
    path("notifications/<int:pk>/read/", issue_views.notification_read, name="notification_read"),
    # Site visits and coordination meetings (issue 3, visits area)
    path("visits/", visit_views.visit_list, name="visit_list"),
    path("visits/new/", visit_views.visit_new, name="visit_new"),
    path("projects/<int:pk>/visits/new/", visit_views.visit_new, name="project_visit_new"),
    path("visits/<int:pk>/", visit_views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/withdraw/", visit_views.visit_withdraw_view, name="visit_withdraw"),
    path("meetings/", meeting_views.meeting_list, name="meeting_list"),
    path("meetings/new/", meeting_views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/agenda/", meeting_views.meeting_agenda, name="meeting_agenda"),
    path("meetings/<int:pk>/cancel/", meeting_views.meeting_cancel_view, name="meeting_cancel"),
    path("meetings/<int:pk>/minutes/", meeting_views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/minutes.docx", meeting_views.meeting_minutes_docx, name="meeting_minutes_docx"),
    # Progress, the monthly investment round, permits and milestones (issue 7, progress area)
    path(
        "projects/<int:pk>/sign/",
        progress_views.project_stage_date,
        {"action": "sign"},
        name="project_sign",
    ),
    path(
        "projects/<int:pk>/file/",
        progress_views.project_stage_date,
        {"action": "file"},
        name="project_file",
    ),
    path(
        "projects/<int:pk>/start/",
        progress_views.project_stage_date,
        {"action": "start"},
        name="project_start",
    ),
    path(
        "projects/<int:pk>/complete/",
        progress_views.project_stage_date,
        {"action": "complete"},
        name="project_complete",
    ),
    path(
        "projects/<int:pk>/production/",
        progress_views.project_stage_date,
        {"action": "production"},
        name="project_production",
    ),
    path("projects/<int:pk>/progress/new/", progress_views.progress_new, name="progress_new"),
    path("projects/<int:pk>/permits/", progress_views.project_permits, name="project_permits"),
    # Node plans (挂图作战) and documents (issue 15)
    path("projects/<int:pk>/plan/", plan_views.project_plan, name="project_plan"),
    path("projects/<int:pk>/plan/make/", plan_views.plan_make, name="plan_make"),
    path("projects/<int:pk>/plan/add/", plan_views.plan_node_add, name="plan_node_add"),
    path("projects/<int:pk>/plan/<int:node_pk>/", plan_views.plan_node, name="plan_node"),
    path("projects/<int:pk>/documents/", plan_views.project_document_add, name="project_document_add"),
    path("plan/nodes/", plan_views.zone_nodes, name="zone_nodes"),
    path("permits/missing/", progress_views.permits_missing, name="permits_missing"),
    path("round/", round_views.round_current, name="round_current"),
    path("round/status/", round_views.round_status_current, name="round_status_current"),
    path("round/corrections/", round_views.corrections, name="corrections"),
    # A recorded stage date is corrected through a request a coordinator approves (issue 14)
    path(
        "projects/<int:pk>/stage-correction/",
        stage_correction_views.stage_correction_new,
        name="stage_correction_new",
    ),
    path("stage-corrections/", stage_correction_views.stage_corrections, name="stage_corrections"),
    path(
        "stage-corrections/<int:pk>/decide/",
        stage_correction_views.stage_correction_decide_view,
        name="stage_correction_decide",
    ),
    path("round/corrections/<int:pk>/decide/", round_views.correction_decide, name="correction_decide"),
    path("round/<int:year>/<int:month>/", round_views.round_page, name="round"),
    path("round/<int:year>/<int:month>/status/", round_views.round_status, name="round_status"),
    path("round/<int:year>/<int:month>/remind/", round_views.round_remind, name="round_remind"),
    path("round/<int:year>/<int:month>/lock/", round_views.round_lock, name="round_lock"),
    path(
        "round/<int:year>/<int:month>/correct/<int:pk>/",
        round_views.correction_new,
        name="correction_new",
    ),
]
