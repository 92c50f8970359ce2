"""Reads used by the staff pages: aggregated in the database, a fixed number of queries."""

from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, F, Q
from django.utils import timezone

from outreach.dates import week_bounds
from outreach.models import STAGE_ORDER, TRANSITIONS, Ask, Outreach, Signature, Stage


@dataclass
class AskProgress:
    ask: Ask
    signatures: int
    stage_counts: list[tuple[str, int]] = field(default_factory=list)
    due_this_week: int = 0
    overdue: int = 0

    @property
    def percent_of_target(self):
        if not self.ask.target_count:
            return None
        return min(100, round(100 * self.signatures / self.ask.target_count))

    @property
    def outreach_total(self):
        return sum(count for _, count in self.stage_counts)


def dashboard_asks(*, today):
    """The progress of each ask open on `today` (see asks_progress)."""
    return asks_progress(
        asks=Ask.objects.open_on(today).order_by("closes_on", "title"), today=today
    )


def campaign_asks(*, campaign, today):
    """The progress of each ask of `campaign`, the latest to open first."""
    asks = campaign.asks.order_by(F("opens_on").desc(nulls_last=True), "title")
    return asks_progress(asks=asks, today=today)


def asks_progress(*, asks, today):
    """For each ask of the queryset `asks`: confirmed signatures against target, outreach
    per stage and follow-ups due this week. Three queries, whatever the number of asks."""
    monday, sunday = week_bounds(today)
    asks = list(
        asks.select_related("campaign").annotate(
            confirmed_signatures=Count(
                "signatures", filter=Q(signatures__status=Signature.Status.CONFIRMED)
            )
        )
    )
    if not asks:
        return []
    in_asks = Outreach.objects.filter(ask__in=[ask.pk for ask in asks])

    per_stage = {}
    for row in in_asks.values("ask_id", "stage").annotate(n=Count("pk")).order_by():
        per_stage[(row["ask_id"], row["stage"])] = row["n"]

    follow_ups = {
        row["ask_id"]: row
        for row in in_asks.follow_ups_due_by(sunday)
        .values("ask_id")
        .annotate(
            overdue=Count("pk", filter=Q(next_follow_up_on__lt=today)),
            due_this_week=Count("pk", filter=Q(next_follow_up_on__gte=today)),
        )
        .order_by()
    }

    return [
        AskProgress(
            ask=ask,
            signatures=ask.confirmed_signatures,
            stage_counts=[
                (stage.label, per_stage.get((ask.pk, stage), 0)) for stage in STAGE_ORDER
            ],
            due_this_week=follow_ups.get(ask.pk, {}).get("due_this_week", 0),
            overdue=follow_ups.get(ask.pk, {}).get("overdue", 0),
        )
        for ask in asks
    ]


def follow_ups_for(*, user, today, limit=10):
    """The signed-in person's next follow-ups this week, overdue first."""
    _, sunday = week_bounds(today)
    return list(
        Outreach.objects.filter(owner=user)
        .follow_ups_due_by(sunday)
        .select_related("ask", "organisation", "contact")
        .order_by("next_follow_up_on", "pk")[:limit]
    )


def follow_ups_due(*, on, owner=None):
    """Follow-ups due on `on` or overdue, for everyone (or one owner), entries still
    awaiting a reply with reminders left. Ordered by owner, then date."""
    entries = (
        Outreach.objects.follow_ups_due_by(on)
        .exclude(follow_up_count__gte=F("ask__max_reminders"), stage__in=Stage.AWAITING)
        .select_related("ask", "organisation", "contact", "owner")
        .order_by("owner__username", "next_follow_up_on", "pk")
    )
    if owner is not None:
        entries = entries.filter(owner=owner)
    return entries


def my_follow_ups(*, user, today):
    """The signed-in person's follow-ups: overdue, due today, due later this week."""
    _, sunday = week_bounds(today)
    entries = list(
        Outreach.objects.filter(owner=user)
        .follow_ups_due_by(sunday)
        .select_related("ask", "organisation", "contact")
        .order_by("next_follow_up_on", "pk")
    )
    return {
        "overdue": [e for e in entries if e.next_follow_up_on < today],
        "today": [e for e in entries if e.next_follow_up_on == today],
        "this_week": [e for e in entries if e.next_follow_up_on > today],
    }


@dataclass
class BoardColumn:
    stage: Stage
    count: int
    cards: list

    @property
    def hidden(self):
        return self.count - len(self.cards)

    @cached_property
    def moves(self):
        """Where a card of this column may go, in board order (read for every card)."""
        return [stage for stage in STAGE_ORDER if stage in TRANSITIONS[self.stage]]


def board_columns(*, ask, per_column=25):
    """The board of an ask: a column per stage with its count and its first cards
    (longest in the stage first). One query for the counts and one per non-empty stage,
    each an index range scan (outreach_board_column): at most eight queries, for 10
    entries or for 5,000."""
    in_ask = Outreach.objects.filter(ask=ask)
    counts = dict(in_ask.values_list("stage").annotate(n=Count("pk")).order_by())
    cards = {
        stage: list(
            in_ask.filter(stage=stage)
            .select_related("organisation", "contact", "owner")
            .order_by("stage_changed_at", "pk")[:per_column]
        )
        if counts.get(stage)
        else []
        for stage in STAGE_ORDER
    }
    return [
        BoardColumn(stage=stage, count=counts.get(stage, 0), cards=cards[stage])
        for stage in STAGE_ORDER
    ]


def partner_history(entry):
    """The same organisation's (or individual's) other asks: how each one went."""
    others = Outreach.objects.exclude(pk=entry.pk).select_related("ask")
    if entry.organisation_id:
        others = others.filter(organisation_id=entry.organisation_id)
    else:
        others = others.filter(organisation__isnull=True, contact_id=entry.contact_id)
    return list(others.order_by("-ask__opens_on", "-created_at"))


# Public statement pages ----------------------------------------------------------------


@dataclass
class PublicCounts:
    organisations: int
    individuals: int
    target: int = 0

    @property
    def total(self):
        return self.organisations + self.individuals

    @property
    def percent_of_target(self):
        if not self.target:
            return None
        return min(100, round(100 * self.total / self.target))


def public_counts(*, ask, until=None):
    """Signatories who count publicly (confirmed, verified when needed — listed or not:
    a number names nobody). One query; read fresh each time so a confirmation or a
    withdrawal shows at once."""
    signatures = Signature.objects.counted().filter(ask=ask)
    if until is not None:
        signatures = signatures.filter(signed_at__lte=until)
    counts = signatures.aggregate(
        organisations=Count("pk", filter=Q(organisation__isnull=False)),
        individuals=Count("pk", filter=Q(organisation__isnull=True)),
    )
    return PublicCounts(target=ask.target_count, **counts)


def public_signatures(*, ask):
    """The public list: only what `for_public_listing` allows, with the organisation's
    website read in the same query."""
    return (
        Signature.objects.for_public_listing()
        .filter(ask=ask)
        .select_related("organisation")
        .only(
            "pk",
            "display_name",
            "affiliation_text",
            "country",
            "signed_at",
            "organisation__id",
            "organisation__website",
        )
    )


# The only fields of a signatory that leave the staff side, in every public output.
PUBLIC_FIELDS = ["name", "kind", "country", "website", "affiliation", "signed_on"]


def public_row(signature):
    is_organisation = signature.organisation_id is not None
    return {
        "name": signature.display_name,
        "kind": "organisation" if is_organisation else "individual",
        "country": str(signature.country.code or ""),
        "website": signature.organisation.website if is_organisation else "",
        "affiliation": "" if is_organisation else signature.affiliation_text,
        "signed_on": timezone.localtime(signature.signed_at).date().isoformat(),
    }


def public_rows(*, ask, until=None, order=("display_name", "pk")):
    signatures = public_signatures(ask=ask).order_by(*order)
    if until is not None:
        signatures = signatures.filter(signed_at__lte=until)
    return [public_row(signature) for signature in signatures]
