"""What salespeople do in Telegram, one journey a module."""
