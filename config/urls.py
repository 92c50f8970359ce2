from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views_password
from accounts.two_factor import guard_admin_site
from accounts.views_two_step import SignInView
from config.health import health

admin.site.site_header = "Coalition CRM administration"
admin.site.site_title = "Coalition CRM"
guard_admin_site(admin.site)  # two-step sign-in applies to the admin too

urlpatterns = [
    path("health/", health, name="health"),
    path("sign-in/", SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        views_password.PasswordResetRequestView.as_view(),
        name="password-reset",
    ),
    path(
        "password-reset/sent/",
        views_password.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views_password.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/done/",
        views_password.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("admin/", admin.site.urls),
    path("s/", include("outreach.urls_public")),
    path("api/", include("config.api_urls")),
    path("profile/", include("accounts.urls")),
    path("imports/", include("crm.urls_import")),
    path("webhooks/", include("webhooks.urls")),
    path("", include("crm.urls")),
    path("", include("outreach.urls")),
]
