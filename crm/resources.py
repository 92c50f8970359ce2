"""Spreadsheet resources (django-import-export) for organisations and contacts."""

from import_export import fields, resources
from import_export.widgets import ManyToManyWidget

from crm.models import Contact, Organisation, Tag
from crm.spreadsheets import neutralise_formula


class _SafeExportMixin:
    """Every exported cell goes through neutralise_formula: names and notes come from
    partners and public forms, and must not run as formulas in a spreadsheet."""

    def export_field(self, field, instance, **kwargs):
        return neutralise_formula(super().export_field(field, instance, **kwargs))


class OrganisationResource(_SafeExportMixin, resources.ModelResource):
    kind = fields.Field(attribute="get_kind_display", column_name="kind")
    country = fields.Field(attribute="country__code", column_name="country")
    tags = fields.Field(
        attribute="tags",
        column_name="tags",
        widget=ManyToManyWidget(Tag, separator="; ", field="name"),
    )
    member_of = fields.Field(
        attribute="member_of",
        column_name="member of",
        widget=ManyToManyWidget(Organisation, separator="; ", field="name"),
    )

    class Meta:
        model = Organisation
        fields = (
            "id",
            "name",
            "acronym",
            "kind",
            "country",
            "city",
            "website",
            "email",
            "tags",
            "member_of",
            "notes",
            "created_at",
        )
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related("tags", "member_of")


class ContactResource(_SafeExportMixin, resources.ModelResource):
    country = fields.Field(attribute="country__code", column_name="country")
    phone = fields.Field(column_name="phone")
    organisation = fields.Field(column_name="primary organisation")
    tags = fields.Field(
        attribute="tags",
        column_name="tags",
        widget=ManyToManyWidget(Tag, separator="; ", field="name"),
    )

    class Meta:
        model = Contact
        fields = (
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "preferred_language",
            "country",
            "organisation",
            "expertise",
            "do_not_contact",
            "tags",
            "notes",
            "created_at",
        )
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related("tags", "affiliations__organisation")

    def dehydrate_phone(self, contact):
        return str(contact.phone) if contact.phone else ""

    def dehydrate_organisation(self, contact):
        # Uses the prefetched affiliations: one query for the whole export.
        primary = [a for a in contact.affiliations.all() if a.is_primary]
        return primary[0].organisation.name if primary else ""
