from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from crm.admin import ImportExportAdminMixin
from crm.importing.admin_forms import AskImportMixin
from outreach.models import (
    STAGE_ORDER,
    Activity,
    Ask,
    AskHoliday,
    AskTranslation,
    Campaign,
    DeliverySnapshot,
    EmailBatch,
    MessageTemplate,
    Outreach,
    Signature,
    SignatureDailyBreakdown,
    SignatureDailyCount,
    StatementVersion,
)
from outreach.resources import (
    InviteImportResource,
    OutreachResource,
    SignatureImportResource,
    SignatureResource,
)
from outreach.rollups import rollup_tracked
from outreach.services import (
    ask_text_edit_check,
    outreach_bulk_change_stage,
    signature_record,
    signature_withdraw,
)

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


class AskTranslationForm(forms.ModelForm):
    acknowledge_new_version = forms.BooleanField(
        label="I understand",
        required=False,
        help_text="Signatures were given on this translation: saving a change keeps it as a "
        "version and starts a new one.",
    )

    # No Meta: the admin builds the form for AskTranslation.

    def clean(self):
        data = super().clean()
        if self.instance.pk and {"title", "statement"} & set(self.changed_data):
            try:
                ask_text_edit_check(
                    ask=self.instance.ask,
                    language=self.instance.language,
                    acknowledged=data.get("acknowledge_new_version"),
                )
            except ValidationError as error:
                self.add_error("acknowledge_new_version", error)
        return data


class AskTranslationInline(admin.StackedInline):
    model = AskTranslation
    form = AskTranslationForm
    extra = 0


class AskForm(forms.ModelForm):
    acknowledge_new_version = forms.BooleanField(
        label="I understand",
        required=False,
        help_text="Signatures were given on the current text: saving a change keeps that text "
        "as a version (each signature keeps the version it was given on) and starts a new one.",
    )

    # No Meta: the admin builds the form for Ask from the fieldsets below.

    def clean(self):
        data = super().clean()
        text_changed = {"title", "statement", "language"} & set(self.changed_data)
        if self.instance.pk and text_changed:
            try:
                ask_text_edit_check(
                    ask=self.instance, acknowledged=data.get("acknowledge_new_version")
                )
            except ValidationError as error:
                self.add_error("acknowledge_new_version", error)
        return data


@admin.register(Ask)
class AskAdmin(admin.ModelAdmin):
    form = AskForm
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
        ("Text", {"fields": ("language", "statement", "acknowledge_new_version")}),
        ("Public page", {"fields": ("verify_organisation_signatures",)}),
        ("Dates and target", {"fields": ("opens_on", "closes_on", "target_count")}),
        (
            "Follow-up cadence",
            {"fields": ("first_reminder_after", "reminder_every", "max_reminders")},
        ),
        ("Record", {"fields": TIMESTAMPS}),
    ]


@admin.register(AskTranslation)
class AskTranslationAdmin(admin.ModelAdmin):
    form = AskTranslationForm
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
    # The same service and the same report as the pipeline table's bulk move.
    def action(modeladmin, request, queryset):
        result = outreach_bulk_change_stage(entries=queryset, stage=stage, by=request.user)
        modeladmin.message_user(request, result.summary(stage))
        for refusal in result.refusals():
            modeladmin.message_user(request, refusal, level=messages.WARNING)

    action.allowed_permissions = ("change",)  # a viewer sees the list, and moves nothing
    action.__name__ = f"move_to_{stage.value}"
    action.short_description = f"Move selected to “{stage.label}”"
    return action


@admin.register(Outreach)
class OutreachAdmin(AskImportMixin, ImportExportAdminMixin, SimpleHistoryAdmin):
    resource_classes = [InviteImportResource]
    export_resource_class = OutreachResource
    export_kind = "outreach"
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


@admin.action(description="Withdraw selected signatures", permissions=["change"])
def withdraw_signatures(modeladmin, request, queryset):
    for signature in queryset:
        signature_withdraw(signature=signature, by=request.user, reason="Withdrawn in the admin")
    modeladmin.message_user(request, f"{queryset.count()} signature(s) withdrawn.")


@admin.register(Signature)
class SignatureAdmin(AskImportMixin, ImportExportAdminMixin, SimpleHistoryAdmin):
    resource_classes = [SignatureImportResource]
    export_resource_class = SignatureResource
    export_kind = "signatures"
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
        # Listing, verification and withdrawal change through the signatures page of the
        # ask (with reasons), never by editing fields here.
        moving = (
            "status",
            "withdrawn_at",
            "withdrawn_by",
            "status_reason",
            "public",
            "awaiting_verification",
            "confirmed_at",
            "verified_at",
            "verified_by",
            "organisation_was_known",
            "language",
            "statement_version",
            "listing_consent",
        )
        return (*moving, *TIMESTAMPS) if obj else TIMESTAMPS

    def save_model(self, request, obj, form, change):
        if change:
            # Its ask, signer, day, country or source may change what the reports count.
            with transaction.atomic(), rollup_tracked([obj.pk]):
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

    def delete_model(self, request, obj):
        with transaction.atomic(), rollup_tracked([obj.pk]):
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic(), rollup_tracked(queryset):
            super().delete_queryset(request, queryset)


@admin.register(AskHoliday)
class AskHolidayAdmin(admin.ModelAdmin):
    list_display = ("day", "ask")
    list_filter = ("ask",)
    list_select_related = ("ask",)


@admin.register(MessageTemplate)
class MessageTemplateAdmin(SimpleHistoryAdmin):
    list_display = ("ask", "purpose", "language", "subject")
    list_filter = ("purpose", "language", "ask")
    search_fields = ("subject", "body")
    list_select_related = ("ask",)
    readonly_fields = TIMESTAMPS


@admin.register(EmailBatch)
class EmailBatchAdmin(admin.ModelAdmin):
    list_display = ("created_at", "ask", "purpose", "created_by", "status", "sent", "total")
    list_filter = ("status", "purpose")
    list_select_related = ("ask", "created_by")
    readonly_fields = ("outreach_ids", "problems", "sent", "skipped", "failed", "finished_at")


@admin.register(StatementVersion)
class StatementVersionAdmin(admin.ModelAdmin):
    list_display = ("ask", "language", "number", "title", "created_at")
    list_filter = ("language", "ask")
    list_select_related = ("ask",)

    def get_readonly_fields(self, request, obj=None):
        # A version is what people signed: it is a record, not something to edit.
        return ("ask", "language", "number", "title", "statement", "created_at") if obj else ()


@admin.register(DeliverySnapshot)
class DeliverySnapshotAdmin(admin.ModelAdmin):
    list_display = ("ask", "as_of", "language", "organisation_count", "individual_count")
    list_select_related = ("ask",)
    readonly_fields = ("rows", "statement_version", "created_at", "created_by")


class RollupAdmin(admin.ModelAdmin):
    """Read only: the services keep the roll-ups, `manage.py rebuild_rollups` redoes them."""

    list_select_related = ("ask",)
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SignatureDailyCount)
class SignatureDailyCountAdmin(RollupAdmin):
    list_display = ("ask", "day", "kind", "count")
    list_filter = ("kind", "ask")


@admin.register(SignatureDailyBreakdown)
class SignatureDailyBreakdownAdmin(RollupAdmin):
    list_display = ("ask", "day", "dimension", "value", "count")
    list_filter = ("dimension", "ask")
