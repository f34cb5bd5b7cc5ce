"""Texts as the lists write them."""

import unicodedata

from django.utils.text import Truncator


def shortened(text, length):
    """`Truncator(text).chars(length)`: a text of at most `length` characters comes back as it is
    (in NFC, as Truncator gives it) without Truncator's look at each character, some 60 calls a row
    of a list's 50 (issue 18); a longer one is Truncator's."""
    if len(text) <= length:
        return unicodedata.normalize("NFC", text)
    return Truncator(text).chars(length)
