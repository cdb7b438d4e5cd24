"""The architecture in ``docs/architecture.md``, checked: layers, boundaries, and where writes,
reads and permission checks live.

import-linter (``make lint``) checks the Python imports against the contracts in
``pyproject.toml``. These tests check what it cannot see:

- the contracts cover every app, and a breach of each kind makes ``lint-imports`` fail;
- templates follow the same layers (tags they load, templates they include, URLs they name);
- no app uses another app's model managers (reads and writes go through its ``api.py``);
- writes happen only in the modules that own them;
- permission checks (Django permissions, groups, the superuser flag) only in ``permissions.py``;
- services, selectors and permissions take the user model's type, never ``Any``.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django.template.backends.django import get_installed_libraries
from django.urls import get_resolver

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
CONTRACTS = CONFIG["contracts"]
#: Top first, as the layers contract lists them; ``curriculum`` is the project package.
LAYERS: list[str] = next(c for c in CONTRACTS if c["type"] == "layers")["layers"]
PROJECT = "curriculum"
APPS = [layer for layer in LAYERS if layer != PROJECT]


def rank(package: str) -> int:
    """0 for the bottom layer (``core``), higher going up."""
    return len(LAYERS) - 1 - LAYERS.index(package)


def modules(*, skip_migrations: bool = True) -> Iterator[tuple[str, Path]]:
    """Every Python module of ours as (its app, its path)."""
    for package in LAYERS:
        for path in sorted((ROOT / package).rglob("*.py")):
            if skip_migrations and "migrations" in path.parts:
                continue
            yield package, path


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- the import contracts cover every app -----------------------------------------------------


def test_every_app_is_in_the_layers() -> None:
    ours = {
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == ROOT
    }
    assert set(LAYERS) == ours
    assert set(CONFIG["root_packages"]) == ours


def test_each_app_is_protected_but_for_its_api() -> None:
    forbidden = {
        contract["forbidden_modules"][0]: contract
        for contract in CONTRACTS
        if contract["type"] == "forbidden"
    }
    assert set(forbidden) == set(APPS)
    for app, contract in forbidden.items():
        assert contract["forbidden_modules"] == [app]
        assert set(contract["source_modules"]) == set(LAYERS) - {app}
        assert contract["ignore_imports"] == [f"** -> {app}.api"]
        assert (ROOT / app / "api.py").is_file()


def test_no_app_has_cycles() -> None:
    acyclic = [c for c in CONTRACTS if c["type"] == "acyclic_siblings"]
    assert len(acyclic) == 1
    assert set(acyclic[0]["ancestors"]) == set(LAYERS)


#: (a module, a line added to it, the contract that must then break)
BREACHES = [
    pytest.param(
        "certification/breach.py",
        "from learners.models import Profile\n",
        "Other apps use learners only through learners.api BROKEN",
        id="another app's models",
    ),
    pytest.param(
        "core/breach.py",
        "from accounts.api import Role\n",
        "Layers: each app imports only the apps below it BROKEN",
        id="a lower app importing a higher one",
    ),
    pytest.param(
        "courses/navigation.py",  # courses.models imports it
        "\nfrom . import models  # noqa: E402\n",
        "No cycles between the modules of an app BROKEN",
        id="a cycle inside an app",
    ),
]


@pytest.fixture(scope="module")
def source_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packages and the contracts, copied (Python files only) to break them safely."""
    target = tmp_path_factory.mktemp("architecture")
    for package in LAYERS:
        shutil.copytree(
            ROOT / package,
            target / package,
            ignore=lambda folder, names: [
                n for n in names if not n.endswith(".py") and not (Path(folder) / n).is_dir()
            ],
        )
    shutil.copy(ROOT / "pyproject.toml", target)
    return target


def lint_imports(folder: Path) -> subprocess.CompletedProcess[str]:
    command = Path(sys.executable).parent / "lint-imports"
    return subprocess.run(
        [str(command), "--no-cache"], cwd=folder, capture_output=True, text=True, check=False
    )


def test_the_contracts_hold_on_the_code(source_copy: Path) -> None:
    result = lint_imports(source_copy)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(("path", "code", "broken"), BREACHES)
def test_a_breach_fails_the_lint(source_copy: Path, path: str, code: str, broken: str) -> None:
    breach = source_copy / path
    original = breach.read_text() if breach.exists() else None
    breach.write_text((original or "") + code)
    try:
        result = lint_imports(source_copy)
    finally:
        if original is None:
            breach.unlink()
        else:
            breach.write_text(original)
    assert result.returncode != 0
    assert broken in result.stdout


# --- templates follow the layers ---------------------------------------------------------------

TEMPLATES = ROOT / "templates"
#: The site's frame: every page extends it. It is the project's (the top layer), like the URLs,
#: and links to each app's entry point; extending it is the one way down the layers.
FRAME = "base.html"
#: The project's other templates: the frame's header (kept apart so an anonymous visitor's can
#: be rendered once), the error pages Django's handlers render, and the CMS dashboard
#: (overridden to hide a page search from those who may not search pages).
PROJECT_TEMPLATES = {
    FRAME,
    "site_header.html",
    "403.html",
    "404.html",
    "500.html",
    "503.html",
    "wagtailadmin/home.html",
}
#: Template folders that belong to an app although not named after it.
FOLDERS = {"registration": "accounts"}

LOAD = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")
INCLUDE = re.compile(r"{%\s*(?:include|extends)\s+[\"']([^\"']+)[\"']")
URL = re.compile(r"{%\s*url\s+[\"']([\w-]+):")
PANELS = re.compile(r"{%\s*panels\s+[\"']([\w.]+)[\"']")
PYTHON_TEMPLATE = re.compile(rf"[\"']((?:{'|'.join(APPS)})/[\w/.-]+\.(?:html|txt))[\"']")


def template_owner(name: str) -> str | None:
    """The package a template belongs to, or None when it is not ours (Wagtail's, Django's)."""
    first = name.split("/", 1)[0]
    if name in PROJECT_TEMPLATES or first == "wagtailcore":
        return PROJECT
    owner = FOLDERS.get(first, first)
    return owner if owner in LAYERS else None


def namespace_owners() -> dict[str, str]:
    """Each URL namespace and the package whose URLconf defines it."""
    owners: dict[str, str] = {}
    for namespace, (_prefix, resolver) in get_resolver().namespace_dict.items():
        owners[namespace] = str(resolver.urlconf_name).split(".", 1)[0]
    return owners


def template_dependencies(path: Path) -> Iterator[tuple[str, str]]:
    """What a template depends on: (what, the package it belongs to)."""
    text = path.read_text()
    libraries = get_installed_libraries()
    for names in LOAD.findall(text):
        words = names.split()
        if "from" in words:  # {% load tag from library %}
            words = words[words.index("from") + 1 :]
        for library in words:
            module = libraries.get(library, "")
            if module.split(".", 1)[0] in LAYERS:
                yield f"{{% load {library} %}}", module.split(".", 1)[0]
    for name in INCLUDE.findall(text):
        owner = template_owner(name)
        if owner is not None and name != FRAME:
            yield f'"{name}"', owner
    namespaces = namespace_owners()
    for namespace in URL.findall(text):
        owner = namespaces.get(namespace)
        if owner in LAYERS:
            yield f"{{% url '{namespace}:…' %}}", owner


def our_templates() -> Iterator[tuple[str, Path]]:
    for path in sorted(TEMPLATES.rglob("*")):
        if path.is_file():
            owner = template_owner(str(path.relative_to(TEMPLATES)))
            assert owner is not None, f"{path}: whose template is this?"
            yield owner, path


def test_templates_depend_only_on_their_own_or_lower_layers() -> None:
    breaches = [
        f"{relative(path)} ({owner}) uses {what} of {dep}"
        for owner, path in our_templates()
        for what, dep in template_dependencies(path)
        if dep != owner and rank(dep) > rank(owner)
    ]
    assert breaches == []


def test_python_names_only_templates_of_its_own_or_lower_layers() -> None:
    breaches = [
        f"{relative(path)} ({app}) names {name}"
        for app, path in modules()
        for name in PYTHON_TEMPLATE.findall(path.read_text())
        if (owner := template_owner(name)) is not None and owner != app and rank(owner) > rank(app)
    ]
    assert breaches == []


def test_slots_are_their_pages_and_panels_come_from_above() -> None:
    """A slot is named after the app whose templates hold it; what fills it comes from an app
    above that one."""
    from core.panels import _PANELS

    for owner, path in our_templates():
        for slot in PANELS.findall(path.read_text()):
            assert slot.split(".", 1)[0] == owner, f"{relative(path)}: slot {slot}"
    assert _PANELS, "no panel is registered"
    for slot, panels in _PANELS.items():
        for panel in panels:
            filler = template_owner(panel.template)
            assert filler is not None
            assert rank(filler) > rank(slot.split(".", 1)[0]), f"{panel.template} fills {slot}"


# --- no app uses another app's models ----------------------------------------------------------

MANAGERS = {"objects", "_default_manager", "_base_manager"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}


def imported_from_other_apps(tree: ast.Module, app: str) -> dict[str, str]:
    """Names the module imports from another app of ours: {name: that app}."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            package = node.module.split(".", 1)[0]
            if package in LAYERS and package != app:
                for alias in node.names:
                    names[alias.asname or alias.name] = package
    return names


def model_classes() -> set[str]:
    return {model.__name__ for model in apps.get_models()}


def test_no_app_uses_another_apps_model_managers() -> None:
    models_by_name = model_classes()
    breaches = []
    for app, path in modules():
        tree = ast.parse(path.read_text())
        foreign = {
            name: owner
            for name, owner in imported_from_other_apps(tree, app).items()
            if name in models_by_name
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in MANAGERS
                and isinstance(node.value, ast.Name)
                and node.value.id in foreign
            ):
                breaches.append(f"{relative(path)}:{node.lineno} {node.value.id}.{node.attr}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in SHORTCUTS
                and node.args
                and isinstance(node.args[0], ast.Name)
                and node.args[0].id in foreign
            ):
                breaches.append(f"{relative(path)}:{node.lineno} {node.func.id}({node.args[0].id})")
    assert breaches == []


def test_other_apps_get_no_model_to_query() -> None:
    """An app's api.py exports models only for type hints: check the ones it exports are
    listed in docs/architecture.md, so a new export is a decision, not an accident."""
    doc = (ROOT / "docs" / "architecture.md").read_text()
    for app in APPS:
        api = __import__(f"{app}.api", fromlist=["__all__"])
        for name in api.__all__:
            exported = getattr(api, name)
            if isinstance(exported, type) and issubclass(exported, models.Model):
                assert f"`{app}.api.{name}`" in doc, f"{app}.api exports the model {name}"


# --- writes only where they belong -------------------------------------------------------------

#: Modules that write, besides each app's services: the importers and the jobs that services
#: hand large writes to (see docs/architecture.md, "Where code goes").
WRITE_MODULES = {
    "courses/curriculum/importer.py",
    "learners/importing.py",
    "learners/import_jobs.py",
    "quizzes/importing.py",
    "quizzes/curriculum.py",
    "quizzes/placements.py",
    # Written tasks: the markings and the attempts they settle, the grade notices, and the
    # images a question file brings.
    "quizzes/grading.py",
    "quizzes/notices.py",
    "quizzes/question_images.py",
    "certification/tracks_file.py",
    "certification/reminders.py",
    # Interactive activities: the package store (``services.activity_upload`` hands it the
    # write), placements, the curriculum extension, and completion derived from statements.
    "activities/storing.py",
    "activities/placements.py",
    "activities/curriculum.py",
    "activities/completion.py",
    # The bulk writes synthetic demo data is made with (``reports.demo_data``).
    "accounts/bulk.py",
    "learners/bulk.py",
    "quizzes/bulk.py",
    "certification/bulk.py",
    # The dashboard's summary tables, export jobs and audit log.
    "reports/facts.py",
    "reports/export_jobs.py",
    "reports/audit.py",
}
WRITE_METHODS = {"create", "get_or_create", "update_or_create", "bulk_create", "bulk_update"}
QUERYSET_WRITES = {"update", "delete"}
RELATION_WRITES = {"add", "set", "remove", "clear"}


def relation_names() -> set[str]:
    """The many-to-many accessors of every model (forward and reverse)."""
    names = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.many_to_many:
                accessor = getattr(field, "get_accessor_name", None)
                names.add(accessor() if accessor else field.name)
    return {name for name in names if name}


def chain(node: ast.AST) -> list[str]:
    """The attribute and call names a call's receiver is built from, innermost first."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return names[::-1]
        else:
            return names[::-1]


def writes(tree: ast.Module, relations: set[str]) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method, receiver = node.func.attr, chain(node.func.value)
        if (
            (method in WRITE_METHODS and "objects" in receiver)
            or (method in QUERYSET_WRITES and "objects" in receiver)
            or (method in RELATION_WRITES and receiver and receiver[-1] in relations)
            or (method in {"save", "delete"} and not node.args and receiver[-1:] != ["super"])
        ):
            yield node.lineno, f"{'.'.join(receiver)}.{method}()"


def test_writes_happen_only_in_services_and_their_write_modules() -> None:
    relations = relation_names()
    breaches = []
    for _app, path in modules():
        name = relative(path)
        if path.name == "services.py" or name in WRITE_MODULES or "management" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        breaches += [f"{name}:{line} {what}" for line, what in writes(tree, relations)]
    assert breaches == []


def test_the_write_check_sees_a_write() -> None:
    """The check above is a static approximation: make sure it sees the usual forms."""
    code = (
        "Cohort.objects.create(name='x')\n"
        "Cohort.objects.filter(pk=1).update(name='y')\n"
        "cohort.trainers.add(user)\n"
        "profile.save(update_fields=['region'])\n"
        "qr.save(buffer, kind='png')\n"  # segno writes a picture, not a row: not a write
    )
    found = [what for _line, what in writes(ast.parse(code), relation_names())]
    assert found == [
        "Cohort.objects.create()",
        "Cohort.objects.filter.update()",
        "cohort.trainers.add()",
        "profile.save()",
    ]


# --- permission checks in one module per app ---------------------------------------------------

PERMISSION_CALLS = {"has_perm", "has_perms", "has_module_perms"}
PERMISSION_FLAGS = {"is_superuser", "is_staff"}


#: Reading a user's groups is a role check (``user.groups.filter(...)``); setting them is not.
GROUP_READS = {"filter", "exclude", "values", "values_list", "exists", "all", "count", "first"}


def permission_checks(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load)):
            continue
        if node.attr in PERMISSION_CALLS | PERMISSION_FLAGS:
            yield node.lineno, node.attr
        elif (
            node.attr in GROUP_READS
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "groups"
        ):
            yield node.lineno, f"groups.{node.attr}"


def test_permission_checks_live_in_permissions_modules() -> None:
    breaches = [
        f"{relative(path)}:{line} {what}"
        for _app, path in modules()
        if path.name != "permissions.py"
        for line, what in permission_checks(ast.parse(path.read_text()))
    ]
    assert breaches == []


def test_each_app_that_decides_permissions_has_one_module() -> None:
    for app in ("accounts", "learners", "quizzes", "certification"):
        assert (ROOT / app / "permissions.py").is_file(), app


# --- types -------------------------------------------------------------------------------------

PEOPLE = {"user", "by", "member", "holder", "trainer", "learner"}


def strict_modules() -> Iterator[Path]:
    for _app, path in modules():
        if path.stem in {"services", "selectors", "permissions", "api"} or (
            path.parent.name == "selectors"
        ):
            yield path


def test_people_are_typed_as_users_not_any() -> None:
    breaches = []
    for path in strict_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                arguments = node.args.args + node.args.kwonlyargs
                for argument in arguments:
                    annotation = ast.unparse(argument.annotation) if argument.annotation else ""
                    if argument.arg in PEOPLE and ("Any" in annotation or not annotation):
                        breaches.append(f"{relative(path)}:{node.lineno} {argument.arg}")
    assert breaches == []
