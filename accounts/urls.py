from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.ProfileView.as_view(), name="profile"),
    path("tokens/<str:token_key>/revoke/", views.RevokeTokenView.as_view(), name="token-revoke"),
]
