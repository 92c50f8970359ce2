from django import template

from outreach.text import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Statement Markdown as sanitised HTML (see outreach.text.render_markdown)."""
    return render_markdown(text)
