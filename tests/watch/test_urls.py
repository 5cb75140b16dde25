"""URL normalization: one spelling per article, whichever listing linked it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marsad.watch.urls import normalize, origin


@pytest.mark.parametrize("raw, expected", [
    ("HTTP://Example.COM/News", "http://example.com/News"),
    ("http://example.com:80/a", "http://example.com/a"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("http://example.com:8080/a", "http://example.com:8080/a"),
    ("http://example.com", "http://example.com/"),
    ("http://example.com/a#comments", "http://example.com/a"),
    ("http://example.com/a?utm_source=rss&utm_medium=feed&UTM_Campaign=x", "http://example.com/a"),
    ("http://example.com/a?fbclid=1&id=7&gclid=2", "http://example.com/a?id=7"),
    ("http://example.com/a?b=2&a=1", "http://example.com/a?a=1&b=2"),
    ("http://example.com/a?t=2&a=1&t=1", "http://example.com/a?a=1&t=2&t=1"),  # repeated names keep order
    ("http://example.com/%7euser/%e2%82%ac", "http://example.com/~user/%E2%82%AC"),
    ("  http://example.com/a  ", "http://example.com/a"),
    ("http://[::1]:8000/a", "http://[::1]:8000/a"),
])
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_arabic_paths_spelt_raw_or_encoded_are_one_url():
    raw = "https://www.aawsat.com/العالم-العربي/خبر?قسم=سياسة"
    encoded = ("https://www.aawsat.com/%D8%A7%D9%84%D8%B9%D8%A7%D9%84%D9%85-%D8%A7%D9%84%D8%B9%D8%B1%D8%A8%D9%8A/"
               "%d8%ae%d8%a8%d8%b1?%D9%82%D8%B3%D9%85=%D8%B3%D9%8A%D8%A7%D8%B3%D8%A9")
    assert normalize(raw) == normalize(encoded)
    assert normalize(raw).isascii()


def test_an_arabic_host_name_has_one_spelling():
    assert normalize("http://مثال.إختبار/أخبار") == normalize("http://XN--MGBH0FB.xn--kgbechtv/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1")
    assert normalize("http://مثال.إختبار/").startswith("http://xn--mgbh0fb.xn--kgbechtv/")


def test_reserved_characters_keep_their_meaning():
    # An encoded slash or ampersand is not the same URL as a bare one.
    assert normalize("http://e.com/a%2Fb?q=a%26b") == "http://e.com/a%2Fb?q=a%26b"
    assert normalize("http://e.com/a%2Fb") != normalize("http://e.com/a/b")


@pytest.mark.parametrize("bad", ["ftp://example.com/a", "mailto:news@example.com", "javascript:void(0)",
                                 "/relative/path", "http://", "http://example.com:99999/"])
def test_only_web_urls(bad):
    with pytest.raises(ValueError):
        normalize(bad)


def test_origin_is_scheme_host_and_port():
    assert origin("HTTP://User@Example.com:80/a?b#c") == "http://example.com"
    assert origin("https://example.com:8443/x") == "https://example.com:8443"


_PIECES = list("abcAB09-_.~%/?&=#:@ ") + ["خبر", "é", "utm_x", "fbclid", "%2f", "%41"]
_part = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)


@given(host=st.sampled_from(["Example.com", "news.example.org", "127.0.0.1:8000"]), rest=_part,
       scheme=st.sampled_from(["http", "HTTPS"]))
def test_normalize_is_idempotent_and_drops_tracking(host, rest, scheme):
    try:
        once = normalize(f"{scheme}://{host}/{rest}")
    except ValueError:
        return
    assert normalize(once) == once
    assert "#" not in once and once.isascii()
    query = once.partition("?")[2]
    names = [p.split("=", 1)[0].lower() for p in query.split("&") if p]
    assert not any(n.startswith("utm_") or n == "fbclid" for n in names)
