"""Dates of things that happened (a visit, a start, an approval): between 2000 and today; planned
dates: between 2000 and 2100.

A typo such as 0001-01-01 or 2206 would otherwise become a fact in every figure. The bounds are
validators, so every write path that validates (forms, services' full_clean, the admin, the ledger
import) applies the same rule.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST = datetime.date(2000, 1, 1)
LATEST_PLANNED = datetime.date(2100, 12, 31)


def validate_happened(value):
    if value is None:
        return
    if value < EARLIEST:
        raise ValidationError(
            _("Enter a date from %(earliest)s on."), code="too_early", params={"earliest": EARLIEST}
        )
    if value > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="future")


def validate_planned(value):
    if value is not None and not EARLIEST <= value <= LATEST_PLANNED:
        raise ValidationError(_("Enter a date between 2000 and 2100."), code="out_of_range")
