"""Watching the news as it happens: sources followed politely, saved searches with alerts, what is rising.

- :mod:`marsad.watch.fetch`: the polite fetcher (robots.txt, per-host pacing, conditional GET, limits).
- :mod:`marsad.watch.discover`: article links found in RSS/Atom feeds, news sitemaps and section pages.
- :mod:`marsad.watch.sources` and :mod:`marsad.watch.loop`: the sources and the rounds of ``marsad watch``.
- :mod:`marsad.watch.alerts`: saved searches, matched against each round's new articles and delivered.
- :mod:`marsad.watch.trends`: entities, stories and alerts rising against their own baseline.
"""
