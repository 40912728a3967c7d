"""Change counters for the pipeline's settings and products: the board's card fields and its
product filter are kept in each server process until these move (`core.changes.kept_rows`)."""
from core.api import counting

up, down = counting("pipeline_setting", "pipeline_product")
