from django import forms

from webhooks import safety
from webhooks.models import Event, WebhookEndpoint


class EndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each event is sent to this address as it happens.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "active"]
        help_texts = {
            "url": "https:// address of the receiver; not one inside this server's networks.",
            "description": "What receives it, e.g. “Partner CRM sync”.",
        }

    def clean_url(self):
        url = self.cleaned_data["url"]
        safety.check_url(url)  # refused here already, with the reason, on the field
        return url

    def as_changes(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
