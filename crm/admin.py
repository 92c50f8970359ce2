from django.contrib import admin
from import_export.admin import ImportMixin
from simple_history.admin import SimpleHistoryAdmin

from crm.models import (
    Affiliation,
    ConsentRecord,
    Contact,
    ImportChange,
    ImportRecord,
    MergedRecord,
    NotDuplicate,
    Organisation,
    SavedMapping,
    SavedView,
    Tag,
)
from crm.resources import ContactImportResource, OrganisationImportResource

TIMESTAMPS = ("created_at", "updated_at")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")
    list_filter = ("kind",)
    search_fields = ("name",)


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0
    autocomplete_fields = ("contact", "organisation")


class ConsentInline(admin.TabularInline):
    model = ConsentRecord
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(ImportMixin, SimpleHistoryAdmin):
    resource_classes = [OrganisationImportResource]
    skip_admin_log = True  # the ImportRecord and the history are the audit trail
    list_display = ("name", "acronym", "kind", "country", "city", "domain", "updated_at")
    list_filter = ("kind", "country", "tags")
    search_fields = ("name", "acronym", "domain", "email", "city")
    autocomplete_fields = ("tags", "member_of")
    readonly_fields = ("domain", *TIMESTAMPS)
    inlines = [AffiliationInline]
    fieldsets = [
        (None, {"fields": ("name", "acronym", "kind", "country", "city")}),
        ("Online", {"fields": ("website", "domain", "email")}),
        ("Coalition", {"fields": ("tags", "member_of", "notes")}),
        ("Record", {"fields": TIMESTAMPS}),
    ]


@admin.register(Contact)
class ContactAdmin(ImportMixin, SimpleHistoryAdmin):
    resource_classes = [ContactImportResource]
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


@admin.register(Affiliation)
class AffiliationAdmin(SimpleHistoryAdmin):
    list_display = ("contact", "organisation", "role", "is_primary", "started_on", "ended_on")
    list_filter = ("is_primary",)
    search_fields = ("contact__first_name", "contact__last_name", "organisation__name", "role")
    autocomplete_fields = ("contact", "organisation")
    list_select_related = ("contact", "organisation")


@admin.register(ConsentRecord)
class ConsentRecordAdmin(SimpleHistoryAdmin):
    list_display = ("contact", "purpose", "lawful_basis", "given_at", "withdrawn_at", "source")
    list_filter = ("purpose", "lawful_basis")
    search_fields = ("contact__first_name", "contact__last_name", "contact__email", "source")
    autocomplete_fields = ("contact",)
    list_select_related = ("contact",)


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
    exclude = ("data", "progress_done", "progress_total", "created_ids")
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
