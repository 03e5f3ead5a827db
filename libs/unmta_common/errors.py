"""The one exception base of the shared libs; third-party errors are mapped at the adapters."""


class UnmtaError(Exception):
    """Base of every error raised by unmta_common."""


class InfrastructureUnavailable(UnmtaError):
    """Kafka or Postgres could not be reached in time; retrying later may succeed."""


class ConcurrencyConflict(UnmtaError):
    """Another writer appended to the same aggregate version first."""


class OutcomeTimeout(UnmtaError):
    """A command was sent but its outcome did not arrive in time."""
