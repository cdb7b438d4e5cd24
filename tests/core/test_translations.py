# ruff: noqa: RUF001 -- Russian and Kazakh text is this module's subject
"""The guards of the Russian and Kazakh interface (issue #13; docs/architecture.md, "Languages").

1. Every message of every catalogue (``django`` and ``djangojs``, ``ru`` and ``kk``) is
   translated, not fuzzy, and keeps the placeholders of its English.
2. The catalogues are not stale: ``makemessages``, run as ``make messages`` runs it on a copy of
   the code, extracts exactly the messages that are committed (needs GNU gettext's ``xgettext``;
   ``make install-dev`` installs Debian's ``gettext``).
3. No template of ours has literal text outside ``{% translate %}``/``{% blocktranslate %}``
   (``scripts/lint_templates.py``).

And what serves them: ``manage.py compile_translations`` (run by ``make install``; the ``.mo``
files are not committed) and the JavaScript catalogue at ``/<language>/jsi18n/``.
"""

from __future__ import annotations

import gettext
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import polib
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
LANGUAGES = ("ru", "kk")
DOMAINS = ("django", "djangojs")
CATALOGUES = [(language, domain) for language in LANGUAGES for domain in DOMAINS]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def placeholders(text: str) -> list[str]:
    """``%(name)s``, ``%d``, ``{name}`` in ``text``, whole (so ``%(n)s`` is not ``%(n)d``)."""
    return sorted(PLACEHOLDER.findall(text))


def _po(language: str, domain: str, root: Path = LOCALE) -> polib.POFile:
    path = root / language / "LC_MESSAGES" / f"{domain}.po"
    assert path.exists(), f"{path} is missing"
    return polib.pofile(str(path))


def _label(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid


# --- 1. complete, and placeholders intact -------------------------------------------------------


def untranslated(catalogue: Iterable[polib.POEntry]) -> list[str]:
    """The messages with no translation, an empty plural form, or marked fuzzy."""
    return [
        _label(e)
        for e in catalogue
        if not e.obsolete
        and (
            not e.translated()
            or "fuzzy" in e.flags
            or (e.msgid_plural and not all(e.msgstr_plural.values()))
        )
    ]


def broken_placeholders(catalogue: Iterable[polib.POEntry]) -> list[str]:
    """The translations whose placeholders (``%(name)s``, ``%s``, ``{name}``) differ from the
    English. A plural form may drop the count (Russian "одна попытка"), never add one."""
    broken = []
    for entry in catalogue:
        if entry.obsolete or not entry.translated():
            continue
        if entry.msgid_plural:
            allowed = set(placeholders(entry.msgid_plural)) | set(placeholders(entry.msgid))
            if any(not set(placeholders(form)) <= allowed for form in entry.msgstr_plural.values()):
                broken.append(_label(entry))
        elif placeholders(entry.msgstr) != placeholders(entry.msgid):
            broken.append(_label(entry))
    return broken


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_every_message_is_translated(language: str, domain: str) -> None:
    missing = untranslated(_po(language, domain))
    assert not missing, f"{language}/{domain}: {len(missing)} untranslated or fuzzy: {missing[:10]}"


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_translations_keep_every_placeholder(language: str, domain: str) -> None:
    broken = broken_placeholders(_po(language, domain))
    assert not broken, f"{language}/{domain}: placeholders differ from the English: {broken[:10]}"


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_plural_messages_have_every_form_of_the_language(language: str, domain: str) -> None:
    catalogue = _po(language, domain)
    wanted = int(re.search(r"nplurals=(\d+)", catalogue.metadata["Plural-Forms"])[1])  # type: ignore[index]
    short = [_label(e) for e in catalogue if e.msgid_plural and len(e.msgstr_plural) != wanted]
    assert not short, f"{language}/{domain}: not {wanted} plural forms: {short[:10]}"


def test_the_catalogue_checks_catch_what_they_are_for() -> None:
    catalogue = polib.POFile()
    catalogue.extend(
        [
            polib.POEntry(msgid="Done", msgstr="Готово"),
            polib.POEntry(msgid="Empty", msgstr=""),
            polib.POEntry(msgid="Guess", msgstr="Догадка", flags=["fuzzy"]),
            polib.POEntry(
                msgid="%(n)s day", msgid_plural="%(n)s days", msgstr_plural={0: "%(n)s день", 1: ""}
            ),
            polib.POEntry(msgid="Hello %(name)s", msgstr="Привет, %(nom)s"),
            polib.POEntry(msgid="At %(time)s", msgstr="В %(time)d"),
            polib.POEntry(msgid="Old", msgstr="", obsolete=True),
            polib.POEntry(
                msgid="one try", msgid_plural="%(n)s tries", msgstr_plural={0: "одна", 1: "%(x)s"}
            ),
        ]
    )
    assert untranslated(catalogue) == ["Empty", "Guess", "%(n)s day"]
    assert broken_placeholders(catalogue) == ["Hello %(name)s", "At %(time)s", "one try"]


# --- 2. not stale against the code --------------------------------------------------------------

MAKEFILE = ROOT / "Makefile"
#: A message only the copy has: extraction must find it, or the staleness check could not fail.
CANARY = "A message that only the stale-catalogue test writes"


def makemessages_flags() -> list[str]:
    """The flags ``make messages`` gives makemessages (``MAKEMESSAGES_FLAGS`` in the Makefile)."""
    text = MAKEFILE.read_text()
    found = re.search(r"^MAKEMESSAGES_FLAGS\s*:=\s*(.+)$", text, re.MULTILINE)
    assert found, "the Makefile has no MAKEMESSAGES_FLAGS"
    for domain in ("", "-d djangojs "):
        assert f"makemessages {domain}$(MAKEMESSAGES_FLAGS)" in text, domain
    return shlex.split(found[1])


def message_keys(catalogue: polib.POFile) -> set[str]:
    return {_label(e) for e in catalogue if not e.obsolete}


def difference(extracted: set[str], committed: set[str]) -> str:
    """What ``make messages`` would add to and drop from a catalogue, for a failure message."""
    lines = [f"  + {key!r}" for key in sorted(extracted - committed)]
    lines += [f"  - {key!r}" for key in sorted(committed - extracted)]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def extracted_locale(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``make messages``' makemessages run on a copy of the code (with the canary), its locale/."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        missing = "GNU gettext (xgettext, msgmerge) is not installed: `make install-dev`"
        if os.environ.get("CI"):
            pytest.fail(missing)  # CI installs it (.ci/run): never skip there
        pytest.skip(missing)
    copy = tmp_path_factory.mktemp("makemessages") / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "node_modules", "media", "staticfiles", "test-artifacts", "tests",
            "bench", "__pycache__", ".*_cache", "*.mo", "db.sqlite3*",
        ),
    )  # fmt: skip
    (copy / "templates" / "zz_canary.html").write_text(
        f'{{% load i18n %}}<p>{{% translate "{CANARY}" %}}</p>\n'
    )
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["DJANGO_SETTINGS_MODULE"] = "curriculum.settings.test"
    for domain in ([], ["-d", "djangojs"]):
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", *domain, *makemessages_flags()],
            cwd=copy, env=env, check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    return copy / "locale"


def test_extraction_finds_a_new_message(extracted_locale: Path) -> None:
    assert CANARY in message_keys(_po("ru", "django", extracted_locale))


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_catalogue_matches_the_code(extracted_locale: Path, language: str, domain: str) -> None:
    extracted = message_keys(_po(language, domain, extracted_locale)) - {CANARY}
    committed = message_keys(_po(language, domain))
    changes = difference(extracted, committed)
    assert not changes, (
        f"locale/{language}/LC_MESSAGES/{domain}.po is stale: `make messages` would add (+) or "
        f"drop (-):\n{changes}"
    )


def test_the_difference_names_each_message() -> None:
    assert difference({"New", "Kept"}, {"Kept", "Gone"}) == "  + 'New'\n  - 'Gone'"


# --- 3. no unmarked text in our templates -------------------------------------------------------


def _lint_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "lint_templates", ROOT / "scripts" / "lint_templates.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("lint_templates", module)
    spec.loader.exec_module(module)
    return module


lint_templates = _lint_module()


def test_our_templates_have_no_unmarked_text() -> None:
    templates = lint_templates.our_templates()
    assert len(templates) > 50, "the lint no longer finds our templates"
    findings = lint_templates.lint(templates)
    assert not findings, "unmarked text (scripts/lint_templates.py):\n" + "\n".join(
        str(f) for f in findings
    )


LINTED = """{% load i18n %}<h1>{{ title }} overview</h1>
<img src="x.png" alt="A chart"><img src="y.png" alt="">
<button type="submit" aria-label="{% translate 'Close' %}" title="Close">&times;</button>
<input type="submit" value="Send"><input type="hidden" name="a" value="kept">
{% if a %}<p>{% translate "Marked" %} — 12:30 · ◆&nbsp;</p>{% else %}Shown{% endif %}
<script src="a.js"></script><style>.note { color: red }</style>
{% blocktranslate %}Marked {{ x }} too{% endblocktranslate %}{% comment %}A note{% endcomment %}
{# a comment #}<!-- a comment --><div class="card card--wide" data-saved-label="Saved"></div>
{% include "x.html" with title="Heading" icon="upload" %}{{ v|default:"Nothing" }}
{{ v|default:_("Nothing") }}<p>
  two lines
  of text</p>
"""


def test_the_lint_reports_each_unmarked_text_with_its_line(tmp_path: Path) -> None:
    template = tmp_path / "page.html"
    template.write_text(LINTED)
    found = [(f.line, f.text) for f in lint_templates.lint([template])]
    assert found == [
        (1, "overview"),
        (2, "A chart"),
        (3, "Close"),
        (4, "Send"),
        (5, "Shown"),
        (8, "Saved"),
        (9, "Heading"),
        (9, "Nothing"),
        (11, "two lines of text"),
    ]


def test_the_lint_reads_plain_text_emails(tmp_path: Path) -> None:
    email = tmp_path / "email.txt"
    email.write_text('{% load i18n %}{% translate "Hello" %}\n\nSee you, {{ name }}\n')
    assert [(f.line, f.text) for f in lint_templates.lint([email])] == [(3, "See you,")]


def test_the_lint_script_fails_on_an_unmarked_template(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.html", tmp_path / "bad.html"
    good.write_text('{% load i18n %}<p title="{% translate "Hi" %}">{% translate "Hi" %}</p>\n')
    bad.write_text("{% load i18n %}\n<p>Welcome back</p>\n")
    script = [sys.executable, str(ROOT / "scripts" / "lint_templates.py")]
    passed = subprocess.run([*script, str(good)], capture_output=True, text=True, check=False)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    failed = subprocess.run([*script, str(bad)], capture_output=True, text=True, check=False)
    assert failed.returncode == 1
    assert f"{bad}:2: Welcome back" in failed.stdout


# --- compiled at install, not committed ---------------------------------------------------------


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_compiled_catalogue_matches_the_source(language: str, domain: str) -> None:
    directory = LOCALE / language / "LC_MESSAGES"
    mo = directory / f"{domain}.mo"
    assert mo.exists(), f"{mo} is missing: `make install` compiles it"
    with open(mo, "rb") as compiled:
        messages = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    stale = []
    for entry in _po(language, domain).translated_entries():
        key = _label(entry)
        if entry.msgid_plural:
            forms = sorted(entry.msgstr_plural, key=int)
            if [messages.get((key, int(n))) for n in forms] != [
                entry.msgstr_plural[n] for n in forms
            ]:
                stale.append(key)
        elif messages.get(key) != entry.msgstr:
            stale.append(key)
    assert not stale, f"{mo} is older than its .po (`make install`): {stale[:5]}"


def test_mo_files_are_not_committed() -> None:
    assert "*.mo" in (ROOT / ".gitignore").read_text().splitlines()


PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n!=1);\\n"

msgid "Hello"
msgstr "Сәлем"

#, fuzzy
msgid "Maybe"
msgstr "Мүмкін"

msgid "%(n)s day"
msgid_plural "%(n)s days"
msgstr[0] "%(n)s күн"
msgstr[1] "%(n)s күн"
"""


def _read_mo(path: Path) -> gettext.GNUTranslations:
    with open(path, "rb") as compiled:
        return gettext.GNUTranslations(compiled)


def test_compile_translations_compiles_missing_and_older_catalogues_only(
    tmp_path: Path, settings: Any
) -> None:
    settings.LOCALE_PATHS = [tmp_path]
    directory = tmp_path / "kk" / "LC_MESSAGES"
    directory.mkdir(parents=True)
    po, mo = directory / "djangojs.po", directory / "djangojs.mo"
    po.write_text(PO)

    call_command("compile_translations", verbosity=0)
    compiled = _read_mo(mo)
    assert compiled.gettext("Hello") == "Сәлем"
    assert compiled.gettext("Maybe") == "Maybe"  # fuzzy: left out, as msgfmt does
    assert compiled.ngettext("%(n)s day", "%(n)s days", 5) == "%(n)s күн"

    # Up to date: left alone.
    os.utime(mo, (1_000_000_000, 2_000_000_000))
    os.utime(po, (1_000_000_000, 1_900_000_000))
    call_command("compile_translations", verbosity=0)
    assert mo.stat().st_mtime == 2_000_000_000

    # The .po edited after: compiled again; --force compiles whatever the times.
    po.write_text(PO.replace("Сәлем", "Сәлеметсіз бе"))
    os.utime(po, (1_000_000_000, 2_100_000_000))
    call_command("compile_translations", verbosity=0)
    assert _read_mo(mo).gettext("Hello") == "Сәлеметсіз бе"
    os.utime(mo, (1_000_000_000, 2_200_000_000))
    call_command("compile_translations", "--force", verbosity=0)
    assert mo.stat().st_mtime != 2_200_000_000
    # No temporary file is left behind.
    assert sorted(p.name for p in directory.iterdir()) == ["djangojs.mo", "djangojs.po"]


def test_compile_translations_refuses_a_broken_catalogue(tmp_path: Path, settings: Any) -> None:
    settings.LOCALE_PATHS = [tmp_path]
    directory = tmp_path / "ru" / "LC_MESSAGES"
    directory.mkdir(parents=True)
    (directory / "django.po").write_text("this is not a catalogue\n")
    with pytest.raises(CommandError, match=r"django\.po"):
        call_command("compile_translations", verbosity=0)
    assert sorted(p.name for p in directory.iterdir()) == ["django.po"]


def test_compile_translations_is_what_make_install_runs() -> None:
    install = re.search(r"^install:.*\n((?:\t.*\n)+)", MAKEFILE.read_text(), re.MULTILINE)
    assert install and "compile_translations" in install[1]
    assert re.search(r"^install-dev: install ", MAKEFILE.read_text(), re.MULTILINE)
    assert "polib==" in (ROOT / "requirements" / "base.txt").read_text()


# --- the JavaScript catalogue -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "saved", "plural"),
    [
        ("ru", "Сохранено в %(time)s", "n%10==1 && n%100!=11"),
        ("kk", "Сақталды: %(time)s", "(n!=1)"),
    ],
)
def test_the_javascript_catalogue_is_in_the_pages_language(
    client: Client, language: str, saved: str, plural: str
) -> None:
    response = client.get(f"/{language}/jsi18n/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert f'"Saved at %(time)s": {json.dumps(saved)}' in body  # escaped, as Django writes it
    assert plural in body
    # Ours only: not Wagtail's admin strings (the catalogue is loaded on learners' pages).
    assert "wagtail" not in body.lower()
    assert len(response.content) < 20_000


def test_the_english_catalogue_is_empty_but_works(client: Client) -> None:
    response = client.get("/en/jsi18n/")
    assert response.status_code == 200
    assert "Saved at" not in response.content.decode()  # the English is the msgid itself
    assert "django.gettext = function" in response.content.decode()


@pytest.mark.django_db
def test_the_attempt_page_loads_the_catalogue_before_quiz_js(client: Client) -> None:
    from quizzes.services import attempt_start
    from tests.factories import CoursePageFactory, ModulePageFactory, practitioner
    from tests.quizzes.helpers import placed_quiz

    learner = practitioner()
    quiz = placed_quiz(ModulePageFactory(parent=CoursePageFactory()))
    attempt = attempt_start(user=learner, quiz=quiz)
    client.force_login(learner)
    html = client.get(f"/kk/learn/quizzes/attempts/{attempt.pk}/").content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', html)
    catalogue = scripts.index("/kk/jsi18n/")
    assert any(src.endswith("js/quiz.js") for src in scripts[catalogue + 1 :]), scripts
    assert "data-saved-label" not in html  # the words come from the catalogue now


def test_quiz_js_takes_its_words_from_the_catalogue() -> None:
    source = (ROOT / "static" / "js" / "quiz.js").read_text()
    assert 'gettext("Saved at %(time)s")' in source
    # Every string shown to a person goes through gettext/ngettext; no glued-together labels.
    assert "dataset.savedLabel" not in source
    assert '"d "' not in source
