"""The word catalogue: every word for people is in it, every language has the same keys and
placeholders, and every key the code asks for is there."""

from __future__ import annotations

import json
import string
import subprocess
import sys
from collections.abc import Iterable
from datetime import UTC, date, datetime
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from bot.core import words
from bot.core.errors import CatalogueError
from bot.core.types import Consent, Platform, Role, Story, StoryStatus, TriedBy, UserId
from bot.features import moderation
from bot.features.digest import content, render
from flows.prompts import CHOICE_LABELS, PROMPTS
from flows.redaction import Identifier, default_placeholder
from tests.word_scan import looks_like_prose

ROOT = Path(__file__).parents[1]
SCANNED = ["bot", "flows", "adapters"]

NOT_YET: set[str] = set()
"""Being rewritten in parallel; their authors move their words into the catalogue (with
``bot.core.words.say`` and ``words``) as they merge. Take a file out of here once it has."""

ALLOWED: dict[str, dict[str, str]] = {
    "bot/cli.py": {
        "main": "an operator's error on stderr",
        "_parser": "argparse help, for operators",
        "_check_config": "check-config's report, for operators",
        "_retention": "the retention command's report, for operators",
        "_safeguarding": "export-feedback's report on stderr, for operators",
    },
    "bot/core/config.py": {
        "DEFAULT_THEMES": "deployment data: each deployment sets its themes in storyloop.toml",
        "_HINTS": "config errors, for operators",
        "_to_config_error": "config errors, for operators",
    },
    "bot/core/storage_url.py": {
        "SUPPORTED": "config errors, for operators",
        "_postgres_server": "config errors and the store's name in its errors, for operators",
    },
    "bot/core/types.py": {
        "Role": "stored values; people see the choice.* words",
        "TriedBy": "stored values; people see the choice.* and digest.by.* words",
        "Verdict": "stored values and training labels; moderators type them as commands",
    },
    "bot/core/loop.py": {
        "ChangeStatus": "stored values; moderators type them as commands",
    },
    "bot/core/follow_ups.py": {
        "Outcome": "stored values; people see the choice.* and mydata.update.* words",
    },
    "bot/metrics.py": {
        "Metrics.__init__": "each metric's help text, read by Prometheus and operators",
    },
    "bot/ops.py": {
        "Health": "the /healthz report, for operators and their monitoring",
        "OpsServer._answer": "the ops endpoint's answer to a wrong path, for operators",
        "_late": "the /healthz report, for operators and their monitoring",
    },
    "bot/core/words.py": {
        "_TEMPLATE_HEADER": "the header comment of the .pot file, for translators",
    },
    "bot/features/alerts.py": {
        "story missed": "an audit log action, stored",
    },
    "bot/features/responses.py": {
        "story respond": "a command's name, typed in English",
        "story change": "a command's name, typed in English",
    },
    "bot/features/digest/desk.py": {
        "stories pending": "the command a notice's button sends",
        "digest draft": "an audit log action, stored",
        "digest remove": "an audit log action, stored",
        "digest note": "an audit log action, stored",
        "digest approve": "an audit log action, stored",
        "digest reject": "an audit log action, stored",
    },
    "flows/diagram.py": {
        "document": "writes docs/flows.md, for developers",
    },
    "flows/redaction.py": {
        "Identifier": "kinds of finding, named in tests and bench; people see redaction.*",
        "_NOT_NAMES_TEXT": "words that are never names, for the matcher; never shown",
    },
    "flows/safeguarding.py": {
        "Concern": "concern names, the same as safeguarding.toml's (deployment data)",
        "_SPELLED_OUT": "how text is normalised before matching; never shown",
    },
    "adapters/slack.py": {
        "_SkipClientTokenNotice.filter": "matches a line that slack_bolt logs",
    },
}
"""Strings that look like prose but are not for people, by file: each names the scope it sits
in (``Class.method``, a module-level name) or the string itself, with the reason."""


def scan(root: Path, folders: list[str]) -> dict[str, list[list[Any]]]:
    """``tests/word_scan.py`` in a fresh interpreter (see its docstring for why)."""
    result = subprocess.run([sys.executable, "-m", "tests.word_scan", str(root), *folders],
                            capture_output=True, text=True, check=True, timeout=120, cwd=ROOT)
    found: dict[str, list[list[Any]]] = json.loads(result.stdout)
    return found


@pytest.fixture(scope="module")
def source() -> dict[str, list[list[Any]]]:
    return scan(ROOT, SCANNED)


def allowed_by(path: str, scope: str, text: str) -> str | None:
    """The allowance that lets this string be, if any."""
    for name in ALLOWED.get(path, {}):
        if name in (text, scope) or scope.startswith(name + "."):
            return name
    return None


def not_yet(path: str) -> bool:
    return any(fnmatch(path, pattern) for pattern in NOT_YET)


# Every word for people is in the catalogue
def test_no_words_for_people_outside_the_catalogue(source: dict[str, list[list[Any]]]) -> None:
    stray = [f"{path}:{line} ({scope}) {text!r}" for path, line, scope, text in source["prose"]
             if not not_yet(path) and allowed_by(path, scope, text) is None]
    assert not stray, ("words for people belong in bot/core/locales/en/LC_MESSAGES/"
                       "storyloop.po (see docs/words.md):\n" + "\n".join(stray))


def test_every_allowance_is_still_needed(source: dict[str, list[list[Any]]]) -> None:
    used = {(path, allowed_by(path, scope, text)) for path, _, scope, text in source["prose"]}
    unused = [f"{path}: {name}" for path, names in ALLOWED.items() for name in names
              if (path, name) not in used]
    assert not unused, "remove from ALLOWED:\n" + "\n".join(unused)


DETECTOR_SAMPLE = '''
"""A module docstring, many words long."""
import logging
log = logging.getLogger(__name__)
KEY = "story.welcome"
GREETING = "Hello there, and welcome."


def shown(parser, name, rows):
    """A docstring with words."""
    log.info("a log line with words %s", name)
    parser.add_argument("--x", help="help for operators")
    rows["a subscript with words"] = {"a key with words": "A value with words"}
    query = "SELECT id FROM stories WHERE status = ?"
    pattern = r"\\bnot yet\\b"
    "A bare string, like a comment."
    if not name:
        raise ValueError("what the traceback says")
    if name == "x":
        return "Skipped."
    return f"Hi {name}, nice to meet you."
'''


def test_the_detector_finds_words_for_people_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "sample").mkdir()
    (tmp_path / "sample" / "mod.py").write_text(DETECTOR_SAMPLE)
    found = [(line, scope, text) for _, line, scope, text in scan(tmp_path, ["sample"])["prose"]]
    assert found == [(6, "GREETING", "Hello there, and welcome."),
                     (13, "shown", "A value with words"),
                     (20, "shown", "Skipped."),
                     (21, "shown", "Hi {}, nice to meet you.")]


@pytest.mark.parametrize(("text", "prose"), [
    ("Thank you.", True), ("Show all pending", True), ("What's happening: {}", True),
    ("Done.", True), ("story.welcome", False), ("{} ({})", False), ("digest-chart.png", False),
    ("%Y-%m-%d %H:%M", False), (r"\bcan'?t\b|\bcannot\b", False), ("field(s)", False),
    ("SELECT id FROM stories", False), ("me", False), ("choice.", False),
])
def test_what_looks_like_prose(text: str, prose: bool) -> None:
    assert looks_like_prose(text) is prose


# Every language has the same keys and placeholders
def entry_keys(path: Path) -> list[str]:
    with path.open("rb") as po:
        return [str(m.context) for m in read_po(po) if m.id]


def key_differences(template: list[str], catalogue: Iterable[str]) -> list[str]:
    have = set(catalogue)
    return ([f"missing {key}" for key in template if key not in have]
            + [f"not in the template: {key}" for key in sorted(have - set(template))])


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def placeholder_problems(catalogue: words.Catalogue) -> list[str]:
    """Each translated form must use only the English placeholders, and all of them between
    its forms (a plural's "one" form may say "one" instead of {count})."""
    problems = []
    for entry in catalogue.entries.values():
        english = set().union(*map(placeholders, entry.english))
        translated = [placeholders(form) for form in entry.translated]
        if translated and (set().union(*translated) != english
                           or any(form - english for form in translated)):
            problems.append(f"{entry.key}: {sorted(english)} in English, "
                            f"{[sorted(form) for form in translated]} translated")
    return problems


def test_the_template_is_made_from_the_english_catalogue() -> None:
    with words.TEMPLATE.open("rb") as pot:
        written = [(m.context, m.id, m.string, m.auto_comments, sorted(m.flags))
                   for m in read_po(pot) if m.id]
    made = [(m.context, m.id, m.string, m.auto_comments, sorted(m.flags))
            for m in words.template() if m.id]
    assert written == made, "run: python -m bot.core.words --template"


@pytest.mark.parametrize("locale", words.locales())
def test_every_catalogue_has_exactly_the_templates_keys(locale: str) -> None:
    assert key_differences(entry_keys(words.TEMPLATE), words.keys(locale)) == []


@pytest.mark.parametrize("locale", words.locales())
def test_translations_keep_their_placeholders(locale: str) -> None:
    assert placeholder_problems(words.catalogue(locale)) == []


def test_english_forms_agree_and_leave_says_own_arguments_alone() -> None:
    for entry in words.catalogue(words.ENGLISH).entries.values():
        names = [placeholders(form) for form in entry.english]
        assert all(n == names[0] for n in names), entry.key
        assert not {"key", "locale"} & names[0], entry.key


BROKEN = '''
msgid ""
msgstr ""
"Language: cy\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgctxt "welcome"
msgid "Hello {name}."
msgstr "Helo {enw}."

msgctxt "extra"
msgid "Extra"
msgstr ""
'''


def test_the_checks_find_missing_keys_and_changed_placeholders(tmp_path: Path) -> None:
    broken = write_catalogue(tmp_path, "cy", BROKEN)
    assert key_differences(["welcome", "farewell"], broken.entries) == [
        "missing farewell", "not in the template: extra"]
    assert placeholder_problems(broken) == ["welcome: ['name'] in English, [['enw']] translated"]


# Reading a catalogue
POLISH = '''
msgid ""
msgstr ""
"Language: pl\\n"
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20)'''\
''' ? 1 : 2);\\n"

#. Words people may type, separated by |.
msgctxt "yes"
msgid "yes|yep| ok |"
msgstr "tak|no|dobrze"

#, fuzzy
msgctxt "welcome"
msgid "Hello."
msgstr "Cze\u015b\u0107?"

#, python-brace-format
msgctxt "stories"
msgid "{count} story"
msgid_plural "{count} stories"
msgstr[0] "{count} historia"
msgstr[1] "{count} historie"
msgstr[2] "{count} historii"

#, python-brace-format
msgctxt "untranslated"
msgid "{count} story"
msgid_plural "{count} stories"
msgstr[0] ""
msgstr[1] ""
msgstr[2] ""
'''


def write_catalogue(root: Path, locale: str, text: str) -> words.Catalogue:
    path = root / locale / "LC_MESSAGES" / "storyloop.po"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return words.load(path)


def test_a_catalogue_gives_translations_plurals_and_typed_words(tmp_path: Path) -> None:
    polish = write_catalogue(tmp_path, "pl", POLISH)
    assert polish.locale == "pl"
    assert polish.words("yes") == ("tak", "no", "dobrze")
    assert polish.say("welcome") == "Hello."  # a fuzzy translation is not used yet
    assert [polish.say("stories", count=n) for n in (1, 3, 5, 22)] == [
        "1 historia", "3 historie", "5 historii", "22 historie"]
    assert [polish.say("untranslated", count=n) for n in (1, 3)] == ["1 story", "3 stories"]


def test_english_plurals() -> None:
    assert [words.say("digest.count.stories", count=n) for n in (0, 1, 2)] == [
        "0 stories", "1 story", "2 stories"]
    with pytest.raises(KeyError, match="give it a count"):
        words.say("digest.count.stories")


def test_a_missing_key_or_value_is_named() -> None:
    with pytest.raises(KeyError, match=r"'no\.such\.key'.*'en'"):
        words.say("no.such.key")
    with pytest.raises(KeyError, match=r"needs a value for \{opening\}"):
        words.say("situation.opening")


def test_a_missing_catalogue_names_its_path() -> None:
    with pytest.raises(CatalogueError, match=r"locales/cy/LC_MESSAGES/storyloop\.po"):
        words.say("story.welcome", "cy")
    with pytest.raises(CatalogueError, match="not a locale name"):
        words.catalogue("../../etc")


def test_a_broken_catalogue_names_its_path(tmp_path: Path) -> None:
    for problem, text in [("no msgctxt", 'msgid "Hello"\nmsgstr ""\n'),
                          ("used twice", 'msgctxt "a"\nmsgid "A"\nmsgstr ""\n\n'
                                         'msgctxt "a"\nmsgid "B"\nmsgstr ""\n')]:
        path = tmp_path / problem / "LC_MESSAGES" / "storyloop.po"
        path.parent.mkdir(parents=True)
        path.write_text(text)
        with pytest.raises(CatalogueError, match=problem) as raised:
            words.load(path)
        assert str(path) in str(raised.value)


def test_the_old_names_read_the_catalogue() -> None:
    assert PROMPTS["story.welcome"] == words.say("story.welcome")
    assert CHOICE_LABELS["my team"] == "My team"
    assert "forget.done" not in PROMPTS  # plural: it needs a count
    assert len(CHOICE_LABELS) == sum(k.startswith("choice.") for k in words.catalogue().entries)


# Every key the code asks for is there
def test_every_key_the_code_names_is_in_the_catalogue(source: dict[str, list[list[Any]]]) -> None:
    known = words.keys()
    missing = [f"{path}:{line} {key}" for path, line, key in source["keys"]
               if key not in known and not any(k.startswith(key) for k in known)]
    assert not missing


def test_every_key_the_code_builds_is_in_the_catalogue() -> None:
    for kind in Identifier:
        assert default_placeholder(kind).endswith(" removed]")
    assert set(render._BY) == {t.value for t in TriedBy} - {TriedBy.NOBODY.value}
    for key in [*render._BY.values(), *render._ROLES.values()]:
        words.say(key)
    for month in range(1, 13):
        words.say_date("date.long", date(2026, month, 1))
    told = story(tried="A list", tried_by=TriedBy.ME, enhance="e", restore="r", replace="p",
                 become="b", spread="s", outcome="o", themes=("access",))
    assert len(list(content._questions([told]))) == 4
    assert "Could it become" in render.to_markdown_full([told])
    assert "They agreed to: summaries, quotes, contact, naming" in moderation.describe(told)


def story(**fields: Any) -> Story:
    at = datetime(2026, 3, 2, tzinfo=UTC)
    consent = Consent(store=True, digest=True, quote=True, contact=True, name=True,
                      wording_version="v1", given_at=at)
    return Story(id=1, platform=Platform("test"), participant=UserId("@p"), flow="story",
                 situation="It was slow.", role=Role.STAFF, status=StoryStatus.APPROVED,
                 consent=consent, created_at=at, updated_at=at, **fields)
