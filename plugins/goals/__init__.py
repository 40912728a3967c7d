"""SMART goals, their breakdown over periods and people, live progress and reviews."""
