"""The "stop e-mails" link at the foot of every pipeline message: one click and one
confirmation, no sign-in, as easy as it was for us to write to them."""

from django.http import Http404
from django.shortcuts import render

from crm.models import Contact
from crm.services import consent_stop_outreach
from outreach.tokens import read_stop_emails_token


def stop_emails(request, token):
    pk = read_stop_emails_token(token)
    contact = Contact.objects.filter(pk=pk, erased_at=None).first() if pk else None
    if contact is None:
        raise Http404("This link is not valid.")
    if request.method == "POST":
        consent_stop_outreach(contact=contact)
        return render(request, "public/emails_stopped.html")
    return render(request, "public/stop_emails.html")
