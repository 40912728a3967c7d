"""The core's tests also use the pipeline's fixture (records with owners and a pool)."""
from tests.pipeline.conftest import pipe  # noqa: F401 - a fixture, found by pytest through this import
