"""Campaigns and asks: list, create, edit, and the ask's statement and settings."""

import copy

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import CreateView, DetailView, UpdateView

from crm.listing import FilteredListView
from crm.permissions import StaffRequiredMixin
from outreach.filters import AskFilter
from outreach.forms import AskForm, CampaignForm, TranslationFormSet
from outreach.models import Ask, Campaign, Outreach, Signature
from outreach.selectors import campaign_asks
from outreach.text import render_markdown


def _count(queryset):
    return Coalesce(
        Subquery(queryset.order_by().values("ask_id").annotate(n=Count("pk")).values("n")[:1]),
        0,
    )


class AskListView(FilteredListView):
    permission_required = "outreach.view_ask"
    template_name = "outreach/ask_list.html"
    filterset_class = AskFilter
    queryset = (
        Ask.objects.select_related("campaign")
        # Subqueries, not two joined Counts: joining entries and signatures would
        # multiply the rows (5,000 entries × 200 signatures per ask).
        .annotate(
            entry_count=_count(Outreach.objects.filter(ask=OuterRef("pk"))),
            signature_count=_count(Signature.objects.confirmed().filter(ask=OuterRef("pk"))),
        )
        .order_by("campaign__name", "-opens_on", "title")
    )

    def get_context_data(self, **kwargs):
        return super().get_context_data(campaigns=Campaign.objects.all(), **kwargs)


class _AskFormMixin(StaffRequiredMixin):
    model = Ask
    form_class = AskForm
    template_name = "outreach/ask_form.html"
    slug_url_kwarg = "slug"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.object is not None:
            # The form works on a copy: a refused edit must not show its typed title or
            # its blank slug as the ask's own (in the heading and the links).
            kwargs["instance"] = copy.copy(self.object)
        return kwargs

    def get_context_data(self, **kwargs):
        if "translations" not in kwargs:
            kwargs["translations"] = TranslationFormSet(instance=self.object, prefix="tr")
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object() if self.kwargs.get("slug") else None
        form = self.get_form()
        translations = TranslationFormSet(request.POST, instance=self.object or Ask(), prefix="tr")
        if not (form.is_valid() and translations.is_valid()):
            return self.render_to_response(
                self.get_context_data(form=form, translations=translations)
            )
        with transaction.atomic():
            self.object = form.save()
            translations.instance = self.object
            translations.save()
        messages.success(request, f"Saved “{self.object.title}”.")
        return redirect("outreach:ask-detail", slug=self.object.slug)


class AskCreateView(_AskFormMixin, CreateView):
    permission_required = "outreach.add_ask"

    def get_initial(self):
        return {"campaign": self.request.GET.get("campaign")}


class AskUpdateView(_AskFormMixin, UpdateView):
    permission_required = "outreach.change_ask"
    pass


class AskDetailView(StaffRequiredMixin, DetailView):
    permission_required = "outreach.view_ask"
    template_name = "outreach/ask_detail.html"
    queryset = Ask.objects.select_related("campaign")

    def get_context_data(self, **kwargs):
        ask = self.object
        texts = [
            (ask.language, ask.get_language_display(), ask.title, render_markdown(ask.statement))
        ] + [
            (t.language, t.get_language_display(), t.title, render_markdown(t.statement))
            for t in ask.translations.all()
        ]
        return super().get_context_data(
            ask=ask, tab="about", texts=texts, holidays=list(ask.holidays.all()), **kwargs
        )


class CampaignDetailView(StaffRequiredMixin, DetailView):
    """A campaign's asks with their figures; open to whoever may see the asks list."""

    permission_required = AskListView.permission_required
    model = Campaign
    template_name = "outreach/campaign_detail.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        return super().get_context_data(
            today=today, asks=campaign_asks(campaign=self.object, today=today), **kwargs
        )


class CampaignCreateView(StaffRequiredMixin, CreateView):
    permission_required = "outreach.add_campaign"
    model = Campaign
    form_class = CampaignForm
    template_name = "outreach/campaign_form.html"

    def get_success_url(self):
        messages.success(self.request, f"Campaign “{self.object}” created.")
        return reverse("outreach:campaign-detail", args=[self.object.slug])


class CampaignUpdateView(StaffRequiredMixin, UpdateView):
    permission_required = "outreach.change_campaign"
    model = Campaign
    form_class = CampaignForm
    template_name = "outreach/campaign_form.html"

    def get_object(self, queryset=None):
        return get_object_or_404(Campaign, slug=self.kwargs["slug"])

    def get_form_kwargs(self):
        # On a copy, as for asks: a refused edit keeps linking the saved slug.
        return {**super().get_form_kwargs(), "instance": copy.copy(self.object)}

    def get_success_url(self):
        messages.success(self.request, f"Campaign “{self.object}” saved.")
        return reverse("outreach:campaign-detail", args=[self.object.slug])
