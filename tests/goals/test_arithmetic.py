"""The arithmetic of breaking goals down, with numbers checked by hand."""
import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from plugins.goals import periods, split

NOVEMBER = periods.Period("month", datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))


def test_thirty_new_customers_a_month_make_weeks_and_days_that_add_up_to_thirty():
    """November 2026 starts on a Sunday and has 21 working days: weeks of 5, 5, 5, 5 and 1 working
    days. 30 × 5/21 = 7.14 for the full weeks and 30 × 1/21 = 1.43 for Monday the 30th: whole
    parts 7, 7, 7, 7, 1 = 29, and the one left over goes to the largest fraction (0.43)."""
    weeks, fell_back = split.by_period(30, NOVEMBER, "week", "working_days")
    assert [(piece.period.start.day, piece.period.end.day) for piece in weeks] == [(2, 8), (9, 15), (16, 22), (23, 29), (30, 30)]
    assert [piece.target for piece in weeks] == [7, 7, 7, 7, 2] and sum(piece.target for piece in weeks) == 30
    assert not fell_back
    days, _fell_back = split.by_period(30, NOVEMBER, "day", "working_days")
    assert len(days) == 21 and days[0].period.start == datetime.date(2026, 11, 2)  # no Sunday
    # 30 / 21 = 1.43 a day: 21 ones, and the 9 left over to the first nine days.
    assert [piece.target for piece in days] == [2] * 9 + [1] * 12 and sum(piece.target for piece in days) == 30


def test_holidays_are_not_working_days():
    national_day = frozenset(datetime.date(2026, 10, day) for day in range(1, 8))
    october = periods.containing("month", datetime.date(2026, 10, 15))
    assert len(periods.working_days(october.start, october.end)) == 22
    assert len(periods.working_days(october.start, october.end, national_day)) == 17
    weeks, _fell_back = split.by_period(17, october, "week", "working_days", national_day)
    # 1-4 October (Thursday to Sunday) is all holiday: no part. The next week keeps the 8th and 9th.
    assert [piece.period.start.day for piece in weeks] == [5, 12, 19, 26]
    assert [piece.target for piece in weeks] == [2, 5, 5, 5]


def test_a_year_splits_into_quarters_or_months_evenly_or_by_season():
    year = periods.containing("year", datetime.date(2027, 6, 1))
    quarters, _ = split.by_period(Decimal("1000000"), year, "quarter", "even")
    assert [piece.target for piece in quarters] == [250000] * 4
    months, _ = split.by_period(100, year, "month", "even")
    assert [piece.target for piece in months] == [9, 9, 9, 9, 8, 8, 8, 8, 8, 8, 8, 8]  # 12 × 8.33: four get the leftover
    # Last year sold twice as much in Q4 as in each other quarter: 1 + 1 + 1 + 2 = 5 parts.
    history = {datetime.date(2026, 1, 1): 100, datetime.date(2026, 4, 1): 100, datetime.date(2026, 7, 1): 100,
               datetime.date(2026, 10, 1): 200}
    seasonal, fell_back = split.by_period(Decimal("1000000"), year, "quarter", "seasonal", history=history)
    assert [piece.target for piece in seasonal] == [200000, 200000, 200000, 400000] and not fell_back
    _pieces, fell_back = split.by_period(100, year, "quarter", "seasonal", history={})
    assert fell_back  # no history: by working days instead


def test_amounts_with_cents_split_into_cents():
    assert split.apportion(Decimal("100.00"), [1, 1, 1]) == [34, 33, 33]
    assert split.apportion(Decimal("100.01"), [1, 1, 1]) == [Decimal("33.34"), Decimal("33.34"), Decimal("33.33")]
    assert split.apportion(10, [0, 0]) == [5, 5]


def test_a_managers_change_to_one_share_rebalances_the_others():
    shares = {"rita": 40, "carl": 40, "olga": 20}
    assert split.rebalance(100, {**shares, "rita": 60}, "rita") == {"rita": 60, "carl": 27, "olga": 13}
    # Nothing left to spread: the shares stay and the gap is shown.
    assert split.rebalance(100, {**shares, "rita": 120}, "rita") == {"rita": 120, "carl": 40, "olga": 20}


def test_periods_are_clipped_to_their_parent_and_compared_with_the_ones_before():
    q1 = periods.containing("quarter", datetime.date(2027, 2, 14))
    assert (q1.start, q1.end) == (datetime.date(2027, 1, 1), datetime.date(2027, 3, 31))
    assert [(p.start, p.end) for p in periods.comparable(q1, 2)] == [
        (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31)), (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))]
    february = periods.containing("month", datetime.date(2028, 2, 10))
    assert february.end == datetime.date(2028, 2, 29)  # a leap year
    weeks = periods.children(february, "week")
    assert weeks[0].start == datetime.date(2028, 2, 1) and weeks[-1].end == datetime.date(2028, 2, 29)
    assert sum(week.days for week in weeks) == 29


@given(total=st.integers(min_value=0, max_value=10**9),
       weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=40))
def test_parts_always_add_up_to_the_whole_and_stay_whole(total, weights):
    parts = split.apportion(total, weights)
    assert sum(parts) == total and all(part == part.to_integral_value() and part >= 0 for part in parts)
    assert len(parts) == len(weights)
