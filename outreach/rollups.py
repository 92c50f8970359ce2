"""Roll-ups of confirmed signatures: per ask and local day, organisations and individuals
apart (SignatureDailyCount), and per ask, day and country or source
(SignatureDailyBreakdown). The reports read these instead of every signature.

Each confirmed signature sits in one slot (ask, local day, kind, country, source). A
service that changes what counts takes the slots of the signatures it touches before
and after its change and hands both to `rollup_apply`, in its own transaction:
`signature_slot` for one signature in memory, `rollup_tracked` around a change of many
(merges, an import undone). Counts move by `count + n` in SQL after an insert that
does nothing when the row exists, so two transactions confirming signatures of one ask
and day at once both count. `rollup_rebuild` recomputes both tables from the
signatures (`manage.py rebuild_rollups`).

What counts is what the reports count: status confirmed, verified or not. Days are the
site's local days (settings.TIME_ZONE), as in outreach/reports.py.
"""

from collections import Counter
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Case, Count, F, Max, Min, Value, When
from django.utils import timezone

from outreach.models import Signature, SignatureDailyBreakdown, SignatureDailyCount

ORGANISATION = SignatureDailyCount.Kind.ORGANISATION
INDIVIDUAL = SignatureDailyCount.Kind.INDIVIDUAL
COUNTRY = SignatureDailyBreakdown.Dimension.COUNTRY
SOURCE = SignatureDailyBreakdown.Dimension.SOURCE

_FIELDS = ("ask_id", "signed_at", "organisation_id", "country", "source", "status")


def _slot(ask_id, signed_at, organisation_id, country, source, status):
    if status != Signature.Status.CONFIRMED:
        return None
    day = timezone.localtime(signed_at, timezone.get_default_timezone()).date()
    kind = ORGANISATION if organisation_id else INDIVIDUAL
    return (ask_id, day, kind, str(getattr(country, "code", country) or ""), source)


def signature_slot(signature):
    """The slot `signature` (as in memory) counts in, or None when it does not count."""
    return _slot(*(getattr(signature, name) for name in _FIELDS))


def slots_of(signature_ids):
    """Counter of the slots the signatures `signature_ids` count in, as stored now."""
    rows = Signature.objects.filter(pk__in=list(signature_ids)).values_list(*_FIELDS)
    return Counter(slot for slot in (_slot(*row) for row in rows) if slot)


def _as_counter(slots):
    if slots is None:
        return Counter()
    return slots if isinstance(slots, Counter) else Counter([slots])


def rollup_apply(before=None, after=None):
    """Move the roll-ups from `before` to `after`: each a slot, None or a Counter of
    slots. Two queries per table changed, plus one per row changed."""
    delta = Counter()
    for slot, n in _as_counter(after).items():
        delta[slot] += n
    for slot, n in _as_counter(before).items():
        delta[slot] -= n
    per_day, per_value = Counter(), Counter()
    for (ask_id, day, kind, country, source), n in delta.items():
        if n:
            per_day[(ask_id, day, kind)] += n
            per_value[(ask_id, day, COUNTRY, country)] += n
            per_value[(ask_id, day, SOURCE, source)] += n
    with transaction.atomic():
        _increment(SignatureDailyCount, ("ask_id", "day", "kind"), per_day)
        _increment(SignatureDailyBreakdown, ("ask_id", "day", "dimension", "value"), per_value)


def _increment(model, names, deltas):
    deltas = {key: n for key, n in deltas.items() if n}
    if not deltas:
        return
    model.objects.bulk_create(
        [model(**dict(zip(names, key, strict=True))) for key in deltas], ignore_conflicts=True
    )
    # In key order: two transactions touching the same rows lock them in the same order.
    for key, n in sorted(deltas.items()):
        model.objects.filter(**dict(zip(names, key, strict=True))).update(count=F("count") + n)


@contextmanager
def rollup_tracked(signatures):
    """Around a change of many signatures (a queryset or ids, read when entering): their
    slots before and after the block go to `rollup_apply`. Signatures created inside the
    block are not seen; deleted ones leave their slots."""
    if hasattr(signatures, "values_list"):
        signatures = signatures.values_list("pk", flat=True)
    ids = list(signatures)
    before = slots_of(ids)
    yield
    rollup_apply(before, slots_of(ids))


def _lock_rollups():
    """On PostgreSQL, services adding to the roll-ups wait while they are rebuilt (and the
    rebuild waits for those under way), so none of their changes is lost or counted
    twice. SQLite runs one writer at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (SignatureDailyCount, SignatureDailyBreakdown):
                cursor.execute(f"LOCK TABLE {model._meta.db_table} IN EXCLUSIVE MODE")


@transaction.atomic
def rollup_rebuild():
    """Recompute both roll-ups from the signatures, in one transaction. Returns the
    number of confirmed signatures counted."""
    from outreach.reports import local_day_expression

    _lock_rollups()
    SignatureDailyCount.objects.all().delete()
    SignatureDailyBreakdown.objects.all().delete()
    confirmed = Signature.objects.confirmed()
    bounds = confirmed.aggregate(first=Min("signed_at"), last=Max("signed_at"))
    if bounds["first"] is None:
        return 0
    zone = timezone.get_default_timezone()
    first, last = (timezone.localtime(bounds[k], zone).date() for k in ("first", "last"))
    day = local_day_expression(confirmed, "signed_at", first, last)
    kind = Case(
        When(organisation__isnull=True, then=Value(INDIVIDUAL)), default=Value(ORGANISATION)
    )
    per_day = (
        confirmed.annotate(day=day, signatory=kind)
        .values("ask_id", "day", "signatory")
        .annotate(n=Count("*"))
        .order_by()
        .values_list("ask_id", "day", "signatory", "n")
    )
    SignatureDailyCount.objects.bulk_create(
        (
            SignatureDailyCount(ask_id=ask_id, day=d, kind=k, count=n)
            for ask_id, d, k, n in list(per_day)
        ),
        batch_size=5000,
    )
    for dimension, field in ((COUNTRY, "country"), (SOURCE, "source")):
        per_value = (
            confirmed.annotate(day=day)
            .values("ask_id", "day", field)
            .annotate(n=Count("*"))
            .order_by()
            .values_list("ask_id", "day", field, "n")
        )
        SignatureDailyBreakdown.objects.bulk_create(
            (
                SignatureDailyBreakdown(
                    ask_id=ask_id, day=d, dimension=dimension, value=value or "", count=n
                )
                for ask_id, d, value, n in list(per_value)
            ),
            batch_size=5000,
        )
    return confirmed.count()
