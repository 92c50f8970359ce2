"""The staff workspace: lists, record pages, forms, bulk actions and the header search."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import CreateView, DetailView, TemplateView, UpdateView

from crm import exporting, selectors, services
from crm.filters import ContactFilter, OrganisationFilter
from crm.forms import AffiliationForm, BulkActionForm, ContactForm, OrganisationForm, SavedViewForm
from crm.history import record_history
from crm.listing import FilteredListView
from crm.models import Affiliation, Contact, MergedRecord, Organisation, SavedView
from crm.permissions import StaffRequiredMixin
from crm.privacy import is_suppressed
from crm.text import normalise_email
from outreach.services import outreach_add_targets

ERASED_EMAIL_ADDED = gettext_lazy(
    "This e-mail belongs to a person whose data was erased on request. Keep this record "
    "only if they asked to be in the CRM again; note when and how."
)


def bulk_action_permissions(model, action):
    """What a list's bulk action needs beyond seeing the list."""
    if action.startswith("export_"):
        return ["crm.export_records"]
    if action == "add_to_ask":
        return ["outreach.add_outreach"]
    return [f"crm.change_{model._meta.model_name}"]


class _RecordListView(FilteredListView):
    list_name = ""
    bulk_url = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        # Own id prefixes: the filter form on the same page has fields named alike.
        bulk_form = BulkActionForm(initial={"query": query.urlencode()}, auto_id="bulk-%s")
        user, model = self.request.user, self.filterset_class._meta.model
        action = bulk_form.fields["action"]
        action.choices = [
            (value, label)
            for value, label in action.choices
            if user.has_perms(bulk_action_permissions(model, value))
        ]
        context.update(
            query=query.urlencode(),
            saved_views=SavedView.objects.filter(user=self.request.user, list=self.list_name),
            save_form=SavedViewForm(initial={"query": query.urlencode()}, auto_id="save-%s"),
            # A role with no bulk action gets neither the form nor the row checkboxes.
            bulk_form=bulk_form if action.choices else None,
            bulk_url=reverse(self.bulk_url),
            list_name=self.list_name,
        )
        return context


class OrganisationListView(_RecordListView):
    permission_required = "crm.view_organisation"
    filterset_class = OrganisationFilter
    template_name = "crm/organisation_list.html"
    list_name = SavedView.List.ORGANISATIONS
    bulk_url = "crm:organisation-bulk"

    def get_queryset(self):
        return selectors.organisation_list_queryset()


class ContactListView(_RecordListView):
    permission_required = "crm.view_contact"
    filterset_class = ContactFilter
    template_name = "crm/contact_list.html"
    list_name = SavedView.List.CONTACTS
    bulk_url = "crm:contact-bulk"

    def get_queryset(self):
        return selectors.contact_list_queryset()


class _BulkActionView(StaffRequiredMixin, View):
    """Runs a bulk action on the selected rows, or on every row the list's filters
    match (the filters are sent back as the list's query string). Each action checks its
    own permission (`action_permissions`): exports need crm.export_records."""

    model = None
    filterset_class = None
    export_kind = ""
    list_url = ""
    target = ""  # outreach_add_targets keyword: "organisations" or "contacts"

    def post(self, request):
        if not request.user.has_perms(self.action_permissions(request.POST.get("action", ""))):
            raise PermissionDenied
        form = BulkActionForm(request.POST)
        query = request.POST.get("query", "")
        back = f"{reverse(self.list_url)}?{query}" if query else reverse(self.list_url)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(back)
        filterset = self.filterset_class(QueryDict(query), queryset=self.model.objects.all())
        if not filterset.is_valid():
            messages.error(request, _("The list's filters are not valid any more: nothing done."))
            return redirect(back)
        rows = filterset.qs
        if form.cleaned_data["scope"] == "selected":
            rows = rows.filter(pk__in=form.cleaned_data["selected"])
        action = form.cleaned_data["action"]
        if action.startswith("export_"):
            if not request.user.has_perm(exporting.PERMISSION):
                raise PermissionDenied
            return self.export(rows, action.removeprefix("export_"), form.cleaned_data["scope"])
        getattr(self, action)(rows.order_by().values("pk"), form.cleaned_data)
        return redirect(back)

    def action_permissions(self, action):
        return bulk_action_permissions(self.model, action)

    def add_tag(self, ids, data):
        count = services.tag_add(tag=data["tag"], model=self.model, ids=ids, by=self.request.user)
        messages.success(
            self.request,
            ngettext(
                "Tag “%(tag)s” added to %(count)d record.",
                "Tag “%(tag)s” added to %(count)d records.",
                count,
            )
            % {"tag": data["tag"], "count": count},
        )

    def remove_tag(self, ids, data):
        count = services.tag_remove(
            tag=data["tag"], model=self.model, ids=ids, by=self.request.user
        )
        messages.success(
            self.request,
            ngettext(
                "Tag “%(tag)s” removed from %(count)d record.",
                "Tag “%(tag)s” removed from %(count)d records.",
                count,
            )
            % {"tag": data["tag"], "count": count},
        )

    def add_to_ask(self, ids, data):
        ids = list(ids.values_list("pk", flat=True))
        refused = self.refused_for_outreach(ids)
        result = outreach_add_targets(
            ask=data["ask"],
            owner=data["owner"],
            by=self.request.user,
            **{self.target: [pk for pk in ids if pk not in refused]},
        )
        text = _("%(added)d added to “%(ask)s”, %(skipped)d already in its pipeline.") % {
            "added": result.added_count,
            "ask": data["ask"],
            "skipped": result.skipped,
        }
        if refused:
            text += " " + _("%(count)d left out: marked do-not-contact.") % {"count": len(refused)}
        messages.success(self.request, text)

    def refused_for_outreach(self, ids):
        return set()

    def export(self, rows, file_format, scope):
        return exporting.export_or_queue(
            kind=self.export_kind,
            rows=rows,
            file_format=file_format,
            user=self.request.user,
            filters=self.request.POST.get("query", ""),
            selected=scope == "selected",
        )


class OrganisationBulkView(_BulkActionView):
    permission_required = "crm.view_organisation"
    model = Organisation
    filterset_class = OrganisationFilter
    export_kind = "organisations"
    list_url = "crm:organisation-list"
    target = "organisations"


class ContactBulkView(_BulkActionView):
    permission_required = "crm.view_contact"
    model = Contact
    filterset_class = ContactFilter
    export_kind = "contacts"
    list_url = "crm:contact-list"
    target = "contacts"

    def refused_for_outreach(self, ids):
        return set(
            Contact.objects.filter(pk__in=ids, do_not_contact=True).values_list("pk", flat=True)
        )


class _FollowsMergesMixin:
    """A record merged into another: its old address leads to the one kept."""

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            survivor = MergedRecord.resolve(self.model._meta.model_name, self.kwargs["pk"])
            if survivor is None:
                raise
            return redirect(self.model(pk=survivor))


class OrganisationDetailView(StaffRequiredMixin, _FollowsMergesMixin, DetailView):
    permission_required = "crm.view_organisation"
    model = Organisation
    template_name = "crm/organisation_detail.html"

    def get_queryset(self):
        return Organisation.objects.prefetch_related("tags")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **selectors.organisation_page(self.object), audit=record_history(self.object), **kwargs
        )


class _RecordFormMixin(StaffRequiredMixin):
    """Saves through the crm services and, when the request comes from htmx, swaps the
    record's details card in place instead of loading a page."""

    save_service = None
    partial = ""

    def get_template_names(self):
        if self.request.htmx:
            return [f"{self.template_name}#form"]
        return [self.template_name]

    def form_valid(self, form):
        instance = form.save(commit=False)
        m2m = {name: form.cleaned_data[name] for name in self.m2m_fields}
        try:
            self.object = self.save(instance, m2m, form)
        except (ValidationError, IntegrityError) as error:
            form.add_error(None, getattr(error, "messages", [str(error)])[0])
            return self.form_invalid(form)
        if self.request.htmx and self.partial:
            context = {"object": self.object, "just_saved": True}
            return render(self.request, self.partial, context)
        messages.success(self.request, self.success_message % {"name": self.object})
        return redirect(self.object)


class OrganisationCreateView(_RecordFormMixin, CreateView):
    permission_required = "crm.add_organisation"
    model = Organisation
    form_class = OrganisationForm
    template_name = "crm/organisation_form.html"
    m2m_fields = ("tags", "member_of")
    success_message = _("Organisation “%(name)s” created.")

    def save(self, instance, m2m, form):
        return services.organisation_save(organisation=instance, m2m=m2m, by=self.request.user)


class OrganisationUpdateView(OrganisationCreateView, UpdateView):
    permission_required = "crm.change_organisation"
    success_message = _("Organisation “%(name)s” saved.")
    partial = "crm/organisation_detail.html#details"

    def get_object(self, queryset=None):
        return get_object_or_404(Organisation, pk=self.kwargs["pk"])


class ContactDetailView(StaffRequiredMixin, _FollowsMergesMixin, DetailView):
    permission_required = "crm.view_contact"
    model = Contact
    template_name = "crm/contact_detail.html"

    def get_queryset(self):
        return Contact.objects.prefetch_related("tags")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **selectors.contact_page(self.object), audit=record_history(self.object), **kwargs
        )


class ContactCreateView(_RecordFormMixin, CreateView):
    permission_required = ("crm.add_contact", "crm.add_affiliation")
    model = Contact
    form_class = ContactForm
    template_name = "crm/contact_form.html"
    m2m_fields = ("tags",)
    success_message = _("Contact “%(name)s” created.")

    def get_initial(self):
        initial = super().get_initial()
        organisation = self.request.GET.get("organisation")
        if organisation and organisation.isdigit():
            initial["organisation"] = organisation
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        if "organisation" in form.fields:
            context["for_organisation"] = Organisation.objects.filter(
                pk=form["organisation"].value() or 0
            ).first()
        return context

    def save(self, instance, m2m, form):
        was_erased = (
            instance.email and "email" in form.changed_data and is_suppressed(instance.email)
        )
        contact = services.contact_save(contact=instance, m2m=m2m, by=self.request.user)
        if was_erased:
            # Typed in by hand is a deliberate act, so it is saved; but not silently.
            messages.warning(self.request, ERASED_EMAIL_ADDED)
        organisation = form.cleaned_data.get("organisation")
        if organisation:
            services.affiliation_save(
                affiliation=Affiliation(
                    contact=contact,
                    organisation=organisation,
                    role=form.cleaned_data.get("role", ""),
                    is_primary=True,
                ),
                by=self.request.user,
            )
        return contact


class ContactUpdateView(ContactCreateView, UpdateView):
    permission_required = "crm.change_contact"
    success_message = _("Contact “%(name)s” saved.")
    partial = "crm/contact_detail.html#details"

    def get_object(self, queryset=None):
        return get_object_or_404(Contact, pk=self.kwargs["pk"])


class ContactDuplicatesView(StaffRequiredMixin, View):
    """While a new contact is typed in: the contacts it may duplicate (htmx fragment)."""

    permission_required = "crm.view_contact"

    def get(self, request):
        same_email, similar = selectors.contacts_like(
            first_name=request.GET.get("first_name", "")[:100],
            last_name=request.GET.get("last_name", "")[:100],
            email=normalise_email(request.GET.get("email", ""))[:254],
        )
        context = {"same_email": same_email, "similar": similar}
        return render(request, "crm/contact_form.html#duplicates", context)


class ContactDoNotContactView(StaffRequiredMixin, View):
    permission_required = "crm.change_contact"

    def post(self, request, pk):
        contact = get_object_or_404(Contact, pk=pk)
        value = request.POST.get("do_not_contact") == "true"
        services.contact_set_do_not_contact(contact=contact, do_not_contact=value, by=request.user)
        if value:
            messages.success(request, _("%(name)s is marked do-not-contact.") % {"name": contact})
        else:
            messages.success(request, _("%(name)s may be contacted again.") % {"name": contact})
        return redirect(contact)


class _AffiliationFormView(StaffRequiredMixin):
    model = Affiliation
    form_class = AffiliationForm
    template_name = "crm/affiliation_form.html"

    def get_form_kwargs(self):
        # Editing changes the role and dates; a different organisation is a new affiliation.
        fixed = [self.fixed] if self.object is None else ["contact", "organisation"]
        return {**super().get_form_kwargs(), "fixed": fixed}

    def form_valid(self, form):
        self.object = affiliation = form.save(commit=False)
        try:
            services.affiliation_save(affiliation=affiliation, by=self.request.user)
        except ValidationError as error:
            form.add_error(None, error.messages[0])
            return self.form_invalid(form)
        messages.success(self.request, _("Affiliation “%(name)s” saved.") % {"name": affiliation})
        return redirect(self.get_success_url())

    def get_success_url(self):
        return getattr(self.object, self.fixed).get_absolute_url()


class AffiliationCreateView(_AffiliationFormView, CreateView):
    permission_required = "crm.add_affiliation"

    def dispatch(self, request, *args, **kwargs):
        if "contact_pk" in kwargs:
            self.fixed, self.parent = "contact", get_object_or_404(Contact, pk=kwargs["contact_pk"])
        else:
            self.fixed = "organisation"
            self.parent = get_object_or_404(Organisation, pk=kwargs["organisation_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Affiliation(**{self.fixed: self.parent})
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(parent=self.parent, **kwargs)


class AffiliationUpdateView(_AffiliationFormView, UpdateView):
    permission_required = "crm.change_affiliation"

    def dispatch(self, request, *args, **kwargs):
        self.fixed = "organisation" if request.GET.get("from") == "organisation" else "contact"
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return Affiliation.objects.select_related("contact", "organisation")

    def get_context_data(self, **kwargs):
        parent = getattr(self.object, self.fixed)
        return super().get_context_data(parent=parent, **kwargs)


class SavedViewCreateView(StaffRequiredMixin, View):
    permission_required = "crm.add_savedview"

    def post(self, request, list_name):
        if list_name not in SavedView.List.values:
            return redirect("crm:organisation-list")
        form = SavedViewForm(request.POST, instance=SavedView(user=request.user, list=list_name))
        if form.is_valid():
            view = form.save()
            messages.success(request, _("View “%(name)s” saved.") % {"name": view})
            return redirect(view.get_absolute_url())
        for errors in form.errors.values():
            messages.error(request, errors[0])
        back = SavedView(list=list_name, query=request.POST.get("query", ""))
        return redirect(back.get_absolute_url())


class SavedViewDeleteView(StaffRequiredMixin, TemplateView):
    # Saved views are personal: whoever may save views may remove their own.
    permission_required = "crm.add_savedview"
    template_name = "crm/savedview_confirm_delete.html"

    def get_view(self):
        return get_object_or_404(SavedView, pk=self.kwargs["pk"], user=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(view=self.get_view(), **kwargs)

    def post(self, request, pk):
        view = self.get_view()
        url = SavedView(list=view.list).get_absolute_url()
        view.delete()
        messages.success(request, _("View “%(name)s” deleted.") % {"name": view})
        return redirect(url)


class SearchView(StaffRequiredMixin, TemplateView):
    """The header search: as-you-type results for htmx, a full page otherwise."""

    permission_required = ("crm.view_contact", "crm.view_organisation")

    template_name = "crm/search.html"

    def get_template_names(self):
        return ["crm/search.html#results"] if self.request.htmx else [self.template_name]

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "").strip()[:200]
        limit = 5 if self.request.htmx else 25
        return super().get_context_data(
            q=query, results=selectors.global_search(query, limit=limit), **kwargs
        )
