"""At 1280×800, a laptop's screen, on the demo coalition: the whole board is visible
(seven columns, no sideways scrolling), no select box cuts its text short, and the
filter buttons sit clear of the fields."""

import pytest
from django.core.management import call_command

from outreach.models import Ask
from tests.e2e.conftest import SCREENSHOTS, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ASK = "end-biometric-mass-surveillance"

# For each visible single select: its width, and the width it needs to show `text` (its
# chosen option's, or each option's when `every_option`) without cutting it, measured on a
# copy holding only that option with nothing constraining its width.
SHORT_SELECTS = """(every_option) => {
  const short = [];
  for (const select of document.querySelectorAll("select:not([multiple])")) {
    if (!select.offsetParent) continue;
    const width = select.getBoundingClientRect().width;
    const options = every_option ? [...select.options] : [...select.selectedOptions];
    for (const option of options) {
      const copy = select.cloneNode(false);
      copy.removeAttribute("id");
      copy.style.cssText =
        "position:absolute;visibility:hidden;width:auto;min-width:0;max-width:none;flex:none";
      copy.appendChild(option.cloneNode(true));
      select.parentNode.appendChild(copy);
      const needed = copy.getBoundingClientRect().width;
      copy.remove();
      if (width + 0.5 < needed) short.push([select.name, option.text, width, needed]);
    }
  }
  return short;
}"""
OVERFLOW = """() => ({
  page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  board: (b => b ? b.scrollWidth - b.clientWidth : 0)(document.querySelector(".board")),
})"""


@pytest.fixture
def laptop(browser, live_server, settings):
    settings.DEBUG = True
    call_command("demo_setup", verbosity=0)
    settings.DEBUG = False
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, "demo", "coalition-demo")
    yield page
    context.close()


def _shoot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png")


def test_the_whole_board_fits_a_1280_screen_with_untruncated_stage_selects(laptop):
    laptop.goto(Ask.objects.get(slug=ASK).get_absolute_url())

    columns = laptop.locator(".board-column")
    assert columns.count() == 7
    for i in range(7):
        box = columns.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, columns.nth(i).inner_text()
    assert laptop.locator(".board-column h2").last.inner_text().startswith("Withdrawn")
    assert laptop.evaluate(OVERFLOW) == {"page": 0, "board": 0}
    assert laptop.locator(".move-form select").count() > 20
    assert laptop.evaluate(SHORT_SELECTS, True) == []
    _shoot(laptop, "outreach-board")


def test_the_asks_filter_button_sits_clear_of_the_fields(laptop):
    laptop.goto("/asks/")

    button = laptop.get_by_role("button", name="Filter").bounding_box()
    for label in ("Title", "Campaign", "Published"):
        field = laptop.get_by_label(label, exact=True).bounding_box()
        overlap_x = min(button["x"] + button["width"], field["x"] + field["width"]) - max(
            button["x"], field["x"]
        )
        overlap_y = min(button["y"] + button["height"], field["y"] + field["height"]) - max(
            button["y"], field["y"]
        )
        assert overlap_x <= 0 or overlap_y <= 0, f"the Filter button covers {label}"
    assert laptop.evaluate(OVERFLOW)["page"] == 0
    _shoot(laptop, "asks-list")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/asks/",
        f"/asks/{ASK}/table/",
        "/organisations/",
        "/contacts/",
        "/follow-ups/",
        "/reports/",
        f"/reports/asks/{ASK}/",
        "/campaigns/ban-biometric-mass-surveillance/",
        "/duplicates/",
        f"/s/{ASK}/",
    ],
)
def test_no_select_cuts_its_text_short_and_no_page_scrolls_sideways(laptop, path):
    laptop.goto(path)

    assert laptop.evaluate(SHORT_SELECTS, False) == []
    assert laptop.evaluate(OVERFLOW)["page"] == 0


def test_the_report_period_select_shows_each_of_its_choices_whole(laptop):
    laptop.goto(f"/reports/asks/{ASK}/")

    short = [s for s in laptop.evaluate(SHORT_SELECTS, True) if s[1] == "Automatic"]
    assert short == []


def test_the_campaign_page_and_an_asks_tabs_fit_the_screen(laptop):
    laptop.goto(f"/asks/{ASK}/")
    laptop.get_by_role("navigation", name="This ask").get_by_role("link", name="Campaign:").click()
    laptop.wait_for_url("**/campaigns/**")
    _shoot(laptop, "campaign-page-1280")

    assert laptop.locator(".ask-card").count() >= 1
    assert laptop.evaluate(OVERFLOW)["page"] == 0
