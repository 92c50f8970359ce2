"""Staff forms for campaigns, asks, the pipeline and e-mail messages."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from outreach.emails import MERGE_FIELDS, check_merge_fields
from outreach.models import (
    Ask,
    AskHoliday,
    AskTranslation,
    Campaign,
    MessageTemplate,
    Outreach,
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
        help_texts = {"slug": "Short name used in addresses: lower case, digits and dashes."}


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
            "slug": "Used in addresses, including the public signing page /s/<slug>/.",
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
