"""E-mail about an ask: its message templates, compose with preview, and sending."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from crm.permissions import StaffRequiredMixin
from outreach.emails import MERGE_FIELDS, email_audience, email_batch_retry, email_batch_start
from outreach.emails import render_message as render_email
from outreach.forms import MessageTemplateForm
from outreach.models import Ask, EmailBatch, MessageTemplate, Outreach, Stage

Purpose = MessageTemplate.Purpose


class _AskMixin(StaffRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        # Sign-in and staff first, so outsiders cannot probe which asks exist.
        if not (request.user.is_authenticated and request.user.is_staff):
            return self.handle_no_permission()
        self.ask = get_object_or_404(Ask.objects.select_related("campaign"), slug=kwargs["slug"])
        return super().dispatch(request, *args, **kwargs)


class MessageTemplateListView(_AskMixin, ListView):
    permission_required = "outreach.view_messagetemplate"
    template_name = "outreach/messagetemplate_list.html"

    def get_queryset(self):
        return self.ask.message_templates.all()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            ask=self.ask,
            tab="email",
            batches=self.ask.email_batches.select_related("created_by")[:10],
            merge_fields=MERGE_FIELDS,
            **kwargs,
        )


class _TemplateFormMixin(StaffRequiredMixin):
    model = MessageTemplate
    form_class = MessageTemplateForm
    template_name = "outreach/messagetemplate_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(ask=self.ask, merge_fields=MERGE_FIELDS, **kwargs)

    def get_success_url(self):
        messages.success(self.request, f"Saved the message “{self.object.subject}”.")
        return reverse("outreach:message-template-list", args=[self.object.ask.slug])


class MessageTemplateCreateView(_AskMixin, _TemplateFormMixin, CreateView):
    permission_required = "outreach.add_messagetemplate"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = MessageTemplate(ask=self.ask, language=self.ask.language)
        return kwargs

    def get_initial(self):
        return {"purpose": self.request.GET.get("purpose", Purpose.INVITATION)}


class MessageTemplateUpdateView(_TemplateFormMixin, UpdateView):
    permission_required = "outreach.change_messagetemplate"

    def get_object(self, queryset=None):
        template = get_object_or_404(
            MessageTemplate.objects.select_related("ask"), pk=self.kwargs["pk"]
        )
        self.ask = template.ask
        return template


# Who a message goes to when no entries were chosen: "invite all prospects", "remind
# everyone awaiting a reply", "thank all signatories".
DEFAULT_STAGES = {
    Purpose.INVITATION: [Stage.PROSPECT],
    Purpose.REMINDER: Stage.AWAITING,
    Purpose.THANK_YOU: [Stage.SIGNED],
}


def _selected(ask, request_data, purpose):
    """The entries chosen (ids=…), or every entry the purpose's default stages hold."""
    entries = Outreach.objects.filter(ask=ask)
    ids = [i for i in request_data.getlist("ids") if i.isdigit()]
    if ids:
        return entries.filter(pk__in=ids), ids
    return entries.filter(stage__in=DEFAULT_STAGES[purpose]), []


class EmailComposeView(_AskMixin, View):
    """GET: who will get the message and who will not (and why), and a preview for a
    chosen recipient. POST: queue the sending; the batch page shows progress."""

    permission_required = ("outreach.add_emailbatch", "outreach.add_activity")

    template_name = "outreach/email_compose.html"

    def _purpose(self, data):
        value = data.get("purpose", Purpose.INVITATION)
        return value if value in Purpose.values else Purpose.INVITATION

    def get(self, request, slug):
        purpose = self._purpose(request.GET)
        entries, ids = _selected(self.ask, request.GET, purpose)
        audience = email_audience(ask=self.ask, entries=entries, purpose=purpose)
        preview = subject = body = None
        if audience.recipients:
            chosen = request.GET.get("preview", "")
            preview = next(
                (r for r in audience.recipients if str(r.entry.pk) == chosen),
                audience.recipients[0],
            )
            subject, body = render_email(
                entry=preview.entry,
                template=preview.template,
                base_url=request.build_absolute_uri("/"),
            )
        return render(
            request,
            self.template_name,
            {
                "ask": self.ask,
                "tab": "email",
                "purpose": purpose,
                "purposes": Purpose.choices,
                "audience": audience,
                "ids": ids,
                "preview": preview,
                "subject": subject,
                "body": body,
                "has_templates": self.ask.message_templates.filter(purpose=purpose).exists(),
            },
        )

    def post(self, request, slug):
        purpose = self._purpose(request.POST)
        entries, _ = _selected(self.ask, request.POST, purpose)
        batch = email_batch_start(
            ask=self.ask,
            purpose=purpose,
            entries=entries,
            by=request.user,
            base_url=request.build_absolute_uri("/"),
        )
        if not batch.total:
            messages.error(request, "Nobody in this selection can receive this message.")
        return redirect(batch)


class EmailBatchView(StaffRequiredMixin, DetailView):
    """Progress of a sending; htmx polls the progress part until it is done."""

    permission_required = "outreach.view_emailbatch"

    queryset = EmailBatch.objects.select_related("ask__campaign", "created_by")
    template_name = "outreach/emailbatch_detail.html"
    context_object_name = "batch"

    def get_template_names(self):
        if self.request.htmx:
            return [f"{self.template_name}#progress"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        return super().get_context_data(ask=self.object.ask, tab="email", **kwargs)


class EmailBatchRetryView(StaffRequiredMixin, View):
    """POST: send a failed batch again, to those it has not reached; back to its page."""

    permission_required = ("outreach.add_emailbatch", "outreach.add_activity")

    def post(self, request, pk):
        batch = get_object_or_404(EmailBatch, pk=pk)
        try:
            email_batch_retry(batch=batch)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(batch)
