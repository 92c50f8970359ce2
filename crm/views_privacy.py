"""Consent records on a contact's page, and the data-subject tools: export everything
held on a person, erase them (crm.privacy)."""

import csv
import json
import logging

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from crm import services
from crm.forms import ConsentForm, EraseForm
from crm.models import ConsentRecord, Contact
from crm.permissions import StaffRequiredMixin
from crm.privacy import (
    REVIEW_LIMIT,
    erasure_review,
    subject_erase,
    subject_export,
    subject_export_csv_rows,
)

log = logging.getLogger("crm.privacy")


class ConsentCreateView(StaffRequiredMixin, View):
    permission_required = "crm.add_consentrecord"
    template_name = "crm/consent_form.html"

    def get(self, request, pk):
        contact = get_object_or_404(Contact, pk=pk)
        initial = {"given_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
        if request.GET.get("purpose") in ConsentRecord.Purpose.values:
            initial["purpose"] = request.GET["purpose"]
        return self.render(contact, ConsentForm(initial=initial))

    def post(self, request, pk):
        contact = get_object_or_404(Contact, pk=pk)
        form = ConsentForm(request.POST, instance=ConsentRecord(contact=contact))
        if form.is_valid():
            try:
                consent = services.consent_give(consent=form.instance, by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Consent to “%(purpose)s” recorded.")
                    % {"purpose": consent.get_purpose_display()},
                )
                return redirect(f"{contact.get_absolute_url()}#consent-heading")
        return self.render(contact, form)

    def render(self, contact, form):
        return render(self.request, self.template_name, {"contact": contact, "form": form})


class ConsentWithdrawView(StaffRequiredMixin, View):
    """A click on "Withdraw" shows what it means; one more click withdraws."""

    permission_required = "crm.change_consentrecord"

    def get_consent(self, pk):
        return get_object_or_404(ConsentRecord.objects.select_related("contact"), pk=pk)

    def get(self, request, pk):
        consent = self.get_consent(pk)
        return render(request, "crm/consent_withdraw.html", {"consent": consent})

    def post(self, request, pk):
        consent = services.consent_withdraw(consent=self.get_consent(pk), by=request.user)
        messages.success(
            request,
            _("Consent to “%(purpose)s” withdrawn.") % {"purpose": consent.get_purpose_display()},
        )
        return redirect(f"{consent.contact.get_absolute_url()}#consent-heading")


class SubjectExportView(StaffRequiredMixin, View):
    permission_required = "crm.manage_data_protection"

    def get(self, request, pk):
        contact = get_object_or_404(Contact, pk=pk)
        export = subject_export(contact=contact)
        # Who exported whose record: ids only, never the person's data.
        log.info("subject export of contact %s by %s", contact.pk, request.user.username)
        name = f"contact-{contact.pk}-data-{timezone.localdate():%Y-%m-%d}"
        if request.GET.get("format") == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            response.write("\ufeff")  # spreadsheets read the file as UTF-8
            csv.writer(response).writerows(subject_export_csv_rows(export))
            return response
        response = HttpResponse(
            json.dumps(export, ensure_ascii=False, indent=2), content_type="application/json"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response


# Where a record that names an erased person is reviewed, for records with no page of
# their own: the page of the record they belong to.
_REVIEW_PAGES = {
    "outreach.activity": lambda a: a.outreach or a.organisation or a.contact,
    "outreach.signature": lambda s: reverse("outreach:signature-edit", args=[s.pk]),
    "outreach.deliverysnapshot": lambda s: reverse("outreach:snapshot-detail", args=[s.pk]),
    "crm.importchange": lambda c: c.record,
    "crm.affiliation": lambda a: a.contact,
    "crm.consentrecord": lambda c: c.contact,
}


def _review_link(obj, label):
    target = _REVIEW_PAGES.get(label, lambda o: getattr(o, "instance", o))(obj)
    if isinstance(target, str):
        return target
    if hasattr(target, "get_absolute_url"):
        return target.get_absolute_url()
    meta = target._meta
    try:
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[target.pk])
    except NoReverseMatch:
        return ""


def review_items(review):
    """The review list as the page shows it: what each record is, its fields, a link."""
    items = []
    for label, pk, fields in review[:REVIEW_LIMIT]:
        model = apps.get_model(label)
        obj = model._default_manager.filter(pk=pk).first()
        if obj is None:
            continue
        if label.split(".")[1].startswith("historical"):
            kind = _("history of %(model)s") % {"model": model.instance_type._meta.verbose_name}
        else:
            kind = model._meta.verbose_name
        items.append(
            {
                "kind": kind,
                "record": str(getattr(obj, "instance", obj)),
                "fields": [model._meta.get_field(name).verbose_name for name in fields],
                "url": _review_link(obj, label),
            }
        )
    return items


class SubjectEraseView(StaffRequiredMixin, View):
    """The erasure page: what erasing does, the records elsewhere that name the person
    (for the admin to review: a name may be someone else's too), the confirmation."""

    permission_required = "crm.manage_data_protection"
    template_name = "crm/contact_erase.html"

    def session_key(self, contact):
        return f"erasure-review-{contact.pk}"

    def get(self, request, pk):
        contact = get_object_or_404(Contact, pk=pk)
        if contact.erased_at:
            # Record ids only: the name itself is gone with the erasure.
            review = request.session.get(self.session_key(contact), [])
        else:
            review = erasure_review(contact)
        return self.render(contact, EraseForm(), review)

    def post(self, request, pk):
        contact = get_object_or_404(Contact, pk=pk)
        form = EraseForm(request.POST)
        if not form.is_valid():
            return self.render(contact, form, erasure_review(contact))
        try:
            erased = subject_erase(contact=contact, by=request.user)
        except ValidationError as error:  # erased meanwhile, from another tab
            messages.error(request, " ".join(error.messages))
            return redirect(contact)
        log.info("erasure of contact %s by %s", contact.pk, request.user.username)
        if erased.suppressed:
            text = _(
                "The person's data is erased. Their e-mail is kept only as a hash, so "
                "an import or a signing with it will be reported."
            )
        else:
            text = _("The person's data is erased.")
        messages.success(request, text)
        if erased.review:
            request.session[self.session_key(contact)] = [list(item) for item in erased.review]
            return redirect("crm:contact-erase", pk=contact.pk)
        return redirect(contact)

    def render(self, contact, form, review):
        context = {
            "contact": contact,
            "form": form,
            "review": review_items(review),
            "review_more": max(0, len(review) - REVIEW_LIMIT),
            "signature_count": contact.signatures.count(),
            "outreach_count": contact.outreach.count(),
            "consent_count": contact.consents.count(),
        }
        return render(self.request, self.template_name, context)
