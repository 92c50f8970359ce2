"""Consent records on a contact's page, and the data-subject tools: export everything
held on a person, erase them (crm.privacy)."""

import csv
import json
import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from crm import services
from crm.forms import ConsentForm, EraseForm
from crm.models import ConsentRecord, Contact
from crm.permissions import StaffRequiredMixin
from crm.privacy import subject_erase, subject_export, subject_export_csv_rows

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


class SubjectEraseView(StaffRequiredMixin, View):
    permission_required = "crm.manage_data_protection"
    template_name = "crm/contact_erase.html"

    def get(self, request, pk):
        contact = get_object_or_404(Contact, pk=pk)
        return self.render(contact, EraseForm())

    def post(self, request, pk):
        contact = get_object_or_404(Contact, pk=pk)
        form = EraseForm(request.POST)
        if not form.is_valid():
            return self.render(contact, form)
        erased = subject_erase(contact=contact, by=request.user)
        log.info("erasure of contact %s by %s", contact.pk, request.user.username)
        if erased.suppressed:
            text = _(
                "The person's data is erased. Their e-mail is kept only as a hash, so "
                "an import or a signing with it will be reported."
            )
        else:
            text = _("The person's data is erased.")
        messages.success(request, text)
        return redirect(contact)

    def render(self, contact, form):
        context = {
            "contact": contact,
            "form": form,
            "signature_count": contact.signatures.count(),
            "outreach_count": contact.outreach.count(),
            "consent_count": contact.consents.count(),
        }
        return render(self.request, self.template_name, context)
