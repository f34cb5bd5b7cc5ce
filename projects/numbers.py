"""Figures and dates as the pages write them, with the language's separators looked up once per page.

A template filter (floatformat, intcomma) looks the separators up for each value; the dashboard's
breakdowns and the lists' rows write hundreds of numbers a page.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import dateformat, numberformat
from django.utils.formats import get_format


def number_text():
    """A function (value, kind) → the figure as text, "—" for None. Kinds: "count"; "money" as
    floatformat:"-2g" writes it (cents only when there are some); "whole" as floatformat:"0g" (rounded
    half up to a whole number); "rate" (a percentage)."""
    decimal_sep, grouping, thousand_sep = (
        get_format(name) for name in ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR")
    )

    def text(value, kind):
        if value is None:
            return "—"
        if kind == "rate":
            return f"{value}%"
        if kind == "money":
            places = 0 if value == value.to_integral_value() else 2
            return numberformat.format(
                value, decimal_sep, places, grouping, thousand_sep, force_grouping=True
            )
        if kind == "whole":
            whole = int(Decimal(str(value)).to_integral_value(rounding=ROUND_HALF_UP))
            return numberformat.format(whole, decimal_sep, None, grouping, thousand_sep, force_grouping=True)
        return str(value)

    return text


def date_text():
    """A function date → the date as date_format writes it in the current language, the format
    looked up once per page; the site's "Y-m-d" (both languages, newzone/formats/) is isoformat()."""
    date_format = get_format("DATE_FORMAT")
    if date_format == "Y-m-d":
        return datetime.date.isoformat
    return lambda value: dateformat.format(value, date_format)
