"""Working days on the official Chinese calendar, with an administrator's corrections."""

import datetime

import chinese_calendar
import pytest

from projects.models import CalendarDay
from projects.workdays import (
    _KNOWN_YEARS,
    WorkingCalendar,
    _official,
    add_working_days,
    is_workday,
    latest_start_before,
    working_days_between,
)

D = datetime.date
pytestmark = pytest.mark.django_db


def test_national_day_2026_is_skipped():
    # 2026-10-01..07 are holidays; Wednesday 30 September + 1 working day is Thursday 8 October.
    assert not any(is_workday(D(2026, 10, day)) for day in range(1, 8))
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)


def test_make_up_saturday_counts():
    # Saturday 10 October 2026 is a make-up working day (调休) for National Day.
    assert D(2026, 10, 10).weekday() == 5
    assert is_workday(D(2026, 10, 10))
    assert add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    # Sunday 20 September 2026 is one too.
    assert is_workday(D(2026, 9, 20))


def test_mid_autumn_and_national_day_together():
    # Thu 24 Sep + 5: 25–27 Mid-Autumn, 28 29 30, 1–7 National Day, 8 9.
    assert add_working_days(D(2026, 9, 24), 5) == D(2026, 10, 9)


def test_ordinary_weekend_and_zero():
    assert add_working_days(D(2026, 11, 27), 1) == D(2026, 11, 30)  # Friday → Monday
    assert add_working_days(D(2026, 11, 27), 0) == D(2026, 11, 27)
    assert working_days_between(D(2026, 11, 27), D(2026, 11, 30)) == 1
    assert working_days_between(D(2026, 11, 30), D(2026, 11, 27)) == -1
    assert working_days_between(D(2026, 11, 27), D(2026, 11, 27)) == 0
    with pytest.raises(ValueError):
        add_working_days(D(2026, 11, 27), -1)


def test_admin_override_wins_over_the_package():
    CalendarDay.objects.create(date=D(2026, 10, 8), is_workday=False, note="correction")
    assert not is_workday(D(2026, 10, 8))
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 9)


def test_year_the_package_does_not_know_uses_weekends_and_overrides():
    # 2030 is beyond chinesecalendar 1.11's data: weekends rest unless the admin says otherwise.
    assert not is_workday(D(2030, 1, 5))  # Saturday
    assert add_working_days(D(2030, 1, 4), 1) == D(2030, 1, 7)
    CalendarDay.objects.create(date=D(2030, 1, 5), is_workday=True, note="调休")
    CalendarDay.objects.create(date=D(2030, 1, 1), is_workday=False, note="元旦")
    assert add_working_days(D(2030, 1, 4), 1) == D(2030, 1, 5)
    assert not is_workday(D(2030, 1, 1))
    assert working_days_between(D(2029, 12, 31), D(2030, 1, 7)) == 5  # 2, 3, 4, 5 (调休), 7


def test_one_query_per_call(django_assert_num_queries):
    with django_assert_num_queries(1):
        add_working_days(D(2026, 9, 1), 20)
    with django_assert_num_queries(1):
        working_days_between(D(2026, 1, 1), D(2026, 12, 31))
    with django_assert_num_queries(1):
        is_workday(D(2026, 10, 1))


def test_many_admin_rest_days_still_terminate():
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=D(2030, 3, 1) + datetime.timedelta(days=i), is_workday=False) for i in range(60)]
    )
    result = add_working_days(D(2030, 2, 28), 1)
    assert result == D(2030, 4, 30)  # 1 Mar + 60 days = 30 Apr (a Tuesday)


def test_reading_the_package_tables_agrees_with_the_package_on_every_day_it_knows():
    day, last = D(_KNOWN_YEARS.start, 1, 1), D(_KNOWN_YEARS.stop - 1, 12, 31)
    checked = 0
    while day <= last:
        assert _official(day) == chinese_calendar.is_workday(day), day
        day += datetime.timedelta(days=1)
        checked += 1
    assert checked > 365 * 10
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(_KNOWN_YEARS.stop, 1, 1))
    assert _official(D(_KNOWN_YEARS.stop, 1, 1)) == (D(_KNOWN_YEARS.stop, 1, 1).weekday() < 5)


def test_latest_start_before_is_the_last_day_that_has_waited_long_enough():
    # Thursday 8 October 2026 follows the National Day holidays (1–7 October).
    assert latest_start_before(D(2026, 10, 8), 1) == D(2026, 10, 7)
    assert latest_start_before(D(2026, 10, 8), 2) == D(2026, 9, 29)
    day = D(2026, 9, 20)
    while day < D(2026, 11, 10):
        for days in (1, 2, 3):
            start = latest_start_before(day, days)
            assert working_days_between(start, day) >= days
            assert working_days_between(start + datetime.timedelta(days=1), day) < days
        day += datetime.timedelta(days=1)
    with pytest.raises(ValueError):
        latest_start_before(D(2026, 10, 8), 0)


def test_the_calendar_and_the_functions_count_the_same_both_ways():
    """One implementation: a span counted backwards is the negative of it forwards, with an
    administrator's rest day inside, through the module functions and a WorkingCalendar alike."""
    CalendarDay.objects.create(date=D(2026, 9, 30), is_workday=False, note="停电检修")
    calendar = WorkingCalendar(D(2026, 9, 1), D(2026, 10, 31))
    spans = [
        (D(2026, 9, 25), D(2026, 10, 12)),
        (D(2026, 9, 28), D(2026, 9, 30)),
        (D(2026, 9, 28), D(2026, 9, 28)),
    ]
    counts = [
        (working_days_between(a, b), working_days_between(b, a), calendar.working_days_between(a, b),
         calendar.working_days_between(b, a))
        for a, b in spans
    ]  # fmt: skip
    # 9-25 Mid-Autumn, 9-30 the administrator's rest day, 10-1..7 National Day, 10-10 a make-up Saturday.
    assert counts == [(6, -6, 6, -6), (1, -1, 1, -1), (0, 0, 0, 0)]
    assert calendar.latest_start_before(D(2026, 10, 12), 3) == latest_start_before(D(2026, 10, 12), 3)
