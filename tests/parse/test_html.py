"""HTML pages: two real pages against hand-checked golden JSON, crafted pages for metadata,
figures, related boxes and legacy encodings."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from marsad.errors import InputError
from marsad.parse import parse_bytes
from marsad.parse.encoding import decode

GOLDEN = Path(__file__).parent / "golden" / "html"
REAL_PAGES = ["cnn-arabic-2013-syria-clashes", "assabah-164913"]

BODY = ["أعلنت الحكومة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية بعد موسم جفاف طويل.",
        "وقال وزير الزراعة إن الخطة تشمل قروضاً ميسرة وتوزيع البذور على أكثر من عشرة آلاف أسرة.",
        "وأضاف أن التنفيذ يبدأ الشهر المقبل بالتعاون مع المنظمات الدولية والسلطات المحلية.",
        "ويأمل المزارعون أن تسهم الخطة في تعويض خسائرهم التي قدرت بملايين الدولارات."]


def _page(head: str = "", body: str = "", lang: str = "ar") -> str:
    return f'<!DOCTYPE html><html lang="{lang}"><head>{head}</head><body>{body}</body></html>'


def _paragraphs(texts=BODY) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


def _article(html: str, name: str = "page.html"):
    page = parse_bytes(html.encode("utf-8"), name)
    assert len(page.articles) == 1
    return page.articles[0]


@pytest.mark.parametrize("name", REAL_PAGES)
def test_real_pages_match_golden(shared: Path, name: str) -> None:
    data = (shared / "data/news/html-fixtures" / f"{name}.html").read_bytes()
    expected = json.loads((GOLDEN / f"{name}.json").read_text("utf-8"))
    assert parse_bytes(data, f"{name}.html").to_dict() == expected


def test_cnn_main_text_is_complete_and_clean(shared: Path) -> None:
    folder = shared / "data/news/html-fixtures"
    article = parse_bytes((folder / "cnn-arabic-2013-syria-clashes.html").read_bytes()).articles[0]
    expected = (folder / "cnn-arabic-2013-syria-clashes.expected.txt").read_text("utf-8").split()
    got = f"{article.dateline} -- {article.body}".split()
    assert got == expected  # every word, in order, and no comment-policy boilerplate
    assert article.dateline == "دمشق، سوريا (CNN)"
    assert article.headline == "معارضون يسيطرون على مخازن للصواريخ بريف دمشق"
    assert article.url == "http://arabic.cnn.com/2013/middle_east/8/3/syria.clashes/index.html"


def test_assabah_byline_and_date(shared: Path) -> None:
    data = (shared / "data/news/html-fixtures/assabah-164913.html").read_bytes()
    article = parse_bytes(data).articles[0]
    assert article.author == "آسيا العتروس"
    assert article.published == "2019-02-08T00:00:00+01:00"
    assert article.paragraphs[0].startswith("مالذي يحدث في السودان؟")
    # Question and answer separated by <br> are two paragraphs.
    assert "*كيف يمكن تقييم حصيلة ثلاثة عقود في ظل حكم البشير؟" in article.paragraphs
    assert not any("فاكس" in p or "الطقس" in p for p in article.paragraphs)


def test_json_ld_graph_metadata() -> None:
    ld = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "موقع"},
        {"@type": "NewsArticle", "headline": "خطة حكومية لدعم المزارعين",
         "datePublished": "2024-03-05T10:30:00+03:00", "articleSection": ["اقتصاد", "زراعة"],
         "author": [{"@type": "Person", "name": "سارة أحمد"}, {"@type": "Person", "name": "علي حسن"}],
         "publisher": {"@type": "Organization", "name": "صحيفة المثال"},
         "mainEntityOfPage": {"@id": "https://example.com/news/1"}}]}
    head = (f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
            '<meta property="og:title" content="عنوان من أوبن غراف - الموقع">')
    article = _article(_page(head, f"<article><h1>عنوان الصفحة</h1>{_paragraphs()}</article>"))
    assert article.headline == "خطة حكومية لدعم المزارعين"
    assert article.published == "2024-03-05T10:30:00+03:00"
    assert article.section == "اقتصاد"
    assert article.author == "سارة أحمد، علي حسن"
    assert article.publisher == "صحيفة المثال"
    assert article.url == "https://example.com/news/1"
    assert article.paragraphs == BODY


def test_opengraph_and_meta_fallbacks() -> None:
    head = ('<meta property="og:title" content="خطة لدعم المزارعين">'
            '<meta property="og:url" content="https://example.com/a/2">'
            '<meta property="og:site_name" content="المثال">'
            '<meta property="article:published_time" content="2024-03-05T07:00:00Z">'
            '<meta property="article:section" content="رأي">'
            '<meta name="author" content="منى خالد">')
    article = _article(_page(head, f"<div class='story'>{_paragraphs()}</div>"))
    assert (article.headline, article.url) == ("خطة لدعم المزارعين", "https://example.com/a/2")
    assert article.outlet == "المثال"
    assert article.published == "2024-03-05T07:00:00+00:00"
    assert article.author == "منى خالد"
    assert article.kind == "opinion"  # the section is an opinion section


def test_figures_captions_credits_and_positions() -> None:
    body = (
        "<article><h1>خطة لدعم المزارعين</h1>"
        "<figure><img src='a.jpg'>"
        "<figcaption>مزارعون في حقل قمح خلال موسم الحصاد (رويترز)</figcaption></figure>"
        f"<div class='article-body'>{_paragraphs(BODY[:2])}"
        "<figure><img src='b.jpg'><figcaption>وزير الزراعة خلال المؤتمر الصحافي"
        "<span class='image-credit'>أ.ف.ب</span></figcaption></figure>"
        f"{_paragraphs(BODY[2:3])}"
        "<img src='c.jpg' alt='جرار زراعي في أحد الحقول المتضررة (أرشيفية)'>"
        "<img src='logo.png' alt='logo'>"
        f"{_paragraphs(BODY[3:])}</div></article>")
    article = _article(_page(body=body))
    images = [(i.caption, i.credit, i.agency, i.lead, i.after_paragraph) for i in article.images]
    assert images == [
        ("مزارعون في حقل قمح خلال موسم الحصاد", "رويترز", "reuters", True, None),
        ("وزير الزراعة خلال المؤتمر الصحافي", "أ.ف.ب", "afp", False, 2),
        ("جرار زراعي في أحد الحقول المتضررة", "أرشيفية", "archive", False, 3),
    ]
    assert article.paragraphs == BODY


def test_wordpress_captions_and_caption_lines() -> None:
    body = (
        "<div class='entry-content'>"
        "<div class='wp-caption alignnone'><img src='a.jpg' alt='صورة'>"
        "<p class='wp-caption-text'>وزير الزراعة يتفقد أحد الحقول (أ ف ب)</p></div>"
        f"{_paragraphs(BODY[:3])}"
        "<p>مزارع يحمل محصول القمح في ريف المحافظة (غيتي)</p>"
        f"{_paragraphs(BODY[3:])}</div>")
    article = _article(_page("<title>خطة لدعم المزارعين</title>", body))
    assert [(i.caption, i.agency, i.lead, i.after_paragraph) for i in article.images] == [
        ("وزير الزراعة يتفقد أحد الحقول", "afp", True, None),
        ("مزارع يحمل محصول القمح في ريف المحافظة", "getty", False, 3),
    ]
    assert article.paragraphs == BODY


def test_related_boxes_and_template_noise_are_taken_out() -> None:
    body = (
        "<nav><a href='/'>الرئيسية</a></nav>"
        "<article><h1>خطة لدعم المزارعين</h1><div class='content'>"
        f"<div class='share-buttons'><a>شارك على فيسبوك</a></div>{_paragraphs(BODY[:2])}"
        "<p>اقرأ أيضاً: الحكومة تعد بخطة إنقاذ</p>"
        f"{_paragraphs(BODY[2:])}</div>"
        "<div class='box'><h3>مقالات ذات صلة</h3><ul>"
        "<li><a href='/news/10'>أسعار القمح ترتفع في الأسواق العالمية</a></li>"
        "<li><a href='https://other.example/x'>موسم جفاف يضرب المنطقة للعام الثالث</a></li></ul></div>"
        "<section class='related-posts'><a href='/news/11'>المزارعون يطالبون بتعويضات عاجلة</a></section>"
        "</article><footer>جميع الحقوق محفوظة</footer>")
    head = '<link rel="canonical" href="https://example.com/news/9">'
    article = _article(_page(head, body))
    assert article.paragraphs == BODY
    assert [(r.headline, r.url) for r in article.related] == [
        ("المزارعون يطالبون بتعويضات عاجلة", "https://example.com/news/11"),
        ("أسعار القمح ترتفع في الأسواق العالمية", "https://example.com/news/10"),
        ("موسم جفاف يضرب المنطقة للعام الثالث", "https://other.example/x"),
    ]


def test_json_ld_article_body_when_there_are_no_paragraphs() -> None:
    ld = {"@type": "NewsArticle", "headline": "خطة لدعم المزارعين", "articleBody": "\n".join(BODY)}
    head = f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
    article = _article(_page(head, "<div id='app'></div>"))
    assert article.paragraphs == BODY
    # A page that shows only the opening paragraph (the rest is rendered by script) reads the whole body.
    article = _article(_page(head, f"<div id='app'>{_paragraphs(BODY[:1])}</div>"))
    assert article.paragraphs == BODY


def test_text_as_printed_and_hygiene() -> None:
    text = "قال\u200f الوزير\u00a0إن «الخطة» ستبدأ قريباً، وإن الحكومة ستدعم ١٠٠٠ أسرة؛ فهل تنجح؟"
    article = _article(_page("<title>خبر</title>", f"<div>{_paragraphs([text, *BODY])}</div>"))
    assert article.paragraphs[0] == text.replace("\u200f", "").replace("\u00a0", " ")


def test_listing_page_gives_teasers() -> None:
    items = "".join(
        f"<div class='card'><h3><a href='/news/{i}'>عنوان الخبر رقم {i} في قسم الاقتصاد</a></h3>"
        f"<p>ملخص قصير للخبر رقم {i} يشرح ما حدث في السوق اليوم.</p></div>" for i in range(5))
    html = _page('<link rel="canonical" href="https://example.com/economy">', f"<main>{items}</main>")
    page = parse_bytes(html.encode())
    assert not page.articles
    assert [(t.headline, t.url) for t in page.teasers][:2] == [
        ("عنوان الخبر رقم 0 في قسم الاقتصاد", "https://example.com/news/0"),
        ("عنوان الخبر رقم 1 في قسم الاقتصاد", "https://example.com/news/1")]
    assert page.teasers[4].teaser == "ملخص قصير للخبر رقم 4 يشرح ما حدث في السوق اليوم."
    # The same items beside a real article body are not a listing.
    story = f"<div class='story'>{_paragraphs(BODY * 3)}</div>"
    article = _article(_page("<title>خطة</title>", story + items))
    assert article.paragraphs == BODY * 3


def test_english_page_is_kept_with_its_language() -> None:
    html = _page("<title>News</title>", "<p>" + "The minister said the plan starts soon. " * 5 + "</p>", "en")
    assert parse_bytes(html.encode()).articles[0].language == "en"
    french = "Le ministre a dit que le plan commence bientôt. " * 5
    html = _page("<title>News</title>", f"<p>{french}</p>")  # in an Arabic site's template (lang="ar")
    assert parse_bytes(html.encode()).articles[0].language == "fr"


def test_page_without_article_is_refused() -> None:
    with pytest.raises(InputError, match="no news"):
        parse_bytes(_page("<title>الرئيسية</title>", "<nav><a href='/'>الرئيسية</a></nav>").encode())


# --- encodings -------------------------------------------------------------------------------------

ARABIC = "قال وزير الزراعة إن الخطة تشمل قروضا ميسرة وتوزيع البذور على أكثر من عشرة آلاف أسرة، فهل تنجح؟"


def _encoded_page(encoding: str, meta: str) -> bytes:
    body = "".join(f"<p>{t}</p>" for t in [ARABIC] * 3)
    html = f"<html><head>{meta}<title>خبر</title></head><body><div>{body}</div></body></html>"
    return html.encode(encoding)


@pytest.mark.parametrize(("encoding", "meta"), [
    ("cp1256", '<meta charset="windows-1256">'),
    ("cp1256", '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'),
    ("iso8859_6", '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-6">'),
    ("iso8859_6", '<meta charset="iso-8859-6">'),
    ("cp1256", ""),  # no declaration: detected
    ("iso8859_6", ""),
    ("cp1256", '<meta charset="iso-8859-1">'),  # a wrong Latin label: detected
    ("utf-8", '<meta charset="windows-1256">'),  # a wrong label on UTF-8 bytes
])
def test_legacy_encodings(encoding: str, meta: str) -> None:
    page = parse_bytes(_encoded_page(encoding, meta))
    assert page.articles[0].paragraphs == [ARABIC] * 3


@pytest.mark.parametrize(("bom", "codec"), [(codecs.BOM_UTF16_LE, "utf-16-le"),
                                            (codecs.BOM_UTF16_BE, "utf-16-be"), (codecs.BOM_UTF8, "utf-8")])
def test_byte_order_marks(bom: bytes, codec: str) -> None:
    page = parse_bytes(bom + _encoded_page(codec, '<meta charset="utf-16">'))
    assert page.articles[0].paragraphs == [ARABIC] * 3


def test_http_content_type_wins_over_nothing() -> None:
    data = _encoded_page("cp1256", "")
    assert ARABIC in decode(data, "text/html; charset=windows-1256")


def test_decode_cleans_text() -> None:
    assert decode("سطر\r\nسطر\u200b آخر\u00a0هنا".encode()) == "سطر\nسطر آخر هنا"



def test_wordpress_page_with_comments_microdata_author_and_dateline() -> None:
    page = (GOLDEN / "made-wordpress-comments.html").read_bytes()  # a page we wrote, in a common template
    (article,) = parse_bytes(page).articles
    assert (article.headline, article.author, article.dateline) == (
        "الحكومة تعلن خطة لدعم الفلاحين", "سعيد بنعلي", "الرباط")
    assert len(article.paragraphs) == 3 and article.paragraphs[0].startswith("أعلنت الحكومة")
    assert not any("تعليق" in p or "الفلاحون عانوا" in p for p in article.paragraphs)  # comments left out


def test_utf16_page_with_a_byte_order_mark_in_the_middle():
    # Found by the fuzzer: a mark inside big-endian UTF-16 decodes to U+FFFE, which lxml cannot hold.
    head = "<html><head><meta charset='utf-8'><title>عنوان الخبر هنا</title></head><body><article>"
    para = "أعلنت الحكومة اليوم خطة جديدة لدعم المزارعين في الريف. " * 5
    body = f"<h1>عنوان الخبر هنا</h1><p>{para}</p>" * 3 + "</article></body></html>"
    data = head.encode("utf-16-be") + b"\xff\xfe" + body.encode("utf-16-be")
    page = parse_bytes(data, "page.html")
    assert page.articles[0].headline == "عنوان الخبر هنا"
