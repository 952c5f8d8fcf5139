"""What a browser would submit from a form on a page the tests fetched."""
from html.parser import HTMLParser


class _FormFields(HTMLParser):
    """The values of the form whose action is `action`: hidden and text inputs, and the
    ticked checkboxes that are not disabled (buttons send nothing unless pressed)."""

    def __init__(self, action):
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action
        elif tag == "input" and self.inside and "name" in attrs and "disabled" not in attrs:
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self.fields.setdefault(attrs["name"], []).append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def form_fields(html, action):
    """{name: [values]} the form posting to `action` on `html` sends as drawn."""
    parser = _FormFields(action)
    parser.feed(html)
    return parser.fields
