"""Staff forms (campaigns, asks, the pipeline, e-mail messages) and the public sign-on forms."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from crm.models import Contact
from crm.widgets import QuickSelect, country_choices
from outreach.emails import MERGE_FIELDS, check_merge_fields
from outreach.models import (
    Ask,
    AskHoliday,
    AskTranslation,
    Campaign,
    MessageTemplate,
    Outreach,
    Signature,
    Stage,
)
from outreach.services import LOGGABLE_KINDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
BAD_HOLIDAY = "Line {line}: “{value}” is not a date in the form YYYY-MM-DD."
DUPLICATE_TEMPLATE = "This ask already has a message for {purpose} in {language}."


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "slug", "description"]
        help_texts = {
            "slug": "Short name used in addresses: lower case, digits and dashes. "
            "Left blank, it is made from the name."
        }


class AskForm(forms.ModelForm):
    holidays = forms.CharField(
        label="Holidays (no reminders due)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "2026-12-25\n2026-12-26"}),
        help_text="One date per line (YYYY-MM-DD). Weekends are always skipped.",
    )

    class Meta:
        model = Ask
        fields = [
            "campaign",
            "title",
            "slug",
            "kind",
            "signers",
            "is_published",
            "language",
            "statement",
            "opens_on",
            "closes_on",
            "target_count",
            "first_reminder_after",
            "reminder_every",
            "max_reminders",
        ]
        widgets = {
            "opens_on": DATE,
            "closes_on": DATE,
            "statement": forms.Textarea(attrs={"rows": 10}),
        }
        help_texts = {
            "slug": "Used in addresses, including the public signing page /s/<slug>/. "
            "Left blank, it is made from the title.",
            "statement": "Markdown: **bold**, *italic*, lists, links. Scripts and styles are "
            "removed.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["holidays"] = "\n".join(
                f"{h.day:%Y-%m-%d}" for h in self.instance.holidays.all()
            )

    def clean_holidays(self):
        days, errors = set(), []
        for line, value in enumerate(self.cleaned_data["holidays"].splitlines(), start=1):
            value = value.strip()
            if not value:
                continue
            try:
                days.add(datetime.date.fromisoformat(value))
            except ValueError:
                errors.append(BAD_HOLIDAY.format(line=line, value=value))
        if errors:
            raise ValidationError(errors)
        return sorted(days)

    @transaction.atomic
    def save(self, commit=True):
        ask = super().save(commit=commit)
        if commit:
            ask.holidays.exclude(day__in=self.cleaned_data["holidays"]).delete()
            there = set(ask.holidays.values_list("day", flat=True))
            AskHoliday.objects.bulk_create(
                AskHoliday(ask=ask, day=day)
                for day in self.cleaned_data["holidays"]
                if day not in there
            )
        return ask


TranslationFormSet = forms.inlineformset_factory(
    Ask,
    AskTranslation,
    fields=["language", "title", "statement"],
    extra=1,
    can_delete=True,
    widgets={"statement": forms.Textarea(attrs={"rows": 6})},
)


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["purpose", "language", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}
        help_texts = {
            "body": "Plain text. Merge fields: "
            + ", ".join(f"{{{{ {name} }}}} ({text})" for name, text in MERGE_FIELDS.items())
        }

    def clean_subject(self):
        check_merge_fields(self.cleaned_data["subject"])
        return self.cleaned_data["subject"]

    def clean_body(self):
        check_merge_fields(self.cleaned_data["body"])
        return self.cleaned_data["body"]

    def clean(self):
        data = super().clean()
        others = MessageTemplate.objects.filter(
            ask=self.instance.ask, purpose=data.get("purpose"), language=data.get("language")
        ).exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(
                DUPLICATE_TEMPLATE.format(
                    purpose=MessageTemplate.Purpose(data["purpose"]).label.lower(),
                    language=dict(self.fields["language"].choices)[data["language"]],
                )
            )
        return data


class LogActivityForm(forms.Form):
    kind = forms.ChoiceField(
        label="What happened", choices=[(k.value, k.label) for k in LOGGABLE_KINDS]
    )
    summary = forms.CharField(label="Summary", widget=forms.Textarea(attrs={"rows": 3}))


class FollowUpForm(forms.Form):
    next_follow_up_on = forms.DateField(
        label="Next follow-up", required=False, widget=DATE, help_text="Empty: none planned."
    )


def _staff():
    return get_user_model().objects.filter(is_staff=True).order_by("username")


class OwnerForm(forms.Form):
    owner = forms.ModelChoiceField(
        label="Owner", queryset=_staff(), required=False, empty_label="No owner"
    )


class ContactPersonForm(forms.Form):
    """The contact person of an organisation's entry: one of its affiliated contacts."""

    contact = forms.ModelChoiceField(
        label="Contact person", queryset=Contact.objects.none(), required=False,
        empty_label="No contact person",
    )  # fmt: skip

    def __init__(self, *args, entry, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = (
            Contact.objects.filter(affiliations__organisation_id=entry.organisation_id)
            .distinct()
            .order_by("last_name", "first_name", "pk")
        )


class BulkForm(forms.Form):
    ACTIONS = [
        ("stage", "Change stage"),
        ("owner", "Assign owner"),
        ("follow_up", "Set follow-up date"),
        ("email", "Send an e-mail"),
    ]

    ids = forms.ModelMultipleChoiceField(
        queryset=Outreach.objects.none(),
        error_messages={"required": "Select at least one entry."},
    )
    action = forms.ChoiceField(choices=ACTIONS)
    stage = forms.ChoiceField(choices=[("", "—")] + Stage.choices, required=False)
    owner = forms.ModelChoiceField(queryset=_staff(), required=False, empty_label="No owner")
    follow_up_on = forms.DateField(required=False, widget=DATE)
    purpose = forms.ChoiceField(choices=MessageTemplate.Purpose.choices, required=False)

    def __init__(self, *args, ask, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].queryset = Outreach.objects.filter(ask=ask)

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "stage" and not data.get("stage"):
            self.add_error("stage", "Choose the stage to move the entries to.")
        if action == "follow_up" and not data.get("follow_up_on"):
            self.add_error("follow_up_on", "Choose the follow-up date.")
        if action == "email" and not data.get("purpose"):
            self.add_error("purpose", "Choose which message to send.")
        return data


# Public sign-on and the staff signatures pages ---------------------------------

AS_ORGANISATION, AS_INDIVIDUAL = "organisation", "individual"


class SignForm(forms.Form):
    """Sign as an organisation or as an individual. Field names are short and plain so
    screen readers and browsers' autofill understand them."""

    signing_as = forms.ChoiceField(
        label=_("I sign"),
        choices=[
            (AS_ORGANISATION, _("on behalf of an organisation")),
            (AS_INDIVIDUAL, _("as an individual")),
        ],
        widget=forms.RadioSelect,
        initial=AS_INDIVIDUAL,
    )
    organisation_name = forms.CharField(
        label=_("Organisation name"), max_length=200, required=False
    )
    website = forms.URLField(
        label=_("Organisation website"), max_length=300, required=False, assume_scheme="https"
    )
    name = forms.CharField(label=_("Your name"), max_length=200)
    role = forms.CharField(label=_("Your role in the organisation"), max_length=150, required=False)
    affiliation = forms.CharField(
        label=_("Affiliation (for identification only)"), max_length=250, required=False
    )
    country = forms.ChoiceField(label=_("Country"), choices=(), required=False, widget=QuickSelect)
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("We send a link to confirm your signature. It is never published."),
    )
    public = forms.BooleanField(label=_("List my name publicly"), required=False, initial=False)
    newsletter = forms.BooleanField(
        label=_("Send me news about this campaign"), required=False, initial=False
    )
    # A field people never see (hidden by the stylesheet) that bots fill in.
    homepage = forms.CharField(label=_("Leave this empty"), required=False)

    def __init__(self, *args, ask=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *country_choices()]
        self.fields["homepage"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        if ask is not None and ask.signers != ask.Signers.BOTH:
            only = AS_ORGANISATION if ask.signers == ask.Signers.ORGANISATIONS else AS_INDIVIDUAL
            self.fields["signing_as"].choices = [
                c for c in self.fields["signing_as"].choices if c[0] == only
            ]
            self.fields["signing_as"].initial = only

    @property
    def is_bot(self):
        return bool(self.data.get("homepage"))

    def clean(self):
        data = super().clean()
        if data.get("signing_as") == AS_ORGANISATION and not data.get("organisation_name"):
            self.add_error(
                "organisation_name", _("Give the name of the organisation you sign for.")
            )
        return data


class SignatureListingForm(forms.Form):
    display_name = forms.CharField(label="Name as published", max_length=250)
    public = forms.BooleanField(label="Listed publicly", required=False)
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        required=False,
        help_text="Needed when listing is turned on or off; kept in the signature's history.",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason", max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing? (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SnapshotForm(forms.Form):
    as_of = forms.DateField(
        label="Signatures up to and including", widget=forms.DateInput(attrs={"type": "date"})
    )
    language = forms.ChoiceField(label="Language of the text")

    def __init__(self, *args, ask, **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(Signature._meta.get_field("language").choices)
        self.fields["language"].choices = [(code, names.get(code, code)) for code in ask.languages]
