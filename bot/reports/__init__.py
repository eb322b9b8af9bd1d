"""Reports for admins: dashboard figures, the request log, charts."""
