"""Everything storyloop says, and the words people may type, in one catalogue per language.

A catalogue is a gettext file, ``bot/core/locales/<locale>/LC_MESSAGES/storyloop.po``, read
with Babel, so translators can use the tools they know (Poedit, Weblate). In each entry
``msgctxt`` is the stable key (``story.welcome``, ``choice.start``, ``digest.heading.tried``),
``msgid`` the English and ``msgstr`` the translation; an empty (or fuzzy) ``msgstr`` means "not
translated yet" and the English is used, as gettext does. ``{placeholders}`` are filled with
:meth:`str.format`. An entry with ``msgid_plural`` picks its form by the value ``count``. An
entry for words people may type holds them separated by ``|`` (its ``#.`` note says so).

    say("status", number=3, total=12, prompt="...")    the message, filled in
    say("digest.count.stories", count=2)                "2 stories"
    words("some.key")                                   ("yes", "yep", "ok"), say for a |-entry
    keys("en"), locales()

Each catalogue is read once. A missing key raises KeyError naming the key and the locale; a
missing or broken file raises :class:`~bot.core.errors.CatalogueError` naming the path.
``locales/storyloop.pot`` is the template for a new language, made from the English catalogue
by ``python -m bot.core.words --template``. See docs/words.md.
"""

from __future__ import annotations

import argparse
import gettext
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po, write_po

from bot.core.errors import CatalogueError

DOMAIN = "storyloop"
ENGLISH = "en"
LOCALES = Path(__file__).with_name("locales")
TEMPLATE = LOCALES / f"{DOMAIN}.pot"
SEPARATOR = "|"
"""Between the words of an entry read by :func:`words`."""
WIDTH = 76
"""Where written catalogues wrap their lines, as Babel and Poedit do by default."""
_LOCALE_NAME = re.compile(r"^[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*$")
_TEMPLATE_HEADER = """\
# storyloop's words: the template for a new language (see docs/words.md).
# Copy to bot/core/locales/<locale>/LC_MESSAGES/storyloop.po, translate.
# Made from the English catalogue: python -m bot.core.words --template
#"""


@dataclass(frozen=True)
class Entry:
    """One message: its key, its English (one form, or singular and plural) and its
    translation (empty while untranslated or fuzzy)."""

    key: str
    english: tuple[str, ...]
    translated: tuple[str, ...] = ()

    @property
    def plural(self) -> bool:
        return len(self.english) > 1


@dataclass(frozen=True)
class Catalogue:
    """One language's messages, by key."""

    locale: str
    path: Path
    entries: Mapping[str, Entry]
    plural_form: Callable[[int], int]
    """Which plural form a count takes (from the file's ``Plural-Forms``)."""

    def entry(self, key: str) -> Entry:
        try:
            return self.entries[key]
        except KeyError:
            raise KeyError(f"no message {key!r} in the {self.locale!r} catalogue "
                           f"({self.path})") from None

    def text(self, key: str, count: int | None = None) -> str:
        """The words for ``key`` as written, placeholders unfilled."""
        entry = self.entry(key)
        if not entry.plural:
            return (entry.translated or entry.english)[0]
        if count is None:
            raise KeyError(f"{key!r} ({self.locale}) has plural forms: give it a count")
        if entry.translated:
            return entry.translated[min(self.plural_form(count), len(entry.translated) - 1)]
        return entry.english[0 if count == 1 else 1]

    def say(self, key: str, **values: object) -> str:
        count = values.get("count")
        text = self.text(key, count if isinstance(count, int) else None)
        try:
            return text.format(**values)
        except KeyError as missing:
            raise KeyError(f"{key!r} ({self.locale}) needs a value for "
                           f"{{{missing.args[0]}}}") from None

    def words(self, key: str) -> tuple[str, ...]:
        return tuple(w.strip() for w in self.text(key).split(SEPARATOR) if w.strip())


def say(key: str, locale: str = ENGLISH, **values: object) -> str:
    """The message ``key`` in ``locale``, its ``{placeholders}`` filled from ``values``."""
    return catalogue(locale).say(key, **values)


def words(key: str, locale: str = ENGLISH) -> tuple[str, ...]:
    """The words people may type for ``key`` (an entry of words separated by ``|``)."""
    return catalogue(locale).words(key)


def say_date(key: str, when: date, locale: str = ENGLISH) -> str:
    """A date in the words of ``key``, e.g. ``date.medium``: "05 Nov 2026"."""
    return say(key, locale, day=when.day, year=when.year,
               month=say(f"month.{when.month}", locale),
               month_short=say(f"month.short.{when.month}", locale))


def keys(locale: str = ENGLISH) -> tuple[str, ...]:
    """Every key of a catalogue, in the file's order."""
    return tuple(catalogue(locale).entries)


def locales() -> tuple[str, ...]:
    """Every locale that has a catalogue."""
    return tuple(sorted(po.parents[1].name for po in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po")))


@cache
def catalogue(locale: str = ENGLISH) -> Catalogue:
    """The catalogue of ``locale``, read once."""
    return load(po_path(locale))


def po_path(locale: str) -> Path:
    if not _LOCALE_NAME.match(locale):
        raise CatalogueError(repr(locale), "not a locale name (like en, cy or pt_BR)")
    return LOCALES / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def load(path: Path) -> Catalogue:
    """Read one catalogue file, not cached; its locale is the directory it sits in."""
    catalog = _read(path)
    return Catalogue(locale=path.parents[1].name, path=path, entries=_entries(catalog, path),
                     plural_form=gettext.c2py(catalog.plural_expr))


def _read(path: Path) -> Catalog:
    try:
        with path.open("rb") as po:
            return read_po(po, abort_invalid=True)
    except FileNotFoundError:
        raise CatalogueError(str(path), "there is no word catalogue here") from None
    except (PoFileError, UnicodeDecodeError) as error:
        raise CatalogueError(str(path), f"not a readable .po file: {error}") from error


def _entries(catalog: Catalog, path: Path) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for message in catalog:
        if not message.id:
            continue  # the header
        entry = _entry(message, path)
        if entry.key in entries:
            raise CatalogueError(str(path), f"the key {entry.key!r} is used twice")
        entries[entry.key] = entry
    return entries


def _entry(message: Message, path: Path) -> Entry:
    english = _forms(message.id)
    if not message.context:
        raise CatalogueError(str(path), f"{english[0]!r} has no msgctxt (its key)")
    translated = _forms(message.string)
    usable = all(translated) and not message.fuzzy
    return Entry(message.context, english, translated if usable else ())


def _forms(text: str | Sequence[str | None] | None) -> tuple[str, ...]:
    return (text,) if isinstance(text, str) else tuple(t or "" for t in text or ())


# The template for a new language
def template() -> Catalog:
    """The English catalogue with every translation empty: what a new language starts from."""
    english = _read(po_path(ENGLISH))
    pot = Catalog(header_comment=_TEMPLATE_HEADER, project=DOMAIN, version=english.version,
                  creation_date=english.creation_date, revision_date=english.creation_date)
    for message in english:
        if message.id:
            empty = "" if isinstance(message.id, str) else ("",) * len(message.id)
            pot.add(message.id, empty, context=message.context, flags=message.flags - {"fuzzy"},
                    auto_comments=message.auto_comments)
    return pot


def write_template(path: Path = TEMPLATE) -> None:
    with path.open("wb") as out:
        write_po(out, template(), width=WIDTH)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.core.words", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--template", action="store_true", required=True,
                        help=f"write {TEMPLATE.name} from the English catalogue")
    parser.parse_args(argv)
    write_template()
    print(TEMPLATE)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
