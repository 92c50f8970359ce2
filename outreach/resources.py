"""django-import-export resources for outreach and signatures.

Export resources (the table and signature pages, the admin, `manage.py export_records`)
build on crm.resources.ExportResource, so every cell is neutralised. The import
resources run the import planner (crm.importing) for one ask chosen on the import form."""

from django.utils import timezone
from import_export import fields

from crm.resources import EXPORT_CHUNK_SIZE, ExportResource, PlannedImportResource
from outreach.models import Outreach, Signature


def _local(moment, timespec="minutes"):
    return timezone.localtime(moment).isoformat(timespec=timespec) if moment else ""


class OutreachResource(ExportResource):
    """One row per pipeline entry; the "organisation", "e-mail" and "stage" columns are
    the ones the invite-list import reads."""

    ask = fields.Field(attribute="ask__slug", column_name="ask")
    organisation = fields.Field(attribute="organisation__name", column_name="organisation")
    contact = fields.Field(column_name="contact")
    email = fields.Field(column_name="e-mail")
    stage = fields.Field(attribute="stage", column_name="stage")
    owner = fields.Field(column_name="owner")
    stage_changed_at = fields.Field(column_name="in this stage since")
    invited_at = fields.Field(column_name="invited at")
    next_follow_up_on = fields.Field(column_name="next follow-up")
    follow_up_count = fields.Field(attribute="follow_up_count", column_name="reminders sent")
    notes = fields.Field(attribute="notes", column_name="notes")

    class Meta:
        model = Outreach
        name = "Outreach entries"
        fields = (
            "ask",
            "organisation",
            "contact",
            "email",
            "stage",
            "owner",
            "stage_changed_at",
            "invited_at",
            "next_follow_up_on",
            "follow_up_count",
            "notes",
        )
        export_order = fields
        chunk_size = EXPORT_CHUNK_SIZE

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("ask", "organisation", "contact", "owner")

    def dehydrate_contact(self, entry):
        return entry.contact.full_name if entry.contact_id else ""

    def dehydrate_email(self, entry):
        return (entry.contact.email or "") if entry.contact_id else ""

    def dehydrate_owner(self, entry):
        return entry.owner.get_username() if entry.owner_id else ""

    def dehydrate_stage_changed_at(self, entry):
        return _local(entry.stage_changed_at)

    def dehydrate_invited_at(self, entry):
        return _local(entry.invited_at)

    def dehydrate_next_follow_up_on(self, entry):
        return entry.next_follow_up_on.isoformat() if entry.next_follow_up_on else ""


class SignatureResource(ExportResource):
    """The staff export of an ask's signatures (every signature, listed or not, with the
    signer's e-mail: for staff with the export permission only)."""

    ask = fields.Field(attribute="ask__slug", column_name="ask")
    display_name = fields.Field(attribute="display_name", column_name="name as published")
    kind = fields.Field(column_name="kind")
    organisation = fields.Field(column_name="organisation")
    person = fields.Field(column_name="person")
    email = fields.Field(column_name="e-mail")
    role = fields.Field(attribute="role", column_name="role")
    affiliation = fields.Field(attribute="affiliation_text", column_name="affiliation")
    country = fields.Field(column_name="country")
    signed_at = fields.Field(column_name="signed at")
    source = fields.Field(attribute="source", column_name="source")
    status = fields.Field(attribute="status", column_name="status")
    public = fields.Field(column_name="listed publicly")
    awaiting = fields.Field(column_name="awaiting verification")
    language = fields.Field(attribute="language", column_name="language")
    version = fields.Field(column_name="text version")
    reason = fields.Field(attribute="status_reason", column_name="reason")

    class Meta:
        model = Signature
        name = "Signatures"
        fields = (
            "display_name",
            "kind",
            "organisation",
            "person",
            "email",
            "role",
            "affiliation",
            "country",
            "signed_at",
            "source",
            "status",
            "public",
            "awaiting",
            "language",
            "version",
            "reason",
            "ask",
        )
        export_order = fields
        chunk_size = EXPORT_CHUNK_SIZE

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("ask", "organisation", "contact", "statement_version")

    def dehydrate_kind(self, signature):
        return "organisation" if signature.organisation_id else "individual"

    def dehydrate_organisation(self, signature):
        return signature.organisation.name if signature.organisation_id else ""

    def dehydrate_person(self, signature):
        return signature.contact.full_name if signature.contact_id else ""

    def dehydrate_email(self, signature):
        return (signature.contact.email or "") if signature.contact_id else ""

    def dehydrate_country(self, signature):
        return signature.country.code or ""

    def dehydrate_signed_at(self, signature):
        return _local(signature.signed_at)

    def dehydrate_public(self, signature):
        return "yes" if signature.public else "no"

    def dehydrate_awaiting(self, signature):
        return "yes" if signature.awaiting_verification else "no"

    def dehydrate_version(self, signature):
        return signature.statement_version.number if signature.statement_version_id else ""


class SignatureImportResource(PlannedImportResource):
    kind = "signatures"
    organisation = fields.Field(column_name="Organisation", attribute="organisation")
    email = fields.Field(column_name="E-mail", attribute="contact")

    class Meta:
        model = Signature
        name = "Signatures for an ask"
        import_id_fields = ["organisation", "email"]
        fields = ("organisation", "email", "display_name", "role", "country", "signed_at", "public")


class InviteImportResource(PlannedImportResource):
    kind = "invites"
    organisation = fields.Field(column_name="Organisation", attribute="organisation")
    email = fields.Field(column_name="E-mail", attribute="contact")

    class Meta:
        model = Outreach
        name = "Invite list for an ask"
        import_id_fields = ["organisation", "email"]
        fields = ("organisation", "email", "stage")
