"""The operator CLI, `unmta`."""
