from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from import_export.admin import ImportMixin
from simple_history.admin import SimpleHistoryAdmin

from crm.importing.admin_forms import AskImportMixin
from outreach.models import (
    STAGE_ORDER,
    Activity,
    Ask,
    AskTranslation,
    Campaign,
    Outreach,
    Signature,
)
from outreach.resources import InviteImportResource, SignatureImportResource
from outreach.services import outreach_change_stage, signature_record, signature_withdraw

TIMESTAMPS = ("created_at", "updated_at")


class AskInline(admin.TabularInline):
    model = Ask
    extra = 0
    fields = ("title", "slug", "kind", "opens_on", "closes_on", "is_published")
    show_change_link = True


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = TIMESTAMPS
    inlines = [AskInline]


class AskTranslationInline(admin.StackedInline):
    model = AskTranslation
    extra = 0


@admin.register(Ask)
class AskAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "campaign",
        "kind",
        "signers",
        "opens_on",
        "closes_on",
        "target_count",
        "is_published",
    )
    list_filter = ("campaign", "kind", "signers", "is_published")
    search_fields = ("title", "slug", "statement")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = TIMESTAMPS
    list_select_related = ("campaign",)
    inlines = [AskTranslationInline]
    fieldsets = [
        (None, {"fields": ("campaign", "title", "slug", "kind", "signers", "is_published")}),
        ("Text", {"fields": ("language", "statement")}),
        ("Dates and target", {"fields": ("opens_on", "closes_on", "target_count")}),
        (
            "Follow-up cadence",
            {"fields": ("first_reminder_after", "reminder_every", "max_reminders")},
        ),
        ("Record", {"fields": TIMESTAMPS}),
    ]


@admin.register(AskTranslation)
class AskTranslationAdmin(admin.ModelAdmin):
    list_display = ("ask", "language", "title")
    list_filter = ("language", "ask")
    search_fields = ("title", "statement", "ask__title")
    list_select_related = ("ask",)


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0
    fields = ("occurred_at", "kind", "actor", "from_stage", "to_stage", "summary")
    readonly_fields = ("from_stage", "to_stage")
    autocomplete_fields = ("actor",)


def _move_to(stage):
    def action(modeladmin, request, queryset):
        moved, refused = 0, []
        for entry in queryset:
            try:
                outreach_change_stage(outreach=entry, stage=stage, by=request.user)
                moved += 1
            except ValidationError as error:
                refused.append(f"{entry.target_name}: {' '.join(error.messages)}")
        if moved:
            modeladmin.message_user(request, f"{moved} moved to “{stage.label}”.")
        for reason in refused:
            modeladmin.message_user(request, reason, level=messages.WARNING)

    action.__name__ = f"move_to_{stage.value}"
    action.short_description = f"Move selected to “{stage.label}”"
    return action


@admin.register(Outreach)
class OutreachAdmin(AskImportMixin, ImportMixin, SimpleHistoryAdmin):
    resource_classes = [InviteImportResource]
    list_display = (
        "target_name",
        "ask",
        "stage",
        "contact",
        "owner",
        "next_follow_up_on",
        "follow_up_count",
    )
    list_filter = ("ask", "stage", "owner")
    search_fields = ("organisation__name", "organisation__acronym", "contact__last_name")
    autocomplete_fields = ("organisation", "contact", "owner")
    list_select_related = ("ask", "organisation", "contact", "owner")
    inlines = [ActivityInline]
    actions = [_move_to(stage) for stage in STAGE_ORDER]

    def get_readonly_fields(self, request, obj=None):
        # Once an entry exists its stage moves only through the pipeline rules.
        moving = ("stage", "stage_changed_at", "invited_at", "follow_up_count")
        return (*moving, *TIMESTAMPS) if obj else TIMESTAMPS


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "kind", "actor", "outreach", "organisation", "contact")
    list_filter = ("kind", "actor")
    search_fields = ("summary", "organisation__name", "contact__last_name")
    autocomplete_fields = ("actor", "outreach", "organisation", "contact")
    list_select_related = (
        "actor",
        "outreach__ask",
        "outreach__organisation",
        "outreach__contact",
        "organisation",
        "contact",
    )
    date_hierarchy = "occurred_at"


@admin.action(description="Withdraw selected signatures")
def withdraw_signatures(modeladmin, request, queryset):
    for signature in queryset:
        signature_withdraw(signature=signature, by=request.user, reason="Withdrawn in the admin")
    modeladmin.message_user(request, f"{queryset.count()} signature(s) withdrawn.")


@admin.register(Signature)
class SignatureAdmin(AskImportMixin, ImportMixin, SimpleHistoryAdmin):
    resource_classes = [SignatureImportResource]
    list_display = (
        "display_name",
        "ask",
        "organisation",
        "contact",
        "country",
        "signed_at",
        "source",
        "public",
        "status",
    )
    list_filter = ("ask", "status", "source", "public")
    search_fields = ("display_name", "organisation__name", "contact__last_name")
    autocomplete_fields = ("organisation", "contact")
    list_select_related = ("ask", "organisation", "contact")
    date_hierarchy = "signed_at"
    actions = [withdraw_signatures]

    def get_readonly_fields(self, request, obj=None):
        moving = ("status", "withdrawn_at", "status_reason")
        return (*moving, *TIMESTAMPS) if obj else TIMESTAMPS

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # New signatures go through the service so the pipeline follows.
        recorded = signature_record(
            ask=obj.ask,
            organisation=obj.organisation,
            contact=obj.contact,
            display_name=obj.display_name,
            role=obj.role,
            affiliation_text=obj.affiliation_text,
            country=obj.country,
            signed_at=obj.signed_at,
            source=obj.source,
            public=obj.public,
            status=obj.status,
            by=request.user,
        )
        obj.pk = recorded.pk
