"""What every staff list shares: a FilterSet (filters and sort order kept in the URL, so a
view can be bookmarked and shared), a page size the reader chooses, and the match count.

Each list declares its FilterSet (one per model, in the app's filters.py, with an
OrderingFilter named `sort` whose fields are the sortable columns); the API uses the same
FilterSet.
"""

from django_filters.views import FilterView

from crm.permissions import StaffRequiredMixin

PAGE_SIZES = (25, 50, 100, 200)


class FilteredListView(StaffRequiredMixin, FilterView):
    paginate_by = 50
    # An invalid filter shows the form errors and an empty list instead of everything.
    strict = True

    def get_paginate_by(self, queryset):
        try:
            size = int(self.request.GET.get("per_page", self.paginate_by))
        except ValueError:
            return self.paginate_by
        return size if size in PAGE_SIZES else self.paginate_by

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = context.get("paginator")
        context["page_sizes"] = PAGE_SIZES
        context["result_count"] = paginator.count if paginator else len(context["object_list"])
        context["is_filtered"] = any(
            value for key, value in self.request.GET.items() if key not in {"page", "per_page"}
        )
        return context
