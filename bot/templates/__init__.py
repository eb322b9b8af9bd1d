"""Request templates: schema, priority rubric, diff, library, preview, publishing, the check against Jira."""
