"""django-import-export resources for outreach and signatures.

Export resources (the table and signature pages, the admin, `manage.py export_records`)
build on crm.resources.ExportResource, so every cell is neutralised. The import
resources run the import planner (crm.importing) for one ask chosen on the import form."""

import tablib
from django.utils import timezone, translation
from import_export import fields

from crm.resources import EXPORT_CHUNK_SIZE, ExportResource, PlannedImportResource
from crm.spreadsheets import neutralise_formula
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


# Action Network's report download: its core columns (IMPORT-FORMATS.md, section 1),
# then one column per custom field, named as the field.
ACTION_NETWORK_COLUMNS = (
    "uuid",
    "first_name",
    "last_name",
    "email",
    "zip_code",
    "can2_user_address",
    "can2_user_city",
    "can2_state_abbreviated",
    "can2_county",
    "can2_phone",
    "can2_user_tags",
    "can2_subscription_status",
    "can2_sms_status",
    "can2_subscription_date",
    "Signing as",
    "Organization",
    "Affiliation",
    "Role",
    "Name as published",
    "Country",
    "Language",
    "Signed at",
    "Listed publicly",
)

# CiviCRM's "Export PRIMARY fields" header, in its order (IMPORT-FORMATS.md, section 2),
# then the one thing CiviCRM has no field for, as a custom field would come.
CIVICRM_COLUMNS = (
    "Contact ID",
    "Contact Type",
    "Contact Subtype",
    "Do Not Email",
    "Do Not Phone",
    "Do Not Mail",
    "Do Not Sms",
    "Do Not Trade",
    "No Bulk Emails (User Opt Out)",
    "Legal Identifier",
    "External Identifier",
    "Sort Name",
    "Display Name",
    "Nickname",
    "Legal Name",
    "Image Url",
    "Preferred Communication Method",
    "Preferred Language",
    "Preferred Mail Format",
    "Contact Hash",
    "Contact Source",
    "First Name",
    "Middle Name",
    "Last Name",
    "Individual Prefix",
    "Individual Suffix",
    "Formal Title",
    "Communication Style",
    "Email Greeting ID",
    "Postal Greeting ID",
    "Addressee ID",
    "Job Title",
    "Gender",
    "Birth Date",
    "Deceased",
    "Deceased Date",
    "Household Name",
    "Organization Name",
    "Sic Code",
    "Unique ID (OpenID)",
    "Current Employer ID",
    "Contact is in Trash",
    "Created Date",
    "Modified Date",
    "Addressee",
    "Email Greeting",
    "Postal Greeting",
    "Current Employer",
    "Location Type",
    "Street Address",
    "Street Number",
    "Street Number Suffix",
    "Street Name",
    "Street Unit",
    "Supplemental Address 1",
    "Supplemental Address 2",
    "Supplemental Address 3",
    "City",
    "Postal Code Suffix",
    "Postal Code",
    "Latitude",
    "Longitude",
    "Address Name",
    "Master Address Belongs To",
    "County",
    "State",
    "Country",
    "Phone",
    "Phone Extension",
    "Phone Type",
    "Email",
    "On Hold",
    "Use for Bulk Mail",
    "Signature Text",
    "Signature Html",
    "IM Provider",
    "IM Screen Name",
    "OpenID",
    "World Region",
    "Website",
    "Group(s)",
    "Tag(s)",
    "Note(s)",
    "Listed publicly",
)


class SignatureLayoutResource:
    """An ask's signatures in another tool's column layout, one row per signature, every
    cell neutralised as in the other exports. Builds the same tablib Dataset an
    ExportResource does, for the same export paths."""

    columns = ()

    def export(self, queryset, **kwargs):
        dataset = tablib.Dataset(headers=list(self.columns))
        rows = queryset.select_related("organisation", "contact").iterator(EXPORT_CHUNK_SIZE)
        with translation.override("en"):  # country names read the same in every file
            for signature in rows:
                cells = self.cells(signature)
                dataset.append([neutralise_formula(cells.get(c, "")) for c in self.columns])
        return dataset

    @staticmethod
    def person(signature):
        contact = signature.contact
        if contact is None:
            return {"first": "", "last": "", "email": "", "phone": ""}
        phone = str(contact.phone) if contact.phone else ""
        return {
            "first": contact.first_name,
            "last": contact.last_name,
            "email": contact.email or "",
            "phone": phone,
        }

    @staticmethod
    def country_name(signature):
        return str(signature.country.name) if signature.country else ""

    @staticmethod
    def signed_at(signature):
        return timezone.localtime(signature.signed_at).strftime("%Y-%m-%d %H:%M:%S")


class SignatureActionNetworkResource(SignatureLayoutResource):
    """Action Network's report download layout; what it has no core column for is a
    custom field column."""

    columns = ACTION_NETWORK_COLUMNS

    def cells(self, signature):
        person = self.person(signature)
        organisation = signature.organisation
        return {
            "first_name": person["first"],
            "last_name": person["last"],
            "email": person["email"],
            "can2_phone": person["phone"],
            "Signing as": "organisation" if organisation else "individual",
            "Organization": organisation.name if organisation else "",
            "Affiliation": "" if organisation else signature.affiliation_text,
            "Role": signature.role,
            "Name as published": signature.display_name,
            "Country": self.country_name(signature),
            "Language": signature.language,
            "Signed at": self.signed_at(signature),
            "Listed publicly": "yes" if signature.public else "no",
        }


class SignatureCiviCRMResource(SignatureLayoutResource):
    """CiviCRM's contact export layout: an organisation's signature is an Organization
    row (with the person who signed for it in the name and e-mail columns), an
    individual's an Individual row whose current employer is their affiliation."""

    columns = CIVICRM_COLUMNS

    def cells(self, signature):
        person = self.person(signature)
        organisation = signature.organisation
        employer = organisation.name if organisation else signature.affiliation_text
        return {
            "Contact Type": "Organization" if organisation else "Individual",
            "Display Name": signature.display_name,
            "Preferred Language": signature.language,
            "First Name": person["first"],
            "Last Name": person["last"],
            "Job Title": signature.role,
            "Organization Name": organisation.name if organisation else "",
            "Created Date": self.signed_at(signature),
            "Current Employer": employer,
            "Country": self.country_name(signature),
            "Phone": person["phone"],
            "Email": person["email"],
            "Listed publicly": "yes" if signature.public else "no",
        }


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
