"""Which import created a customer (`import_job`), so "new customers" can leave imports out.

Customers imported before this was kept are found in the audit log (their first entry is the
import) and marked with the latest import of customers before them, or 0 when none is left."""
from peewee import *

IMPORTED_BEFORE = """
UPDATE pipeline_customer SET import_job = COALESCE(
    (SELECT MAX(job.id) FROM core_import job
     WHERE job.entity = 'pipeline.customer' AND job.created_at <= pipeline_customer.created_at), 0)
WHERE id IN (
    SELECT entry.record_id FROM core_audit entry
    WHERE entry.entity = 'pipeline.customer' AND entry.action = 'import' AND entry.record_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM core_audit older
                      WHERE older.entity = entry.entity AND older.record_id = entry.record_id
                        AND older.id < entry.id))
"""


def up(migrator, db):
    migrator.migrate(migrator.add_column('pipeline_customer', 'import_job', IntegerField(null=True)))
    db.execute_sql(IMPORTED_BEFORE)


def down(migrator, db):
    migrator.migrate(migrator.drop_column('pipeline_customer', 'import_job'))
