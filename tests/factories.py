"""Small builders for test data. State that matters is built through the services."""

import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from crm.models import Contact, Organisation
from outreach.models import Ask, Campaign, Outreach

_seq = itertools.count(1)


def make_user(username=None, role="coordinator", **fields):
    """A staff member with a role (crm/roles.py); role=None for none at all."""
    username = username or f"staff{next(_seq)}"
    fields.setdefault("is_staff", True)
    user = get_user_model().objects.create_user(username=username, password="pw", **fields)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_organisation(name=None, **fields):
    return Organisation.objects.create(name=name or f"Organisation {next(_seq)}", **fields)


def make_contact(first_name="Ana", last_name=None, **fields):
    return Contact.objects.create(
        first_name=first_name, last_name=last_name or f"Person {next(_seq)}", **fields
    )


def make_campaign(**fields):
    n = next(_seq)
    fields.setdefault("name", f"Campaign {n}")
    fields.setdefault("slug", f"campaign-{n}")
    return Campaign.objects.create(**fields)


def make_ask(campaign=None, **fields):
    n = next(_seq)
    fields.setdefault("title", f"Ask {n}")
    fields.setdefault("slug", f"ask-{n}")
    return Ask.objects.create(campaign=campaign or make_campaign(), **fields)


def make_outreach(ask=None, organisation=None, contact=None, **fields):
    if organisation is None and contact is None:
        organisation = make_organisation()
    return Outreach.objects.create(
        ask=ask or make_ask(), organisation=organisation, contact=contact, **fields
    )


def make_message_template(ask, purpose="invitation", language="en", **fields):
    from outreach.models import MessageTemplate

    fields.setdefault("subject", f"Will you sign {{{{ ask_title }}}}? [{language}]")
    fields.setdefault("body", "Dear {{ contact_name }} of {{ organisation }}: {{ sign_link }}")
    return MessageTemplate.objects.create(ask=ask, purpose=purpose, language=language, **fields)


def make_signature(ask, *, name=None, organisation=False, status="confirmed", public=True,
                   awaiting_verification=False, country="", email=None, **fields):  # fmt: skip
    """A signature recorded through signature_record, as staff or an import would."""
    from outreach.services import signature_record

    n = next(_seq)
    name = name or f"Signatory {n}"
    contact = Contact.objects.create(first_name=name, email=email or f"signer{n}@example.org")
    org = Organisation.objects.create(name=name, country=country) if organisation else None
    return signature_record(
        ask=ask,
        organisation=org,
        contact=contact,
        display_name=name,
        country=country,
        public=public,
        status=status,
        awaiting_verification=awaiting_verification,
        **fields,
    )
