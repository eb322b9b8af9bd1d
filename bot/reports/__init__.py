"""Reports for admins: dashboard figures and the request log."""
