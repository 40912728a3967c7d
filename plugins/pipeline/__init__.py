"""Customers, contacts, deals, activities, the kanban board and follow-ups."""
