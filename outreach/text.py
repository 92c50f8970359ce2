"""Statement text: written in Markdown by staff, shown as sanitised HTML."""

import markdown
import nh3
from django.utils.safestring import mark_safe

# What a statement may contain once rendered; anything else (scripts, styles, event
# handlers, iframes) is dropped.
ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "blockquote", "ul", "ol", "li", "a",
    "h2", "h3", "h4", "code", "pre",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text):
    """Markdown to HTML that is safe to put on any page, public ones included."""
    html = markdown.markdown(text or "", extensions=["sane_lists"], output_format="html")
    # nh3 has removed everything not allow-listed, so the result is safe to mark so.
    return mark_safe(
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer nofollow",
        )
    )
