"""Each list filter narrows correctly, alone and combined."""

import datetime as dt

import pytest
from django.utils import timezone

from crm.filters import ContactFilter, OrganisationFilter
from crm.models import Affiliation, Contact, Organisation, Tag
from outreach.models import Stage
from outreach.services import outreach_change_stage, signature_record
from tests.factories import make_ask, make_contact, make_organisation, make_outreach

pytestmark = pytest.mark.django_db


def names(filterset):
    assert filterset.is_valid(), filterset.errors
    return sorted(str(row) for row in filterset.qs)


def organisations(**params):
    return names(OrganisationFilter(params, queryset=Organisation.objects.all()))


def contacts(**params):
    return names(ContactFilter(params, queryset=Contact.objects.all()))


@pytest.fixture
def world():
    """Three organisations and three people, varied on every filtered attribute."""
    privacy = Tag.objects.create(name="privacy", kind=Tag.Kind.CAUSE)
    vip = Tag.objects.create(name="vip", kind=Tag.Kind.LABEL)
    network = make_organisation("EDRi", kind=Organisation.Kind.NETWORK, country="BE")
    bof = make_organisation("BoF", country="NL", email="info@bof.nl")
    lqdn = make_organisation("LQDN", country="FR")
    union = make_organisation("Union", kind=Organisation.Kind.UNION, country="NL")
    bof.member_of.add(network)
    lqdn.member_of.add(network)
    bof.tags.add(privacy, vip)
    lqdn.tags.add(privacy)

    lotte = make_contact("Lotte", "Jansen", country="NL", preferred_language="nl", email="l@bof.nl")
    marie = make_contact("Marie", "Martin", country="FR", preferred_language="fr")
    hans = make_contact("Hans", "Weber", country="DE", preferred_language="de", do_not_contact=True)
    make_contact("Nina", "Novak", country="PL")  # never asked for anything
    Affiliation.objects.create(contact=lotte, organisation=bof, is_primary=True)
    Affiliation.objects.create(contact=marie, organisation=lqdn)
    Affiliation.objects.create(
        contact=hans,
        organisation=union,
        ended_on=dt.date(2020, 1, 1),
        started_on=dt.date(2019, 1, 1),
    )
    lotte.tags.add(vip)
    marie.tags.add(privacy)

    statement = make_ask(title="Statement")
    summit = make_ask(title="Summit")
    signature_record(ask=statement, organisation=bof, contact=lotte)
    declined = make_outreach(ask=summit, organisation=lqdn, contact=marie)
    outreach_change_stage(outreach=declined, stage=Stage.DECLINED)
    signature_record(ask=summit, contact=hans)
    Organisation.objects.filter(pk=union.pk).update(
        created_at=timezone.now() - dt.timedelta(days=400)
    )
    Contact.objects.filter(pk=hans.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    return {
        "privacy": privacy,
        "vip": vip,
        "network": network,
        "statement": statement,
        "summit": summit,
    }


def test_organisation_filters_narrow_one_by_one(world):
    assert organisations(country="NL") == ["BoF", "Union"]
    assert organisations(kind="union") == ["Union"]
    assert organisations(cause=world["privacy"].pk) == ["BoF", "LQDN"]
    assert organisations(tag=world["vip"].pk) == ["BoF"]
    assert organisations(network=world["network"].pk) == ["BoF", "LQDN"]
    assert organisations(language="fr") == ["LQDN"]
    assert organisations(language="de") == []  # Hans left the union
    assert organisations(has_email="true") == ["BoF"]
    assert organisations(has_email="false") == ["EDRi", "LQDN", "Union"]
    assert organisations(signed=world["statement"].pk) == ["BoF"]
    assert organisations(declined=world["summit"].pk) == ["LQDN"]
    assert organisations(not_asked=world["summit"].pk) == ["BoF", "EDRi", "Union"]
    assert organisations(never_asked="true") == ["EDRi", "Union"]
    assert organisations(never_asked="false") == ["BoF", "LQDN"]
    today = timezone.localdate().isoformat()
    assert organisations(created_after=today) == ["BoF", "EDRi", "LQDN"]
    assert organisations(
        created_before=(timezone.localdate() - dt.timedelta(days=300)).isoformat()
    ) == ["Union"]


def test_organisation_filters_combine(world):
    assert organisations(country="NL", cause=world["privacy"].pk) == ["BoF"]
    assert organisations(network=world["network"].pk, not_asked=world["summit"].pk) == ["BoF"]
    assert organisations(cause=world["privacy"].pk, q="lqdn", country="FR") == ["LQDN"]
    assert organisations(country="NL", kind="network") == []


def test_contact_filters_narrow_one_by_one(world):
    assert contacts(country="FR") == ["Marie Martin"]
    assert contacts(language="nl") == ["Lotte Jansen"]
    assert contacts(tag=world["vip"].pk) == ["Lotte Jansen"]
    assert contacts(cause=world["privacy"].pk) == ["Marie Martin"]
    assert contacts(network=world["network"].pk) == ["Lotte Jansen", "Marie Martin"]
    assert contacts(kind="union") == []  # only a past affiliation
    assert contacts(kind="ngo") == ["Lotte Jansen", "Marie Martin"]
    assert contacts(has_email="true") == ["Lotte Jansen"]
    assert contacts(do_not_contact="true") == ["Hans Weber"]
    assert contacts(do_not_contact="false") == ["Lotte Jansen", "Marie Martin", "Nina Novak"]
    assert contacts(signed=world["statement"].pk) == ["Lotte Jansen"]
    assert contacts(signed=world["summit"].pk) == ["Hans Weber"]
    assert contacts(declined=world["summit"].pk) == ["Marie Martin"]
    assert contacts(never_asked="true") == ["Nina Novak"]
    assert contacts(never_asked="false") == ["Hans Weber", "Lotte Jansen", "Marie Martin"]
    assert contacts(not_asked=world["summit"].pk) == ["Lotte Jansen", "Nina Novak"]
    assert contacts(created_after=timezone.localdate().isoformat()) == [
        "Lotte Jansen",
        "Marie Martin",
        "Nina Novak",
    ]


def test_contact_filters_combine(world):
    assert contacts(network=world["network"].pk, language="fr") == ["Marie Martin"]
    assert contacts(do_not_contact="false", not_asked=world["summit"].pk) == [
        "Lotte Jansen",
        "Nina Novak",
    ]
    assert contacts(country="PL", never_asked="true") == ["Nina Novak"]
    assert contacts(q="jansen", tag=world["vip"].pk, country="NL") == ["Lotte Jansen"]
    assert contacts(q="jansen", country="FR") == []


def test_a_row_matching_a_filter_twice_is_listed_once(world):
    other = make_organisation("Second network", kind=Organisation.Kind.NETWORK)
    Affiliation.objects.create(contact=Contact.objects.get(last_name="Jansen"), organisation=other)
    qs = ContactFilter({"kind": "ngo"}, queryset=Contact.objects.all()).qs
    assert qs.count() == len(list(qs)) == 2


def test_sorting_is_limited_to_the_listed_columns_and_stable(world):
    assert names(OrganisationFilter({"sort": "-country"}, queryset=Organisation.objects.all()))
    ordered = OrganisationFilter({"sort": "-country"}, queryset=Organisation.objects.all()).qs
    assert [o.country.code for o in ordered] == ["NL", "NL", "FR", "BE"]
    assert not OrganisationFilter({"sort": "notes"}, queryset=Organisation.objects.all()).is_valid()
    by_name = ContactFilter({"sort": "-name"}, queryset=Contact.objects.all()).qs
    assert [c.last_name for c in by_name] == ["Weber", "Novak", "Martin", "Jansen"]


def test_an_invalid_filter_shows_an_empty_list_with_the_error(staff_client, world):
    response = staff_client.get("/organisations/", {"country": "Atlantis"})
    assert response.context["result_count"] == 0
    assert "Select a valid choice" in response.content.decode()
