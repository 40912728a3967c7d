"""Delegation: a manager hands a task to a member of the team, it lands on their day and the
check-back on the manager's; the log says open, late or done on time; the workload per member."""
import datetime

TODAY = datetime.datetime.now(datetime.UTC).date()


def delegate(time, task, to, check_back=TODAY, who="manager"):
    return getattr(time, who).post(f"/timemgmt/tasks/{task}/delegate",
                                   data={"to": to.id, "outcome": "A signed order", "check_back": check_back.isoformat()})


def test_a_delegated_task_lands_on_the_reps_day_and_the_check_back_on_mine(app, time, people):
    task = time.task("manager", "Chase the Acme order", "delegate", minutes="90")
    assert delegate(time, task, people.rep).status_code == 302
    assert (time.get(task).owner_id, time.get(task).delegated_by_id) == (people.rep.id, people.manager.id)
    rep_day = time.rep.get("/timemgmt/").text
    assert "Chase the Acme order" in rep_day and "from Max Manager" in rep_day
    manager_day = time.manager.get("/timemgmt/").text
    assert "Check back with Rita Rep: Chase the Acme order" in manager_day
    log = time.manager.get("/timemgmt/delegations").text
    assert "Chase the Acme order" in log and "Open" in log and "1.5" in log  # Rita's 90 minutes this week
    # The rep finishes it on time; the log says so.
    assert time.rep.post(f"/timemgmt/tasks/{task}/done").status_code == 302
    assert "Done on time" in time.manager.get("/timemgmt/delegations").text
    assert "Check back with" not in time.manager.get("/timemgmt/").text


def test_a_late_delegation_is_marked_late(app, time, people):
    task = time.task("manager", "Update the price list", "delegate")
    delegate(time, task, people.colleague, check_back=TODAY - datetime.timedelta(days=2))
    assert "Late" in time.manager.get("/timemgmt/delegations").text


def test_only_members_of_my_teams_receive_my_work(app, time, people):
    task = time.task("manager", "Plan the offsite", "schedule")
    refused = delegate(time, task, people.outsider)
    assert refused.status_code == 400 and "members of a team you run" in refused.text
    mine = time.task("rep", "My own call", "do")
    assert delegate(time, mine, people.colleague, who="rep").status_code == 400  # a rep runs no team
    assert time.get(task).owner_id == people.manager.id and time.get(mine).owner_id == people.rep.id
    no_date = time.manager.post(f"/timemgmt/tasks/{task}/delegate", data={"to": people.rep.id, "outcome": "x", "check_back": "soon"})
    assert no_date.status_code == 400


def test_who_sees_a_delegation(app, time, people):
    task = time.task("manager", "Prepare the tender", "delegate")
    delegate(time, task, people.rep)
    assert time.rep.get(f"/timemgmt/tasks/{task}").status_code == 200
    assert time.manager.get(f"/timemgmt/tasks/{task}").status_code == 200
    assert time.colleague.get(f"/timemgmt/tasks/{task}").status_code == 404
    assert time.outsider.get(f"/timemgmt/tasks/{task}").status_code == 404
    private = time.task("rep", "Dentist at four", "do")
    assert time.manager.get(f"/timemgmt/tasks/{private}").status_code == 404  # a rep's own tasks stay theirs
    assert "Prepare the tender" not in time.colleague.get("/timemgmt/delegations").text
