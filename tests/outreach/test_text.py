from outreach.text import render_markdown


def test_it_renders_markdown():
    html = render_markdown("We **call on** governments:\n\n- to ban\n- to stop")
    assert "<strong>call on</strong>" in html
    assert "<li>to ban</li>" in html


def test_it_drops_scripts_handlers_and_javascript_links():
    html = render_markdown(
        '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n[x](javascript:alert(3))'
    )
    assert "<script" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert "<img" not in html


def test_links_carry_no_referrer():
    html = render_markdown("[EDRi](https://edri.example.org)")
    assert 'href="https://edri.example.org"' in html
    assert "noreferrer" in html
