"""A review carries the scope of what it shows: a rep reading their team's review sees the team's
goals and their own, never a teammate's goal, numbers or the manager's notes on them."""
from .conftest import made
from .test_setting import MONTH, key


def goal_for(goals, **fields) -> int:
    return made(goals.post_goal(goals.manager, **fields))


def write_team_review(goals, people, notes: dict) -> str:
    data = {"owner": f"team:{people.team.id}", "period": key(MONTH), "summary": "The team's month."}
    for goal_id, (cause, action) in notes.items():
        data[f"cause-{goal_id}"], data[f"action-{goal_id}"] = cause, action
    saved = goals.manager.post("/goals/reviews/write", data=data)
    assert saved.status_code == 302
    return saved.headers["Location"]


def test_a_rep_reads_the_teams_lines_and_their_own_but_not_a_teammates(goals, people):
    goals.won(people.rep, 300, MONTH.start)
    goals.won(people.colleague, 4321, MONTH.start)
    team = goal_for(goals, target="10000", period=key(MONTH))
    rita = goal_for(goals, owner=f"user:{people.rep.id}", target="600", period=key(MONTH))
    carl = goal_for(goals, owner=f"user:{people.colleague.id}", target="9876", period=key(MONTH))
    review = write_team_review(goals, people, {team: ("Team cause", "Team action"), rita: ("Rita is slow", "Coach Rita"),
                                               carl: ("Carl lost the big one", "Pair Carl with Max")})
    # The manager reads every line.
    full = goals.manager.get(review).text
    for text in ("Team cause", "Rita is slow", "Carl lost the big one", "9,876"):
        assert text in full, text
    # Carl's goal is out of Rita's reach, and so is its line in the review.
    assert goals.rep.get(f"/goals/{carl}").status_code == 404
    page = goals.rep.get(review)
    assert page.status_code == 200
    assert "Team cause" in page.text and "Rita is slow" in page.text and "Coach Rita" in page.text
    assert "Carl lost the big one" not in page.text and "Pair Carl with Max" not in page.text
    assert "9,876" not in page.text and "4,321" not in page.text and f"/goals/{carl}" not in page.text
    assert "each teammate sees their own lines" in page.text
    # Carl reads his line, not Rita's.
    theirs = goals.colleague.get(review).text
    assert "Carl lost the big one" in theirs and "Rita is slow" not in theirs
    # The list counts the lines each one may read.
    assert goals.rep.get("/goals/reviews/").status_code == 200
    # Another team reads nothing of it.
    assert goals.outsider.get(review).status_code == 404


def test_a_reps_own_review_is_theirs_to_read_whole_and_nobody_elses(goals, people):
    rita = goal_for(goals, owner=f"user:{people.rep.id}", target="600", period=key(MONTH))
    saved = goals.manager.post("/goals/reviews/write", data={"owner": f"user:{people.rep.id}", "period": key(MONTH),
                                                             f"cause-{rita}": "Rita's own cause", "summary": "For Rita."})
    review = saved.headers["Location"]
    mine = goals.rep.get(review).text
    assert "Rita&#39;s own cause" in mine and "For Rita." in mine and "each teammate sees" not in mine
    assert goals.colleague.get(review).status_code == 404
    assert goals.outsider.get(review).status_code == 404
    assert goals.rep.post("/goals/reviews/write", data={"owner": f"user:{people.rep.id}", "period": key(MONTH),
                                                        "summary": "Rewritten by Rita"}).status_code == 404
