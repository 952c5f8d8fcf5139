"""The package rules (webapp/*/__init__.py): checked by walking every import with `ast`."""
import ast
from pathlib import Path

import pytest

from webapp.config import PROJECT_ROOT

WEBAPP = PROJECT_ROOT / "webapp"


def imported_modules(path, package):
    """Absolute names of every module `path` imports (relative imports resolved against
    `package`, the dotted package the file lives in)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            names.add(module)
            # `from . import x` / `from ..rules import users` name modules too
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def modules_of(folder, root):
    """(file, its dotted package) for every .py file under `folder` (`root` holds webapp/)."""
    for path in sorted(folder.rglob("*.py")):
        package = ".".join(path.relative_to(root).parent.parts)
        yield path, package


def broken_rules(folder, forbidden, root=PROJECT_ROOT):
    """'file imports name' for each import under `folder` that starts with a forbidden
    prefix."""
    return [f"{path.relative_to(root)} imports {name}"
            for path, package in modules_of(folder, root)
            for name in sorted(imported_modules(path, package))
            if any(name == bad or name.startswith(bad + ".") for bad in forbidden)]


LAYER_RULES = {
    "rules": ("flask", "werkzeug", "flask_wtf", "webapp.pages", "webapp.api", "webapp.ops",
              "webapp.oneroster"),
    # import/export: no Flask; writes through webapp.rules (exchange.py)
    "oneroster": ("flask", "werkzeug", "flask_wtf", "webapp.pages", "webapp.api",
                  "webapp.ops"),
    "pages": ("webapp.api", "webapp.ops"),
    "api": ("webapp.pages", "webapp.ops"),
}


@pytest.mark.parametrize("package", sorted(LAYER_RULES))
def test_each_package_keeps_its_import_rule(package):
    assert broken_rules(WEBAPP / package, LAYER_RULES[package]) == []


def test_models_import_no_other_part_of_the_app():
    names = imported_modules(WEBAPP / "models.py", "webapp")
    assert sorted(n for n in names if n.startswith("webapp.") and n != "webapp.db"
                  and not n.startswith("webapp.db.")) == []


def test_migrations_never_import_the_app():
    assert broken_rules(PROJECT_ROOT / "migrations", ("webapp",)) == []


def test_every_package_states_its_rule():
    for package in ("rules", "pages", "api", "ops", "oneroster"):
        doc = ast.get_docstring(ast.parse((WEBAPP / package / "__init__.py").read_text()))
        assert doc and "Rule of this package" in doc, package


def test_the_check_catches_flask_in_the_rules(tmp_path):
    """The walker itself: a rules module that imports Flask is reported."""
    rules = tmp_path / "webapp" / "rules"
    rules.mkdir(parents=True)
    (rules / "leaky.py").write_text("from flask import request\nfrom ..pages import ui\n")
    found = broken_rules(rules, LAYER_RULES["rules"], root=tmp_path)
    assert "webapp/rules/leaky.py imports flask" in found
    assert "webapp/rules/leaky.py imports webapp.pages.ui" in found


def test_relative_imports_resolve_to_their_package():
    assert "webapp.rules.audit" in imported_modules(WEBAPP / "rules" / "enrollment.py",
                                                     "webapp.rules")
    assert "webapp.db" in imported_modules(WEBAPP / "rules" / "enrollment.py", "webapp.rules")


def test_layout_is_packages_by_layer():
    top = sorted(p.name for p in WEBAPP.iterdir() if p.suffix == ".py")
    assert top == ["__init__.py", "config.py", "db.py", "errors.py", "input_guard.py",
                   "models.py", "original_paths.py", "request_log.py", "security.py"]
    assert all((WEBAPP / name / "__init__.py").exists() for name in ("rules", "pages", "api", "ops"))
    assert not list(Path(WEBAPP).glob("api.py"))
