"""configsync: projects the event streams into one snapshot per MTA and serves them to agents."""
