"""/api/v1/: the REST API, its OpenAPI schema and its interactive docs (served locally);
/api/osdi/v1/: the same records for OSDI clients (osdi/urls.py)."""

from django.conf import settings
from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from crm import api as crm_api
from outreach import api as outreach_api
from webhooks import api as webhooks_api

router = DefaultRouter()
router.register("organisations", crm_api.OrganisationViewSet)
router.register("contacts", crm_api.ContactViewSet)
router.register("affiliations", crm_api.AffiliationViewSet)
router.register("tags", crm_api.TagViewSet)
router.register("consent-records", crm_api.ConsentRecordViewSet)
router.register("campaigns", outreach_api.CampaignViewSet)
router.register("asks", outreach_api.AskViewSet)
router.register("outreach", outreach_api.OutreachViewSet)
router.register("activities", outreach_api.ActivityViewSet)
router.register("signatures", outreach_api.SignatureViewSet)
router.register("webhooks", webhooks_api.WebhookEndpointViewSet, basename="webhook")

# Swagger UI sets style attributes on its elements; its page alone may have them. Its
# scripts and styles still come only from this app (drf-spectacular-sidecar).
_docs_policy = {**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]}
docs_view = csp_override(_docs_policy)(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))

urlpatterns = [
    path("v1/reports/growth/", outreach_api.GrowthSeriesView.as_view(), name="api-report-growth"),
    path("v1/", include(router.urls)),
    path("osdi/v1/", include("osdi.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", docs_view, name="api-docs"),
]
