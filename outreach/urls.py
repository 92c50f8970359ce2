from django.urls import include, path

from outreach.views import dashboard

app_name = "outreach"

urlpatterns = [
    path("", dashboard.DashboardView.as_view(), name="dashboard"),
    path("", include("outreach.pipeline_urls")),
]
