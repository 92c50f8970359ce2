"""The duplicates review queue: pairs the finder suggests, side by side, merged field by
field after a confirmation, or marked "not a duplicate" for good."""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from crm import services
from crm.duplicates import DEFAULT_MIN_SCORE, FINDERS
from crm.models import Contact, MergedRecord, NotDuplicate, Organisation
from crm.permissions import StaffRequiredMixin

# The finder reads every record: its answer is kept this long, or until "Look again".
CACHE_SECONDS = 15 * 60
PAGE_SIZE = 25
PAIR_GONE = "One of these records no longer exists (merged or deleted)."

KINDS = {
    "contacts": {
        "kind": MergedRecord.Kind.CONTACT,
        "model": Contact,
        "fields": services.CONTACT_MERGE_FIELDS,
        "merge": services.contact_merge,
        "title": "Duplicate contacts",
        "noun": "contact",
    },
    "organisations": {
        "kind": MergedRecord.Kind.ORGANISATION,
        "model": Organisation,
        "fields": services.ORGANISATION_MERGE_FIELDS,
        "merge": services.organisation_merge,
        "title": "Duplicate organisations",
        "noun": "organisation",
    },
}


def _config(kind_slug):
    try:
        return KINDS[kind_slug]
    except KeyError:
        raise Http404 from None


def _cache_key(kind):
    return f"duplicates:{kind}"


def suggested_pairs(kind, *, refresh=False):
    """(pairs, found_at): the finder's answer, computed at most every CACHE_SECONDS, less
    the pairs decided since (merged or marked not a duplicate)."""
    cached = None if refresh else cache.get(_cache_key(kind))
    if cached is None:
        cached = (FINDERS[kind](min_score=DEFAULT_MIN_SCORE), timezone.now())
        cache.set(_cache_key(kind), cached, CACHE_SECONDS)
    pairs, found_at = cached
    dismissed = NotDuplicate.pairs(kind)
    gone = set(
        MergedRecord.objects.filter(kind=kind, merged_at__gte=found_at).values_list(
            "old_id", flat=True
        )
    )
    pairs = [
        p
        for p in pairs
        if (p.first_id, p.second_id) not in dismissed
        and p.first_id not in gone
        and p.second_id not in gone
    ]
    return pairs, found_at


class DuplicateListView(StaffRequiredMixin, View):
    permission_required = "crm.merge_records"

    def get(self, request, kind_slug):
        config = _config(kind_slug)
        pairs, found_at = suggested_pairs(config["kind"])
        page = Paginator(pairs, PAGE_SIZE).get_page(request.GET.get("page"))
        ids = {pk for p in page.object_list for pk in (p.first_id, p.second_id)}
        records = config["model"].objects.in_bulk(ids)
        rows = [
            (p, records[p.first_id], records[p.second_id])
            for p in page.object_list
            if p.first_id in records and p.second_id in records
        ]
        context = {
            **config,
            "kind_slug": kind_slug,
            "rows": rows,
            "page_obj": page if page.paginator.num_pages > 1 else None,
            "page_sizes": [PAGE_SIZE],
            "pair_count": len(pairs),
            "found_at": found_at,
            "other": "organisations" if kind_slug == "contacts" else "contacts",
        }
        return render(request, "crm/duplicate_list.html", context)

    def post(self, request, kind_slug):
        config = _config(kind_slug)
        suggested_pairs(config["kind"], refresh=True)
        messages.success(request, _("Looked again for duplicates."))
        return redirect("crm:duplicate-list", kind_slug=kind_slug)


class DuplicateReviewView(StaffRequiredMixin, View):
    """GET: the pair side by side with a choice per field. POST with `action`:
    "dismiss" remembers "not a duplicate"; "review" shows the merge to confirm;
    "merge" (from the confirmation) merges."""

    permission_required = "crm.merge_records"

    def _records(self, config, first_id, second_id):
        records = config["model"].objects.in_bulk([first_id, second_id])
        if len(records) < 2 or first_id == second_id:
            return None
        return records[first_id], records[second_id]

    def _rows(self, config, first, second, keep, data):
        """One row per field: both values and which side is chosen ("first", "second",
        or "both" for notes). By default the kept record's value, unless it is empty."""
        rows = []
        other = "second" if keep == "first" else "first"
        for name in config["fields"]:
            field = config["model"]._meta.get_field(name)
            values = {"first": _shown(first, field), "second": _shown(second, field)}
            combinable = name == "notes"
            default = keep if values[keep] else other
            if combinable and values["first"] and values["second"]:
                default = "both"
            choice = data.get(f"field_{name}", default)
            if choice not in ({"first", "second", "both"} if combinable else {"first", "second"}):
                choice = default
            rows.append(
                {
                    "name": name,
                    "label": field.verbose_name[:1].upper() + field.verbose_name[1:],
                    "first": values["first"],
                    "second": values["second"],
                    "differs": values["first"] != values["second"],
                    "choice": choice,
                    "kept": values["first"] + "\n\n" + values["second"]
                    if choice == "both"
                    else values[choice],
                    "combinable": combinable,
                }
            )
        return rows

    def _context(self, config, kind_slug, first, second, data=None):
        data = data or {}
        keep = "second" if data.get("keep") == "second" else "first"
        survivor, merged = (first, second) if keep == "first" else (second, first)
        return {
            **config,
            "kind_slug": kind_slug,
            "first": first,
            "second": second,
            "keep": keep,
            "survivor": survivor,
            "merged": merged,
            "rows": self._rows(config, first, second, keep, data),
            "related": [_related_counts(first), _related_counts(second)],
        }

    def get(self, request, kind_slug, first_id, second_id):
        config = _config(kind_slug)
        pair = self._records(config, first_id, second_id)
        if pair is None:
            messages.warning(request, PAIR_GONE)
            return redirect("crm:duplicate-list", kind_slug=kind_slug)
        context = self._context(config, kind_slug, *pair, data=request.GET)
        return render(request, "crm/duplicate_review.html", context)

    def post(self, request, kind_slug, first_id, second_id):
        config = _config(kind_slug)
        pair = self._records(config, first_id, second_id)
        if pair is None:
            messages.warning(request, PAIR_GONE)
            return redirect("crm:duplicate-list", kind_slug=kind_slug)
        action = request.POST.get("action")
        back = reverse("crm:duplicate-list", kwargs={"kind_slug": kind_slug})
        if action == "dismiss":
            services.duplicate_dismiss(
                kind=config["kind"], first_id=first_id, second_id=second_id, by=request.user
            )
            messages.success(request, _("Noted: these two are not the same; not shown again."))
            return redirect(back)
        context = self._context(config, kind_slug, *pair, data=request.POST)
        if action == "merge":
            return self._merge(request, config, context)
        if action == "edit":
            return render(request, "crm/duplicate_review.html", context)
        return render(request, "crm/duplicate_confirm.html", context)

    def _merge(self, request, config, context):
        # The form names the sides as shown (first/second); the service speaks of the
        # record kept (survivor) and the one merged into it.
        values = {}
        for row in context["rows"]:
            choice = row["choice"]
            if choice != "both":
                choice = "survivor" if choice == context["keep"] else "merged"
            values[row["name"]] = choice
        try:
            result = config["merge"](
                survivor=context["survivor"],
                merged=context["merged"],
                values=values,
                by=request.user,
            )
        except ValidationError as error:
            context["error"] = "; ".join(error.messages)
            return render(request, "crm/duplicate_confirm.html", context, status=400)
        messages.success(
            request,
            _("Merged “%(merged)s” into “%(survivor)s”.")
            % {"merged": context["merged"], "survivor": result.survivor},
        )
        return redirect(result.survivor)


def _shown(record, field):
    value = getattr(record, field.name)
    if field.choices:
        return getattr(record, f"get_{field.name}_display")() or ""
    if field.name == "country":
        return value.name if value else ""
    return str(value or "")


def _related_counts(record):
    """What hangs on a record, to see what a merge will move."""
    counts = {
        "affiliations": record.affiliations.count(),
        "pipeline entries": record.outreach.count(),
        "signatures": record.signatures.count(),
        "activities": record.activities.count(),
    }
    if isinstance(record, Contact):
        counts["consent records"] = record.consents.count()
    return counts
