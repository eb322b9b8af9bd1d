"""Approval for the top priority: requests that wait for an approver before they go to Jira."""
