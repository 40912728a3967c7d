"""Roles are asked by capability: `user.may("approve")`, never a comparison with a role name."""
import pathlib
import re

import pytest

from core.models import ADMIN, CAPABILITIES, MANAGER, REP, User

ROOT = pathlib.Path(__file__).resolve().parents[2]
ROLE_COMPARISON = re.compile(r"""\.role\s*(==|!=|not in|in)\s|role\s*(==|!=)\s*["'](admin|manager|rep)["']""")
# Where the role itself is the subject (editing a user's role, keeping one admin), not a permission.
ROLE_IS_THE_SUBJECT = {"core/admin.py", "core/models.py", "core/accounts.py", "core/lowcode/entities.py",
                       "plugins/incentives/audience.py"}  # which roles a commission plan pays


def test_no_code_or_template_compares_role_names():
    found = []
    for path in [*ROOT.glob("core/**/*.py"), *ROOT.glob("plugins/**/*.py"), *ROOT.glob("templates/**/*.html"),
                 *ROOT.glob("plugins/**/templates/**/*.html")]:
        relative = path.relative_to(ROOT).as_posix()
        if relative in ROLE_IS_THE_SUBJECT or "/migrations/" in relative:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ROLE_COMPARISON.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert found == [], "ask user.may(capability) instead:\n" + "\n".join(found)


@pytest.mark.parametrize("role, allowed", [
    (ADMIN, {"administer", "see_everything", "lead_teams", "approve", "reassign"}),
    (MANAGER, {"lead_teams", "approve", "reassign"}),
    (REP, set()),
])
def test_each_role_carries_its_capabilities(role, allowed):
    user = User(role=role)
    assert {name for name in CAPABILITIES if user.may(name)} == allowed


def test_an_unknown_capability_is_a_programming_error():
    with pytest.raises(KeyError):
        User(role=ADMIN).may("fly")


def test_pages_that_need_a_capability_refuse_others(login, people):
    rep, manager, admin = login(people.rep), login(people.manager), login(people.admin)
    assert rep.get("/approvals/").status_code == 403
    assert manager.get("/approvals/").status_code == 200
    assert manager.get("/goals/holidays").status_code == 403
    assert admin.get("/goals/holidays").status_code == 200
    assert manager.get("/admin/processes/").status_code == 403
