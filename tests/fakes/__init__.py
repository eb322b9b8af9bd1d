"""Faithful loopback fakes of the Telegram Bot API and the Jira REST API that the tests drive real clients against."""
