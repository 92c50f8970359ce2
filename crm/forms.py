"""Staff forms for organisations, contacts, affiliations, saved views and bulk actions.
Messages say in plain words what is wrong and how to put it right."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.models import Affiliation, ConsentRecord, Contact, Organisation, SavedView, Tag
from crm.widgets import use_quick_selects
from outreach.models import Ask

WEBSITE_INVALID = _("Enter a full web address, like https://example.org.")
EMAIL_INVALID = _("Enter an e-mail address, like name@example.org.")
PHONE_INVALID = _("Enter a phone number with its country code, like +32 2 123 45 67.")
NAME_MISSING = _("Give the organisation's name.")
CONTACT_NAME_MISSING = _("Give at least a name or an e-mail address.")
SIMILAR_CONTACT = _("Tick “Create anyway” if this is a different person.")
DATES_REVERSED = _("The end date is before the start date.")
TAG_MISSING = _("Choose the tag to add or remove.")
ASK_MISSING = _("Choose the ask to add them to.")
NOTHING_SELECTED = _("Select at least one row, or choose “all that match”.")


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
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
        ]
        error_messages = {
            "name": {"required": NAME_MISSING},
            "website": {"invalid": WEBSITE_INVALID},
            "email": {"invalid": EMAIL_INVALID},
        }
        help_texts = {"member_of": _("Networks this organisation belongs to.")}
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 4}),
            "tags": forms.CheckboxSelectMultiple,
            "member_of": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        networks = Organisation.objects.filter(kind=Organisation.Kind.NETWORK)
        if self.instance.pk:
            networks = networks.exclude(pk=self.instance.pk)
        self.fields["member_of"].queryset = networks
        self.fields["tags"].required = False


class ContactForm(forms.ModelForm):
    confirm_new = forms.BooleanField(
        label=_("Create anyway: this is a different person"), required=False
    )

    class Meta:
        model = Contact
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "preferred_language",
            "country",
            "expertise",
            "do_not_contact",
            "tags",
            "notes",
        ]
        error_messages = {
            "email": {"invalid": EMAIL_INVALID},
            "phone": {"invalid": PHONE_INVALID},
            # The model's constraint, worded for this page.
            NON_FIELD_ERRORS: {"contact_has_name_or_email": CONTACT_NAME_MISSING},
        }
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 4}),
            "tags": forms.CheckboxSelectMultiple,
        }

    # Only when a contact is added from an organisation's page.
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), required=False, widget=forms.HiddenInput
    )
    role = forms.CharField(label=_("Role at the organisation"), max_length=150, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.same_email = None
        self.similar = []
        if self.instance.pk:
            del self.fields["confirm_new"]
        else:
            # As the person types, show contacts this one may duplicate (htmx).
            for name in ("first_name", "last_name", "email"):
                self.fields[name].widget.attrs.update(
                    {
                        "hx-get": reverse("crm:contact-duplicates"),
                        "hx-trigger": "change",
                        "hx-target": "#duplicate-check",
                        "hx-include": "[name=first_name],[name=last_name],[name=email]",
                    }
                )
        if self.instance.pk or not (
            self.initial.get("organisation") or self.data.get("organisation")
        ):
            del self.fields["organisation"]
            del self.fields["role"]

    def clean(self):
        from crm.selectors import contacts_like

        data = super().clean()
        self.same_email, self.similar = contacts_like(
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            email=data.get("email") or "",
            exclude_pk=self.instance.pk,
        )
        if self.same_email is not None:
            # The template names the contact and links to it.
            self.add_error("email", _("A contact with this e-mail already exists."))
        elif self.similar and "confirm_new" in self.fields and not data.get("confirm_new"):
            self.add_error("confirm_new", SIMILAR_CONTACT)
        return data

    def validate_constraints(self):
        # The duplicate e-mail is reported by clean() with a link to the existing contact.
        if self.same_email is None:
            super().validate_constraints()


class RecordLookupField(forms.CharField):
    """Names one organisation or contact by what staff remember: its e-mail, or enough of
    its name (any part, accents aside) to match only one. A select of every record
    would not do at 100,000 contacts."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(max_length=200, **kwargs)

    def clean(self, value):
        from crm.search import filter_by_search

        value = super().clean(value)
        noun = self.model._meta.verbose_name
        by_email = self.model.objects.filter(email__iexact=value.strip())
        found = list(by_email[:2]) or list(filter_by_search(self.model.objects, value)[:6])
        if not found:
            raise forms.ValidationError(
                _("No %(noun)s matches “%(value)s”.") % {"noun": noun, "value": value}
            )
        if len(found) > 1:
            names = ", ".join(str(record) for record in found[:5])
            raise forms.ValidationError(
                _("Several match “%(value)s” (%(names)s…): type more of the name, or the e-mail.")
                % {"value": value, "names": names}
            )
        return found[0]


class PrimaryMovesOnSave(forms.ModelForm):
    """The model's constraints checked as usual, except one primary affiliation per
    contact: affiliation_save takes the flag off the contact's other primary affiliation
    first, then checks it."""

    def validate_constraints(self):
        exclude = self._get_validation_exclusions() | {"is_primary"}
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)


class AffiliationForm(PrimaryMovesOnSave):
    organisation = RecordLookupField(
        Organisation,
        label=_("Organisation"),
        help_text=_("Its name, acronym or e-mail address."),
    )
    contact = RecordLookupField(
        Contact, label=_("Contact"), help_text=_("Their name or e-mail address.")
    )

    class Meta:
        model = Affiliation
        fields = ["organisation", "contact", "role", "is_primary", "started_on", "ended_on"]
        widgets = {
            "started_on": forms.DateInput(attrs={"type": "date"}),
            "ended_on": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {"is_primary": _("Primary affiliation (their main organisation)")}
        # The model's constraint, worded for this page.
        error_messages = {"ended_on": {"affiliation_ends_after_start": DATES_REVERSED}}

    def __init__(self, *args, fixed=(), **kwargs):
        """`fixed` names the sides that are already set ("contact", "organisation"):
        those fields are not shown and the instance keeps them."""
        super().__init__(*args, **kwargs)
        for name in fixed:
            del self.fields[name]


class SavedViewForm(forms.ModelForm):
    class Meta:
        model = SavedView
        fields = ["name", "query"]
        widgets = {"query": forms.HiddenInput}
        labels = {"name": _("Name this view")}
        error_messages = {"name": {"required": _("Give the view a name.")}}

    def validate_constraints(self):
        # The unique name is per person and list, which the form does not show: check
        # the constraint on the whole instance and put the message on the name.
        try:
            self.instance.validate_constraints()
        except forms.ValidationError as error:
            self.add_error("name", error.messages[0])


class BulkActionForm(forms.Form):
    ACTIONS = [
        ("add_tag", _("Add tag")),
        ("remove_tag", _("Remove tag")),
        ("add_to_ask", _("Add to an ask")),
        ("export_csv", _("Export as CSV")),
        ("export_xlsx", _("Export as Excel (XLSX)")),
    ]
    action = forms.ChoiceField(
        label=_("Action"),
        choices=ACTIONS,
        error_messages={"required": _("Choose what to do with the rows.")},
    )
    scope = forms.ChoiceField(
        label=_("Apply to"),
        choices=[("selected", _("Selected rows")), ("all", _("All that match"))],
        initial="selected",
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the selected rows or all rows that match."),
        },
    )
    selected = forms.TypedMultipleChoiceField(coerce=int, required=False)
    query = forms.CharField(required=False, widget=forms.HiddenInput)
    tag = forms.ModelChoiceField(
        label=_("Tag to add or remove"),
        queryset=Tag.objects.all(),
        required=False,
        empty_label=_("Choose a tag"),
    )
    ask = forms.ModelChoiceField(
        label=_("Ask to add them to"),
        queryset=Ask.objects.order_by("-opens_on", "title"),
        required=False,
        empty_label=_("Choose an ask"),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner of new pipeline entries"),
        queryset=get_user_model().objects.filter(is_staff=True, is_active=True),
        required=False,
        empty_label=_("No owner"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        use_quick_selects(self)
        # Any number is accepted here; the view keeps only rows of the filtered list.
        self.fields["selected"].valid_value = lambda value: True

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action in {"add_tag", "remove_tag"} and not data.get("tag"):
            self.add_error("tag", TAG_MISSING)
        if action == "add_to_ask" and not data.get("ask"):
            self.add_error("ask", ASK_MISSING)
        if data.get("scope") == "selected" and not data.get("selected"):
            raise forms.ValidationError(NOTHING_SELECTED, code="nothing_selected")
        return data


class ConsentForm(forms.ModelForm):
    """A consent given, as staff record it from what the person agreed to and where."""

    class Meta:
        model = ConsentRecord
        fields = ["purpose", "lawful_basis", "given_at", "source", "text_version", "text"]
        widgets = {
            "given_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "text": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "source": _("Where they agreed: “Reply to our e-mail”, “Conference form”…"),
            "text_version": _("Which version of the notice they agreed to, if any."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["given_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand: this person's data is erased everywhere and cannot be restored."),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )
