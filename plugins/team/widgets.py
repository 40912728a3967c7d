"""The team plugin's cards on the home page: the next meeting and its open actions (managers), the
one-to-ones due (managers), my actions and my training (everyone)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.api import DashboardWidget, User, managed_teams, team_today

from . import oneonones, services, training
from .models import ActionItem, Assignment, Course, Meeting


def widgets(user) -> list[DashboardWidget]:
    found = []
    if user.may("lead_teams"):
        meetings = []
        for team in list(managed_teams(user))[:3]:
            last = Meeting.select().where(Meeting.team == team.id).order_by(Meeting.day.desc()).first()
            open_actions = list(ActionItem.select(ActionItem, User).join(User, on=(ActionItem.owner == User.id)).switch(ActionItem)
                                .join(Meeting, on=(ActionItem.meeting == Meeting.id))
                                .where(Meeting.team == team.id, ActionItem.done_at.is_null()).order_by(ActionItem.due).limit(5))
            meetings.append({"team": team, "next": services.next_day(team, last) if not last or last.day < team_today() else last.day,
                             "current": last if last and last.day >= team_today() else None, "actions": open_actions})
        if meetings:
            found.append(DashboardWidget(_l("Next team meeting"), "team/widget_meeting.html", {"meetings": meetings}, order=30))
        due = [row for row in oneonones.overview(user) if row["due"]]
        if due:
            found.append(DashboardWidget(_l("One-to-ones due"), "team/widget_one_to_ones.html", {"rows": due[:6], "more": len(due) - 6},
                                         order=31))
    actions = services.my_open_actions(user)
    if actions:
        found.append(DashboardWidget(_l("My actions"), "team/widget.html", {"actions": actions[:5], "more": len(actions) - 5}, order=32))
    mine = list(Assignment.select(Assignment, Course).join(Course)
                .where(Assignment.user == user.id, Assignment.completed_at.is_null()).order_by(Assignment.due).limit(5))
    if mine:
        found.append(DashboardWidget(_l("My training"), "team/widget_training.html", {"items": mine, "course_name": training.course_name},
                                     order=33))
    return found
