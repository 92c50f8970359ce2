"""Reports pages: across asks, per ask, the printable weekly summary, and downloads."""

import datetime

import tablib
from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from crm.audit import log_export
from crm.permissions import StaffRequiredMixin
from crm.spreadsheets import neutralise_formula
from outreach import charts, reports, signature_cache
from outreach.dates import week_bounds
from outreach.models import Ask

RANGE_BACKWARDS = "“From” must be on or before “To”."
RANGE_TOO_LONG = "Choose a range of at most {years} years."
MAX_RANGE_DAYS = 3660


class ReportRangeForm(forms.Form):
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    by = forms.ChoiceField(
        label="Show by",
        required=False,
        choices=[
            ("", "Automatic"),
            (reports.DAY, "Day"),
            (reports.WEEK, "Week"),
            (reports.MONTH, "Month"),
        ],
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(RANGE_BACKWARDS, code="backwards")
        if start and end and (end - start).days > MAX_RANGE_DAYS:
            raise forms.ValidationError(RANGE_TOO_LONG.format(years=10), code="too_long")
        return data

    def range(self):
        """(start, end, by) asked for; None where the report chooses."""
        if not self.is_bound:
            return None, None, None
        data = self.cleaned_data
        return data.get("start"), data.get("end"), data.get("by") or None


def _range_form(request):
    form = ReportRangeForm(request.GET if request.GET else None)
    return form, (not form.is_bound or form.is_valid())


class ReportsIndexView(StaffRequiredMixin, TemplateView):
    permission_required = ("outreach.view_ask", "outreach.view_signature")
    template_name = "outreach/reports/index.html"

    def get_context_data(self, **kwargs):
        form, valid = _range_form(self.request)
        context = super().get_context_data(form=form, **kwargs)
        if not valid:
            return context
        start, end, by = form.range()
        today = timezone.localdate()
        overview = signature_cache.cached(
            None,
            "overview",
            lambda: reports.asks_overview(by=by, start=start, end=end, today=today),
            start=start or "",
            end=end or "",
            by=by or "",
            today=today,
        )
        context.update(
            overview=overview,
            growth_chart=charts.growth_chart(overview.growth),
            growth_table=reports.growth_table(overview.growth),
            comparison_chart=charts.comparison_chart(overview.asks),
            asks_table=reports.asks_table(overview),
        )
        return context


class AskReportView(StaffRequiredMixin, TemplateView):
    permission_required = ("outreach.view_ask", "outreach.view_signature")
    template_name = "outreach/reports/ask.html"

    def get_context_data(self, **kwargs):
        ask = get_object_or_404(Ask.objects.select_related("campaign"), slug=self.kwargs["slug"])
        form, valid = _range_form(self.request)
        context = super().get_context_data(ask=ask, form=form, **kwargs)
        if not valid:
            return context
        start, end, by = form.range()
        growth, result = _signature_figures(ask, start, end, by)
        pipeline = reports.pipeline_report(ask=ask)
        funnel, owners = pipeline.funnel, pipeline.owners
        context.update(
            growth=growth,
            growth_chart=charts.growth_chart(growth),
            growth_table=reports.growth_table(growth),
            breakdowns=result,
            breakdown_blocks=[
                (table, _bars(rows))
                for table, rows in zip(
                    reports.breakdown_tables(result),
                    (result.country, result.kind, result.cause, result.source),
                    strict=True,
                )
            ],
            funnel=funnel,
            funnel_chart=charts.bar_chart(
                [(s.label, s.count) for s in funnel.steps], width=480, label_width=110
            ),
            funnel_table=reports.funnel_table(funnel),
            reminders_chart=charts.bar_chart(funnel.after_reminders, width=480, label_width=110),
            reminders_table=reports.reminders_table(funnel),
            owners_table=reports.owners_table(owners),
        )
        return context


def _signature_figures(ask, start, end, by):
    """The growth series and the breakdowns, which read every signature of the ask: from
    the cache while none has changed."""
    today = timezone.localdate()
    return signature_cache.cached(
        ask,
        "report",
        lambda: (
            reports.growth_series(ask=ask, by=by, start=start, end=end, today=today),
            reports.breakdowns(ask=ask, start=start, end=end),
        ),
        start=start or "",
        end=end or "",
        by=by or "",
        today=today,
    )


def _bars(rows, limit=12):
    """The largest rows as bars; the table beside the chart lists them all."""
    return charts.bar_chart(
        [(row.label, row.count) for row in rows[:limit]], width=480, label_width=140
    )


class WeeklySummaryView(StaffRequiredMixin, TemplateView):
    """One printable page per ask and week for the coalition lead."""

    permission_required = ("outreach.view_ask", "outreach.view_signature")

    template_name = "outreach/reports/weekly.html"

    def get_context_data(self, **kwargs):
        ask = get_object_or_404(Ask.objects.select_related("campaign"), slug=self.kwargs["slug"])
        today = timezone.localdate()
        try:
            day = datetime.date.fromisoformat(self.request.GET.get("week", ""))
        except ValueError:
            day = today
        monday, sunday = week_bounds(day)
        growth = reports.growth_series(
            ask=ask,
            by=reports.DAY,
            start=monday - datetime.timedelta(days=7),
            end=sunday,
            today=today,
        )
        previous, this = growth.points[:7], growth.points[7:]
        # The page shows countries and sources only: no read of the signatures.
        week = reports.breakdowns(ask=ask, start=monday, end=sunday, organisation_facts=False)
        pipeline = reports.pipeline_report(ask=ask, today=today)
        funnel, owners = pipeline.funnel, pipeline.owners
        return super().get_context_data(
            ask=ask,
            monday=monday,
            sunday=sunday,
            is_current_week=monday <= today <= sunday,
            previous_week=monday - datetime.timedelta(days=7),
            next_week=monday + datetime.timedelta(days=7) if sunday < today else None,
            days=this,
            total_at_end=this[-1].cumulative,
            new_this_week=sum(p.new for p in this),
            new_organisations=sum(p.new_organisations for p in this),
            new_individuals=sum(p.new_individuals for p in this),
            new_previous_week=sum(p.new for p in previous),
            days_chart=charts.column_chart(
                [(f"{p.period:%a %-d}", p.new, p.partial and p.period >= today) for p in this]
            ),
            countries=week.country[:5],
            sources=week.source,
            funnel=funnel,
            owners=[o for o in owners if o.overdue or o.due],
            **kwargs,
        )


class ReportDownloadView(StaffRequiredMixin, View):
    """The table beside a chart as CSV or XLSX, for the same ask and range."""

    permission_required = ("outreach.view_ask", "crm.export_records")

    FORMATS = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }

    def get(self, request, dataset, fmt, slug=None):
        if fmt not in self.FORMATS:
            raise Http404("Downloads are CSV or XLSX.")
        form = ReportRangeForm(request.GET if request.GET else None)
        if form.is_bound and not form.is_valid():
            return HttpResponse(
                "; ".join(form.errors.get("__all__", []) or ["Invalid date range."]),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        start, end, by = form.range()
        ask = get_object_or_404(Ask, slug=slug) if slug else None
        table = self._table(dataset, ask, start, end, by)
        if table is None:
            raise Http404(f"No table called “{dataset}”.")
        # A tag or ask named "=HYPERLINK(…)" stays text in the spreadsheet.
        rows = [[neutralise_formula(cell) for cell in row] for row in table.rows]
        log_export(
            user=request.user,
            what=f"report {dataset} of {slug or 'all asks'}",
            file_format=fmt,
            rows=len(rows),
            filter=request.GET,
        )
        data = tablib.Dataset(*rows, headers=table.headers, title=table.title[:31])
        response = HttpResponse(data.export(fmt), content_type=self.FORMATS[fmt])
        name = f"{slug or 'all-asks'}-{table.slug}-{timezone.localdate():%Y-%m-%d}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def _table(self, dataset, ask, start, end, by):
        if ask is None:
            if dataset not in {"growth", "asks", "comparison"}:
                return None
            overview = reports.asks_overview(by=by, start=start, end=end)
            return {
                "growth": reports.growth_table,
                "asks": reports.asks_table,
                "comparison": reports.comparison_table,
            }[dataset](overview.growth if dataset == "growth" else overview)
        if dataset == "growth":
            growth = reports.growth_series(ask=ask, by=by, start=start, end=end)
            return reports.growth_table(growth)
        if dataset in {"country", "kind", "cause", "source"}:
            tables = reports.breakdown_tables(reports.breakdowns(ask=ask, start=start, end=end))
            return next(table for table in tables if table.slug == dataset)
        if dataset in {"funnel", "reminders"}:
            funnel = reports.pipeline_funnel(ask=ask)
            return (reports.funnel_table if dataset == "funnel" else reports.reminders_table)(
                funnel
            )
        if dataset == "owners":
            return reports.owners_table(reports.owner_workload(ask=ask))
        return None
