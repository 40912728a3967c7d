"""Change counters for deals and their product lines: the board's column totals and Sales numbers
are counted once and remembered until a deal changes (`remembered` in `core.api`)."""
from core.api import counting

up, down = counting("pipeline_deal", "pipeline_deal_line")
