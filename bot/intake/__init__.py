"""Intake: the draft, the guided dialog, reading informal asks, the customer directory."""
