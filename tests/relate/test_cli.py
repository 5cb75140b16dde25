from __future__ import annotations

import json

from click.testing import CliRunner

from marsad.cli import main


def _run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_stories_json(dev_db):
    result = _run("stories", "--db", str(dev_db), "--json")
    assert result.exit_code == 0, result.output
    stories = json.loads(result.output)["stories"]
    assert all(set(s) == {"id", "title", "articles", "outlets", "first_seen", "last_seen"} for s in stories)
    wedding = next(s for s in stories if "dev-068" in s["articles"])
    assert {"dev-066", "dev-067", "dev-068", "dev-069", "dev-070", "dev-071"} <= set(wedding["articles"])
    assert "zahlepolitics.com" in wedding["outlets"] and wedding["first_seen"].startswith("2023-06-01")


def test_stories_since(dev_db):
    result = _run("stories", "--db", str(dev_db), "--json", "--since", "2025-09-01")
    stories = json.loads(result.output)["stories"]
    assert stories and all(s["last_seen"] >= "2025-09-01" for s in stories)


def test_duplicates_json_names_titles_and_outlets(dev_db):
    result = _run("duplicates", "--db", str(dev_db), "--json")
    assert result.exit_code == 0, result.output
    groups = json.loads(result.output)["groups"]
    wedding = next(g for g in groups if g[0]["id"] == "dev-068")
    assert [c["id"] for c in wedding] == ["dev-068", "dev-070", "dev-071"]
    assert set(wedding[0]) == {"id", "title", "outlet", "published", "url", "source"}
    assert [c["source"] for c in wedding] == [True, False, False]
    assert [c["outlet"] for c in wedding] == ["nidaalwatan.com", "zahlepolitics.com", "zahratalkhaleej.ae"]
    assert all(c["title"] for c in wedding)


def test_duplicates_text_lists_outlet_date_and_title(dev_db, records):
    result = _run("duplicates", "--db", str(dev_db))
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if "dev-070" in x)
    title = records["dev-070"]["text"].strip().split("\n")[0].strip()
    assert "zahlepolitics.com" in line and title[:20] in line


def test_related_json_and_text(dev_db):
    result = _run("related", "dev-098", "--db", str(dev_db), "--json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)["related"]
    assert hits and set(hits[0]) == {"id", "title", "outlet", "published", "score", "reason"}
    text = _run("related", "dev-098", "--db", str(dev_db))
    assert text.exit_code == 0 and hits[0]["id"] in text.output


def test_unknown_article_is_one_line_and_exit_2(dev_db):
    result = _run("related", "no-such-id", "--db", str(dev_db))
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "no-such-id" in result.output
