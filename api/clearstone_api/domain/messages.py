"""Sentences as message ids with parameters, so a reader gets them in their own language.

The engine states some of what it found in sentences (the registry's coverage, for now). It
stores each as a :class:`Message`: an id from :data:`TEMPLATES` and the parameters to fill in.
The English text the API has always returned is :func:`render` of those messages, so the stored,
signed form stays deterministic and byte-exact for a given input; a reader's page renders the
same ids through its gettext catalog (``web/``), with the parameters (place names, counts,
years: record and registry data) as written.

Example::

    message = Message(id="coverage.no_site_data", params={"place": "Bria (CF)"})
    render(message)  # "No site-level data for Bria (CF): country context only"
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

__all__ = ["N_", "TEMPLATES", "Message", "render"]


def N_(message: str) -> str:
    """Mark ``message`` for extraction into the page's catalogs (``make translations``)."""
    return message


TEMPLATES: Mapping[str, str] = {
    "coverage.no_origin": N_(
        "The goods' mine or area of origin is not recorded, so only the parties in the chain "
        "and the country context could be checked"
    ),
    "coverage.no_site_data": N_("No site-level data for %(place)s: country context only"),
    "coverage.no_site_data.national": N_(
        "No site-level data for %(place)s: country context only; %(countrywide)s countrywide "
        "incident(s) for %(country)s checked"
    ),
    "coverage.site_clean": N_(
        "%(place)s is in Clearstone's site registry with no incident recorded for it or its "
        "area, and the country context was checked"
    ),
    "coverage.site_clean.national": N_(
        "%(place)s is in Clearstone's site registry with no incident recorded for it or its "
        "area; %(countrywide)s countrywide incident(s) for %(country)s checked, and the country "
        "context was checked"
    ),
    "coverage.incident": N_(
        "1 incident checked for %(place)s%(period)s, %(in_period)s overlapping the goods' "
        "period, and the country context"
    ),
    "coverage.incident.national": N_(
        "1 incident checked for %(place)s%(period)s, %(in_period)s overlapping the goods' "
        "period; %(countrywide)s countrywide incident(s) for %(country)s checked, and the "
        "country context"
    ),
    "coverage.incidents": N_(
        "%(count)s incidents checked for %(place)s%(period)s, %(in_period)s overlapping the "
        "goods' period, and the country context"
    ),
    "coverage.incidents.national": N_(
        "%(count)s incidents checked for %(place)s%(period)s, %(in_period)s overlapping the "
        "goods' period; %(countrywide)s countrywide incident(s) for %(country)s checked, and "
        "the country context"
    ),
}
"""Every message id and its English template (``%(name)s`` parameters)."""


class Message(BaseModel):
    """A sentence as a message id and its parameters."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    """A key of :data:`TEMPLATES`."""
    params: dict[str, str] = {}
    """Values for the template's ``%(name)s`` placeholders, as written (places, counts,
    years)."""


def render(message: Message, template: str | None = None) -> str:
    """``message`` in English, or through ``template`` (its translation) when given."""
    return (template or TEMPLATES[message.id]) % message.params
