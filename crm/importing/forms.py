from django import forms
from django.utils import timezone

from crm.importing.mapping import FIELDS
from crm.importing.planning import POLICIES
from crm.models import ImportRecord, SavedMapping
from outreach.models import Ask, Signature

POLICY_CHOICES = [
    ("fill", "Fill blanks only: existing values are kept"),
    ("overwrite", "Overwrite: the file's values replace existing ones"),
    ("skip", "Skip existing records: leave them as they are"),
]
DATE_CHOICES = [
    ("day", "Day first (05/09/2023 is 5 September)"),
    ("month", "Month first (05/09/2023 is 9 May)"),
]
SIGNER_CHOICES = [
    ("auto", "By the type column; without one, a row naming an organisation is one"),
    ("organisations", "Every row is an organisation"),
    ("individuals", "Every row is an individual"),
]
ASK_NEEDED = "Choose the ask these signatures or invitations are for."
assert [p for p, _ in POLICY_CHOICES] == list(POLICIES)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds", choices=ImportRecord.Kind.choices)
    file = forms.FileField(
        label="Spreadsheet",
        help_text="CSV (any common encoding, comma, semicolon or tab) or Excel .xlsx.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx"}),
    )
    ask = forms.ModelChoiceField(
        label="Ask",
        queryset=Ask.objects.all(),
        required=False,
        help_text="For signatures and invite lists.",
    )
    sheet = forms.CharField(
        label="Sheet",
        required=False,
        help_text="For a workbook: the sheet to read (the first one when empty).",
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") in ("signatures", "invites") and not data.get("ask"):
            self.add_error("ask", ASK_NEEDED)
        return data


class MappingForm(forms.Form):
    """One select per column of the file, then the options of the import."""

    policy = forms.ChoiceField(
        label="Records that already exist", choices=POLICY_CHOICES, widget=forms.RadioSelect
    )
    dates = forms.ChoiceField(
        label="Dates like 05/09/2023", choices=DATE_CHOICES, widget=forms.RadioSelect
    )
    save_as = forms.CharField(
        label="Save this mapping as",
        required=False,
        max_length=100,
        help_text="Give it a name to reuse it with the next file from the same source.",
    )

    # The saved mapping the columns started from, to know which one was used last.
    saved_mapping = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        if record.kind == "signatures":
            self.fields["signers"] = forms.ChoiceField(
                label="Which rows are organisations, which are individuals",
                choices=SIGNER_CHOICES,
                widget=forms.RadioSelect,
            )
            self.fields["published_url"] = forms.URLField(
                label="These signatories are already listed publicly at",
                required=False,
                max_length=Signature._meta.get_field("public_source").max_length,
                assume_scheme="https",
                help_text="For a list copied from a published statement: give its address "
                "and every row is listed here too, with that page recorded as the basis. "
                "Leave empty and nothing imported is listed without the signatory's consent.",
            )
        choices = [("", "— ignore this column —"), *FIELDS[record.kind]]
        self.column_names = []
        for index, header in enumerate(record.headers):
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header or f"Column {index + 1}", choices=choices, required=False
            )
            self.column_names.append(name)

    def column_fields(self):
        return [self[name] for name in self.column_names]

    def clean(self):
        data = super().clean()
        chosen = [data.get(name) for name in self.column_names]
        used = [field for field in chosen if field]
        duplicates = {field for field in used if used.count(field) > 1}
        labels = dict(FIELDS[self.record.kind])
        for name, field in zip(self.column_names, chosen, strict=True):
            if field in duplicates:
                self.add_error(name, f"“{labels[field]}” is chosen for more than one column.")
        if self.record.kind == "contacts" and "email" not in used:
            raise forms.ValidationError("Choose the column that holds the e-mail address.")
        if self.record.kind == "organisations" and "name" not in used:
            raise forms.ValidationError("Choose the column that holds the organisation's name.")
        data["mapping"] = chosen
        return data

    def save_mapping(self, user):
        name = self.cleaned_data.get("save_as")
        if not name:
            return None
        columns = {
            header: field
            for header, field in zip(self.record.headers, self.cleaned_data["mapping"], strict=True)
            if header
        }
        saved, _ = SavedMapping.objects.update_or_create(
            kind=self.record.kind,
            name=name,
            defaults={"columns": columns, "created_by": user, "used_at": timezone.now()},
        )
        return saved

    def note_saved_mapping_used(self):
        pk = self.cleaned_data.get("saved_mapping")
        if pk and pk.isdigit():  # a forged value, or one of another kind, changes nothing
            SavedMapping.objects.filter(pk=pk, kind=self.record.kind).update(used_at=timezone.now())


class ConfirmForm(forms.Form):
    skip_invalid = forms.BooleanField(
        label="Import the valid rows and skip the invalid ones listed above", required=False
    )
