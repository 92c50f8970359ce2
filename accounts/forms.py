from django import forms

from accounts.services import TOKEN_LIFETIMES


class PasswordConfirmedForm(forms.Form):
    """A form that asks the signed-in user for their password again, for a change that
    acts as them. Checked through authenticate(), so repeated wrong passwords lock out
    like a sign-in."""

    password = forms.CharField(
        label="Your password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    password_help_text = ""

    def __init__(self, *args, user, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.request = user, request
        self.fields["password"].help_text = self.password_help_text

    def clean_password(self):
        from django.contrib.auth import authenticate

        password = self.cleaned_data["password"]
        if authenticate(self.request, username=self.user.get_username(), password=password) is None:
            raise forms.ValidationError("That is not your password.")
        return password


class ApiTokenForm(PasswordConfirmedForm):
    name = forms.CharField(
        max_length=100,
        help_text="What the token is for, e.g. “Mailing tool sync”.",
    )
    lifetime_days = forms.TypedChoiceField(
        label="Valid for",
        choices=list(TOKEN_LIFETIMES.items()),
        coerce=int,
        initial=90,
    )
    double_opt_in = forms.BooleanField(
        label="Signatures sent with this token need the signer's e-mail confirmation "
        "(double opt-in)",
        required=False,
        help_text="For a tool whose own form does not confirm e-mail addresses: each "
        "signature it sends waits until the signer follows the link this CRM e-mails them.",
    )
    field_order = ["name", "lifetime_days", "double_opt_in", "password"]
    password_help_text = "A token acts as you: confirm it is you who asks for one."


class TwoStepCodeForm(forms.Form):
    code = forms.RegexField(
        label="6-digit code",
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": "Enter the 6 digits shown in your app."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip()


class TwoStepOffForm(PasswordConfirmedForm):
    password_help_text = "Confirm it is you who turns two-step sign-in off."
