"""The bot's texts in every supported language."""
