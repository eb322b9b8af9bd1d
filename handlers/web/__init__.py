"""The web adapter: the aiohttp server with webhooks, health, metrics and the admin pages."""
