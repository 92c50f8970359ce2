from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from crm import exporting, services
from crm.audit import log_export
from crm.forms import PrimaryMovesOnSave
from crm.models import (
    Affiliation,
    ConsentRecord,
    Contact,
    ExportFile,
    ImportChange,
    ImportRecord,
    MergedRecord,
    NotDuplicate,
    Organisation,
    SavedMapping,
    SavedView,
    Suppression,
    Tag,
)
from crm.privacy import email_digest
from crm.resources import (
    ContactImportResource,
    ContactResource,
    OrganisationImportResource,
    OrganisationResource,
)

TIMESTAMPS = ("created_at", "updated_at")


IMPORT_PERMISSION = "crm.import_records"


class ImportExportAdminMixin(ImportExportMixin):
    """Import through the planner resources (`resource_classes`), export through the
    neutralising export resource (`export_resource_class`), the same one the lists and
    `manage.py export_records` use. Exports need crm.export_records and are logged."""

    export_kind = ""
    export_resource_class = None
    export_formats = [base_formats.CSV, base_formats.XLSX]

    def get_import_resource_classes(self, request):
        return self.resource_classes

    def get_export_resource_classes(self, request):
        return [self.export_resource_class]

    def has_export_permission(self, request):
        return request.user.has_perm(exporting.PERMISSION)

    def has_import_permission(self, request):
        # As on the imports pages: crm.import_records, and the right to add the rows.
        return request.user.has_perm(IMPORT_PERMISSION) and self.has_add_permission(request)

    def get_data_for_export(self, request, queryset, **kwargs):
        data = super().get_data_for_export(request, queryset, **kwargs)
        form = kwargs.get("export_form")
        choice = getattr(form, "cleaned_data", {}).get("format")
        formats = self.get_export_formats()
        file_format = formats[int(choice)]().get_title() if choice not in (None, "") else "-"
        log_export(
            user=request.user,
            what=self.export_kind,
            file_format=file_format,
            filter=request.GET.urlencode(),
            rows=len(data),
            via="admin",
        )
        return data


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")
    list_filter = ("kind",)
    search_fields = ("name",)


class AffiliationAdminForm(PrimaryMovesOnSave):
    """As on the page: a new primary affiliation takes the flag off the old one."""


def affiliation_save(affiliation, by):
    return services.affiliation_save(affiliation=affiliation, by=by)


class ConsentAdminForm(forms.ModelForm):
    """A withdrawn consent is kept as it was (as on the page and in the API); a
    withdrawal date typed in withdraws the consent through consent_withdraw."""

    def clean(self):
        data = super().clean()
        if self.instance.pk and self.initial.get("withdrawn_at") and self.has_changed():
            raise ValidationError(services.WITHDRAWN_IS_KEPT)
        return data


def consent_save(consent, by):
    """Give the consent through consent_give; with a withdrawal date, withdraw it then
    through consent_withdraw, which takes signatures off public lists for a listing
    consent. A withdrawn consent is left as it is (ConsentAdminForm refuses changes)."""
    if (
        consent.pk
        and ConsentRecord.objects.filter(pk=consent.pk, withdrawn_at__isnull=False).exists()
    ):
        return consent
    withdrawn_at = consent.withdrawn_at
    consent = services.consent_give(consent=consent, by=by)
    if withdrawn_at is not None:
        consent = services.consent_withdraw(consent=consent, by=by, at=withdrawn_at)
    return consent


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    form = AffiliationAdminForm
    extra = 0
    autocomplete_fields = ("contact", "organisation")


class ConsentInline(admin.TabularInline):
    model = ConsentRecord
    form = ConsentAdminForm
    extra = 0


class ThroughServicesAdmin(SimpleHistoryAdmin):
    """save_model and the inlines write through crm.services, as the pages do: the record
    and its many-to-many fields through `save_service`, affiliations through
    affiliation_save, consents through consent_give / consent_withdraw."""

    save_service = None
    inline_savers = {Affiliation: affiliation_save, ConsentRecord: consent_save}

    def save_model(self, request, obj, form, change):
        m2m = {
            field.name: form.cleaned_data[field.name]
            for field in obj._meta.many_to_many
            if field.name in form.cleaned_data
        }
        self.save_service(obj, by=request.user, m2m=m2m)

    def save_related(self, request, form, formsets, change):
        # The many-to-many fields were set by save_model's service.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        save = self.inline_savers.get(formset.model)
        if save is None:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj._history_user = request.user
            obj.delete()
        for obj in instances:
            save(obj, request.user)
        formset.save_m2m()


@admin.register(Organisation)
class OrganisationAdmin(ImportExportAdminMixin, ThroughServicesAdmin):
    resource_classes = [OrganisationImportResource]
    export_resource_class = OrganisationResource
    export_kind = "organisations"
    skip_admin_log = True  # the ImportRecord and the history are the audit trail
    list_display = ("name", "acronym", "kind", "country", "city", "domain", "updated_at")
    list_filter = ("kind", "country", "tags")
    search_fields = ("name", "acronym", "domain", "email", "city")
    autocomplete_fields = ("tags", "member_of")
    readonly_fields = ("domain", *TIMESTAMPS)
    inlines = [AffiliationInline]

    @staticmethod
    def save_service(organisation, *, by, m2m):
        return services.organisation_save(organisation=organisation, by=by, m2m=m2m)

    fieldsets = [
        (None, {"fields": ("name", "acronym", "kind", "country", "city")}),
        ("Online", {"fields": ("website", "domain", "email")}),
        ("Coalition", {"fields": ("tags", "member_of", "notes")}),
        ("Record", {"fields": TIMESTAMPS}),
    ]


@admin.register(Contact)
class ContactAdmin(ImportExportAdminMixin, ThroughServicesAdmin):
    resource_classes = [ContactImportResource]
    export_resource_class = ContactResource
    export_kind = "contacts"
    skip_admin_log = True  # the ImportRecord and the history are the audit trail
    list_display = (
        "__str__",
        "email",
        "country",
        "preferred_language",
        "do_not_contact",
        "updated_at",
    )
    list_filter = ("do_not_contact", "preferred_language", "country", "tags")
    search_fields = ("first_name", "last_name", "email", "phone", "expertise")
    autocomplete_fields = ("tags",)
    readonly_fields = TIMESTAMPS
    inlines = [AffiliationInline, ConsentInline]

    @staticmethod
    def save_service(contact, *, by, m2m):
        return services.contact_save(contact=contact, by=by, m2m=m2m)


@admin.register(Affiliation)
class AffiliationAdmin(SimpleHistoryAdmin):
    form = AffiliationAdminForm
    list_display = ("contact", "organisation", "role", "is_primary", "started_on", "ended_on")
    list_filter = ("is_primary",)
    search_fields = ("contact__first_name", "contact__last_name", "organisation__name", "role")
    autocomplete_fields = ("contact", "organisation")
    list_select_related = ("contact", "organisation")

    def save_model(self, request, obj, form, change):
        affiliation_save(obj, request.user)


@admin.register(ConsentRecord)
class ConsentRecordAdmin(SimpleHistoryAdmin):
    form = ConsentAdminForm
    list_display = ("contact", "purpose", "lawful_basis", "given_at", "withdrawn_at", "source")
    list_filter = ("purpose", "lawful_basis")
    search_fields = ("contact__first_name", "contact__last_name", "contact__email", "source")
    autocomplete_fields = ("contact",)
    list_select_related = ("contact",)

    def save_model(self, request, obj, form, change):
        consent_save(obj, request.user)


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "list", "query", "created_at")
    list_filter = ("list",)
    search_fields = ("name", "user__username")
    list_select_related = ("user",)


class ImportChangeInline(admin.TabularInline):
    model = ImportChange
    extra = 0
    can_delete = False
    readonly_fields = ("model", "object_id", "before", "after")


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    list_display = ("file_name", "kind", "status", "created_by", "created_at", "committed_at")
    list_filter = ("kind", "status")
    search_fields = ("file_name", "sha256")
    list_select_related = ("created_by",)
    readonly_fields = (
        "kind",
        "status",
        "created_by",
        "created_at",
        "committed_at",
        "undone_at",
        "file_name",
        "sha256",
        "ask",
        "options",
        "headers",
        "mapping",
        "counts",
        "errors",
        "warnings",
        "records_created",
        "message",
    )
    exclude = ("data", "table", "progress_done", "progress_total", "created_ids")
    inlines = [ImportChangeInline]

    def has_add_permission(self, request):
        return False

    @admin.display(description="records created")
    def records_created(self, record):
        # The ids can run to the hundred thousand: the wizard lists them page by page.
        return ", ".join(f"{label}: {len(ids)}" for label, ids in record.created_ids.items())


@admin.register(ImportChange)
class ImportChangeAdmin(admin.ModelAdmin):
    list_display = ("record", "model", "object_id")
    list_filter = ("model",)
    list_select_related = ("record",)
    readonly_fields = ("record", "model", "object_id", "before", "after")

    def has_add_permission(self, request):
        return False


@admin.register(SavedMapping)
class SavedMappingAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "created_by", "created_at")
    list_filter = ("kind",)


class SuppressionForm(forms.ModelForm):
    email = forms.EmailField(
        label="E-mail",
        help_text="Only a keyed hash of it is kept: imports and signings with it are reported.",
    )

    class Meta:
        model = Suppression
        fields = []

    def clean_email(self):
        digest = email_digest(self.cleaned_data["email"])
        if Suppression.objects.filter(digest=digest).exists():
            raise forms.ValidationError("This e-mail is already suppressed.")
        return self.cleaned_data["email"]

    def save(self, commit=True):
        self.instance.digest = email_digest(self.cleaned_data["email"])
        return super().save(commit)


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    """Erased people's e-mails, as hashes. Add one for someone who objects before ever
    being in the CRM; delete one to let an address be imported again."""

    form = SuppressionForm
    list_display = ("digest_start", "created_at", "matches", "last_matched_at")
    readonly_fields = ("digest", "created_at", "matches", "last_matched_at")

    @admin.display(description="hash")
    def digest_start(self, obj):
        return f"{obj.digest[:16]}…"


@admin.register(MergedRecord)
class MergedRecordAdmin(admin.ModelAdmin):
    """Written by the merge services only: old ids that lead to the record kept."""

    list_display = ("old_label", "kind", "old_id", "survivor_id", "merged_by", "merged_at")
    list_filter = ("kind",)
    search_fields = ("old_label", "email")
    readonly_fields = [f.name for f in MergedRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        return ["email"] if obj is None else list(self.readonly_fields)


@admin.register(NotDuplicate)
class NotDuplicateAdmin(admin.ModelAdmin):
    """Pairs marked "not a duplicate" in the review queue; deleting one lets the finder
    suggest the pair again."""

    list_display = ("kind", "first_id", "second_id", "decided_by", "decided_at")
    list_filter = ("kind",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ExportFile)
class ExportFileAdmin(admin.ModelAdmin):
    """Large exports waiting for their owner: who asked for what, and until when. The
    file itself is downloaded only by its owner, from their Exports page."""

    list_display = ("file_name", "created_by", "status", "rows_total", "created_at", "expires_at")
    list_filter = ("status", "kind")
    fields = ("kind", "file_format", "created_by", "ask", "status", "rows_total", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
