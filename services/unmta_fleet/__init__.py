"""The fleet service: clusters, MTAs, users, API tokens and cluster grants."""
