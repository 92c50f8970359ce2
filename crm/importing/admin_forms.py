"""The admin's import forms with the ask a signature or invite import is for."""

from django import forms
from import_export.forms import ConfirmImportForm, ImportForm

from outreach.models import Ask


class AskImportForm(ImportForm):
    ask = forms.ModelChoiceField(queryset=Ask.objects.all(), required=True)


class AskConfirmImportForm(ConfirmImportForm):
    ask = forms.ModelChoiceField(queryset=Ask.objects.all(), widget=forms.HiddenInput)


class AskImportMixin:
    """For ModelAdmins importing for one ask: the form asks which one."""

    import_form_class = AskImportForm
    confirm_form_class = AskConfirmImportForm
    skip_admin_log = True  # the ImportRecord and the history are the audit trail

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form:
            initial["ask"] = import_form.cleaned_data["ask"].pk
        return initial

    def get_import_resource_kwargs(self, request, *args, **kwargs):
        resource_kwargs = super().get_import_resource_kwargs(request, *args, **kwargs)
        form = kwargs.get("form")
        if form is not None and hasattr(form, "cleaned_data") and form.cleaned_data.get("ask"):
            resource_kwargs["ask"] = form.cleaned_data["ask"]
        return resource_kwargs
