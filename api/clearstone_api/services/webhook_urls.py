"""Server-side request forgery guard for webhook endpoints.

A webhook URL is chosen by a client and fetched by our servers, so it must not reach what only
our servers can: loopback, private networks, link-local (cloud metadata at 169.254.169.254),
multicast, reserved and unspecified addresses, in IPv4, IPv6 and IPv4-mapped IPv6
(``::ffff:127.0.0.1``). In production only ``https`` URLs whose host resolves to public
addresses only are accepted; the check is made again at every delivery, against the addresses
the delivery then connects to (:func:`resolve_public`), so a name that later resolves to a
private address (DNS rebinding) is refused too.

``CLEARSTONE_WEBHOOKS_ALLOW_PRIVATE=1`` lifts the guard for development and tests: ``http``
and loopback receivers are then accepted.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse
from dataclasses import dataclass

from clearstone_api.errors import FieldError, Unprocessable

__all__ = ["Target", "UnsafeURL", "check_url", "is_public", "resolve_public"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeURL(Exception):
    """The URL may not be fetched; the message says why."""


def is_public(address: IPAddress) -> bool:
    """Whether ``address`` is a public unicast address (an IPv4-mapped one judged as IPv4)."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return is_public(mapped)
    return address.is_global and not (
        address.is_multicast
        or address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_reserved
        or address.is_unspecified
    )


@dataclass(frozen=True)
class Target:
    """Where a delivery connects: the URL's host and port, and the address checked."""

    scheme: str
    host: str
    port: int
    address: str


def _parts(url: str, allow_private: bool) -> urllib.parse.SplitResult:
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError as exc:
        raise UnsafeURL("not a valid URL") from exc
    allowed = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed:
        raise UnsafeURL("only https URLs are accepted")
    if not parts.hostname:
        raise UnsafeURL("the URL names no host")
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL("credentials in the URL are not accepted")
    return parts


def resolve_public(url: str, *, allow_private: bool) -> Target:
    """The address a request to ``url`` may connect to: its host resolved now, every address
    public (unless ``allow_private``). Raises :class:`UnsafeURL`."""
    parts = _parts(url, allow_private)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURL(f"the host {host!r} does not resolve") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses:
        raise UnsafeURL(f"the host {host!r} does not resolve")
    if not allow_private:
        refused = [a for a in addresses if not is_public(a)]
        if refused:
            raise UnsafeURL(f"the host resolves to a non-public address ({refused[0]})")
    return Target(parts.scheme, host, port, str(addresses[0]))


def check_url(url: str, *, allow_private: bool, field: str = "body.url") -> None:
    """422 naming ``field`` unless ``url`` may be registered as a webhook endpoint."""
    try:
        resolve_public(url, allow_private=allow_private)
    except UnsafeURL as refused:
        raise Unprocessable(
            f"The webhook URL is refused: {refused}.",
            errors=[FieldError(path=field, message=str(refused), type="url_refused")],
        ) from None
