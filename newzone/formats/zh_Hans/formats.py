"""Chinese formats over Django's: digits grouped by three with commas (1,355,322 万元, as the zone's
reports write them) and one date format across the site (2026-03-01), as in English."""

DATE_FORMAT = SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "Y-m-d H:i"
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
