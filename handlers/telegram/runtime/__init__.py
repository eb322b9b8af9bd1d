"""Running on Telegram: the Bot API transport, ordered update processing, background sweeps."""
