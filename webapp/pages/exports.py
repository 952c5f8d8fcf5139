"""What pages hand out besides HTML: CSV files, and times in the school's zone.

Times are stored in UTC; pages and CSV files show them in SCHOOL_TIMEZONE and say so
(the API keeps UTC). `school_time` is the one Jinja filter for it.
"""
import csv
import io
from datetime import UTC
from urllib.parse import quote

from flask import Response, current_app

from ..rules.terms import school_zone

TIME_FORMAT = "%Y-%m-%d %H:%M"
# Cells a spreadsheet may run as a formula (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def zone_name():
    """The school's zone as configured (SCHOOL_TIMEZONE), e.g. 'Europe/Paris'."""
    return current_app.config["SCHOOL_TIMEZONE"]


def school_time(value, fmt=TIME_FORMAT):
    """A stored (naive UTC) time as the school's clock reads it: '2026-12-07 21:05'.
    Empty for no time."""
    if value is None:
        return ""
    local = value.replace(tzinfo=UTC).astimezone(school_zone(zone_name()))
    return local.strftime(fmt)


def zoned(column):
    """A CSV header for a time column, naming the zone: 'changed_at (Europe/Paris)'."""
    return f"{column} ({zone_name()})"


def cell(value):
    """A CSV cell: text that a spreadsheet would run as a formula ('=cmd') gets a leading
    quote; None is empty."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(filename, header, rows):
    """A CSV download: UTF-8 with a BOM (so Excel reads accents), every cell through
    `cell`."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    return Response(out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": attachment(filename)})


def attachment(filename):
    """Content-Disposition for a name that may hold spaces, quotes or letters beyond
    ASCII (codes may be free text): an ASCII fallback plus RFC 6266's filename*."""
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in ".-_") else "_"
                       for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def register(blueprint):
    """Give every template the filter and the zone's name (through any blueprint)."""
    blueprint.add_app_template_filter(school_time)
    blueprint.add_app_template_global(zone_name, "school_zone_name")
