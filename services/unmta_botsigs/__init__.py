"""The botsigs service: the default bot-signature catalogue, per-cluster toggles, custom
signatures, and the compiled matchers MTAs run."""
