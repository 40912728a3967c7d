"""The daily plan: today's agenda, priorities, time blocks, focus timer and weekly reflection."""
