"""Text as people write it and as screens and Jira show it: dates, numbers, wiki escaping, YAML lines."""
