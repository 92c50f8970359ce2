"""One outreach entry: its timeline, what staff log on it, and the partner's history."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.views import View
from django.views.generic import DetailView

from crm.history import record_history
from crm.permissions import StaffRequiredMixin
from outreach.forms import ContactPersonForm, FollowUpForm, LogActivityForm, OwnerForm
from outreach.models import STAGE_ORDER, TRANSITIONS, Outreach
from outreach.selectors import partner_history
from outreach.services import (
    CONTACT_OF_INDIVIDUAL,
    outreach_assign_owner,
    outreach_invite,
    outreach_log_activity,
    outreach_log_follow_up,
    outreach_set_contact,
    outreach_set_follow_up,
)
from outreach.views.common import redirect_back


class OutreachDetailView(StaffRequiredMixin, DetailView):
    permission_required = "outreach.view_outreach"
    template_name = "outreach/outreach_detail.html"
    context_object_name = "entry"
    queryset = Outreach.objects.select_related("ask__campaign", "organisation", "contact", "owner")

    def get_context_data(self, **kwargs):
        entry = self.object
        return super().get_context_data(
            ask=entry.ask,
            activities=entry.activities.select_related("actor"),
            history=partner_history(entry),
            audit=record_history(entry),
            moves=[stage for stage in STAGE_ORDER if stage in TRANSITIONS[entry.stage]],
            log_form=kwargs.pop("log_form", None) or LogActivityForm(),
            follow_up_form=FollowUpForm(initial={"next_follow_up_on": entry.next_follow_up_on}),
            owner_form=OwnerForm(initial={"owner": entry.owner_id}),
            contact_form=(
                ContactPersonForm(entry=entry, initial={"contact": entry.contact_id})
                if entry.organisation_id
                else None
            ),
            **kwargs,
        )


class _EntryAction(StaffRequiredMixin, View):
    permission_required = ("outreach.change_outreach", "outreach.add_activity")

    def post(self, request, pk):
        entry = get_object_or_404(Outreach.objects.select_related("ask"), pk=pk)
        try:
            notice = self.act(request, entry)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if notice:
                messages.success(request, notice)
        return redirect_back(request, entry.get_absolute_url())


class OutreachLogView(_EntryAction):
    def act(self, request, entry):
        form = LogActivityForm(request.POST)
        if not form.is_valid():
            raise ValidationError([f"{k}: {' '.join(v)}" for k, v in form.errors.items()])
        activity = outreach_log_activity(
            outreach=entry,
            kind=form.cleaned_data["kind"],
            summary=form.cleaned_data["summary"],
            by=request.user,
        )
        return f"{activity.get_kind_display()} logged."


class OutreachFollowUpView(_EntryAction):
    def act(self, request, entry):
        form = FollowUpForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors["next_follow_up_on"])
        day = form.cleaned_data["next_follow_up_on"]
        outreach_set_follow_up(entries=[entry], on=day, by=request.user)
        return f"Next follow-up set to {day:%d %b %Y}." if day else "No follow-up planned."


class OutreachReminderSentView(_EntryAction):
    """ "Reminder sent": from My follow-ups (htmx) the row is replaced in place."""

    def post(self, request, pk):
        if not request.htmx:
            return super().post(request, pk)
        entry = get_object_or_404(Outreach.objects.select_related("ask"), pk=pk)
        context = {"entry": entry}
        try:
            context["notice"] = self.act(request, entry)
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
        return render(request, "outreach/my_follow_ups.html#done-row", context)

    def act(self, request, entry):
        entry = outreach_log_follow_up(outreach=entry, by=request.user)
        when = f"{entry.next_follow_up_on:%a %d %b}" if entry.next_follow_up_on else "—"
        return f"Reminder logged for {entry.target_name}; next follow-up {when}."


class OutreachInvitationSentView(_EntryAction):
    def act(self, request, entry):
        entry = outreach_invite(outreach=entry, by=request.user)
        return f"Invitation logged; first follow-up {entry.next_follow_up_on:%a %d %b}."


class OutreachOwnerView(_EntryAction):
    def act(self, request, entry):
        form = OwnerForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors["owner"])
        owner = form.cleaned_data["owner"]
        outreach_assign_owner(entries=[entry], owner=owner, by=request.user)
        return f"Owner: {owner.get_username() if owner else 'none'}."


class OutreachContactView(_EntryAction):
    """The contact person of an organisation's entry, chosen among its contacts."""

    def act(self, request, entry):
        if entry.organisation_id is None:
            raise ValidationError(CONTACT_OF_INDIVIDUAL)
        form = ContactPersonForm(request.POST, entry=entry)
        if not form.is_valid():
            raise ValidationError(form.errors["contact"])
        contact = form.cleaned_data["contact"]
        outreach_set_contact(outreach=entry, contact=contact, by=request.user)
        return f"Contact person: {contact or 'none'}."
