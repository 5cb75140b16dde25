"""Bytes of a page to clean Unicode text.

The charset comes, in order, from a byte-order mark (or UTF-16's byte pattern), the
HTTP content type, the page's own ``<meta charset>`` or XML declaration, then UTF-8 if
the bytes are valid UTF-8, or almost all valid (the broken sequences are replaced and
counted), then detection (charset-normalizer) among the encodings Arabic pages are
actually written in. Results go through :func:`clean_text` unless the caller cleans later.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from marsad.arabic.hygiene import clean_text
from marsad.errors import InputError

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
_XML_ENCODING = re.compile(rb"<\?xml[^>]{0,100}?encoding\s*=\s*[\"']([\w.:-]+)", re.I)
# How much of the page the charset sniffing looks at (the HTML spec says 1024 bytes; pages are sloppier).
_SNIFF_BYTES = 8192
_DETECT_BYTES = 65536
# Labels that pages declare while their bytes are really UTF-8 or windows-1256.
_LATIN_LABELS = {"iso8859-1", "cp1252", "ascii"}
_DETECT_CANDIDATES = ["utf_8", "cp1256", "iso8859_6", "utf_16", "utf_32", "cp720", "mac_arabic", "cp1252"]
# Share of control bytes above which data is taken for binary.
_BINARY_SHARE = 0.05
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f\x1b")
_NON_ASCII = bytes(range(128, 256))
# Most replaced sequences, per non-ASCII byte, for bytes that fail as UTF-8 to be read as UTF-8 still:
# a page in another charset fails on nearly every non-ASCII byte, a damaged UTF-8 page on very few.
_MAX_BAD_UTF8 = 0.02
# Share of the high bytes of UTF-16 text that its three most common values hold.
_UTF16_SHARE = 0.9
# Shares of spaces, and of printable characters and spaces, in a decoded sample that make it text.
_MIN_SPACES, _MIN_PRINTABLE = 0.02, 0.95


def decode(data: bytes, content_type: str | None = None, *, clean: bool = True) -> str:
    """Decode a page and apply text hygiene (unless ``clean`` is false); raise InputError for binary data."""
    return decode_counting(data, content_type, clean=clean)[0]


def decode_counting(data: bytes, content_type: str | None = None, *, clean: bool = True) -> tuple[str, int]:
    """:func:`decode`, and how many invalid byte sequences were replaced with U+FFFD."""
    text, replaced = _decode(data, content_type)
    return (clean_text(text) if clean else text), replaced


def _decode(data: bytes, content_type: str | None) -> tuple[str, int]:
    encoding = _from_bom(data)
    if not encoding and looks_binary(data):  # UTF-16 looks binary to a byte count: its pattern tells
        encoding = utf16_without_bom(data)
        if not encoding:
            raise InputError("binary data, not a text or HTML page")
    if encoding:
        return _replacing(data, encoding)
    try:
        return _utf8(data), 0  # valid UTF-8 wins over any label
    except UnicodeDecodeError:
        pass
    text, replaced = _replacing(data, "utf-8")
    if replaced <= _MAX_BAD_UTF8 * _non_ascii(data):  # UTF-8 with a few broken bytes, not another charset
        return text, replaced
    declared = declared_encoding(data, content_type)
    if declared:
        try:
            return data.decode(declared), 0
        except UnicodeDecodeError:
            pass  # a wrong label falls through to detection
    return _replacing(data, detect_encoding(data))


def _utf8(data: bytes, step: int = 1 << 20) -> str:
    """``data.decode("utf-8")``, a megabyte at a time for a big page: decoding Arabic whole takes
    three times the text's size for a moment, in pieces only twice."""
    if len(data) <= 4 * step:
        return data.decode("utf-8")
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    ends = range(step, len(data) + step, step)
    return "".join(decoder.decode(view[end - step:end], final=end >= len(data)) for end in ends)


def _replacing(data: bytes, encoding: str) -> tuple[str, int]:
    """The text, and how many byte sequences were replaced (those the bytes held as U+FFFD aside)."""
    text = data.decode(encoding, errors="replace")
    return text, max(0, text.count("\ufffd") - _encoded_replacements(data, encoding))


def _encoded_replacements(data: bytes, encoding: str) -> int:
    try:
        return data.count("\ufffd".encode(encoding.removesuffix("-sig")))
    except (UnicodeEncodeError, LookupError):
        return 0  # the charset cannot hold U+FFFD: every one is a replacement


def _non_ascii(data: bytes) -> int:
    return len(data) - len(data.translate(None, _NON_ASCII))


def utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" when the bytes have UTF-16's pattern: text of one or two scripts puts
    a handful of values (00 for ASCII, 06 for Arabic) in every other byte. None otherwise."""
    sample = data[:_SNIFF_BYTES - _SNIFF_BYTES % 2]
    if len(sample) < 16 or len(data) % 2:
        return None
    for encoding, high in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        common = sorted((high.count(b) for b in set(high)), reverse=True)
        if sum(common[:3]) >= _UTF16_SHARE * len(high) and high.count(0) < len(high):
            try:
                text = sample.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _reads_as_text(text):
                return encoding
    return None


def looks_binary(data: bytes) -> bool:
    sample = data[:_SNIFF_BYTES]
    if not sample:
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls / len(sample) > _BINARY_SHARE


def declared_encoding(data: bytes, content_type: str | None = None) -> str | None:
    """The charset named by the HTTP header or the page itself, as a Python codec name."""
    candidates = []
    if content_type:
        m = _HEADER_CHARSET.search(content_type)
        if m:
            candidates.append(m.group(1))
    head = data[:_SNIFF_BYTES]
    for pattern in (_META_CHARSET, _XML_ENCODING):
        m = pattern.search(head)
        if m:
            candidates.append(m.group(1).decode("ascii", "replace"))
    for label in candidates:
        name = codec_name(label)
        if name:
            # Latin labels on Arabic pages are a common mistake: let UTF-8 and detection decide.
            return None if name in _LATIN_LABELS else name
    return None


def codec_name(label: str) -> str | None:
    """A normalized codec name for a charset label, or None if Python does not know it."""
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    # UTF-16/32 labels in a page that has no BOM are wrong: the page could not have been read to find them.
    return None if name.startswith(("utf-16", "utf-32")) else name


def _reads_as_text(text: str) -> bool:
    """Printable characters, with the spaces between words that any page has."""
    spaces = sum(map(text.count, " \n\t\r"))
    printable = sum(c.isprintable() for c in text)
    return spaces >= _MIN_SPACES * len(text) and printable + spaces >= _MIN_PRINTABLE * len(text)


def detect_encoding(data: bytes) -> str:
    """The most plausible encoding of undeclared, non-UTF-8 bytes."""
    best = charset_normalizer.from_bytes(data[:_DETECT_BYTES], cp_isolation=_DETECT_CANDIDATES).best()
    return best.encoding if best else "cp1256"


def _from_bom(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None
