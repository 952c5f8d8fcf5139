"""Counted nouns in messages: "1 student", "2 students", "1,250 courses" — one helper for
every message and page (a Jinja filter too: `{{ n | count_of("student") }}`)."""


def count_of(count, singular, plural=None):
    """`count` and the noun agreeing with it; `plural` defaults to `singular` + "s"."""
    noun = singular if count == 1 else (plural or singular + "s")
    return f"{count:,} {noun}"
