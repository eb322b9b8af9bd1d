"""The Telegram adapter: wiring, journeys, admin journeys, rendering and the runtime."""
