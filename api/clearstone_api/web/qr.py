"""A QR code per certificate, for the shop counter: an inline SVG that opens the stone's page.

The code encodes the page of the stone's Clearstone id (``/check/CS-...``): one id per stone,
never ambiguous or disputed the way a report number can be. segno draws it as one SVG path (no
inline style, so the pages' Content-Security-Policy holds), with a medium error-correction level
that survives a scuffed print. The SVG is an image with an accessible name.

Example::

    qr = certificate_qr("https://check.example/check/CS-EZFZ41X9YCRH", "QR code: ...")
    str(qr.svg)  # '<svg role="img" aria-label="QR code: ..." viewBox=...'
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import segno
from markupsafe import Markup, escape

__all__ = ["CertificateQr", "certificate_qr"]


@dataclass(frozen=True)
class CertificateQr:
    url: str
    svg: Markup


@functools.lru_cache(maxsize=1024)
def certificate_qr(url: str, label: str) -> CertificateQr:
    """The QR code of ``url``, named ``label`` for assistive technology."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=4, border=2, omitsize=True, svgclass="qr-code", lineclass=None)
    named = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    # segno's own markup; the only text put in is the escaped label.
    return CertificateQr(url=url, svg=Markup(named))
