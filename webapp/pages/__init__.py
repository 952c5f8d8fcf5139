"""The HTML pages: one blueprint per concern (students, courses, history, sign-in, home)
plus the helpers they share (ui, forms, checklist_rows).

Rule of this package: views parse, call `webapp.rules`, and render; business rules live
in the rules, never here. It never imports `webapp.api` (nor the API it).
"""
