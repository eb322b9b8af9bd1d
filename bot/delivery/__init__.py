"""Delivery both ways: the outbox to Jira, the inbox from Jira, notices and outcomes."""
