from django.urls import path

from outreach.views import dashboard, reports

app_name = "outreach"

urlpatterns = [
    path("", dashboard.DashboardView.as_view(), name="dashboard"),
]

# Reports (issue 7)
urlpatterns += [
    path("reports/", reports.ReportsIndexView.as_view(), name="reports"),
    path(
        "reports/<slug:dataset>.<slug:fmt>",
        reports.ReportDownloadView.as_view(),
        name="report-download",
    ),
    path("reports/asks/<slug:slug>/", reports.AskReportView.as_view(), name="report-ask"),
    path(
        "reports/asks/<slug:slug>/weekly/",
        reports.WeeklySummaryView.as_view(),
        name="report-weekly",
    ),
    path(
        "reports/asks/<slug:slug>/<slug:dataset>.<slug:fmt>",
        reports.ReportDownloadView.as_view(),
        name="report-ask-download",
    ),
]
