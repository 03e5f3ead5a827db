"""Provisions a real PostgreSQL and a real Apache Kafka (KRaft) on a machine without Docker.

Postgres comes from the system packages (installed with apt when missing and we are root);
Kafka's jars are resolved from Maven Central with `mvn` into a cache directory and run with the
system JDK. Every server is a child process that dies with its parent.
"""

from .stack import DevStack, StackError, start_stack

__all__ = ["DevStack", "StackError", "start_stack"]
