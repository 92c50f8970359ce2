from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.EndpointListView.as_view(), name="endpoint-list"),
    path("new/", views.EndpointCreateView.as_view(), name="endpoint-create"),
    path("<int:pk>/", views.EndpointDetailView.as_view(), name="endpoint-detail"),
    path("<int:pk>/edit/", views.EndpointUpdateView.as_view(), name="endpoint-update"),
    path("<int:pk>/secret/", views.EndpointSecretView.as_view(), name="endpoint-secret"),
    path("<int:pk>/delete/", views.EndpointDeleteView.as_view(), name="endpoint-delete"),
    path(
        "deliveries/<int:pk>/send-again/",
        views.DeliverySendAgainView.as_view(),
        name="delivery-send-again",
    ),
]
