"""Commission plans, awards, training and leaderboards."""
