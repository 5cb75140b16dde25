"""robots.txt as RFC 9309 reads it: the group for our product token (else ``*``), the longest matching rule
wins (Allow on a tie), ``*`` and ``$`` in patterns, and the common Crawl-delay extension.

What a robots.txt answer means for a host: 2xx its rules, 4xx no rules (everything allowed), 5xx, 429 or no
answer the whole host disallowed until we ask again a little later (the RFC's "unreachable").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from marsad.watch.urls import percent_encode

# The RFC asks crawlers to read at least the first 500 KiB.
MAX_BYTES = 512 * 1024
# How long an answer is trusted (the RFC: at most 24 hours), and how soon an unreachable one is asked again.
FRESH_SECONDS = 24 * 3600.0
UNREACHABLE_SECONDS = 300.0
_SAFE = "/%:@!$&'()*+,;=-._~?*"


@dataclass(frozen=True, slots=True)
class Rules:
    """The rules of one host for our crawler."""

    rules: tuple[tuple[bool, str], ...] = ()  # (allow, pattern), in file order
    crawl_delay: float | None = None
    deny_all: bool = False  # robots.txt could not be read: nothing may be fetched for now
    reason: str | None = None  # why deny_all, for the error line

    def allows(self, url: str) -> bool:
        if self.deny_all:
            return False
        parts = urlsplit(url)
        target = percent_encode(parts.path or "/", _SAFE) + (f"?{parts.query}" if parts.query else "")
        best_len, allowed = -1, True
        for allow, pattern in self.rules:
            if len(pattern) >= best_len and _compile(pattern).match(target):
                if len(pattern) > best_len or allow:
                    allowed = allow
                best_len = len(pattern)
        return allowed


ALLOW_ALL = Rules()


@dataclass(slots=True)
class _Group:
    agents: list[str] = field(default_factory=list)
    rules: list[tuple[bool, str]] = field(default_factory=list)
    crawl_delay: float | None = None


def parse(text: str, agent: str) -> Rules:
    """The rules that apply to the crawler whose product token is ``agent``."""
    groups = _groups(text)
    token = agent.lower()
    mine = [g for g in groups if token in g.agents] or [g for g in groups if "*" in g.agents]
    rules = tuple(r for g in mine for r in g.rules)
    delays = [g.crawl_delay for g in mine if g.crawl_delay is not None]
    return Rules(rules=rules, crawl_delay=max(delays) if delays else None)


def _groups(text: str) -> list[_Group]:
    groups: list[_Group] = []
    group: _Group | None = None
    in_agents = False  # consecutive user-agent lines open one group
    for line in text.splitlines():
        key, _, value = line.split("#", 1)[0].partition(":")
        key, value = key.strip().lower(), value.strip()
        if key == "user-agent":
            if group is None or not in_agents:
                group = _Group()
                groups.append(group)
            group.agents.append(value.split("/", 1)[0].strip().lower())  # "marsad/1.0" names marsad
            in_agents = True
        elif group is not None and key in ("allow", "disallow"):
            in_agents = False
            if value:  # an empty Disallow allows everything: no rule
                group.rules.append((key == "allow", percent_encode(value, _SAFE)))
        elif group is not None and key == "crawl-delay":
            in_agents = False
            group.crawl_delay = _seconds(value)
    return groups


def _seconds(value: str) -> float | None:
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if 0 <= seconds < float("inf") else None


@lru_cache(maxsize=4096)
def _compile(pattern: str) -> re.Pattern:
    anchored = pattern.endswith("$")
    body = ".*".join(re.escape(piece) for piece in pattern.rstrip("$").split("*"))
    return re.compile(body + (r"\Z" if anchored else ""))


def from_response(status: int | None, body: bytes, agent: str,
                  problem: str | None = None) -> tuple[Rules, float]:
    """The rules a robots.txt answer gives, and how many seconds to keep them. ``status`` is None when
    no answer came (``problem`` says why)."""
    if status is not None and 200 <= status < 300:
        return parse(body[:MAX_BYTES].decode("utf-8-sig", "replace"), agent), FRESH_SECONDS
    if status is not None and 400 <= status < 500 and status != 429:  # 429 asks us to slow down
        return ALLOW_ALL, FRESH_SECONDS
    if status is not None:
        return Rules(deny_all=True, reason=f"answered HTTP {status}"), UNREACHABLE_SECONDS
    reason = f"could not be read ({problem or 'no answer'})"
    return Rules(deny_all=True, reason=reason), UNREACHABLE_SECONDS
