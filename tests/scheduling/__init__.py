"""Tests of the pure scheduling core (keplive.booking.scheduling)."""
