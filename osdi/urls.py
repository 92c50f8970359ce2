"""/api/osdi/v1/: the OSDI entry point and its collections (namespace "osdi")."""

from django.urls import path

from osdi import api, helper

app_name = "osdi"

urlpatterns = [
    path("", api.EntryPointView.as_view(), name="entry-point"),
    path("people/", api.PeopleView.as_view(), name="people"),
    path("people/<int:pk>/", api.PersonView.as_view(), name="person-detail"),
    path(
        "people/<int:pk>/signatures/",
        api.PersonSignaturesView.as_view(),
        name="person-signatures",
    ),
    path("petitions/", api.PetitionsView.as_view(), name="petitions"),
    path("petitions/<int:pk>/", api.PetitionView.as_view(), name="petition-detail"),
    path(
        "petitions/<int:petition_pk>/signatures/",
        helper.PetitionSignaturesView.as_view(),
        name="petition-signatures",
    ),
    path(
        "petitions/<int:petition_pk>/signatures/<int:pk>/",
        api.SignatureView.as_view(),
        name="signature-detail",
    ),
    path("tags/", api.TagsView.as_view(), name="tags"),
    path("tags/<int:pk>/", api.TagView.as_view(), name="tag-detail"),
    path("tags/<int:tag_pk>/taggings/", api.TaggingsView.as_view(), name="tag-taggings"),
    path(
        "tags/<int:tag_pk>/taggings/<int:pk>/",
        api.TaggingView.as_view(),
        name="tagging-detail",
    ),
]
