"""People: access, requests for access, invites, roles and the audit log."""
