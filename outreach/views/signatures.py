"""Staff pages for an ask's signatures: the filtered list (with the verification queue and
its hints), edits of how a signature is published, verify / reject / withdraw, exports,
and delivery snapshots."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from crm import exporting
from crm.audit import log_export
from crm.history import record_history
from crm.listing import FilteredListView
from crm.models import Affiliation
from crm.permissions import staff_required
from outreach.emails import signature_confirmation_resend
from outreach.filters import SignatureFilter
from outreach.forms import ReasonForm, SignatureListingForm, SnapshotForm
from outreach.models import Ask, DeliverySnapshot, Signature
from outreach.selectors import PUBLIC_FIELDS
from outreach.services import (
    delivery_snapshot_create,
    email_domain,
    signature_change_listing,
    signature_reject,
    signature_verify,
    signature_withdraw,
)
from outreach.views.public import write_public_csv
from outreach.views.table import export_list

# ?layout= on an export: the other tools' layouts (their files are CSV, like any other).
SIGNATURE_LAYOUTS = {"action-network": "signatures-an", "civicrm": "signatures-civicrm"}


class SignatureListView(FilteredListView):
    permission_required = "outreach.view_signature"
    model = Signature
    filterset_class = SignatureFilter
    template_name = "outreach/signature_list.html"

    def dispatch(self, request, *args, **kwargs):
        self.ask = get_object_or_404(Ask.objects.select_related("campaign"), pk=kwargs["ask_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return (
            Signature.objects.filter(ask=self.ask)
            .select_related("organisation", "contact", "statement_version")
            .annotate(
                known_contact=Exists(
                    Affiliation.objects.filter(
                        contact=OuterRef("contact"), organisation=OuterRef("organisation")
                    )
                )
            )
            .order_by("-signed_at", "-pk")
        )

    def get(self, request, *args, **kwargs):
        file_format = request.GET.get("export")
        if file_format in exporting.FORMATS:
            kind = SIGNATURE_LAYOUTS.get(request.GET.get("layout", ""), "signatures")
            return export_list(request, kind, self.get_queryset(), file_format, self.ask)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for signature in context["object_list"]:
            # None when there is nothing to compare: no e-mail, or no website.
            email = signature.contact.email if signature.contact_id else None
            website = signature.organisation.domain if signature.organisation_id else ""
            signature.domain_matches = email_domain(email) == website if email and website else None
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            ask=self.ask,
            export_query=query.urlencode(),
            awaiting_count=Signature.objects.awaiting_verification().filter(ask=self.ask).count(),
            snapshots=DeliverySnapshot.objects.filter(ask=self.ask)[:10],
            snapshot_form=SnapshotForm(
                ask=self.ask, initial={"as_of": timezone.localdate(), "language": self.ask.language}
            ),
            embed_url=self.request.build_absolute_uri(f"/s/{self.ask.slug}/embed/"),
        )
        return context


def _signature(pk):
    return get_object_or_404(
        Signature.objects.select_related("ask", "organisation", "contact"), pk=pk
    )


def _back_to_list(signature):
    return redirect("outreach:signature-list", signature.ask_id)


@staff_required(perms="outreach.view_signature", write_perms="outreach.change_signature")
def signature_edit(request, pk):
    signature = _signature(pk)
    form = SignatureListingForm(
        request.POST if request.method == "POST" else None,
        initial={"display_name": signature.display_name, "public": signature.public},
    )
    if request.method == "POST" and form.is_valid():
        try:
            signature_change_listing(signature=signature, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"“{form.cleaned_data['display_name']}” saved.")
            return _back_to_list(signature)
    return render(
        request,
        "outreach/signature_edit.html",
        {"signature": signature, "form": form, "audit": record_history(signature)},
    )


@staff_required(perms="outreach.change_signature")
@require_POST
def signature_verify_view(request, pk):
    signature = _signature(pk)
    try:
        signature_verify(signature=signature, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{signature.display_name}” verified.")
    return _back_to_list(signature)


@staff_required(perms="outreach.change_signature")
@require_POST
def signature_resend_confirmation_view(request, pk):
    signature = _signature(pk)
    try:
        signature_confirmation_resend(
            signature=signature,
            by=request.user,
            base_url=request.build_absolute_uri("/").rstrip("/"),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Confirmation e-mail for “{signature.display_name}” queued.")
    return _back_to_list(signature)


def _reason_action(request, pk, *, service, title, button, done):
    signature = _signature(pk)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        service(signature=signature, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, done.format(name=signature.display_name))
        return _back_to_list(signature)
    return render(
        request,
        "outreach/signature_confirm_action.html",
        {"signature": signature, "form": form, "title": title, "button": button},
    )


@staff_required(perms="outreach.change_signature")
def signature_reject_view(request, pk):
    return _reason_action(
        request,
        pk,
        service=signature_reject,
        title="Reject this signature",
        button="Reject",
        done="“{name}” rejected; it will never be listed.",
    )


@staff_required(perms="outreach.change_signature")
def signature_withdraw_view(request, pk):
    return _reason_action(
        request,
        pk,
        service=signature_withdraw,
        title="Withdraw this signature",
        button="Withdraw",
        done="“{name}” withdrawn; it has left every public output.",
    )


@staff_required(perms="outreach.add_deliverysnapshot")
@require_POST
def snapshot_create(request, ask_pk):
    ask = get_object_or_404(Ask, pk=ask_pk)
    form = SnapshotForm(request.POST, ask=ask)
    if not form.is_valid():
        messages.error(request, "Choose a date and a language for the snapshot.")
        return redirect("outreach:signature-list", ask.pk)
    day = form.cleaned_data["as_of"]
    end_of_day = timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))
    snapshot = delivery_snapshot_create(
        ask=ask, as_of=end_of_day, language=form.cleaned_data["language"], by=request.user
    )
    messages.success(request, f"Snapshot as of {day:%d %B %Y} saved.")
    return redirect("outreach:snapshot-detail", snapshot.pk)


@staff_required(perms="outreach.view_deliverysnapshot")
def snapshot_detail(request, pk):
    snapshot = get_object_or_404(DeliverySnapshot.objects.select_related("ask"), pk=pk)
    if request.GET.get("format") == "csv":
        if not request.user.has_perm("crm.export_records"):
            raise PermissionDenied
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"{snapshot.ask.slug}-signatories-{snapshot.as_of:%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        write_public_csv(response, snapshot.rows)
        log_export(
            user=request.user,
            what=f"delivery snapshot {snapshot.pk} of ask {snapshot.ask.slug}",
            file_format="csv",
            rows=len(snapshot.rows),
        )
        return response
    return render(
        request,
        "outreach/snapshot_detail.html",
        {"snapshot": snapshot, "ask": snapshot.ask, "fields": PUBLIC_FIELDS},
    )
