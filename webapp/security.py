"""Security headers on every response.

The CSP allows no inline script, so htmx must not inject its indicator style
(htmx.config.includeIndicatorStyles is turned off in a meta tag in base.html).
"""
CONTENT_SECURITY_POLICY = ("default-src 'self'; object-src 'none'; base-uri 'self'; "
                           "frame-ancestors 'none'; form-action 'self'")


def register(app):
    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        return response
