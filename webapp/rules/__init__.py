"""The enrollment rules: who may be in which course, and what each change leaves behind.

Rule of this package: no Flask. It imports nothing from `flask`, `webapp.pages`,
`webapp.api` or `webapp.ops`, so the pages, the API and the command line all reach the
same rules and the rules can be tested without a request. Each write is one transaction
(db.write_transaction).
"""
