"""The page in eight languages: catalogs complete and compiled, the reader's language chosen by
the switcher, ``?lang=`` and ``Accept-Language``, dates and numbers in the reader's format, and
Arabic right to left."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from clearstone_api.web.i18n import LANGUAGES, LOCALES_DIR, Language, negotiate
from tests.support.harness import ASGIClient

Loader = Callable[[str], None]
ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [language for language in LANGUAGES if language.code != "en"]
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _extracted() -> set[str]:
    """The message ids in the code and templates now (what ``make translations`` extracts)."""
    method_map = [
        ("web/templates/**.html", "jinja2"),
        ("web/**.py", "python"),
        ("domain/messages.py", "python"),
        ("domain/kp_checks.py", "python"),
    ]
    options = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = extract_from_dir(
        str(ROOT / "api" / "clearstone_api"),
        method_map=method_map,
        options_map=options,
        keywords={"_": None, "N_": None, "ngettext": (1, 2), "gettext": None},
    )
    return {message if isinstance(message, str) else message[0] for _, _, message, *_ in found}


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda language: language.code)
def test_every_message_is_translated_and_the_compiled_catalog_is_current(
    language: Language,
) -> None:
    directory = LOCALES_DIR / language.locale / "LC_MESSAGES"
    with (directory / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=language.locale)
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    missing = _extracted() - ids
    assert not missing, f"run `make translations` and translate: {sorted(missing)[:5]}"
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and not message.fuzzy, message.id
        source = message.id if isinstance(message.id, str) else message.id[1]
        for translated in strings:
            assert set(_PLACEHOLDER.findall(translated)) <= set(_PLACEHOLDER.findall(source))
    compiled = (directory / "messages.mo").read_bytes()
    fresh = io.BytesIO()
    write_mo(fresh, catalog)
    assert compiled == fresh.getvalue(), "messages.mo is stale: run `make translations`"


@pytest.mark.parametrize(
    ("lang", "accept", "expected"),
    [
        ("fr", "de-DE,de", "fr"),
        (None, "de-DE,de;q=0.9,en;q=0.5", "de"),
        (None, "zh-CN,zh;q=0.9", "zh-Hans"),
        (None, "zh-Hans", "zh-Hans"),
        ("zh_Hans", None, "zh-Hans"),
        (None, "pt-BR,es;q=0.8", "es"),
        (None, "ar-EG", "ar"),
        (None, "hi-IN", "hi"),
        (None, "ja-JP", "en"),
        ("xx", "it-IT", "it"),
        (None, None, "en"),
        (None, "fr;q=0, it", "it"),
    ],
)
def test_the_language_is_lang_then_accept_language_then_english(
    lang: str | None, accept: str | None, expected: str
) -> None:
    assert negotiate(lang, accept).language.code == expected


def test_the_switcher_offers_every_language_by_its_own_name(client: ASGIClient) -> None:
    text = client.get("/", params={"lang": "de"}).text
    for language in LANGUAGES:
        assert f'href="/?lang={language.code}" lang="{language.code}"' in text
        assert f">{language.name}</a>" in text
    assert 'lang="de" hreflang="de" aria-current="true"' in text


def test_arabic_pages_read_right_to_left(client: ASGIClient) -> None:
    response = client.get("/check/GIA-0000000001", headers={"accept-language": "ar"})
    assert response.status_code == 404
    assert '<html lang="ar" dir="rtl">' in response.text
    assert response.headers["content-language"] == "ar"
    assert "لم يُعثر على حجر بهذا الرقم:" in response.text


def test_a_result_in_french_has_french_words_dates_and_numbers(
    load: Loader, client: ASGIClient
) -> None:
    load("DEMO-ZW-MARANGE-2008")
    text = client.get("/check/DEMO-ZW-MARANGE-2008", params={"lang": "fr"}).text
    assert '<html lang="fr" dir="ltr">' in text
    assert "Des atteintes aux droits humains documentées" in text
    assert "1 novembre 2026" in text
    assert "1,02 ct" in text
    assert "6,41 × 6,45 × 3,97 mm" in text
    assert "Signal d&#39;alarme" in text
    # The registry's coverage, stored as message ids, is rendered in French.
    assert "incidents examinés pour Chiadzwa diamond fields" in text
    # Record data and source titles stay as written.
    assert "Chiadzwa" in text


def test_the_chosen_language_follows_the_form_and_the_redirect(client: ASGIClient) -> None:
    home = client.get("/", params={"lang": "es"}).text
    assert '<input type="hidden" name="lang" value="es">' in home
    response = client.get(
        "/check", params={"number": "DEMO-BW-2023", "lang": "es"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/check/DEMO-BW-2023?lang=es"


def test_form_errors_are_in_the_readers_language(client: ASGIClient) -> None:
    text = client.get("/check", params={"number": "", "lang": "it"}).text
    assert "Inserite il numero di certificato" in text


def test_the_switcher_links_keep_the_number_url_encoded(client: ASGIClient) -> None:
    text = client.get("/check/gia%200000000001", params={"lang": "hi"}).text
    assert 'href="/check/gia%200000000001?lang=ar"' in text


def test_kp_check_titles_are_translated_and_reasons_marked_english(
    load: Loader, client: ASGIClient
) -> None:
    load("DEMO-CF-BRIA-2019")
    text = client.get("/check/DEMO-CF-BRIA-2019", params={"lang": "de"}).text
    assert "<strong>Sondermaßnahmen des KP am Herkunftsort an dem Tag" in text
    assert '<br><span lang="en">' in text
