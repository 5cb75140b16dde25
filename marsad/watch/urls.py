"""One spelling per URL, so that an article linked from a feed, a sitemap and a section page is fetched once.

Scheme and host in lower case (an Arabic host name in its punycode spelling), the default port dropped,
no fragment, no tracking parameters, the query's parameters in a stable order by name, the path
percent-encoded one way (non-ASCII characters encoded, unreserved characters decoded, escapes in upper
case).
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Parameters that say where a reader came from, not which page it is.
_TRACKING_PREFIXES = ("utm_",)
_TRACKING_NAMES = frozenset({"fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid"})
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Characters left as they are when encoding a path or a query (reserved ones keep their meaning).
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"


def normalize(url: str) -> str:
    """The canonical spelling of an http(s) URL. Raises ValueError for anything else."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    host = _ascii_host(parts.hostname.lower())
    if ":" in host:
        host = f"[{host}]"
    port = parts.port  # raises ValueError for a port out of range
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username is not None:
        netloc = parts.netloc.rsplit("@", 1)[0] + "@" + netloc
    path = percent_encode(parts.path or "/", _SAFE_PATH)
    return urlunsplit((scheme, netloc, path, _query(parts.query), ""))


def _ascii_host(host: str) -> str:
    """An internationalized host name in its ASCII (punycode) spelling, as DNS and HTTP carry it."""
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"not a valid host name: {host!r}") from None


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL: the unit that robots.txt and politeness apply to."""
    parts = urlsplit(normalize(url))
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


def _query(query: str) -> str:
    pairs = [p for p in query.split("&") if p and not _tracking(p.split("=", 1)[0])]
    # A stable sort: parameters repeated under one name keep their order.
    pairs.sort(key=lambda p: percent_encode(p.split("=", 1)[0], _SAFE_QUERY))
    return "&".join(percent_encode(p, _SAFE_QUERY) for p in pairs)


def _tracking(name: str) -> bool:
    name = name.lower()
    return name.startswith(_TRACKING_PREFIXES) or name in _TRACKING_NAMES


def percent_encode(text: str, safe: str) -> str:
    """Non-ASCII characters percent-encoded as UTF-8, escapes of unreserved characters decoded."""
    text = quote(text, safe=safe)
    return _ESCAPE.sub(_escape, text)


def _escape(m: re.Match) -> str:
    char = chr(int(m.group(1), 16))
    return char if char in _UNRESERVED else "%" + m.group(1).upper()
