"""The tracking service: tracking domains, CNAME verification, the one-default invariant."""
