"""Who a plan pays: the admin names roles, teams and people (here the role is the subject, not a
permission: "this plan pays the reps")."""
from __future__ import annotations


def in_audience(user, roles: list[str], teams: list[int], users: list[int]) -> bool:
    return bool(user.active) and (user.role in roles or user.team_id in teams or user.id in users)
