"""Demo kiosk mode: one registered kiosk in 和平社区's service hall (its token is random and thrown
away: open kiosk mode in the demo by registering your own browser as the worker, README) and the
kiosk PIN 246810 for the demo resident ``resident`` (demo only)."""

from __future__ import annotations

from consult.kiosk import pins, services

#: the demo resident's kiosk PIN: for demonstration only
DEMO_PIN = "246810"


def seed(world: dict) -> None:
    community, worker = world["community"], world["worker"]
    services.register_kiosk(worker, community, "服务大厅一号机")
    pins.set_pin(worker, community, world["resident"], DEMO_PIN)
