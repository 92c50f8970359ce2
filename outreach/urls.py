from django.urls import include, path

from outreach.views import dashboard, reports, signatures

app_name = "outreach"

urlpatterns = [
    path("", dashboard.DashboardView.as_view(), name="dashboard"),
    path("", include("outreach.pipeline_urls")),
    # Signatures of an ask (staff)
    path(
        "asks/<int:ask_pk>/signatures/",
        signatures.SignatureListView.as_view(),
        name="signature-list",
    ),
    path("signatures/<int:pk>/edit/", signatures.signature_edit, name="signature-edit"),
    path("signatures/<int:pk>/verify/", signatures.signature_verify_view, name="signature-verify"),
    path(
        "signatures/<int:pk>/send-confirmation/",
        signatures.signature_resend_confirmation_view,
        name="signature-send-confirmation",
    ),
    path("signatures/<int:pk>/reject/", signatures.signature_reject_view, name="signature-reject"),
    path(
        "signatures/<int:pk>/withdraw/",
        signatures.signature_withdraw_view,
        name="signature-withdraw",
    ),
    path("asks/<int:ask_pk>/snapshots/", signatures.snapshot_create, name="snapshot-create"),
    path("snapshots/<int:pk>/", signatures.snapshot_detail, name="snapshot-detail"),
]

# Reports
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
