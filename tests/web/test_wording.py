"""Honest wording: no page, in any language, says "conflict-free", "ethical", "responsible",
"sustainable", "guaranteed", or reads like a sustainability label (docs/consumer-page.md, the
wording table; Directive (EU) 2024/825 and FTC Act §5).

Every kind of page is rendered in every language, its visible text read (and the attributes a
screen reader speaks), and each forbidden phrase is looked for in English and in the language's
own words for it."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest

from clearstone_api.web.i18n import LANGUAGES
from tests.support.harness import ASGIClient

Loader = Callable[[str], None]

FORBIDDEN = {
    "en": [
        r"conflict[\s-]*free",
        r"ethical",
        r"responsib",
        r"sustainab",
        r"guarantee",
        r"eco[\s-]*friendly",
        r"green diamond",
        r"certified (clean|ethical|sustainable)",
    ],
    "fr": [r"sans conflit", r"[ée]thique", r"responsab", r"durab", r"garanti", r"écologique"],
    "de": [r"konfliktfrei", r"ethisch", r"verantwortungs", r"nachhaltig", r"garantiert"],
    "es": [r"libres? de conflicto", r"[ée]tic[oa]", r"responsab", r"sostenib", r"garantiz"],
    "it": [r"liber[oi] da conflitt", r"etic[oia]", r"responsab", r"sostenibil", r"garantit"],
    "zh-Hans": [r"无冲突", r"道德", r"负责任", r"可持续", r"保证", r"环保"],
    "hi": [r"संघर्ष[\s-]*मुक्त", r"नैतिक", r"ज़िम्मेदार", r"जिम्मेदार", r"टिकाऊ", r"गारंटी"],
    "ar": [r"خال[يٍ]?[ةه]? من النزاع", r"أخلاقي", r"مسؤول", r"مستدام", r"مضمون", r"صديق للبيئة"],
}

PAGES = [
    "/",
    "/check/DEMO-ZW-MARANGE-2008",
    "/check/DEMO-BW-2023",
    "/check/DEMO-CF-BRIA-2019",
    "/check/DEMO-CF-BERBERATI-2019",
    "/check/DEMO-POLISHED-UNLINKED",
    "/check/DEMO-LAB-GROWN",
    "/check/GIA-0000310041",
    "/check/%3Cb%3E",
    "/no/such/page",
]


class _Text(HTMLParser):
    """The text a reader sees or hears: text nodes and spoken attributes, no markup."""

    SPOKEN = ("aria-label", "title", "alt", "content")

    def __init__(self, html: str) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        del tag  # every element's spoken attributes count
        self.parts += [value for name, value in attrs if name in self.SPOKEN and value]

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _visible(html: str) -> str:
    return " ".join(" ".join(_Text(html).parts).split())


@pytest.mark.parametrize("code", [language.code for language in LANGUAGES])
def test_no_page_says_a_forbidden_phrase_in_any_language(
    load: Loader, client: ASGIClient, code: str
) -> None:
    for url in PAGES:
        if url.startswith("/check/DEMO-"):
            load(url.removeprefix("/check/"))
    patterns = [re.compile(p, re.IGNORECASE) for p in FORBIDDEN["en"] + FORBIDDEN[code]]
    for url in PAGES:
        response = client.get(url, params={"lang": code}, headers={"accept": "text/html"})
        assert response.headers["content-type"] == "text/html; charset=utf-8", url
        assert response.headers["content-language"] == code, url
        text = _visible(response.text)
        found = [(p.pattern, text[max(0, m.start() - 60) : m.end() + 60])
                 for p in patterns for m in p.finditer(text)]  # fmt: skip
        assert found == [], (url, found)


def test_the_checker_would_catch_a_forbidden_phrase() -> None:
    """The test above can fail: the same reading finds the phrases where they are."""
    html = '<p>A <b>conflict-free</b> stone</p><a aria-label="100 % éthique">x</a>'
    text = _visible(html)
    assert re.search(FORBIDDEN["en"][0], text, re.IGNORECASE)
    assert re.search(FORBIDDEN["fr"][1], text, re.IGNORECASE)
