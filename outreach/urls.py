from django.urls import path

from outreach.views import dashboard

app_name = "outreach"

urlpatterns = [
    path("", dashboard.DashboardView.as_view(), name="dashboard"),
]
