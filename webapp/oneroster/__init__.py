"""OneRoster 1.1 / 1.2 CSV exchange: read (tolerant CSV from a zip or folder) → check
(per-row problems) → plan (diff against the database) → apply (one transaction) → export.

Rule of this package: no Flask. It imports nothing from `flask`, `webapp.pages`,
`webapp.api` or `webapp.ops`; every write goes through `webapp.rules` (exchange.py), so
what an enrollment is stays decided in one place.
"""
from .export import export_bundle
from .importer import Report, import_bundle
from .read import NotABundle, Problem

__all__ = ["NotABundle", "Problem", "Report", "export_bundle", "import_bundle"]
