"""The credentials service: SMTP credentials (hashes only) and their domain and IP restrictions."""
