"""The goals answer `goal_targets`: what another plugin (the incentives) measures attainment against."""
import datetime
from decimal import Decimal

from core.api import goal_targets, utcnow
from plugins.goals.models import Goal


def test_hook_goal_targets_gives_each_persons_goal_for_exactly_that_period_and_narrowing(app, people):
    month = (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    with app.test_request_context():
        def goal(owner, target, start=month[0], end=month[1], metric="pipeline.won_revenue", **extra):
            Goal.create(owner_user=owner.id, metric=metric, target=target, period_kind="month", start=start, end=end, **extra)

        goal(people.rep, 1000)
        goal(people.colleague, 2000, filters={"product": "7"})  # narrowed: another question
        goal(people.outsider, 3000, start=datetime.date(2026, 10, 1), end=datetime.date(2026, 12, 31))  # a quarter
        goal(people.manager, 4000, archived_at=utcnow())
        goal(people.admin, 5000, metric="pipeline.calls")
        asked = [people.rep.id, people.colleague.id, people.outsider.id, people.manager.id, people.admin.id]
        assert goal_targets("pipeline.won_revenue", {}, asked, *month) == {people.rep.id: Decimal(1000)}
        assert goal_targets("pipeline.won_revenue", {"product": "7"}, asked, *month) == {people.colleague.id: Decimal(2000)}
        assert goal_targets("pipeline.won_revenue", {}, [people.colleague.id], *month) == {}
