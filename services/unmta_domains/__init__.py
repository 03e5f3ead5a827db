"""The domains service: sending domains, their DKIM keys and DNS verification."""
