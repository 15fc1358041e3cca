"""The reader's language: which one, its gettext catalog, and its dates and numbers.

The page speaks English, French, German, Spanish, Italian, Simplified Chinese, Hindi and Arabic
(right to left). :func:`negotiate` picks one, in this order: the visible switcher's choice, which
is a link carrying ``?lang=``; then the browser's ``Accept-Language`` (RFC 9110 §12.5.4, through
Babel's negotiation, so ``zh-CN`` and ``zh-Hans`` both find Simplified Chinese); then English.

Catalogs are gettext ``.po`` files in ``web/locales/<locale>/LC_MESSAGES/messages.po``, with the
compiled ``.mo`` committed beside them (a fresh clone needs no build step); ``make translations``
extracts, updates and compiles them, and ``tests/web/test_i18n.py`` fails when a ``.mo`` is
stale or a message lacks a translation. Record data (place names, incident titles) and source
titles stay as written.

Example::

    reader = reader_for("fr")
    reader.gettext("Red flag")        # "Signal d'alarme"
    reader.date(dt.date(2026, 11, 1))  # "1 novembre 2026"
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from babel.support import Translations

__all__ = ["LANGUAGES", "LOCALES_DIR", "Language", "Reader", "negotiate", "reader_for"]

LOCALES_DIR = Path(__file__).parent / "locales"


@dataclass(frozen=True)
class Language:
    code: str
    """The ``?lang=`` value and the ``<html lang>``: a BCP 47 tag."""
    locale: str
    """Babel's (and the catalog directory's) name."""
    name: str
    """The language's name in itself, as the switcher shows it."""


LANGUAGES = (
    # British English formats: "1 November 2026", as the page has always written dates.
    Language("en", "en_GB", "English"),
    Language("fr", "fr", "Français"),
    Language("de", "de", "Deutsch"),
    Language("es", "es", "Español"),
    Language("it", "it", "Italiano"),
    Language("zh-Hans", "zh_Hans", "简体中文"),
    Language("hi", "hi", "हिन्दी"),
    Language("ar", "ar", "العربية"),
)
_BY_CODE = {language.code.lower(): language for language in LANGUAGES}
_ALIASES = {"zh": "zh-hans", "zh-cn": "zh-hans", "zh-sg": "zh-hans", "zh_hans": "zh-hans"}


@dataclass(frozen=True)
class Reader:
    """One language's gettext and formats."""

    language: Language
    translations: gettext.NullTranslations

    @property
    def direction(self) -> str:
        order = Locale.parse(self.language.locale).character_order
        return "rtl" if order == "right-to-left" else "ltr"

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.translations.ngettext(singular, plural, count)

    def date(self, day: dt.date) -> str:
        """``1 November 2026`` in the reader's language and order."""
        return format_date(day, format="long", locale=self.language.locale)

    def moment(self, moment: dt.datetime) -> str:
        """A time of day in UTC (a naive time is taken to be UTC already, as stored)."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return format_datetime(moment, format="medium", tzinfo=dt.UTC, locale=self.language.locale)

    def number(self, value: Decimal | int | str) -> str:
        """``1.02`` with the reader's decimal sign (``1,02`` in French)."""
        return format_decimal(Decimal(str(value)), format="#,##0.00#", locale=self.language.locale)


@functools.cache
def reader_for(code: str) -> Reader:
    """The reader for a language code of :data:`LANGUAGES` (English for any other)."""
    language = _BY_CODE.get(code.lower(), LANGUAGES[0])
    translations: gettext.NullTranslations = gettext.NullTranslations()
    if language.code != "en":
        translations = Translations.load(LOCALES_DIR, [language.locale], domain="messages")
    return Reader(language, translations)


def _chosen(value: str | None) -> Language | None:
    if not value:
        return None
    key = value.strip().lower().replace("_", "-")
    key = _ALIASES.get(key, key)
    return _BY_CODE.get(key) or _BY_CODE.get(key.split("-")[0])


def negotiate(lang: str | None, accept_language: str | None) -> Reader:
    """``?lang=`` first, then ``Accept-Language``, then English."""
    chosen = _chosen(lang)
    if chosen is None and accept_language:
        wanted = []
        for item in accept_language.split(","):
            tag, _, params = item.strip().partition(";")
            quality = 1.0
            if params.strip().startswith("q="):
                try:
                    quality = float(params.strip()[2:])
                except ValueError:
                    quality = 0.0
            if tag and quality > 0:
                wanted.append((quality, tag.strip()))
        preferred = [tag.replace("-", "_") for _, tag in sorted(wanted, key=lambda w: -w[0])]
        available = [language.locale for language in LANGUAGES] + ["en", "zh_CN", "zh"]
        found = negotiate_locale(preferred, available, sep="_")
        if found:
            chosen = _chosen(found)
    return reader_for((chosen or LANGUAGES[0]).code)
