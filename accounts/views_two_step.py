"""Two-step sign-in pages: set an authenticator app up, give its code after the password,
turn it off. The rules of who must do what are in accounts/two_factor.py."""

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import lockout, two_factor
from accounts.forms import TwoStepCodeForm, TwoStepOffForm
from crm.permissions import StaffRequiredMixin


class SignInView(LoginView):
    """The password step; a person with an authenticator app goes on to the code page."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        if lockout.password_alone_refused(form.get_user()):
            context = {
                "failure_limit": settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT,
                "cooloff_time": settings.AXES_COOLOFF_TIME,
            }
            return render(self.request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)
        response = super().form_valid(form)
        if two_factor.state_of(self.request) == two_factor.CODE:
            query = urlencode({"next": self.get_success_url()})
            return redirect(f"{reverse('accounts:two-step-code')}?{query}")
        return response


class TwoStepCodeView(LoginRequiredMixin, View):
    """“Enter the code from your app”: signed in with the password, not yet verified.
    A wrong code counts as a failed sign-in for the lockout (django-axes); the device
    also slows down repeated wrong codes itself (django-otp throttling)."""

    template_name = "accounts/two_step_code.html"

    def next_url(self):
        url = self.request.POST.get("next") or self.request.GET.get("next") or ""
        allowed = url_has_allowed_host_and_scheme(
            url, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        )
        return url if allowed else reverse("outreach:dashboard")

    def get(self, request):
        if two_factor.state_of(request) != two_factor.CODE:
            return redirect(self.next_url())
        return self._page(request, TwoStepCodeForm())

    def post(self, request):
        if two_factor.state_of(request) != two_factor.CODE:
            return redirect(self.next_url())
        form = TwoStepCodeForm(request.POST)
        if form.is_valid():
            device = match_token(request.user, form.cleaned_data["code"])
            if device is not None:
                otp_login(request, device)
                return redirect(self.next_url())
            form.add_error("code", "That code is not right (or has expired): try the current one.")
            user = request.user
            user_login_failed.send(
                sender=__name__, credentials={"username": user.get_username()}, request=request
            )
            if getattr(request, "axes_locked_out", False):
                logout(request)  # the lockout middleware answers with the locked-out page
                return redirect("login")
        return self._page(request, form, status=400)

    def _page(self, request, form, status=200):
        context = {"form": form, "next": self.next_url()}
        return render(request, self.template_name, context, status=status)


def _unconfirmed_device(user):
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


class TwoStepSetupView(StaffRequiredMixin, View):
    """Set up two-step sign-in: a new (unconfirmed) app secret, shown as a key and an
    otpauth:// link; the first correct code confirms it."""

    template_name = "accounts/two_step_setup.html"
    two_factor_enrolment = True

    def get(self, request):
        if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
            messages.info(request, "Two-step sign-in is already on.")
            return redirect("accounts:profile")
        return self._page(request, TwoStepCodeForm())

    def post(self, request):
        form = TwoStepCodeForm(request.POST)
        device = _unconfirmed_device(request.user)
        if form.is_valid():
            if device.verify_token(form.cleaned_data["code"]):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
                otp_login(request, device)
                two_factor.recompute(request)
                messages.success(request, "Two-step sign-in is on: you will be asked for a code.")
                return redirect("accounts:profile")
            form.add_error("code", "That code is not right: check the app’s clock and try again.")
        return self._page(request, form, status=400)

    def _page(self, request, form, status=200):
        device = _unconfirmed_device(request.user)
        qr = segno.make(device.config_url, error="m")
        context = {
            "form": form,
            # An SVG image in a data: URL: nothing is fetched from anywhere (CSP allows it).
            "qr": qr.svg_data_uri(scale=4, dark="#000", light="#fff"),
            "qr_size": qr.symbol_size(scale=4)[0],
            "key": base64.b32encode(device.bin_key).decode(),
            "uri": device.config_url,
            "required": two_factor.two_factor_required(request.user),
        }
        return render(request, self.template_name, context, status=status)


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class TwoStepOffView(StaffRequiredMixin, View):
    def post(self, request):
        if two_factor.two_factor_required(request.user):
            messages.error(request, "Your role requires two-step sign-in: it cannot be turned off.")
            return redirect("accounts:profile")
        form = TwoStepOffForm(request.POST, user=request.user, request=request)
        if not form.is_valid():
            messages.error(request, "Two-step sign-in is still on: that is not your password.")
            return redirect("accounts:profile")
        TOTPDevice.objects.filter(user=request.user).delete()
        two_factor.forget_device(request)
        messages.success(request, "Two-step sign-in is off: your password alone signs you in.")
        return redirect("accounts:profile")
