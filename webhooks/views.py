"""Staff pages for webhooks, for the admin role only: the endpoints, their deliveries
and a "send again" button. Every change goes through webhooks/services.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from crm.permissions import StaffRequiredMixin
from webhooks import services
from webhooks.forms import EndpointForm
from webhooks.models import Event, WebhookDelivery, WebhookEndpoint

PAGE_SIZE = 50
VIEW, ADD, CHANGE, DELETE = (
    f"webhooks.{action}_webhookendpoint" for action in ("view", "add", "change", "delete")
)


class _EndpointMixin(StaffRequiredMixin):
    permission_required = (VIEW,)

    def get_endpoint(self):
        return get_object_or_404(WebhookEndpoint, pk=self.kwargs["pk"])


def _form_page(request, form, endpoint=None):
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": endpoint})


def _saved(request, form, save):
    """Run `save` (a service call); a refusal is shown on the form."""
    try:
        return save()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error("url", error)
        return None


class EndpointListView(_EndpointMixin, View):
    def get(self, request):
        endpoints = WebhookEndpoint.objects.annotate(
            failed=Count("deliveries", filter=Q(deliveries__status="failed")),
            pending=Count("deliveries", filter=Q(deliveries__status="pending")),
        )
        return render(
            request, "webhooks/endpoint_list.html", {"endpoints": endpoints, "events": Event}
        )


class EndpointCreateView(_EndpointMixin, View):
    permission_required = (VIEW, ADD)

    def get(self, request):
        return _form_page(request, EndpointForm())

    def post(self, request):
        form = EndpointForm(request.POST)
        if not form.is_valid():
            return _form_page(request, form)
        endpoint = _saved(
            request, form, lambda: services.endpoint_create(**form.as_changes(), by=request.user)
        )
        if endpoint is None:
            return _form_page(request, form)
        messages.success(request, "Endpoint added. Give its secret to the receiver.")
        return redirect(endpoint)


class EndpointDetailView(_EndpointMixin, View):
    def get(self, request, pk):
        endpoint = self.get_endpoint()
        deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).order_by(
            "-created_at", "-pk"
        )
        page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request, "webhooks/endpoint_detail.html", {"endpoint": endpoint, "page": page}
        )


class EndpointUpdateView(_EndpointMixin, View):
    permission_required = (VIEW, CHANGE)

    def get(self, request, pk):
        endpoint = self.get_endpoint()
        return _form_page(request, EndpointForm(instance=endpoint), endpoint)

    def post(self, request, pk):
        endpoint = self.get_endpoint()
        form = EndpointForm(request.POST, instance=WebhookEndpoint.objects.get(pk=endpoint.pk))
        if not form.is_valid():
            return _form_page(request, form, endpoint)
        saved = _saved(
            request,
            form,
            lambda: services.endpoint_update(
                endpoint=endpoint, by=request.user, **form.as_changes()
            ),
        )
        if saved is None:
            return _form_page(request, form, endpoint)
        messages.success(request, "Endpoint saved.")
        return redirect(saved)


class EndpointSecretView(_EndpointMixin, View):
    permission_required = (VIEW, CHANGE)

    def post(self, request, pk):
        endpoint = self.get_endpoint()
        try:
            services.endpoint_new_secret(endpoint=endpoint, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "New secret made. Give it to the receiver.")
        return redirect(endpoint)


class EndpointDeleteView(_EndpointMixin, View):
    permission_required = (VIEW, DELETE)

    def get(self, request, pk):
        endpoint = self.get_endpoint()
        return render(request, "webhooks/endpoint_confirm_delete.html", {"endpoint": endpoint})

    def post(self, request, pk):
        services.endpoint_delete(endpoint=self.get_endpoint(), by=request.user)
        messages.success(request, "Endpoint deleted.")
        return redirect("webhooks:endpoint-list")


class DeliverySendAgainView(StaffRequiredMixin, View):
    permission_required = (VIEW, CHANGE)

    def post(self, request, pk):
        delivery = get_object_or_404(WebhookDelivery, pk=pk)
        services.delivery_send_again(delivery=delivery, by=request.user)
        messages.success(request, "Queued to be sent again.")
        return redirect(reverse("webhooks:endpoint-detail", kwargs={"pk": delivery.endpoint_id}))
