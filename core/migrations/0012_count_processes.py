"""Change counters for processes and stages: the short lists nearly every page reads (the board's
columns, a create's first stage) are kept in each server process until these move
(`core.changes.kept_rows`)."""
from core.changes import counting

up, down = counting("core_process", "core_stage")
