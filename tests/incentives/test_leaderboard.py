"""The leaderboard: a team ranked by any metric, ties sharing a place, and a team that shows its reps
only the top three and their own place."""
from core.auth import hash_password
from core.models import REP, User
from core.testing import PASSWORD
from plugins.incentives.models import TeamSetting

from .conftest import MONTH


def ranks(response) -> list[tuple[str, str]]:
    import re
    return re.findall(r"<tr(?: class=\"mine\")?>\s*<td>(\d+)</td>\s*<td>([^<]+)<br>", response.text)


def test_a_team_is_ranked_with_ties_sharing_a_place(app, pay, people):
    pay.won(people.rep, 5000, MONTH[0])
    pay.won(people.colleague, 5000, MONTH[0])
    with app.app_context():
        User.create(email="new@example.com", name="Nina New", role=REP, team=people.team, password_hash=hash_password("x" * 12))
    board = pay.rep.get("/incentives/leaderboard?metric=pipeline.won_revenue&period=month")
    assert board.status_code == 200
    assert ranks(board) == [("1", "Carl Colleague"), ("1", "Rita Rep"), ("3", "Nina New")]
    calls = pay.rep.get("/incentives/leaderboard?metric=pipeline.calls")
    assert calls.status_code == 200 and "Calls" in calls.text


def test_a_private_team_shows_reps_the_top_three_and_their_own_place(app, pay, people):
    with app.app_context():
        zeds = [User.create(email=f"r{number}@example.com", name=f"Zed {number}", role=REP, team=people.team,
                            password_hash=hash_password(PASSWORD))
                for number in range(4)]
    for amount, owner in ((900, people.colleague), (800, people.rep), (700, zeds[0]), (600, zeds[1]), (500, zeds[2])):
        pay.won(owner, amount, MONTH[0])
    assert pay.rep.post("/incentives/leaderboard/privacy", data={"team": people.team.id, "private": "y"}).status_code == 403
    assert pay.manager.post("/incentives/leaderboard/privacy", data={"team": people.west.id, "private": "y"}).status_code == 404
    assert pay.manager.post("/incentives/leaderboard/privacy", data={"team": people.team.id, "private": "y"}).status_code == 302
    with app.app_context():
        assert TeamSetting.get(TeamSetting.team == people.team.id).private_ranks
    seen = ranks(pay.login(zeds[3]).get("/incentives/leaderboard"))
    assert seen == [("1", "Carl Colleague"), ("2", "Rita Rep"), ("3", "Zed 0"), ("6", "Zed 3")]  # the top three, then their own
    assert len(ranks(pay.manager.get("/incentives/leaderboard"))) == 6  # the manager sees everyone


def test_a_rep_cannot_look_at_another_team(app, pay, people):
    pay.won(people.outsider, 700, MONTH[0])
    board = pay.rep.get(f"/incentives/leaderboard?team={people.west.id}").text
    assert "Olga Outsider" not in board and "Rita Rep" in board
