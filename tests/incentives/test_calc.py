"""The tier arithmetic, with numbers worked out by hand, and a property: more of the metric never
pays less (rates are never negative, and a flat plan's rates never fall as tiers rise)."""
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from plugins.incentives.calc import FLAT, MARGINAL, Bonus, Rules, Tier, money, payout

ARTICLE = (Tier(D(0), D(0)), Tier(D(80), D(3)), Tier(D(100), D(5)))  # below 80 %: 0; 80-100 %: 3 %; above: 5 %


def test_marginal_pays_each_band_at_its_rate():
    result = payout(Rules(ARTICLE, MARGINAL), D(120_000), D(100_000))
    # 0-80,000 at 0 % = 0; 80,000-100,000 at 3 % = 600; 100,000-120,000 at 5 % = 1,000
    assert [(line.base, line.rate, line.amount) for line in result.lines] == [
        (D(80_000), D(0), D("0.00")), (D(20_000), D(3), D("600.00")), (D(20_000), D(5), D("1000.00"))]
    assert result.total == D("1600.00") and result.tier == 2 and result.attainment == D("120.0") and result.next_at is None


def test_flat_pays_the_whole_amount_at_the_tier_reached():
    result = payout(Rules(ARTICLE, FLAT), D(90_000), D(100_000))
    assert result.total == D("2700.00")  # 90,000 × 3 %
    assert result.tier == 1 and result.next_at == D(100_000) and result.to_next == D(10_000)
    assert payout(Rules(ARTICLE, FLAT), D(79_999), D(100_000)).total == D("0.00")


def test_bonuses_caps_and_floors():
    rules = Rules(ARTICLE, MARGINAL, bonuses=(Bonus(D(120), D(2000)),), cap=D(2500))
    assert payout(rules, D(119_999), D(100_000)).total == D("600.00") + D("999.95")  # 19,999 × 5 %; no bonus below 120 %
    capped = payout(rules, D(120_000), D(100_000))  # 1,600 + 2,000 = 3,600, capped at 2,500
    assert capped.total == D("2500.00") and capped.lines[-1].kind == "cap" and capped.lines[-1].amount == D("-1100.00")
    floored = payout(Rules(ARTICLE, MARGINAL, floor=D(300)), D(10_000), D(100_000))
    assert floored.total == D("300.00") and floored.lines[-1].kind == "floor"


def test_rounding_is_half_up_to_the_cent_line_by_line():
    assert money(D("0.005")) == D("0.01") and money(D("0.0049")) == D("0.00") and money(D("-0.005")) == D("-0.01")
    result = payout(Rules((Tier(D(0), D("1.5")),), MARGINAL, on_goal=False), D("0.33"))
    assert result.lines[0].amount == D("0.00")  # 0.00495 rounds down
    result = payout(Rules((Tier(D(0), D("1.5")),), MARGINAL, on_goal=False), D("0.34"))
    assert result.lines[0].amount == D("0.01")  # 0.0051 rounds up
    assert result.total == sum(line.amount for line in result.lines)


def test_fixed_thresholds_need_no_goal_and_a_goal_plan_without_one_pays_nothing():
    fixed = Rules((Tier(D(0), D(0)), Tier(D(50_000), D(4))), MARGINAL, on_goal=False)
    assert payout(fixed, D(60_000)).total == D("400.00")
    missing = payout(Rules(ARTICLE, MARGINAL), D(60_000), None)
    assert missing.missing_goal and missing.total == 0


rates = st.decimals(min_value=0, max_value=100, places=2)


@st.composite
def plans(draw):
    count = draw(st.integers(1, 5))
    starts = sorted(draw(st.sets(st.decimals(min_value=1, max_value=500, places=1), min_size=count - 1, max_size=count - 1)))
    mode = draw(st.sampled_from([MARGINAL, FLAT]))
    chosen = [draw(rates) for _ in range(count)]
    if mode == FLAT:
        chosen.sort()  # a flat plan's rates never fall as tiers rise (the plan form refuses it)
    tiers = tuple(Tier(start, rate) for start, rate in zip([D(0)] + starts, chosen))
    bonuses = tuple(Bonus(draw(st.decimals(min_value=0, max_value=500, places=0)), draw(rates)) for _ in range(draw(st.integers(0, 2))))
    floor = draw(st.one_of(st.none(), st.decimals(min_value=0, max_value=1000, places=2)))
    return Rules(tiers, mode, bonuses, floor=floor, on_goal=draw(st.booleans()))


amounts = st.decimals(min_value=0, max_value=10**7, places=2)


@given(plans(), amounts, amounts, st.decimals(min_value=1, max_value=10**6, places=2))
def test_the_payout_never_falls_when_the_metric_rises(rules, value, more, target):
    low, high = sorted([value, value + more])
    assert payout(rules, low, target).total <= payout(rules, high, target).total
