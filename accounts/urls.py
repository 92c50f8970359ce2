from django.urls import path

from accounts import views, views_two_step

app_name = "accounts"

urlpatterns = [
    path("", views.ProfileView.as_view(), name="profile"),
    path("tokens/<str:token_key>/revoke/", views.RevokeTokenView.as_view(), name="token-revoke"),
    path("two-step/", views_two_step.TwoStepSetupView.as_view(), name="two-step-setup"),
    path("two-step/off/", views_two_step.TwoStepOffView.as_view(), name="two-step-off"),
    path("two-step/code/", views_two_step.TwoStepCodeView.as_view(), name="two-step-code"),
]
