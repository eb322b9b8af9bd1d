"""What admins do in Telegram: templates, people, invites, access requests, delivery."""
