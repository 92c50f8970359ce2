"""The reports pages, their downloads, the command line and the API."""

import csv
import datetime
import io
import json
import re
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.models import Contact, Organisation
from outreach.models import Signature, Stage
from outreach.rollups import rollup_rebuild
from outreach.services import signature_record, signature_withdraw
from tests.factories import make_ask, make_contact, make_organisation, make_outreach, make_user

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")


def at(text, hour=12, minute=0):
    day = datetime.date.fromisoformat(text)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BRUSSELS)


@pytest.fixture
def ask():
    """Two organisations and a person on 2 March, nothing on the 3rd, one on the 4th at
    23:30 Brussels time (22:30 UTC), one withdrawn and one pending."""
    ask = make_ask(
        title="Ban facial recognition",
        slug="ban-facial-recognition",
        opens_on=at("2026-03-02").date(),
    )
    for when in (at("2026-03-02", 9), at("2026-03-02", 10)):
        signature_record(ask=ask, organisation=make_organisation(country="BE"), signed_at=when)
    signature_record(ask=ask, contact=make_contact(), signed_at=at("2026-03-02", 11))
    signature_record(ask=ask, organisation=make_organisation(), signed_at=at("2026-03-04", 23, 30))
    signature_withdraw(
        signature=signature_record(
            ask=ask, organisation=make_organisation(), signed_at=at("2026-03-03")
        )
    )
    signature_record(
        ask=ask,
        organisation=make_organisation(),
        signed_at=at("2026-03-03"),
        status=Signature.Status.PENDING,
    )
    return ask


RANGE = {"start": "2026-03-02", "end": "2026-03-05", "by": "day"}
EXPECTED_CSV = (
    "period,new,cumulative,organisations,individuals,partial\n"
    "2026-03-02,3,3,2,1,false\n"
    "2026-03-03,0,3,2,1,false\n"
    "2026-03-04,1,4,3,1,false\n"
    "2026-03-05,0,4,3,1,false\n"
)


# --- access ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, args",
    [
        ("outreach:reports", []),
        ("outreach:report-ask", ["ban-facial-recognition"]),
        ("outreach:report-weekly", ["ban-facial-recognition"]),
        ("outreach:report-ask-download", ["ban-facial-recognition", "growth", "csv"]),
    ],
)
def test_reports_are_for_signed_in_staff_only(client, ask, name, args):
    url = reverse(name, args=args)
    assert client.get(url).status_code == 302
    client.force_login(make_user("volunteer", is_staff=False))
    assert client.get(url).status_code == 403


# --- pages ------------------------------------------------------------------------------


def test_the_ask_page_shows_the_series_the_total_and_the_breakdowns(staff_client, ask):
    response = staff_client.get(reverse("outreach:report-ask", args=[ask.slug]), RANGE)

    assert response.status_code == 200
    growth = response.context["growth"]
    assert [(p.new, p.cumulative) for p in growth.points] == [(3, 3), (0, 3), (1, 4), (0, 4)]
    assert growth.total == 4 == Signature.objects.confirmed().filter(ask=ask).count()
    page = response.content.decode()
    assert page.count('class="point') == 4
    assert 'data-testid="table-growth"' in page
    assert "Belgium" in page
    assert "<title>Report: Ban facial recognition · Coalition CRM</title>" in page
    assert 'style="' not in page  # the CSP forbids inline styles


def test_the_ask_page_says_what_was_wrong_with_the_range(staff_client, ask):
    response = staff_client.get(
        reverse("outreach:report-ask", args=[ask.slug]),
        {"start": "2026-03-09", "end": "2026-03-01"},
    )

    assert response.status_code == 200
    assert "“From” must be on or before “To”." in response.content.decode()
    assert "growth" not in response.context


def test_the_ask_page_for_an_unknown_ask_is_not_found(staff_client):
    assert staff_client.get(reverse("outreach:report-ask", args=["nope"])).status_code == 404


def test_the_index_compares_asks_and_counts_new_this_week(staff_client, ask):
    today = timezone.localdate()
    other = make_ask(title="Protect encryption", opens_on=today)
    signature_record(ask=other, organisation=make_organisation())

    response = staff_client.get(reverse("outreach:reports"))

    overview = response.context["overview"]
    totals = {summary.ask.title: (summary.total, summary.this_week) for summary in overview.asks}
    assert totals == {"Ban facial recognition": (4, 0), "Protect encryption": (1, 1)}
    assert overview.growth.total == 5
    page = response.content.decode()
    assert "+1 this week" in page
    assert 'data-testid="comparison-chart"' in page


def test_the_index_without_signatures_says_so(staff_client):
    response = staff_client.get(reverse("outreach:reports"))

    assert "No signatures yet" in response.content.decode()


def test_the_weekly_summary_counts_that_week(staff_client, ask):
    response = staff_client.get(
        reverse("outreach:report-weekly", args=[ask.slug]), {"week": "2026-03-04"}
    )

    assert response.status_code == 200
    assert response.context["monday"] == datetime.date(2026, 3, 2)
    assert response.context["new_this_week"] == 4
    assert response.context["total_at_end"] == 4
    assert [p.new for p in response.context["days"]] == [3, 0, 1, 0, 0, 0, 0]
    assert "data-print" in response.content.decode()


# --- downloads -------------------------------------------------------------------------------


def test_the_growth_table_downloads_as_csv(staff_client, ask):
    response = staff_client.get(
        reverse("outreach:report-ask-download", args=[ask.slug, "growth", "csv"]), RANGE
    )

    assert response["Content-Type"].startswith("text/csv")
    assert "ban-facial-recognition-growth-" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Period", "New", "Cumulative", "Organisations", "Individuals", "Partial"]
    assert rows[1:] == [
        ["2026-03-02", "3", "3", "2", "1", "False"],
        ["2026-03-03", "0", "3", "2", "1", "False"],
        ["2026-03-04", "1", "4", "3", "1", "False"],
        ["2026-03-05", "0", "4", "3", "1", "False"],
    ]


def test_a_breakdown_downloads_as_xlsx(staff_client, ask):
    response = staff_client.get(
        reverse("outreach:report-ask-download", args=[ask.slug, "country", "xlsx"])
    )

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Country", "Signatories", "Share (%)"]
    assert values[1] == ["Belgium", 2, 50.0]


def test_the_across_asks_tables_download(staff_client, ask):
    response = staff_client.get(reverse("outreach:report-download", args=["asks", "csv"]))

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][:3] == ["Ban facial recognition", "2026-03-02", "4"]


def test_downloaded_text_never_runs_as_a_spreadsheet_formula(staff_client, ask):
    make_ask(title='=HYPERLINK("http://evil.example","x")', opens_on=ask.opens_on)

    response = staff_client.get(reverse("outreach:report-download", args=["asks", "csv"]))

    titles = [row[0] for row in csv.reader(io.StringIO(response.content.decode()))]
    assert '\'=HYPERLINK("http://evil.example","x")' in titles


def test_an_ask_without_signatures_or_pipeline_has_empty_reports(staff_client):
    quiet = make_ask(slug="quiet", opens_on=datetime.date(2026, 3, 2))

    page = staff_client.get(reverse("outreach:report-ask", args=[quiet.slug]))
    weekly = staff_client.get(reverse("outreach:report-weekly", args=[quiet.slug]))

    assert page.status_code == weekly.status_code == 200
    assert page.context["growth"].total == 0
    assert "Nothing to count yet." in page.content.decode()
    assert weekly.context["new_this_week"] == 0


@pytest.mark.parametrize("dataset, fmt", [("nothing", "csv"), ("growth", "pdf")])
def test_an_unknown_table_or_format_is_not_found(staff_client, ask, dataset, fmt):
    url = reverse("outreach:report-ask-download", args=[ask.slug, dataset, fmt])
    assert staff_client.get(url).status_code == 404


def test_a_download_with_a_backwards_range_is_refused(staff_client, ask):
    url = reverse("outreach:report-ask-download", args=[ask.slug, "growth", "csv"])

    response = staff_client.get(url, {"start": "2026-03-09", "end": "2026-03-01"})

    assert response.status_code == 400
    assert "“From” must be on or before “To”." in response.content.decode()


# --- query counts ------------------------------------------------------------------------------


def _add_signatures(ask, count, start):
    """`count` confirmed signatures over a few months, half organisations, half people,
    and a pipeline entry; bulk-created (the services would take minutes for 10,000)."""
    kinds = [k for k, _ in Organisation.Kind.choices]
    half = count // 2
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Org {start + i}", kind=kinds[i % len(kinds)], country="BE")
        for i in range(half)
    )
    people = Contact.objects.bulk_create(
        Contact(first_name="Person", last_name=str(start + i)) for i in range(count - half)
    )
    first = at("2026-03-02")
    Signature.objects.bulk_create(
        [
            Signature(
                ask=ask,
                organisation=signer if isinstance(signer, Organisation) else None,
                contact=signer if isinstance(signer, Contact) else None,
                display_name=str(signer),
                signed_at=first + datetime.timedelta(minutes=17 * (start + i)),
                source=Signature.Source.IMPORT,
            )
            for i, signer in enumerate(organisations + people)
        ],
        batch_size=2000,
    )
    rollup_rebuild()  # bulk_create passes the services that keep the roll-ups
    make_outreach(ask=ask, owner=make_user(), stage=Stage.INVITED)


def _count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    # No per-row Python: none of the functions Django registers on SQLite (date
    # truncation, datetime differences …) appears in the SQL.
    assert not [q["sql"] for q in queries if re.search(r"\bdjango_\w+\(", q["sql"])]
    return len(queries)


def test_the_reports_query_counts_do_not_grow_with_signatures(staff_client):
    ask = make_ask(slug="big", opens_on=datetime.date(2026, 3, 2))
    params = {"start": "2026-03-02", "end": "2026-06-30"}
    pages = [
        reverse("outreach:report-ask", args=[ask.slug]),
        reverse("outreach:reports"),
        reverse("outreach:report-weekly", args=[ask.slug]),
    ]
    _add_signatures(ask, 10, start=0)
    assert Signature.objects.filter(ask=ask).count() == 10
    with_ten = [_count_queries(staff_client, url, params) for url in pages]

    _add_signatures(ask, 9_990, start=10)
    assert Signature.objects.filter(ask=ask).count() == 10_000
    with_ten_thousand = [_count_queries(staff_client, url, params) for url in pages]

    assert with_ten == with_ten_thousand


def _sign_on_days(ask, days):
    """One confirmed signature a day (organisations and people in turn) from 2 March,
    through the service, as staff record them."""
    for n in range(days):
        when = at("2026-03-02", 10) + datetime.timedelta(days=n)
        if n % 2:
            signature_record(ask=ask, contact=make_contact(), signed_at=when, country="NL")
        else:
            signature_record(ask=ask, organisation=make_organisation(country="BE"), signed_at=when)


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return [q["sql"] for q in queries]


def _reading_signatures(sqls):
    # The roll-ups' tables share the prefix: the quoted name is the signature table.
    return [sql for sql in sqls if '"outreach_signature"' in sql]


PARAMS = {"start": "2026-03-02", "end": "2026-04-30"}


def test_the_across_asks_page_costs_the_same_with_3_and_30_signatures_and_days(staff_client):
    url = reverse("outreach:reports")
    _sign_on_days(make_ask(slug="first"), 3)
    with_three = _queries(staff_client, url, PARAMS)

    _sign_on_days(make_ask(slug="second"), 27)
    with_thirty = _queries(staff_client, url, PARAMS)

    assert Signature.objects.confirmed().count() == 30
    assert len(with_three) == len(with_thirty)
    assert _reading_signatures(with_thirty) == []  # counts and series from the roll-up


@pytest.mark.parametrize(
    "page, reads_of_signatures",
    # The ask's page: the breakdowns by kind of organisation and by cause (three
    # queries) follow the organisations and people as they are now.
    [("outreach:report-ask", 3), ("outreach:report-weekly", 0)],
)
def test_an_ask_s_report_costs_the_same_with_3_and_30_signatures_and_days(
    staff_client, page, reads_of_signatures
):
    small, large = make_ask(slug="small"), make_ask(slug="large")
    _sign_on_days(small, 3)
    _sign_on_days(large, 30)

    params = PARAMS if page == "outreach:report-ask" else {"week": "2026-03-02"}

    with_three = _queries(staff_client, reverse(page, args=[small.slug]), params)
    with_thirty = _queries(staff_client, reverse(page, args=[large.slug]), params)

    assert len(with_three) == len(with_thirty)
    assert len(_reading_signatures(with_thirty)) == reads_of_signatures


# --- command line -------------------------------------------------------------------------------


def run(*args):
    out = io.StringIO()
    call_command("report_growth", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_series_as_csv(ask):
    output = run("--ask", ask.slug, "--from", "2026-03-02", "--to", "2026-03-05")

    assert output == EXPECTED_CSV


def test_the_command_prints_weeks_as_json(ask):
    output = json.loads(
        run(
            "--ask",
            ask.slug,
            "--by",
            "week",
            "--from",
            "2026-03-02",
            "--to",
            "2026-03-15",
            "--format",
            "json",
        )
    )

    assert output["ask"] == ask.slug
    assert output["total"] == 4
    assert [(p["period"], p["new"], p["cumulative"], p["partial"]) for p in output["series"]] == [
        ("2026-03-02", 4, 4, False),
        ("2026-03-09", 0, 4, False),
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--ask", "nope"], "No ask with the slug “nope”."),
        (["--ask", "ban-facial-recognition", "--from", "2026-02-30"], "“2026-02-30” is not a date"),
        (
            ["--ask", "ban-facial-recognition", "--from", "2026-03-09", "--to", "2026-03-01"],
            "--from (2026-03-09) is after --to (2026-03-01).",
        ),
    ],
)
def test_the_command_names_what_is_wrong(ask, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(*args)


# --- API -----------------------------------------------------------------------------------------


API = "/api/v1/reports/growth/"


def test_the_api_serves_the_same_series(staff_client, ask):
    response = staff_client.get(
        API, {"ask": ask.slug, "by": "day", "from": "2026-03-02", "to": "2026-03-05"}
    )

    assert response.status_code == 200
    data = response.json()
    assert data["total"] == 4
    assert [(p["period"], p["new"], p["cumulative"]) for p in data["series"]] == [
        ("2026-03-02", 3, 3),
        ("2026-03-03", 0, 3),
        ("2026-03-04", 1, 4),
        ("2026-03-05", 0, 4),
    ]


def test_the_api_is_for_staff_only(client, ask):
    assert client.get(API, {"ask": ask.slug}).status_code == 401  # not signed in
    client.force_login(make_user("volunteer", is_staff=False))
    assert client.get(API, {"ask": ask.slug}).status_code == 403
    client.force_login(make_user("newcomer", role=None))
    assert client.get(API, {"ask": ask.slug}).status_code == 403  # no role, no reading


def test_the_api_names_the_wrong_parameter(staff_client, ask):
    response = staff_client.get(API, {"ask": "nope", "by": "fortnight"})

    assert response.status_code == 400
    assert response.json()["ask"] == ["No ask with the slug “nope”."]
    assert "by" in response.json()

    response = staff_client.get(API, {"ask": ask.slug, "from": "2026-03-09", "to": "2026-03-01"})
    assert response.json()["from"] == ["“from” must be on or before “to”."]
