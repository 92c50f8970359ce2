from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import user_has_device

from accounts import two_factor
from accounts.forms import ApiTokenForm, TwoStepOffForm
from accounts.services import api_token_create, api_token_revoke, api_tokens_of
from crm.permissions import StaffRequiredMixin


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class ProfileView(StaffRequiredMixin, View):
    template_name = "accounts/profile.html"

    def get(self, request):
        return self._page(request, ApiTokenForm(user=request.user, request=request))

    def post(self, request):
        form = ApiTokenForm(request.POST, user=request.user, request=request)
        if not form.is_valid():
            return self._page(request, form, status=400)
        record, token = api_token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            lifetime_days=form.cleaned_data["lifetime_days"],
            double_opt_in=form.cleaned_data["double_opt_in"],
        )
        # The token is in this one response and nowhere else.
        return self._page(
            request, ApiTokenForm(user=request.user, request=request), new_token=token, new=record
        )

    def _page(self, request, form, status=200, **extra):
        context = {
            "form": form,
            "tokens": api_tokens_of(request.user),
            "two_step_on": user_has_device(request.user, confirmed=True),
            "two_step_required": two_factor.two_factor_required(request.user),
            "two_step_off_form": TwoStepOffForm(user=request.user, request=request),
            **extra,
        }
        return render(request, self.template_name, context, status=status)


class RevokeTokenView(StaffRequiredMixin, View):
    def post(self, request, token_key):
        if api_token_revoke(user=request.user, token_key=token_key):
            messages.success(request, "The token is revoked: it no longer works.")
        else:
            messages.warning(request, "No such token of yours: nothing was revoked.")
        return redirect("accounts:profile")
