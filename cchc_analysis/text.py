"""Vietnamese text and numbers as they appear in official releases, press and survey reports.

Text
    :func:`normalize_text` gives one canonical spelling (NFC, single spaces, one tone-mark
    convention); :func:`fold` gives a matching key (lowercase, no diacritics, ``đ`` → ``d``).

Tone-mark convention
    Vietnamese has two ways to place the tone mark on the open syllables *oa*, *oe* and *uy*:
    the older style marks the second vowel (``hoà``, ``khoẻ``, ``thuỷ``), the newer style, used in
    today's official province names ("Thanh Hóa", "Khánh Hòa", "Hòa Bình"), marks the first
    (``hòa``, ``khỏe``, ``thủy``). :func:`normalize_text` rewrites every such syllable to the
    newer style. Syllables with a final consonant or glide (``hoàng``, ``toán``, ``xoáy``,
    ``khuỷu``) and ``qu`` + ``y`` (``quý``, ``Quỳnh``: the ``u`` belongs to the consonant) keep
    their single correct placement and are left alone.

Numbers
    :func:`parse_vn_number` reads ``50,50``, ``15.983``, ``1.234,5``, ``92,86 %`` and English
    ``87.14``; a number that reads differently in the two notations is refused unless the caller
    says which decimal mark the source uses. :func:`format_vn_number` writes either notation.
"""

from __future__ import annotations

import math
import re
import unicodedata

__all__ = [
    "fold",
    "format_vn_number",
    "normalize_text",
    "parse_vn_fraction",
    "parse_vn_number",
]

# Characters that render as nothing: dropped before anything else looks at the text.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
# Icelandic eth looks exactly like Vietnamese Đ and turns up in text decoded with the wrong
# code page (cp1258 0xD0 is Đ, cp1252 0xD0 is Ð).
_ETH = str.maketrans({"Ð": "Đ", "ð": "đ"})
_SPACES = re.compile(r"\s+")

# Shape marks (circumflex, breve) must precede tone marks (grave, acute, tilde, hook) for NFC to
# compose "ế", "ằ", ...; both have combining class 230, so canonical ordering does not fix text
# typed tone-first. Runs of these marks are reordered shape-first, otherwise keeping their order.
_SHAPE_MARKS = "\u0302\u0306"
_MARK_RUN = re.compile("[\u0300\u0301\u0303\u0309\u0302\u0306]{2,}")


def _shape_first(m: re.Match[str]) -> str:
    return "".join(sorted(m.group(0), key=lambda ch: ch not in _SHAPE_MARKS))


_TONES = "\u0300\u0301\u0309\u0303\u0323"  # huyền, sắc, hỏi, ngã, nặng


def _marked(base: str) -> dict[str, str]:
    """``{"à": "a", "á": "a", ...}`` for both cases of ``base``: toned vowel -> bare vowel."""
    out = {}
    for letter in (base, base.upper()):
        for tone in _TONES:
            out[unicodedata.normalize("NFC", letter + tone)] = letter
    return out


_TONED_A, _TONED_E, _TONED_Y = _marked("a"), _marked("e"), _marked("y")
_UNTONE = {**_TONED_A, **_TONED_E, **_TONED_Y}
_TONE_OF = {ch: unicodedata.normalize("NFD", ch)[1] for ch in _UNTONE}
# Old-style candidates: o + toned a/e, or u + toned y (not after q, where u is part of "qu").
_OLD_STYLE = re.compile(
    f"([oO])([{''.join(_TONED_A)}{''.join(_TONED_E)}])|(?<![qQ])([uU])([{''.join(_TONED_Y)}])"
)


def _is_letter_or_mark(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM"


def _new_style(text: str) -> str:
    """Move the tone mark of open oa/oe/uy syllables onto the first vowel (hoà -> hòa)."""

    def swap(m: re.Match[str]) -> str:
        end = m.end()
        if end < len(text) and _is_letter_or_mark(text[end]):
            return m.group(0)  # the syllable continues (hoàng, xoáy): placement is fixed
        first, toned = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        return unicodedata.normalize("NFC", first + _TONE_OF[toned]) + _UNTONE[toned]

    return _OLD_STYLE.sub(swap, text)


def normalize_text(s: str) -> str:
    """Canonical Vietnamese spelling: NFC, trimmed, single spaces, new-style tone marks.

    Invisible characters (soft hyphen, zero-width space, BOM) are dropped, every Unicode space
    (including the no-break spaces common in web tables) becomes one ASCII space, and the
    look-alike ``Ð``/``ð`` become ``Đ``/``đ``. Idempotent: ``normalize_text(normalize_text(s))``
    equals ``normalize_text(s)``.
    """
    if not isinstance(s, str):
        raise TypeError(f"normalize_text expects a str, got {type(s).__name__}: {s!r}")
    text = s.translate(_INVISIBLE).translate(_ETH)
    text = _MARK_RUN.sub(_shape_first, unicodedata.normalize("NFD", text))
    text = unicodedata.normalize("NFC", text)
    text = _SPACES.sub(" ", text).strip()
    return _new_style(text)


def fold(s: str) -> str:
    """Matching key: normalized, lowercase, every diacritic removed, ``đ``/``Đ``/``ð``/``Ð`` -> ``d``.

    ``fold("Thừa Thiên – Huế") == "thua thien – hue"``. Punctuation is kept (callers that
    match names decide what punctuation means); folding is idempotent.
    """
    text = normalize_text(s).lower().replace("đ", "d")
    bare = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    # Stripping marks can leave marks' former hosts adjacent to spaces; tidy again.
    return unicodedata.normalize("NFC", _SPACES.sub(" ", bare).strip())


# --- numbers -----------------------------------------------------------------------------------

_MINUS = "-\u2212"  # ASCII hyphen-minus and the Unicode minus sign
# Units that may follow a number in the releases: percent and "điểm" (points).
_UNIT = re.compile(r"\s*(%|điểm)$", re.IGNORECASE)
_NUMBER_CHARS = re.compile(r"^[+\-\u2212]?[0-9][0-9., ]*$")
_GROUPED = {sep: re.compile(f"[0-9]{{1,3}}(?:{re.escape(sep)}[0-9]{{3}})*") for sep in ". ,"}


def _grouped(digits: str, sep: str) -> bool:
    """True when ``digits`` is a valid thousands-grouped integer with separator ``sep``."""
    return _GROUPED[sep].fullmatch(digits) is not None


def _fail(s: object, why: str) -> ValueError:
    return ValueError(f"cannot read {s!r} as a number: {why}")


def _split(body: str, decimal: str, original: object) -> tuple[str, str]:
    """Split ``body`` at the decimal mark and check the integer part's grouping."""
    thousands = "." if decimal == "," else ","
    if body.count(decimal) > 1:
        raise _fail(original, f"more than one decimal mark {decimal!r}")
    whole, _, frac = body.partition(decimal)
    if decimal in body and not frac.isdigit():
        raise _fail(original, f"expected digits after the decimal mark {decimal!r}")
    if thousands in frac or " " in frac:
        raise _fail(original, "a thousands separator follows the decimal mark")
    for sep in (thousands, " "):
        if sep in whole:
            if not _grouped(whole, sep):
                raise _fail(
                    original,
                    f"{sep!r} is read as a thousands separator here, but the digit groups are "
                    "not 1-3 digits followed by groups of exactly 3",
                )
            whole = whole.replace(sep, "")
    if not whole.isdigit():
        raise _fail(original, "expected digits before the decimal mark")
    return whole, frac


def _infer_decimal(body: str, original: object) -> str:
    """Decide which of ``.`` and ``,`` is the decimal mark, or say why that cannot be known."""
    has_dot, has_comma = "." in body, "," in body
    if has_dot and has_comma:
        # The later one is the decimal mark: 1.234,5 (Vietnamese), 1,234.5 (English).
        return "," if body.rfind(",") > body.rfind(".") else "."
    if not (has_dot or has_comma):
        return ","  # irrelevant: no mark at all
    mark = "." if has_dot else ","
    if body.count(mark) > 1:
        return "," if mark == "." else "."  # repeated: it can only be grouping
    whole, _, frac = body.partition(mark)
    lead = whole.replace(" ", "")
    if len(frac) != 3 or lead == "0" or (len(lead) > 3 and " " not in whole):
        # A thousands group has exactly three digits and follows 1-3 digits, never a lone 0.
        return mark
    # One mark followed by exactly three digits: "15.983" is 15983 in Vietnamese notation and
    # 15.983 in English, and PAPI's English-language totals ("48.811") look exactly like it.
    # Guessing either way is silently wrong for one kind of source, so the caller must say.
    as_decimal, as_grouped = f"{lead}.{frac}", f"{lead}{frac}"
    vi, en = (as_grouped, as_decimal) if mark == "." else (as_decimal, as_grouped)
    raise _fail(
        original,
        f"ambiguous: it is {vi} in Vietnamese notation and {en} in English notation; pass "
        "decimal=',' (Vietnamese) or decimal='.' (English) to say which the source uses",
    )


def parse_vn_number(s: str | float | int, decimal: str | None = None) -> float:
    """Read a number written in Vietnamese (``1.234,5``) or English (``1,234.5``) notation.

    ``"50,50"`` -> 50.5, ``"1.234,5"`` -> 1234.5, ``"1.234.567"`` -> 1234567.0, ``"96%"`` -> 96.0,
    ``"92,86 %"`` -> 92.86, ``"87.14"`` -> 87.14, ``"−0,25 điểm"`` -> -0.25.

    ``decimal`` names the decimal mark (``","`` Vietnamese, ``"."`` English). Without it the
    notation is inferred and ambiguous input raises: a single mark followed by exactly three
    digits (``"1.234"``, ``"6,499"``, ``"15.983"``, PAPI's English ``"48.811"``) reads
    differently in the two notations, so ``parse_vn_number("15.983", decimal=",")`` (15983.0)
    or ``parse_vn_number("48.811", decimal=".")`` (48.811) must say which. Spaces (including no-break spaces) may group thousands, a leading
    ``+``/``-``/``−`` sign and a trailing ``%`` or ``điểm`` are accepted; percentages are
    returned as written (96% -> 96.0). Anything else raises ``ValueError`` naming the input.
    """
    if isinstance(s, bool):
        raise _fail(s, "a boolean is not a number")
    if isinstance(s, int | float):
        if not math.isfinite(s):
            raise _fail(s, "not a finite number")
        return float(s)
    if not isinstance(s, str):
        raise _fail(s, f"expected a str, got {type(s).__name__}")
    if decimal not in (None, ",", "."):
        raise ValueError(f"decimal must be None, ',' or '.', got {decimal!r}")
    body = _UNIT.sub("", normalize_text(s))
    if not _NUMBER_CHARS.match(body):
        raise _fail(s, "expected digits with optional sign, '.', ',' or space separators")
    sign = ""
    if body[0] in "+" + _MINUS:
        sign, body = ("-" if body[0] in _MINUS else ""), body[1:]
    if decimal is None:
        decimal = _infer_decimal(body, s)
    whole, frac = _split(body, decimal, s)
    return float(f"{sign}{whole}.{frac or '0'}")


def parse_vn_fraction(s: str, decimal: str | None = None) -> tuple[float, float]:
    """Read "achieved/maximum" as published: ``"12/12,5 điểm"`` -> ``(12.0, 12.5)``."""
    if not isinstance(s, str):
        raise ValueError(f"cannot read {s!r} as a fraction: expected a str")
    parts = _UNIT.sub("", normalize_text(s)).split("/")
    if len(parts) != 2:
        raise ValueError(f"cannot read {s!r} as a fraction: expected exactly one '/'")
    try:
        return parse_vn_number(parts[0], decimal), parse_vn_number(parts[1], decimal)
    except ValueError as err:
        raise ValueError(f"cannot read {s!r} as a fraction: {err}") from None


def format_vn_number(x: float, decimals: int = 2, decimal: str = ",", group: bool = True) -> str:
    """Write ``x`` with ``decimals`` places in Vietnamese (``decimal=","``: ``1.234,50``) or
    English (``decimal="."``: ``1,234.50``) notation; ``group=False`` omits thousands separators.
    """
    if decimal not in (",", "."):
        raise ValueError(f"decimal must be ',' or '.', got {decimal!r}")
    if not math.isfinite(x):
        raise ValueError(f"cannot format {x!r}: not a finite number")
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals}")
    english = f"{x:{',' if group else ''}.{decimals}f}"
    if decimal == ".":
        return english
    return english.translate(str.maketrans({",": ".", ".": ","}))
