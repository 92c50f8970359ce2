"""Public statement pages, at /s/ (see config/urls.py). No sign-in anywhere here."""

from django.urls import path, re_path

from outreach.views import public, stop_emails

app_name = "public"

LANG = r"(?P<lang>[a-z]{2})"
SLUG = r"(?P<slug>[-a-zA-Z0-9_]+)"

urlpatterns = [
    path("<slug:slug>/", public.statement, name="statement"),
    path("<slug:slug>/signatories.csv", public.export_csv, name="export-csv"),
    path("<slug:slug>/signatories.json", public.export_json, name="export-json"),
    path("<slug:slug>/embed/", public.embed, name="embed"),
    re_path(rf"^{SLUG}/{LANG}/$", public.statement, name="statement-lang"),
    re_path(rf"^{SLUG}/{LANG}/sign/$", public.sign, name="sign"),
    re_path(rf"^{SLUG}/{LANG}/thanks/$", public.thanks, name="thanks"),
    re_path(rf"^{SLUG}/{LANG}/confirm/(?P<token>[-:\w]+)/$", public.confirm, name="confirm"),
    re_path(rf"^{SLUG}/{LANG}/withdraw/(?P<token>[-:\w]+)/$", public.withdraw, name="withdraw"),
    re_path(r"^stop-emails/(?P<token>[-.:\w]+)/$", stop_emails.stop_emails, name="stop-emails"),
]
