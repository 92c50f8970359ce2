import pytest
from django.template import Context, Template
from django.test import RequestFactory

from crm.listing import FilteredListView


@pytest.mark.parametrize(
    ("current", "next_sort", "aria"),
    [
        ("", "name", "none"),
        ("name", "-name", "ascending"),
        ("-name", "name", "descending"),
    ],
)
def test_sort_header_toggles_and_keeps_the_filters(current, next_sort, aria):
    request = RequestFactory().get("/", {"country": "NL", "sort": current, "page": "3"})
    html = Template('{% load listing %}{% sort_header "name" "Name" %}').render(
        Context({"request": request})
    )
    assert f'aria-sort="{aria}"' in html
    assert "country=NL" in html
    assert f"sort={next_sort}" in html
    assert "page=" not in html


@pytest.mark.parametrize(("asked", "given"), [("100", 100), ("7", 50), ("lots", 50), (None, 50)])
def test_page_size_is_one_of_the_offered_sizes(asked, given):
    view = FilteredListView()
    view.request = RequestFactory().get("/", {"per_page": asked} if asked else {})
    assert view.get_paginate_by(None) == given
