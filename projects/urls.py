from django.urls import path

from .views import audit, home, projects
from .views import ledger as ledger_views
from .views import meetings as meeting_views
from .views import visits as visit_views

urlpatterns = [
    path("", home.home, name="home"),
    # Projects
    path("projects/", projects.project_list, name="project_list"),
    path("projects/<int:pk>/", projects.project_detail, name="project_detail"),
    # The ledger in Excel: import, template, exports, monthly report (issue 4, ledger area)
    path("ledger/import/", ledger_views.ledger_import, name="ledger_import"),
    path("ledger/template.xlsx", ledger_views.ledger_template, name="ledger_template"),
    path("projects/export.xlsx", ledger_views.project_export, name="project_export"),
    path("issues/export.xlsx", ledger_views.issue_export, name="issue_export"),
    path("reports/monthly/", ledger_views.monthly_report_page, name="monthly_report"),
    path("reports/monthly.xlsx", ledger_views.monthly_report_xlsx, name="monthly_report_xlsx"),
    # Access and audit (issue 5)
    path("history/<str:model>/<int:pk>/", audit.object_history, name="object_history"),
    path("audit/logins/", audit.login_audit, name="login_audit"),
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
    path("meetings/<int:pk>/minutes/", meeting_views.meeting_minutes, name="meeting_minutes"),
]
