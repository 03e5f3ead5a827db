"""Runs every service in one process for local use (`make run`) and for tests."""
