"""Adapters that report what the agent does: CloudWatch metrics."""
