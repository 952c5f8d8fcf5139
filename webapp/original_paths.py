"""The enrollment endpoints at the original specification's paths, for JSON clients.

The first specification put them at `/students/{id}/courses` and
`/students/{id}/courses/{course_id}`, without `/api`; those paths are the checklist's
page routes now. A JSON client calling them gets a 308 to the same path under /api
(method, body and query string kept) instead of a page, a sign-in redirect or a CSRF
error, so this runs before CSRFProtect and the sign-in gate. Browsers never send a
bearer token or a JSON body, put text/html first in Accept, and a request with the
sign-in cookie or HX-Request (htmx) is never redirected: they keep getting the pages.
"""
import re

from flask import redirect, request

from .errors import API_PREFIX
from .security import SESSION_COOKIE

ORIGINAL_PATH = re.compile(r"/students/[0-9]+/courses(/[0-9]+)?")
JSON = "application/json"


def is_json_client():
    """A bearer token, a JSON body, or an Accept that prefers JSON to HTML, from a request
    with nothing of a browser's: no HX-Request, no sign-in cookie. (A form body counts for
    nothing: `curl -d` sends one by default, and the API's 415 says what to send.)"""
    if request.headers.get("HX-Request") or SESSION_COOKIE in request.cookies:
        return False
    scheme = request.headers.get("Authorization", "").partition(" ")[0]
    return (scheme.lower() == "bearer" or request.is_json
            or request.accept_mimetypes.best_match(["text/html", JSON]) == JSON)


def redirect_json_clients():
    if ORIGINAL_PATH.fullmatch(request.path) and is_json_client():
        query = request.query_string.decode("latin-1")
        target = API_PREFIX.rstrip("/") + request.path + (f"?{query}" if query else "")
        return redirect(target, 308)
    return None


def register(app):
    """Install the redirect; call before CSRFProtect and the sign-in gate are installed."""
    app.before_request(redirect_json_clients)
