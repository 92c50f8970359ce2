from django.urls import path

from crm import views, views_duplicates, views_exports, views_privacy

app_name = "crm"

urlpatterns = [
    path("organisations/", views.OrganisationListView.as_view(), name="organisation-list"),
    path("organisations/new/", views.OrganisationCreateView.as_view(), name="organisation-create"),
    path("organisations/bulk/", views.OrganisationBulkView.as_view(), name="organisation-bulk"),
    path(
        "organisations/<int:pk>/",
        views.OrganisationDetailView.as_view(),
        name="organisation-detail",
    ),
    path(
        "organisations/<int:pk>/edit/",
        views.OrganisationUpdateView.as_view(),
        name="organisation-update",
    ),
    path(
        "organisations/<int:organisation_pk>/affiliations/new/",
        views.AffiliationCreateView.as_view(),
        name="organisation-affiliation-create",
    ),
    path("contacts/", views.ContactListView.as_view(), name="contact-list"),
    path("contacts/new/", views.ContactCreateView.as_view(), name="contact-create"),
    path("contacts/bulk/", views.ContactBulkView.as_view(), name="contact-bulk"),
    path("contacts/duplicates/", views.ContactDuplicatesView.as_view(), name="contact-duplicates"),
    path("contacts/<int:pk>/", views.ContactDetailView.as_view(), name="contact-detail"),
    path("contacts/<int:pk>/edit/", views.ContactUpdateView.as_view(), name="contact-update"),
    path(
        "contacts/<int:pk>/do-not-contact/",
        views.ContactDoNotContactView.as_view(),
        name="contact-do-not-contact",
    ),
    path(
        "contacts/<int:contact_pk>/affiliations/new/",
        views.AffiliationCreateView.as_view(),
        name="contact-affiliation-create",
    ),
    path(
        "affiliations/<int:pk>/edit/",
        views.AffiliationUpdateView.as_view(),
        name="affiliation-update",
    ),
    path(
        "saved-views/<str:list_name>/new/",
        views.SavedViewCreateView.as_view(),
        name="saved-view-create",
    ),
    path(
        "saved-views/<int:pk>/delete/",
        views.SavedViewDeleteView.as_view(),
        name="saved-view-delete",
    ),
    path("search/", views.SearchView.as_view(), name="search"),
    # Large exports written in the background (crm/views_exports.py)
    path("exports/", views_exports.ExportListView.as_view(), name="export-list"),
    path("exports/<int:pk>/", views_exports.ExportDetailView.as_view(), name="export-detail"),
    path(
        "exports/<int:pk>/progress/",
        views_exports.ExportProgressView.as_view(),
        name="export-progress",
    ),
    path(
        "exports/<int:pk>/download/",
        views_exports.ExportDownloadView.as_view(),
        name="export-download",
    ),
    path("exports/<int:pk>/retry/", views_exports.ExportRetryView.as_view(), name="export-retry"),
    path(
        "exports/<int:pk>/delete/", views_exports.ExportDeleteView.as_view(), name="export-delete"
    ),
    # Consent and data protection (crm/views_privacy.py)
    path(
        "contacts/<int:pk>/consents/new/",
        views_privacy.ConsentCreateView.as_view(),
        name="consent-create",
    ),
    path(
        "consents/<int:pk>/withdraw/",
        views_privacy.ConsentWithdrawView.as_view(),
        name="consent-withdraw",
    ),
    path(
        "contacts/<int:pk>/data/",
        views_privacy.SubjectExportView.as_view(),
        name="contact-data-export",
    ),
    path(
        "contacts/<int:pk>/erase/",
        views_privacy.SubjectEraseView.as_view(),
        name="contact-erase",
    ),
    path(
        "duplicates/<str:kind_slug>/",
        views_duplicates.DuplicateListView.as_view(),
        name="duplicate-list",
    ),
    path(
        "duplicates/<str:kind_slug>/<int:first_id>/<int:second_id>/",
        views_duplicates.DuplicateReviewView.as_view(),
        name="duplicate-review",
    ),
]
