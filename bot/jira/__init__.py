"""Jira: the gateway, create metadata, field shaping, events, ticket rendering, similar-issue search."""
