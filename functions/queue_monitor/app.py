"""Scheduled every minute: the age of the agents' queue, for the handoff queue-age alarm."""

from socialcare.handlers import queue_monitor_handler

handler = queue_monitor_handler()
