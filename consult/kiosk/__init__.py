"""Kiosk mode (一体机): registered terminals in the service hall, kiosk PINs, the kiosk pages."""
