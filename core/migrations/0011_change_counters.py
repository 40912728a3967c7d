"""Change counters for the stage history and for who sees what (people and their teams): pages
that remember their numbers (`core.changes.remembered`) count again only when these moved."""
from core.changes import counting

up, down = counting("core_stage_move", "core_user", "core_team")
