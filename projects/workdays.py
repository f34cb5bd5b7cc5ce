"""Working days on the official Chinese calendar (PRODUCT.md "Deadline rules").

The `chinesecalendar` package knows the State Council's holidays and make-up working days (调休) for
the years it ships with. `CalendarDay` rows, edited by an administrator, win over it, and cover the
years the package does not know; for those years Saturdays and Sundays are rest days unless a
`CalendarDay` says otherwise.

Each public function loads the overrides of the range it looks at in one query.
"""

import datetime

import chinese_calendar

ONE_DAY = datetime.timedelta(days=1)


def _overrides(start, end):
    """{date: is_workday} of the administrator's calendar days in [start, end]; one query."""
    from .models import CalendarDay

    return dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_workday"))


# The package's tables, read once: its is_workday() rescans every holiday it knows to find the years
# it covers on each call, which a dashboard's median over a year of days pays hundreds of times.
_HOLIDAYS = chinese_calendar.holidays
_MAKE_UP_DAYS = chinese_calendar.workdays
_KNOWN_YEARS = range(min(_HOLIDAYS).year, max(_HOLIDAYS).year + 1)


def _official(day):
    """The package's answer, or the weekend rule for a year it does not know."""
    if day.year not in _KNOWN_YEARS:
        return day.weekday() < 5
    return day in _MAKE_UP_DAYS or (day.weekday() < 5 and day not in _HOLIDAYS)


def _is_workday(day, overrides):
    if day in overrides:
        return overrides[day]
    return _official(day)


def is_workday(day: datetime.date) -> bool:
    return _is_workday(day, _overrides(day, day))


def _walk_working_days(
    start: datetime.date, days: int, step: datetime.timedelta, overrides: dict | None = None
) -> datetime.date:
    """The `days`-th working day after (step +1 day) or before (step −1 day) `start`, not counting it.

    `overrides`: a WorkingCalendar's, already read; else they are read window by window.
    """
    # A window wide enough for the longest holidays (Spring Festival, National Day); a calendar an
    # administrator filled with rest days may need another window, fetched the same way.
    day = start
    remaining = days
    while remaining:
        window_end = day + step * (remaining * 2 + 20)
        window = overrides if overrides is not None else _overrides(*sorted((day + step, window_end)))
        while remaining and day != window_end:
            day += step
            if _is_workday(day, window):
                remaining -= 1
    return day


class WorkingCalendar:
    """The same working days with the administrator's CalendarDay rows of [first, last] read once,
    for code that walks thousands of dates (the synthetic zone); dates outside the range follow the
    package and the weekend rule only."""

    def __init__(self, first: datetime.date, last: datetime.date):
        self.overrides = _overrides(first, last)

    def is_workday(self, day: datetime.date) -> bool:
        return _is_workday(day, self.overrides)

    def add_working_days(self, start: datetime.date, days: int) -> datetime.date:
        return _walk_working_days(start, days, ONE_DAY, self.overrides)

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        return _count_working_days(start, end, self.overrides)

    def latest_start_before(self, end: datetime.date, days: int) -> datetime.date:
        return _latest_start_before(end, days, self.overrides)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The `days`-th working day after `start` (start itself not counted); `start` when days is 0."""
    if days < 0:
        raise ValueError("days must not be negative")
    return _walk_working_days(start, days, ONE_DAY)


def workday_on_or_before(day: datetime.date) -> datetime.date:
    """`day` if it is a working day, else the last working day before it."""
    return _walk_working_days(day + ONE_DAY, 1, -ONE_DAY)


def latest_start_before(end: datetime.date, days: int) -> datetime.date:
    """The last day `start` with working_days_between(start, end) >= `days`: a thing raised on or
    before it has waited `days` working days or more by `end`."""
    return _latest_start_before(end, days)


def _latest_start_before(end, days, overrides=None):
    """The one implementation behind `latest_start_before` and the WorkingCalendar's."""
    if days < 1:
        raise ValueError("days must be positive")
    # The `days`-th working day counting back from `end` (counted) is the earliest start not yet late.
    return _walk_working_days(end + ONE_DAY, days, -ONE_DAY, overrides) - ONE_DAY


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is before `start`.

    E.g. raised on a Friday and answered on the next Monday is 1 working day.
    """
    first, last = sorted((start, end))
    return _count_working_days(start, end, _overrides(first + ONE_DAY, last))


def _count_working_days(start, end, overrides):
    """The one count behind `working_days_between` and the WorkingCalendar's (the sign handled here)."""
    if end < start:
        return -_count_working_days(end, start, overrides)
    count = 0
    day = start
    while day < end:
        day += ONE_DAY
        if _is_workday(day, overrides):
            count += 1
    return count


def working_days_until(start: datetime.date, end: datetime.date) -> dict[datetime.date, int]:
    """{day: working_days_between(start, day)} for every day from `start` to `end`; one query."""
    overrides = _overrides(start + ONE_DAY, end)
    counts, count, day = {start: 0}, 0, start
    while day < end:
        day += ONE_DAY
        if _is_workday(day, overrides):
            count += 1
        counts[day] = count
    return counts
