"""Forms of the public sign-on and of the staff signatures pages."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from outreach.models import Signature

AS_ORGANISATION, AS_INDIVIDUAL = "organisation", "individual"


class PlainSelect(forms.Select):
    """A <select> rendered in Python: the country list has 250 options, and rendering one
    template per option made the public page several times slower."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        value = "" if value is None else str(value[0] if isinstance(value, list) else value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (code, mark_safe(" selected") if str(code) == value else "", label)
                for code, label in self.choices
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(attrs), options)


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
    country = forms.ChoiceField(label=_("Country"), choices=(), required=False, widget=PlainSelect)
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
        self.fields["country"].choices = [("", "—"), *((c.code, c.name) for c in countries)]
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
