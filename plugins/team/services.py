"""Team meetings: opened with an agenda from the data (stored as it stood), topics the manager
reorders, adds and removes, notes, decisions and action items. Every change is validated here and
written in one transaction; a view only parses the request and renders."""
from __future__ import annotations

import datetime

import peewee
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.api import Team, Topic, User, db, label_text, locale_code, managed_team_ids, meeting_topics, records, team_today, utcnow

from .models import ActionItem, Decision, Meeting, MeetingTopic, TeamSetting

TITLE_MAX, TEXT_MAX = 200, 5000
RHYTHM_MAX, WEEKS_MAX = 90, 26
ACTION_LABELS = {"meeting_settings": _l("changed how the team meets")}


class TeamError(Exception):
    """Input the plugin cannot use, with a message for the person who sent it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# -- who may see what ---------------------------------------------------------------------------------


def visible_meetings(user):
    """The meetings `user` may read: those of the teams they run (an admin: every team's) and of
    their own team (a rep reads the agenda, the decisions and the actions, and changes nothing)."""
    query = Meeting.select()
    if user.may("see_everything"):
        return query
    return query.where(Meeting.team.in_(managed_team_ids(user)) | (Meeting.team == (user.team_id or 0)))


def changeable_meetings(user):
    """The meetings `user` may change: those of the teams they run (an admin: every team's)."""
    query = Meeting.select()
    return query if user.may("see_everything") else query.where(Meeting.team.in_(managed_team_ids(user)))


def led_team(user, team_id) -> Team | None:
    """A team `user` runs (an admin: any team), or None."""
    query = Team.select().where(Team.id == team_id)
    if not user.may("see_everything"):
        query = query.where(Team.id.in_(managed_team_ids(user)))
    return query.first()


def members(team) -> list[User]:
    """Who may own a meeting's action: the team's active members and its manager."""
    return list(User.select().where(((User.team == team.id) | (User.id == team.manager_id)), User.active == True)  # noqa: E712
                .order_by(User.name))


def setting(team) -> TeamSetting:
    return TeamSetting.get_or_none(TeamSetting.team == team.id) or TeamSetting(team=team.id)


def save_setting(team, rhythm: str, weeks: str, hide: bool, user) -> TeamSetting:
    try:
        rhythm_days, one_to_one_weeks = int(rhythm), int(weeks)
    except (TypeError, ValueError):
        raise TeamError(_("Give the rhythm in days and the one-to-ones in weeks, as whole numbers.")) from None
    if not 1 <= rhythm_days <= RHYTHM_MAX or not 1 <= one_to_one_weeks <= WEEKS_MAX:
        raise TeamError(_("Meet every 1 to %(days)d days, one-to-ones every 1 to %(weeks)d weeks.", days=RHYTHM_MAX, weeks=WEEKS_MAX))
    current = setting(team)
    before = {"rhythm_days": current.rhythm_days, "one_to_one_weeks": current.one_to_one_weeks,
              "hide_private_notes": current.hide_private_notes}
    after = {"rhythm_days": rhythm_days, "one_to_one_weeks": one_to_one_weeks, "hide_private_notes": hide}
    with db.atomic():
        TeamSetting.insert(team=team.id, **after).on_conflict(conflict_target=[TeamSetting.team], preserve=list(
            TeamSetting._meta.fields[key] for key in after)).execute()
        changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
        if changes:
            records.audit("meeting_settings", "team", team.id, team.name, changes, user)
    return setting(team)


# -- opening a meeting --------------------------------------------------------------------------------


def next_day(team, last: Meeting | None) -> datetime.date:
    """When the team meets next: the last meeting's day plus the rhythm, never before today."""
    today = team_today()
    if last is None:
        return today
    return max(today, last.day + datetime.timedelta(days=setting(team).rhythm_days))


def open_meeting(team, day: datetime.date, user) -> Meeting:
    """The team's meeting on `day`, opened now if it is not yet: its agenda is built from the data
    (every plugin's `meeting_topics` since the day after the previous meeting) and stored."""
    found = Meeting.get_or_none(Meeting.team == team.id, Meeting.day == day)
    if found is not None:
        return found
    previous = Meeting.select().where(Meeting.team == team.id, Meeting.day < day).order_by(Meeting.day.desc()).first()
    start = previous.day + datetime.timedelta(days=1) if previous else day - datetime.timedelta(days=setting(team).rhythm_days - 1)
    reader = locale_code()
    asked = {code: [topic for topic in meeting_topics(team, start, day, locale=code) if isinstance(topic, Topic)]
             for code in [reader, *(code for code in languages() if code != reader)]}
    topics = asked[reader]

    def each_language(position: int, topic: Topic, part) -> dict:
        """What `part` of the topic reads in each language (a language whose list differs is left out)."""
        return {code: part(found[position]) for code, found in asked.items()
                if len(found) == len(topics) and found[position].kind == topic.kind}

    try:
        with db.atomic():
            meeting = Meeting.create(team=team.id, day=day, start=start, opened_by=user.id)
            rows = [{"meeting": meeting.id, "position": position, "kind": topic.kind[:60], "title": str(topic.title)[:TITLE_MAX],
                     "lines": _lines(topic), "owner": topic.owner,
                     "labels": each_language(position, topic, lambda found: str(found.title)[:TITLE_MAX]),
                     "texts": each_language(position, topic, _lines)}
                    for position, topic in enumerate(topics)]
            if rows:
                MeetingTopic.insert_many(rows).execute()
    except peewee.IntegrityError:  # opened by someone else a moment ago
        return Meeting.get(Meeting.team == team.id, Meeting.day == day)
    return meeting


def _lines(topic: Topic) -> list:
    return [[str(text), url] for text, url in topic.lines]


def languages() -> list[str]:
    """The languages salesdeck ships (its catalogues), e.g. ["zh_Hans_CN", "en"]."""
    from flask_babel import get_babel

    return [str(code) for code in get_babel().instance.list_translations()]


def topic_title(topic: MeetingTopic) -> str:
    """A topic's title in the reader's language (as the data said it when the meeting opened)."""
    return label_text(topic.labels, topic.title)


def topic_lines(topic: MeetingTopic) -> list:
    return (topic.texts or {}).get(locale_code()) or topic.lines


def carried_actions(team, start, end) -> list[Topic]:
    """The team plugin's own point for a meeting: the open actions of the team's earlier meetings."""
    from flask import has_request_context, url_for

    open_actions = list(ActionItem.select(ActionItem, User).join(User, on=(ActionItem.owner == User.id)).switch(ActionItem)
                        .join(Meeting, on=(ActionItem.meeting == Meeting.id))
                        .where(Meeting.team == team.id, Meeting.day < end, ActionItem.done_at.is_null())
                        .order_by(ActionItem.due, ActionItem.id).limit(50))
    if not open_actions:
        return []
    linked = has_request_context()  # no links outside a request (a command, the demo)
    return [Topic("team.actions", str(_l("Open actions from earlier meetings")), order=0, lines=tuple(
        (f"{action.owner.name}: {action.title} · {action.due.isoformat()}", url_for("team.action", action_id=action.id) if linked else None)
        for action in open_actions))]


# -- during the meeting -------------------------------------------------------------------------------


def _text(value: str, limit: int, what: str, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise TeamError(_("%(what)s is empty.", what=what))
    if len(text) > limit:
        raise TeamError(_("%(what)s is longer than %(limit)d characters.", what=what, limit=limit))
    return text


def topics_of(meeting) -> list[MeetingTopic]:
    return list(MeetingTopic.select().where(MeetingTopic.meeting == meeting.id).order_by(MeetingTopic.position, MeetingTopic.id))


def topic_of(meeting, topic_id) -> MeetingTopic | None:
    return MeetingTopic.get_or_none(MeetingTopic.id == topic_id, MeetingTopic.meeting == meeting.id)


def add_topic(meeting, title: str) -> MeetingTopic:
    title = _text(title, TITLE_MAX, _("The topic"))  # the manager's words: one language
    with db.atomic():
        last = MeetingTopic.select(peewee.fn.MAX(MeetingTopic.position)).where(MeetingTopic.meeting == meeting.id).scalar()
        return MeetingTopic.create(meeting=meeting.id, title=title, position=(last or 0) + 1)


def remove_topic(meeting, topic) -> None:
    with db.atomic():
        ActionItem.update(topic=None).where(ActionItem.topic == topic.id).execute()
        MeetingTopic.delete().where(MeetingTopic.id == topic.id, MeetingTopic.meeting == meeting.id).execute()


def reorder(meeting, ids: list) -> None:
    """Put the meeting's topics in the order of `ids` (each one of its topics, each once)."""
    mine = {topic.id for topic in topics_of(meeting)}
    if len(ids) != len(set(ids)) or set(ids) != mine:
        raise TeamError(_("The order names topics that are not this meeting's; reload the page."))
    with db.atomic():
        for position, topic_id in enumerate(ids):
            MeetingTopic.update(position=position).where(MeetingTopic.id == topic_id).execute()


def save_notes(topic, text: str) -> None:
    topic.notes = _text(text, TEXT_MAX, _("The notes"), required=False)
    topic.save(only=[MeetingTopic.notes])


def add_decision(meeting, text: str) -> Decision:
    return Decision.create(meeting=meeting.id, text=_text(text, TEXT_MAX, _("The decision")))


def decisions_of(meeting) -> list[Decision]:
    return list(Decision.select().where(Decision.meeting == meeting.id).order_by(Decision.id))


def add_action(meeting, title: str, owner_id, due, topic_id, user) -> ActionItem:
    title = _text(title, 300, _("The action"))
    team = Team.get_by_id(meeting.team_id)
    owner = next((person for person in members(team) if person.id == owner_id), None)
    if owner is None:
        raise TeamError(_("Pick who does it among the team."))
    if due is None:
        raise TeamError(_("Give a due date (YYYY-MM-DD)."))
    topic = topic_of(meeting, topic_id) if topic_id else None
    return ActionItem.create(meeting=meeting.id, topic=topic.id if topic else None, title=title, owner=owner.id, due=due,
                             created_by=user.id)


def actions_of(meeting) -> list[ActionItem]:
    return list(ActionItem.select(ActionItem, User).join(User, on=(ActionItem.owner == User.id))
                .where(ActionItem.meeting == meeting.id).order_by(ActionItem.due, ActionItem.id))


def earlier_open_actions(meeting) -> list[ActionItem]:
    """The open actions of the team's earlier meetings, live (the agenda keeps them as they stood)."""
    return list(ActionItem.select(ActionItem, User).join(User, on=(ActionItem.owner == User.id)).switch(ActionItem)
                .join(Meeting, on=(ActionItem.meeting == Meeting.id))
                .where(Meeting.team == meeting.team_id, Meeting.day < meeting.day, ActionItem.done_at.is_null())
                .order_by(ActionItem.due, ActionItem.id))


def tick(action, done: bool, user) -> None:
    action.done_at, action.done_by = (utcnow(), user.id) if done else (None, None)
    action.save(only=[ActionItem.done_at, ActionItem.done_by])


def close(meeting, notes: str) -> None:
    meeting.notes = _text(notes, TEXT_MAX, _("The notes"), required=False)
    meeting.closed_at = meeting.closed_at or utcnow()
    meeting.save(only=[Meeting.notes, Meeting.closed_at])


def history(team, limit: int = 20) -> list[Meeting]:
    return list(Meeting.select().where(Meeting.team == team.id).order_by(Meeting.day.desc()).limit(limit))


def my_open_actions(user, day: datetime.date | None = None) -> list[ActionItem]:
    """The user's open actions, those due by `day` when it is given."""
    query = ActionItem.select().where(ActionItem.owner == user.id, ActionItem.done_at.is_null())
    if day is not None:
        query = query.where(ActionItem.due <= day)
    return list(query.order_by(ActionItem.due, ActionItem.id).limit(100))
