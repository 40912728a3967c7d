"""Telling that two customers are the same company: names compared without case, width,
punctuation, spaces and the usual company suffixes; phones by their digits; emails lower-case."""
from __future__ import annotations

import re
import unicodedata

# Longest first, so 股份有限公司 goes before 有限公司 before 公司.
CHINESE_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司")
ENGLISH_SUFFIXES = {"ltd", "limited", "inc", "incorporated", "co", "corp", "corporation", "llc", "company", "gmbh", "plc"}


def normalized_name(name: str | None) -> str:
    """华为技术有限公司 -> 华为技术; "ACME Co., Ltd." -> acme; Ｔｅｎｃｅｎｔ（深圳） -> tencent深圳."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    words = [word for word in re.split(r"[\W_]+", text) if word]
    while len(words) > 1 and words[-1] in ENGLISH_SUFFIXES:
        words.pop()
    joined = "".join(words)
    stripped = True
    while stripped:
        stripped = False
        for suffix in CHINESE_SUFFIXES:
            if joined.endswith(suffix) and len(joined) > len(suffix):
                joined = joined[: -len(suffix)]
                stripped = True
                break
    return joined[:200]


def phone_key(phone: str | None) -> str:
    """The digits that identify a phone: the last eleven (a Chinese mobile without +86)."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", phone or ""))
    return digits[-11:] if len(digits) >= 7 else ""


def email_key(email: str | None) -> str:
    return (email or "").strip().lower()
