"""django-import-export resources for signatures and invite lists; like the crm ones,
they run the import planner (crm.importing) for one ask chosen on the import form."""

from import_export import fields

from crm.resources import PlannedImportResource
from outreach.models import Outreach, Signature


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
