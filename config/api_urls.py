"""/api/v1/: the REST API, its OpenAPI schema and its interactive docs (served locally)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from crm import api as crm_api
from outreach import api as outreach_api

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

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
