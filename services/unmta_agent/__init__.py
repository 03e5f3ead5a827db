"""The agent that runs next to an MTA: pulls its snapshot, verifies, writes atomically, reports."""
