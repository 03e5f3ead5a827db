"""The gateway: public /api/v1, the operator's /admin/v1, auth, validation, OpenAPI, /health."""
