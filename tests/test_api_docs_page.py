"""/api/docs as people read it: Markdown rendered (safely), no regular expressions, and the
site's navigation for a signed-in user."""
import re

from webapp.api.docs import markdown


def docs_page(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_descriptions_are_rendered_from_markdown(client):
    page = docs_page(client)
    assert "every response carries <code>X-Request-ID</code>" in page
    assert "the body carries the <code>request_id</code> to report" in page
    assert "`" not in re.sub(r"<code>.*?</code>", "", page)  # no Markdown left raw


def test_angle_brackets_in_a_description_are_shown_not_run(client):
    assert "<code>Authorization: Bearer &lt;token&gt;</code>" in docs_page(client)


def test_no_regular_expression_reaches_the_page(client):
    page = docs_page(client)
    assert "matches " not in page and "[A-Za-z0-9]" not in page and "\\x00" not in page
    assert "^(" not in page and "]$" not in page


def test_the_markdown_filter_escapes_html_and_refuses_script_links():
    html = str(markdown('<script>alert(1)</script> and [x](javascript:alert(1)) *ok*'))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html and "<em>ok</em>" in html
    assert str(markdown("`a` b", inline=True)) == "<code>a</code> b"
    assert str(markdown(None)) == ""


def test_a_signed_in_user_keeps_the_site_navigation(client):
    page = docs_page(client)
    assert 'aria-label="Main"' in page and ">Students</a>" in page and "Sign out" in page


def test_a_stranger_reads_the_docs_without_the_navigation(anon_client):
    page = docs_page(anon_client)
    assert ">Students</a>" not in page and "Sign out" not in page
    assert "Registrar API" in page


def test_a_session_cookie_still_counts_for_nothing_on_the_json_api(app, client):
    # the docs page reads the session; the API itself only ever bearer tokens
    del client.environ_base["HTTP_AUTHORIZATION"]
    assert client.get("/api/students").status_code == 401
