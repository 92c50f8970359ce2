"""Reports: reads over Signature and Outreach, aggregated in the database.

Every function here runs a fixed number of queries whatever the number of rows; Python
only ever sees aggregated rows (one per local day, country, owner …), never one per
signature. Counts, series and the breakdowns by country and source read the daily
roll-ups (SignatureDailyCount, SignatureDailyBreakdown, kept by the services: see
outreach/rollups.py), whose size follows asks × days, not signatures. The breakdowns by
kind of organisation and by cause read the signatures: they follow the organisations'
and people's records as they are now.

What counts: confirmed signatures (`Signature.objects.confirmed()`), listed publicly or
not — the same definition as the public statement page's count of signatories. Pending,
rejected and withdrawn signatures are left out.

Days are the site's local days (settings.TIME_ZONE): a signature at 23:30 in Brussels
counts on that Brussels day. PostgreSQL converts in SQL (`AT TIME ZONE`). On SQLite,
Django's date truncation calls a Python function once per row, so `_local_day_sqlite`
builds the local day from SQLite's own `date()` function instead: the range is cut into
runs of 24-hour local days, each shifted by its fixed UTC offset, and the days on which
the offset changes (23 or 25 hours long) are matched by their UTC bounds and named by a
literal. Weeks (Monday to Sunday) and months are summed from the day rows.
"""

import datetime
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db import connections
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DateField,
    Exists,
    F,
    FloatField,
    Func,
    Max,
    Min,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, Substr, TruncDate
from django.utils import timezone
from django_countries import countries

from crm.models import Organisation, Tag
from outreach.dates import week_bounds
from outreach.models import (
    Activity,
    Ask,
    Outreach,
    Signature,
    SignatureDailyBreakdown,
    SignatureDailyCount,
    Stage,
)

DAY = "day"
WEEK = "week"
MONTH = "month"
PERIODS = (DAY, WEEK, MONTH)
# Ranges longer than this are shown by week when no period is asked for ...
AUTO_WEEKS_AFTER_DAYS = 92
# ... and longer than this (more than a year) by month: 250 weekly points do not read.
AUTO_MONTHS_AFTER_DAYS = 366
ONE_DAY = datetime.timedelta(days=1)

INDIVIDUALS_LABEL = "Individuals"
NOT_GIVEN_LABEL = "Not given"


# --- local days -------------------------------------------------------------------------


def day_start(day):
    """The UTC instant at which the local `day` begins."""
    tz = timezone.get_current_timezone()
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz).astimezone(datetime.UTC)


def local_day(when):
    return timezone.localtime(when).date() if when else None


def _local_day_sqlite(field_name, first, last):
    """A CASE over SQLite's built-in date(): the local date of `field_name` for instants
    between the start of `first` and the end of `last` (NULL outside).

    Runs of days that are 24 hours long share one UTC offset: date(t, '+3600 seconds').
    A day of another length (a DST change) is matched by its UTC bounds.
    """
    whens = []
    run_shift = run_end = None
    day = first
    while day <= last:
        begins, ends = day_start(day), day_start(day + ONE_DAY)
        if ends - begins == datetime.timedelta(hours=24):
            shift = datetime.datetime.combine(day, datetime.time.min) - begins.replace(tzinfo=None)
            if shift != run_shift and run_shift is not None:
                whens.append(_shifted(field_name, run_end, run_shift))
            run_shift, run_end = shift, ends
        else:
            if run_shift is not None:
                whens.append(_shifted(field_name, begins, run_shift))
                run_shift = None
            whens.append(When(**{f"{field_name}__lt": ends}, then=Value(day)))
        day += ONE_DAY
    if run_shift is not None:
        whens.append(_shifted(field_name, run_end, run_shift))
    return Case(*whens, default=Value(None), output_field=DateField())


def _shifted(field_name, before, shift):
    seconds = int(shift.total_seconds())
    # Whole seconds only: SQLite rounds fractions to milliseconds, which would carry
    # 23:59:59.9999 over to the next day.
    whole_seconds = Substr(F(field_name), 1, 19)
    return When(
        **{f"{field_name}__lt": before},
        then=Func(whole_seconds, Value(f"{seconds:+d} seconds"), function="date"),
    )


def local_day_expression(queryset, field_name, first, last):
    """The local date of a datetime column, computed in SQL on either database."""
    if connections[queryset.db].vendor == "sqlite":
        return _local_day_sqlite(field_name, first, last)
    return TruncDate(field_name, tzinfo=timezone.get_current_timezone())


def choose_period(by, start, end):
    """`by` as asked, or when not asked (None) by day, by week for long ranges and by
    month for ranges of more than a year."""
    if by:
        return by
    days = (end - start).days
    if days > AUTO_MONTHS_AFTER_DAYS:
        return MONTH
    return WEEK if days > AUTO_WEEKS_AFTER_DAYS else DAY


def period_start(day, by):
    if by == MONTH:
        return day.replace(day=1)
    return week_bounds(day)[0] if by == WEEK else day


def period_end(start, by):
    if by == MONTH:
        return start + relativedelta(day=31)
    return start + datetime.timedelta(days=6) if by == WEEK else start


# --- growth -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrowthPoint:
    period: datetime.date
    period_end: datetime.date
    new: int
    new_organisations: int
    new_individuals: int
    cumulative: int
    organisations: int
    individuals: int
    partial: bool

    def as_dict(self):
        return {
            "period": self.period.isoformat(),
            "period_end": self.period_end.isoformat(),
            "new": self.new,
            "new_organisations": self.new_organisations,
            "new_individuals": self.new_individuals,
            "cumulative": self.cumulative,
            "organisations": self.organisations,
            "individuals": self.individuals,
            "partial": self.partial,
        }


@dataclass
class Growth:
    ask: Ask | None
    by: str
    start: datetime.date
    end: datetime.date
    today: datetime.date
    total: int
    organisations: int
    individuals: int
    this_week: int
    points: list[GrowthPoint] = field(default_factory=list)

    @property
    def new_in_range(self):
        return sum(point.new for point in self.points)

    def as_dict(self):
        return {
            "ask": self.ask.slug if self.ask else None,
            "by": self.by,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "total": self.total,
            "organisations": self.organisations,
            "individuals": self.individuals,
            "this_week": self.this_week,
            "series": [point.as_dict() for point in self.points],
        }


def confirmed_signatures(ask=None):
    signatures = Signature.objects.confirmed()
    return signatures.filter(ask=ask) if ask is not None else signatures


def daily_counts(ask=None):
    """The roll-up rows of `ask` (None: every ask) that hold signatures."""
    rows = SignatureDailyCount.objects.exclude(count=0)
    return rows.filter(ask=ask) if ask is not None else rows


def _sum(**filters):
    return Coalesce(Sum("count", filter=Q(**filters) if filters else None), 0)


def growth_series(*, ask=None, by=DAY, start=None, end=None, today=None):
    """Confirmed signatories per local day, week or month, with running totals split into
    organisations and individuals. Two queries, over the daily roll-up.

    `start` defaults to the ask's opening day or its first signature, whichever is
    earlier; `end` to today (or the last signature's day if later). A period that has
    not ended yet, or that the range cuts, is flagged partial.
    """
    if by not in (*PERIODS, None):
        raise ValueError(f"by must be one of {PERIODS}")
    today = today or timezone.localdate()
    counts = daily_counts(ask)
    monday = week_bounds(today)[0]
    organisation = SignatureDailyCount.Kind.ORGANISATION
    facts = {
        "total": _sum(),
        "organisations": _sum(kind=organisation),
        "first": Min("day"),
        "last": Max("day"),
        "this_week": _sum(day__gte=monday),
    }
    if start is not None:
        facts["before"] = _sum(day__lt=start)
        facts["before_organisations"] = _sum(day__lt=start, kind=organisation)
    facts = counts.aggregate(**facts)

    if start is None:
        candidates = [d for d in (ask and ask.opens_on, facts["first"]) if d]
        start = min(candidates, default=today)
    if end is None:
        end = max(today, facts["last"] or today)
    by = choose_period(by, start, end)
    growth = Growth(
        ask=ask,
        by=by,
        start=start,
        end=end,
        today=today,
        total=facts["total"],
        organisations=facts["organisations"],
        individuals=facts["total"] - facts["organisations"],
        this_week=facts["this_week"],
    )
    if end < start:
        return growth

    per_day = _per_day(counts, start, end)
    before_organisations = facts.get("before_organisations", 0)
    before = (before_organisations, facts.get("before", 0) - before_organisations)
    growth.points = _points(per_day, by, start, end, today, before)
    return growth


def _points(per_day, by, start, end, today, before=(0, 0)):
    """Growth points from {day: (organisations, individuals)}, running totals starting
    from `before` (signatories gathered before `start`). Loops over days, not rows."""
    organisations, individuals = before
    points = []
    for begins, ends in _periods(start, end, by):
        new_organisations = new_individuals = 0
        day = max(begins, start)
        while day <= min(ends, end):
            o, i = per_day.get(day, (0, 0))
            new_organisations += o
            new_individuals += i
            day += ONE_DAY
        organisations += new_organisations
        individuals += new_individuals
        points.append(
            GrowthPoint(
                period=begins,
                period_end=ends,
                new=new_organisations + new_individuals,
                new_organisations=new_organisations,
                new_individuals=new_individuals,
                cumulative=organisations + individuals,
                organisations=organisations,
                individuals=individuals,
                partial=begins < start or ends > end or ends >= today,
            )
        )
    return points


def _periods(start, end, by):
    begins = period_start(start, by)
    while begins <= end:
        yield begins, period_end(begins, by)
        begins = period_end(begins, by) + ONE_DAY


def _per_day(counts, start, end, *, by_ask=False):
    """{local day: (organisations, individuals)} from the roll-up rows `counts` in
    [start, end]; keyed by (ask id, day) with `by_ask`. One grouped query."""
    keys = ["ask_id", "day"] if by_ask else ["day"]
    rows = (
        counts.filter(day__gte=start, day__lte=end)
        .values(*keys)
        .annotate(
            organisations=_sum(kind=SignatureDailyCount.Kind.ORGANISATION),
            individuals=_sum(kind=SignatureDailyCount.Kind.INDIVIDUAL),
        )
        .order_by(*keys)
    )
    rows = rows.values_list(*keys, "organisations", "individuals")
    if by_ask:
        return {(ask_id, day): (o, i) for ask_id, day, o, i in rows}
    return {day: (o, i) for day, o, i in rows}


# --- across asks ----------------------------------------------------------------------------


@dataclass
class AskSummary:
    ask: Ask
    launched_on: datetime.date | None
    total: int = 0
    organisations: int = 0
    this_week: int = 0
    # (days since launch, cumulative) at every day something changed, from day 0.
    curve: list[tuple[int, int]] = field(default_factory=list)

    @property
    def individuals(self):
        return self.total - self.organisations

    @property
    def percent_of_target(self):
        if not self.ask.target_count:
            return None
        return round(100 * self.total / self.ask.target_count)

    def after_days(self, days):
        """Cumulative signatories `days` days after launch (None if not reached yet)."""
        if self.days_running < days:
            return None
        reached = 0
        for day, cumulative in self.curve:
            if day > days:
                break
            reached = cumulative
        return reached

    @property
    def days_running(self):
        return self.curve[-1][0] if self.curve else 0


@dataclass
class Overview:
    asks: list[AskSummary]
    growth: Growth
    milestones: tuple = (7, 30, 90)


def asks_overview(*, by=DAY, start=None, end=None, today=None):
    """Every ask with confirmed signatures (or open today): totals, new this week, the
    cumulative curve by days since launch, and the combined growth series. Three
    queries over the daily roll-up and the asks: the first and last day, one grouped
    read per (ask, local day), the asks."""
    today = today or timezone.localdate()
    counts = daily_counts()
    bounds = counts.aggregate(first=Min("day"), last=Max("day"))
    first_day = start or bounds["first"] or today
    last_day = end or max(today, bounds["last"] or today)
    per_ask_day = (
        _per_day(counts, first_day, last_day, by_ask=True) if first_day <= last_day else {}
    )
    if start is None and per_ask_day:
        first_day = min(day for _, day in per_ask_day)
    ask_ids = {ask_id for ask_id, _ in per_ask_day}
    asks = list(
        Ask.objects.filter(Q(pk__in=ask_ids) | Q(pk__in=Ask.objects.open_on(today)))
        .select_related("campaign")
        .order_by("-opens_on", "title")
    )

    monday = week_bounds(today)[0]
    days_of = {}
    for (ask_id, day), counts in per_ask_day.items():  # in (ask, day) order
        days_of.setdefault(ask_id, []).append((day, counts))
    summaries = []
    combined = {}
    for ask in asks:
        days = days_of.get(ask.pk, [])
        first_signed = days[0][0] if days else None
        launched = min((d for d in (ask.opens_on, first_signed) if d), default=None)
        summary = AskSummary(ask=ask, launched_on=launched)
        if launched is not None:
            summary.curve.append((0, 0))
        for day, (o, i) in days:
            summary.total += o + i
            summary.organisations += o
            if day >= monday:
                summary.this_week += o + i
            summary.curve.append(((day - launched).days, summary.total))
            totals = combined.setdefault(day, [0, 0])
            totals[0] += o
            totals[1] += i
        if launched is not None and launched <= last_day:
            summary.curve.append(((min(last_day, today) - launched).days, summary.total))
        summaries.append(summary)

    by = choose_period(by, first_day, last_day)
    growth = _growth_from_days(combined, by, first_day, last_day, today)
    return Overview(asks=summaries, growth=growth)


def _growth_from_days(per_day, by, start, end, today):
    organisations = sum(o for o, _ in per_day.values())
    total = organisations + sum(i for _, i in per_day.values())
    monday = week_bounds(today)[0]
    growth = Growth(
        ask=None,
        by=by,
        start=start,
        end=end,
        today=today,
        total=total,
        organisations=organisations,
        individuals=total - organisations,
        this_week=sum(o + i for day, (o, i) in per_day.items() if day >= monday),
    )
    growth.points = _points(per_day, by, start, end, today)
    return growth


# --- breakdowns -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BreakdownRow:
    label: str
    count: int
    share: float  # of all signatories in the range, 0..100


@dataclass
class Breakdowns:
    total: int
    country: list[BreakdownRow]
    kind: list[BreakdownRow]
    cause: list[BreakdownRow]
    source: list[BreakdownRow]


def signatures_in_range(ask=None, start=None, end=None):
    signatures = confirmed_signatures(ask)
    if start is not None:
        signatures = signatures.filter(signed_at__gte=day_start(start))
    if end is not None:
        signatures = signatures.filter(signed_at__lt=day_start(end + ONE_DAY))
    return signatures


def breakdowns(*, ask=None, start=None, end=None, organisation_facts=True):
    """Signatories by country and source (one grouped read of the daily roll-up), and with
    `organisation_facts` by organisation kind and cause tag (three grouped reads of the
    signatures, as the organisations and people are now). A signatory with two causes
    counts under both."""
    per_value = SignatureDailyBreakdown.objects.all()
    if ask is not None:
        per_value = per_value.filter(ask=ask)
    if start is not None:
        per_value = per_value.filter(day__gte=start)
    if end is not None:
        per_value = per_value.filter(day__lte=end)
    by_country, by_source = {}, {}
    Dimension = SignatureDailyBreakdown.Dimension
    for dimension, value, n in (
        per_value.values("dimension", "value")
        .annotate(n=Sum("count"))
        .filter(n__gt=0)
        .order_by()
        .values_list("dimension", "value", "n")
    ):
        (by_country if dimension == Dimension.COUNTRY else by_source)[value] = n
    by_country, by_source = list(by_country.items()), list(by_source.items())
    by_kind, causes = [], {}
    if organisation_facts:
        by_kind, causes = _by_kind_and_cause(signatures_in_range(ask, start, end))

    total = sum(n for _, n in by_source)
    kinds = dict(Organisation.Kind.choices)
    sources = dict(Signature.Source.choices)

    def rows(pairs, label):
        # Largest first; "not given" after the named ones of the same size.
        ordered = sorted(pairs, key=lambda pair: (-pair[1], not pair[0], label(pair[0])))
        return [
            BreakdownRow(label(key), n, round(100 * n / total, 1) if total else 0.0)
            for key, n in ordered
        ]

    return Breakdowns(
        total=total,
        country=rows(by_country, lambda code: countries.name(code) if code else NOT_GIVEN_LABEL),
        kind=rows(by_kind, lambda kind: kinds.get(kind, kind) if kind else INDIVIDUALS_LABEL),
        cause=rows(sorted(causes.items(), key=lambda kv: (-kv[1], kv[0])), str),
        source=rows(by_source, lambda source: sources.get(source, source)),
    )


def _by_kind_and_cause(signatures):
    def grouped(queryset, key):
        return list(queryset.values(key).annotate(n=Count("*")).order_by().values_list(key, "n"))

    by_kind = grouped(signatures, "organisation__kind")
    cause = Tag.Kind.CAUSE
    causes = {}
    for name, n in grouped(
        signatures.filter(organisation__tags__kind=cause), "organisation__tags__name"
    ) + grouped(
        # "No organisation" through Coalesce: a bare IS NULL leads SQLite to walk the
        # organisation index over every ask's individuals instead of this ask's rows.
        signatures.alias(organisation_or_0=Coalesce("organisation_id", 0)).filter(
            organisation_or_0=0, contact__tags__kind=cause
        ),
        "contact__tags__name",
    ):
        causes[name] = causes.get(name, 0) + n
    return by_kind, causes


# --- pipeline -------------------------------------------------------------------------------


class Median(Aggregate):
    """PostgreSQL's exact median of a numeric expression."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class DaysBetween(Func):
    """(end - start) in days, as a float, in SQL on either database (Django's own
    datetime subtraction calls Python per row on SQLite)."""

    output_field = FloatField()
    arity = 2

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="(julianday(%(expressions)s))",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0)",
            arg_joiner=" - ",
            **extra,
        )


@dataclass(frozen=True)
class FunnelStep:
    label: str
    count: int
    conversion: float | None  # % of the step it follows (conversion_from)
    conversion_from: str
    signed_from_here: float | None  # % of this step's entries that are signed


@dataclass
class Funnel:
    steps: list[FunnelStep]
    signed: int
    signed_without_invitation: int
    after_reminders: list[tuple[str, int]]
    median_days_to_sign: float | None
    timed_signatures: int


def _percent(part, whole):
    return round(100 * part / whole, 1) if whole else None


def _pipeline_entries(ask=None):
    """The ask's entries, and the condition "was followed up": a reminder was counted on
    it, or it went through the "followed up" stage (a later signature moves it on
    without counting a reminder). The stage-change lookup comes last so that the
    database only probes the activities (by their outreach index) when the cheap
    tests fail."""
    entries = Outreach.objects.all()
    if ask is not None:
        entries = entries.filter(ask=ask)
    moved = Activity.objects.filter(
        outreach=OuterRef("pk"), kind=Activity.Kind.STAGE_CHANGE, to_stage=Stage.FOLLOWED_UP
    )
    followed_up = Q(follow_up_count__gt=0) | Q(stage=Stage.FOLLOWED_UP) | Q(Exists(moved))
    return entries, followed_up


# Invited: an invitation date, an invited stage, or a reminder counted.
INVITED = (
    Q(invited_at__isnull=False)
    | Q(stage__in=[Stage.INVITED, Stage.FOLLOWED_UP, Stage.NO_RESPONSE])
    | Q(follow_up_count__gt=0)
)
SIGNED = Q(stage=Stage.SIGNED)


@dataclass
class Pipeline:
    funnel: Funnel
    owners: list


def pipeline_report(*, ask=None, today=None):
    """The funnel and the owners' table from one grouped read (per owner, summed for the
    funnel) plus the median: two queries."""
    today = today or timezone.localdate()
    entries, followed_up = _pipeline_entries(ask)
    rows = list(_per_owner(entries, followed_up, today))
    counts = {key: sum(row[key] for row in rows) for key in _FUNNEL_KEYS}
    median, timed = _median_days_to_sign(entries)
    owners = [
        OwnerRow(
            owner=_owner_name(row),
            entries=row["targets"],
            awaiting_reply=row["awaiting_reply"],
            due=row["due"],
            overdue=row["overdue"],
            invited=row["invited"],
            signed=row["signed"],
            signed_invited=row["signed_invited"],
        )
        for row in sorted(rows, key=lambda row: (-row["targets"], _owner_name(row)))
    ]
    return Pipeline(funnel=_funnel(counts, median, timed), owners=owners)


def pipeline_funnel(*, ask=None):
    """Targets → invited → followed up → signed for the pipeline as it stands, signed
    entries by reminders received, and the median days from invitation to signature."""
    return pipeline_report(ask=ask).funnel


def owner_workload(*, ask=None, today=None):
    """Per owner: entries, awaiting a reply, follow-ups due this week and overdue,
    invited, signed, and conversion (signed of invited)."""
    return pipeline_report(ask=ask, today=today).owners


_FUNNEL_KEYS = (
    "targets",
    "invited",
    "followed_up",
    "signed",
    "signed_invited",
    "signed_followed_up",
    "signed_after_two",
)


def _per_owner(entries, followed_up, today):
    sunday = week_bounds(today)[1]
    open_entry = ~Q(stage__in=Stage.CLOSED)
    return (
        entries.values("owner_id", "owner__username", "owner__first_name", "owner__last_name")
        .annotate(
            targets=Count("pk"),
            invited=Count("pk", filter=INVITED),
            followed_up=Count("pk", filter=followed_up),
            signed=Count("pk", filter=SIGNED),
            signed_invited=Count("pk", filter=SIGNED & INVITED),
            signed_followed_up=Count("pk", filter=SIGNED & followed_up),
            signed_after_two=Count("pk", filter=SIGNED & Q(follow_up_count__gte=2)),
            awaiting_reply=Count("pk", filter=Q(stage__in=Stage.AWAITING)),
            due=Count(
                "pk",
                filter=open_entry & Q(next_follow_up_on__gte=today, next_follow_up_on__lte=sunday),
            ),
            overdue=Count("pk", filter=open_entry & Q(next_follow_up_on__lt=today)),
        )
        .order_by()
    )


def _funnel(counts, median, timed):
    signed_from = {
        "targets": counts["signed"],
        "invited": counts["signed_invited"],
        "followed_up": counts["signed_followed_up"],
        "signed": counts["signed"],
    }
    # Each step's conversion from the step it follows. "Followed up" is optional, so
    # signing converts from "invited" (the signed entries that were invited), never
    # from "followed up" (which would exceed 100% when most sign without a reminder).
    conversion = {
        "targets": (None, ""),
        "invited": (_percent(counts["invited"], counts["targets"]), "targets"),
        "followed_up": (_percent(counts["followed_up"], counts["invited"]), "invited"),
        "signed": (_percent(counts["signed_invited"], counts["invited"]), "invited"),
    }
    steps = [
        FunnelStep(
            label=label,
            count=counts[key],
            conversion=conversion[key][0],
            conversion_from=conversion[key][1],
            signed_from_here=_percent(signed_from[key], counts[key]),
        )
        for key, label in (
            ("targets", "Targets"),
            ("invited", "Invited"),
            ("followed_up", "Followed up"),
            ("signed", "Signed"),
        )
    ]
    signed_no_reminder = counts["signed"] - counts["signed_followed_up"]
    return Funnel(
        steps=steps,
        signed=counts["signed"],
        signed_without_invitation=counts["signed"] - counts["signed_invited"],
        after_reminders=[
            ("No reminder", signed_no_reminder),
            ("1 reminder", counts["signed_followed_up"] - counts["signed_after_two"]),
            ("2 or more", counts["signed_after_two"]),
        ],
        median_days_to_sign=median,
        timed_signatures=timed,
    )


def _median_days_to_sign(entries):
    """Median of (signed − invited) in days over signed entries; (median, how many).

    PostgreSQL: percentile_cont. SQLite has no percentile aggregate: the middle one or
    two rows are picked by an ordered window in SQL, so Python sees at most two rows."""
    timed = entries.filter(
        SIGNED, invited_at__isnull=False, stage_changed_at__gte=F("invited_at")
    ).annotate(days=DaysBetween("stage_changed_at", "invited_at"))
    if connections[timed.db].vendor == "postgresql":
        row = timed.aggregate(median=Median("days"), n=Count("pk"))
        median = row["median"]
        return (round(median, 1) if median is not None else None), row["n"]
    middle = list(
        timed.annotate(
            position=Window(RowNumber(), order_by=[F("days").asc(), F("pk").asc()]),
            n=Window(Count("pk")),
        )
        .filter(position__gte=(F("n") + 1) / 2, position__lte=(F("n") + 2) / 2)
        .values_list("days", "n")
        .order_by()
    )
    if not middle:
        return None, 0
    return round(sum(days for days, _ in middle) / len(middle), 1), middle[0][1]


@dataclass(frozen=True)
class OwnerRow:
    owner: str
    entries: int
    awaiting_reply: int
    due: int
    overdue: int
    invited: int
    signed: int
    signed_invited: int

    @property
    def conversion(self):
        """% of the invited entries that signed."""
        return _percent(self.signed_invited, self.invited)


def _owner_name(row):
    if row["owner_id"] is None:
        return "Nobody (unassigned)"
    full = " ".join(p for p in (row["owner__first_name"], row["owner__last_name"]) if p)
    return full or row["owner__username"]


# --- tables: what the pages show beside each chart, and what the downloads contain ----------


@dataclass
class Table:
    slug: str
    title: str
    headers: list[str]
    rows: list[list]


GROWTH_HEADERS = ["period", "new", "cumulative", "organisations", "individuals", "partial"]


def growth_table(growth):
    return Table(
        "growth",
        "Signatories over time",
        ["Period", "New", "Cumulative", "Organisations", "Individuals", "Partial"],
        [
            [p.period, p.new, p.cumulative, p.organisations, p.individuals, p.partial]
            for p in growth.points
        ],
    )


def breakdown_table(slug, title, heading, rows):
    return Table(
        slug,
        title,
        [heading, "Signatories", "Share (%)"],
        [[row.label, row.count, row.share] for row in rows],
    )


def breakdown_tables(result):
    return [
        breakdown_table("country", "By country", "Country", result.country),
        breakdown_table("kind", "By kind of organisation", "Kind", result.kind),
        breakdown_table("cause", "By cause", "Cause", result.cause),
        breakdown_table("source", "By source", "Source", result.source),
    ]


def funnel_table(funnel):
    return Table(
        "funnel",
        "Pipeline funnel",
        ["Step", "Entries", "Conversion (%)", "Converted from", "Signed from here (%)"],
        [
            [s.label, s.count, s.conversion, s.conversion_from or None, s.signed_from_here]
            for s in funnel.steps
        ],
    )


def reminders_table(funnel):
    return Table(
        "reminders",
        "Signed after reminders",
        ["Reminders before signing", "Signed entries"],
        [[label, n] for label, n in funnel.after_reminders],
    )


def owners_table(owners):
    return Table(
        "owners",
        "Workload and conversion by owner",
        [
            "Owner",
            "Entries",
            "Awaiting reply",
            "Due this week",
            "Overdue",
            "Invited",
            "Signed",
            "Conversion (%)",
        ],
        [
            [
                o.owner,
                o.entries,
                o.awaiting_reply,
                o.due,
                o.overdue,
                o.invited,
                o.signed,
                o.conversion,
            ]
            for o in owners
        ],
    )


def asks_table(overview):
    milestones = overview.milestones
    return Table(
        "asks",
        "Asks compared",
        ["Ask", "Launched", "Signatories", "This week", "% of target"]
        + [f"After {days} days" for days in milestones],
        [
            [s.ask.title, s.launched_on, s.total, s.this_week, s.percent_of_target]
            + [s.after_days(days) for days in milestones]
            for s in overview.asks
        ],
    )


def comparison_table(overview):
    return Table(
        "comparison",
        "Cumulative signatories by days since launch",
        ["Ask", "Days since launch", "Cumulative"],
        [[s.ask.title, day, cumulative] for s in overview.asks for day, cumulative in s.curve],
    )
