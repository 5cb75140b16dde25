"""robots.txt rules as RFC 9309 reads them (the fetcher's use of them is in test_fetch.py)."""

from __future__ import annotations

import pytest

from marsad.watch import robots
from marsad.watch.robots import parse

ROBOTS = """
# Everyone
User-agent: *
Disallow: /private/
Allow: /private/open/
Disallow: /*.pdf$
Disallow: /search?
Crawl-delay: 4

User-agent: Marsad
User-agent: other-bot
Disallow: /drafts/
Allow: /drafts/public
Crawl-delay: 2.5

User-agent: GreedyBot
Disallow: /
"""


def allowed(text: str, path: str, agent: str = "somebot") -> bool:
    return parse(text, agent).allows("http://example.com" + path)


@pytest.mark.parametrize("path, expected", [
    ("/", True), ("/news/1", True), ("/private/x", False), ("/private/open/x", True),  # longest match wins
    ("/files/report.pdf", False), ("/files/report.pdf?x=1", True),  # $ anchors the end
    ("/search?q=x", False), ("/search", True),
])
def test_the_star_group(path, expected):
    assert allowed(ROBOTS, path) is expected


def test_our_own_group_replaces_the_star_group():
    rules = parse(ROBOTS, "marsad")
    assert rules.crawl_delay == 2.5
    assert not rules.allows("http://e.com/drafts/x")
    assert rules.allows("http://e.com/drafts/public/1")  # longer Allow wins
    assert rules.allows("http://e.com/private/x")  # the * group does not apply to us


def test_a_group_for_others_does_not_bind_us():
    assert parse("User-agent: GreedyBot\nDisallow: /\n", "marsad").allows("http://e.com/a")


def test_allow_wins_a_tie_and_empty_disallow_allows():
    assert allowed("User-agent: *\nDisallow: /a\nAllow: /a\n", "/a")
    assert allowed("User-agent: *\nDisallow:\n", "/anything")


def test_wildcards_and_encoding():
    text = "User-agent: *\nDisallow: /*/print\nDisallow: /أخبار/\n"
    assert not allowed(text, "/2024/x/print")
    assert not allowed(text, "/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/1")  # the rule's path, percent-encoded
    assert allowed(text, "/2024/x/printer") is False  # a prefix, not a word
    assert allowed(text, "/news")


def test_rules_before_any_user_agent_and_junk_lines_are_ignored():
    text = "Disallow: /\nthis is not a rule\nUser-agent: *\nCrawl-delay: soon\nDisallow: /x\n"
    rules = parse(text, "marsad")
    assert rules.allows("http://e.com/a") and not rules.allows("http://e.com/x/1")
    assert rules.crawl_delay is None


@pytest.mark.parametrize("status, allows, keep", [
    (200, False, robots.FRESH_SECONDS),  # its rules
    (404, True, robots.FRESH_SECONDS), (401, True, robots.FRESH_SECONDS), (403, True, robots.FRESH_SECONDS),
    (500, False, robots.UNREACHABLE_SECONDS), (503, False, robots.UNREACHABLE_SECONDS),
    (429, False, robots.UNREACHABLE_SECONDS),
    (None, False, robots.UNREACHABLE_SECONDS),  # no answer: unreachable
])
def test_what_each_answer_means(status, allows, keep):
    body = b"User-agent: *\nDisallow: /\n"
    rules, seconds = robots.from_response(status, body, "marsad", problem="timed out")
    assert rules.allows("http://e.com/a") is allows
    assert seconds == keep
    if not allows and status != 200:
        assert rules.deny_all and rules.reason


def test_a_byte_order_mark_and_a_versioned_agent_are_understood():
    body = "\ufeffUser-agent: Marsad/0.1\nDisallow: /drafts/\n".encode()
    rules, _ = robots.from_response(200, body, "marsad")
    assert not rules.allows("http://e.com/drafts/1") and rules.allows("http://e.com/news/1")


def test_only_the_first_500_kib_are_read():
    text = "User-agent: *\n" + "Allow: /x\n" * 60_000 + "Disallow: /late\n"
    rules, _ = robots.from_response(200, text.encode(), "marsad")
    assert rules.allows("http://e.com/late")
