"""The demo team's side of people management: two past weekly meetings with decisions and actions
(one done, one still open, so this week's meeting starts with it), one-to-ones for each rep, a
catalogue of six courses with the skills they build, assignments and skill ratings, a team
activity and a few thank-you notes."""
from __future__ import annotations

import datetime

from flask import current_app

from core.api import team_today, utcnow

from . import oneonones, services, together, training
from .models import ActionItem, Assignment, OneToOne, SkillRating

SKILLS = (  # (English, Chinese, the funnel step it helps)
    ("Prospecting", "客户开发", "pipeline.calls"),
    ("Needs discovery", "需求挖掘", "pipeline.visits"),
    ("Closing", "促成成交", "pipeline.quotes"),
    ("Product knowledge", "产品知识", None),
)
COURSES = (  # (English, Chinese, kind, external, hours, cost, skills)
    ("Cold calls that open doors", "电话开发技巧", "course", False, "4", "0", ("Prospecting",)),
    ("Consultative selling", "顾问式销售", "course", True, "16", "4800", ("Needs discovery",)),
    ("Writing proposals that win", "撰写打动客户的方案", "course", False, "6", "0", ("Needs discovery", "Closing")),
    ("Negotiation and closing", "谈判与成交", "course", True, "12", "3600", ("Closing",)),
    ("Expert talk: how buyers decide", "专家讲座：客户如何决策", "talk", True, "2", "1500", ("Closing", "Needs discovery")),
    ("Industry trade fair", "行业展会", "fair", True, "16", "8000", ("Product knowledge",)),
)


def create(team, rng) -> None:
    today = team_today()
    reps = list(team.reps)
    with current_app.test_request_context():  # the agendas link their lines to the records
        _meetings(team, reps, today, rng)
    _one_to_ones(team, reps, today, rng)
    _training(team, reps, today, rng)
    _together(team, reps, today)


def _meetings(team, reps, today, rng) -> None:
    first, second = (services.open_meeting(team.team, today - datetime.timedelta(days=7 * weeks), team.manager) for weeks in (2, 1))
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


def _one_to_ones(team, reps, today, rng) -> None:
    for number, rep in enumerate(reps):
        earlier = oneonones.open_one(rep, today - datetime.timedelta(days=14 + number), team.manager)
        OneToOne.update(went_well="Two demos booked with new customers.", manager_concerns="Follow-ups slip on Fridays.",
                        rep_concerns="Too many internal reports.", private_notes="Ready for a larger account next quarter.",
                        pulse=rng.randint(2, 5), next_day=today + datetime.timedelta(days=number),
                        held_at=utcnow() - datetime.timedelta(days=14)) \
            .where(OneToOne.id == earlier.id).execute()
        oneonones.add_action(earlier, "Block Friday mornings for follow-ups", rep.id, today - datetime.timedelta(days=2), team.manager)
        if number == 0:  # the next one is prepared: the rep put a topic on the shared agenda
            upcoming = oneonones.open_one(rep, today, team.manager)
            oneonones.add_shared_topic(upcoming, "Pricing approval for the harbour project", rep)


def _training(team, reps, today, rng) -> None:
    skills = {}
    for english, chinese, metric in SKILLS:
        skills[english] = training.save_skill({"name": english, "labels": {"en": english, "zh_Hans_CN": chinese}, "metric": metric},
                                              team.admin)
    courses = []
    for english, chinese, kind, external, hours, cost, built in COURSES:
        courses.append(training.save_course(None, {"name": english, "labels": {"en": english, "zh_Hans_CN": chinese}, "kind": kind,
                                                   "external": external, "hours": hours, "cost": cost, "currency": "CNY",
                                                   "skills": [skills[name].id for name in built]}, team.admin))
    for number, rep in enumerate(reps):
        done = training.assign(courses[number % len(courses)].id, rep, today - datetime.timedelta(days=20), "", team.manager)
        Assignment.update(completed_at=utcnow() - datetime.timedelta(days=25 - number), feedback="Practical, with role plays.") \
            .where(Assignment.id == done.id).execute()
        training.assign(courses[(number + 3) % len(courses)].id, rep, today + datetime.timedelta(days=30), "", team.manager)
        for skill in (skills["Prospecting"], skills["Closing"]):
            for months_ago, level in ((3, rng.randint(1, 3)), (0, rng.randint(2, 4))):
                rating = training.rate(rep, skill.id, str(level), "", team.manager)
                SkillRating.update(assessed_at=utcnow() - datetime.timedelta(days=30 * months_ago)) \
                    .where(SkillRating.id == rating.id).execute()


def _together(team, reps, today) -> None:
    together.create({"name": "Team hiking day", "kind": "activity", "day": today - datetime.timedelta(days=10), "team": team.team.id,
                     "members": [rep.id for rep in reps], "notes": "Lunch by the lake; next time a boat trip."}, team.manager)
    if len(reps) > 1:
        together.thank(reps[1].id, "Thanks for covering my customer visit on Tuesday.", reps[0])
        together.thank(reps[0].id, "Thanks for the great product demo slides!", team.manager)
