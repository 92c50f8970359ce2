"""Password reset: Django's own flow (e-mail, one-time token link, new password), with a
rate limit per address and per e-mail and the same answer whether or not the address has
an account. A reset does not sign in: the person then signs in with the new password and,
if they use two-step sign-in, its code."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy

from crm.text import normalise_email
from outreach import ratelimit  # the project's one rate limiter (fixed windows in the cache)


class PasswordResetRequestView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password-reset-done")

    def form_valid(self, form):
        address = self.request.META.get("REMOTE_ADDR", "")
        email = normalise_email(form.cleaned_data["email"])
        allowed = ratelimit.hit(
            "reset-ip", address, settings.PASSWORD_RESET_RATE_PER_IP
        ) & ratelimit.hit("reset-email", email, settings.PASSWORD_RESET_RATE_PER_EMAIL)
        if not allowed:
            # The same page as a sent e-mail: no telling which addresses have accounts.
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password-reset-complete")
    post_reset_login = False  # the new password, then the code: both steps as always


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
