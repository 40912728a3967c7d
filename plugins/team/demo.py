"""The demo team's meetings: two past weekly meetings with decisions and actions (one done, one
still open, so this week's meeting starts with it)."""
from __future__ import annotations

import datetime

from core.api import team_today, utcnow

from . import services
from .models import ActionItem


def create(team, rng) -> None:
    today = team_today()
    reps = list(team.reps)
    meetings = []
    for weeks in (2, 1):
        meeting = services.open_meeting(team.team, today - datetime.timedelta(days=7 * weeks), team.manager)
        meetings.append(meeting)
    first, second = meetings
    services.add_decision(first, "Every rep books two customer visits a week until the end of the quarter.")
    services.add_decision(second, "Quotes above 100,000 go through the manager before they are sent.")
    for number, rep in enumerate(reps):
        done = services.add_action(first, f"Call back the three largest open deals ({rep.name})", rep.id,
                                   first.day + datetime.timedelta(days=3), None, team.manager)
        ActionItem.update(done_at=utcnow() - datetime.timedelta(days=8), done_by=rep.id).where(ActionItem.id == done.id).execute()
        services.add_action(second, "Prepare the customer reference for the trade fair" if number % 2 else
                            "Update the next steps of the stalled deals", rep.id, today + datetime.timedelta(days=rng.randint(0, 3)),
                            None, team.manager)
    second.notes = "Good week: two wins. The trade fair needs a booth plan by Friday."
    second.closed_at = utcnow() - datetime.timedelta(days=7)
    second.save()
