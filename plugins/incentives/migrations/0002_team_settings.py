"""A setting per team: show reps only their own rank and the top three on the leaderboard."""
from peewee import *


def up(migrator, db):
    class Team(Model):
        class Meta:
            database = db
            table_name = 'core_team'

    class TeamSetting(Model):
        team = ForeignKeyField(Team, primary_key=True, on_delete='CASCADE')
        private_ranks = BooleanField(default=False)

        class Meta:
            database = db
            table_name = 'incentives_team_setting'

    db.create_tables([TeamSetting])


def down(migrator, db):
    db.execute_sql('DROP TABLE incentives_team_setting')
