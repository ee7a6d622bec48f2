"""The hazard ledger's, inspections' and emergency points' names as people read them (Babel)."""

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "fire_lane": _l("Blocked fire lane or exit"),
    "ebike_charging": _l("E-bikes charging in a stairwell or corridor"),
    "loose_facade": _l("Loose facade, tiles or fixtures"),
    "gas_smell": _l("Gas smell or damaged gas pipe"),
    "flooding": _l("Flooding point"),
    "electrical": _l("Exposed wiring or open meter box"),
    "other": _l("Other hazard"),
}
SEVERITY_LABELS = {"low": _l("low"), "medium": _l("medium"), "high": _l("high")}
STATUS_LABELS = {
    "open": _l("open"),
    "fixing": _l("being fixed"),
    "fixed": _l("fixed, waiting for a check"),
    "checked": _l("checked"),
}
#: The buttons of the state table's steps.
STEP_LABELS = {
    "start": _l("Start fixing"),
    "fix": _l("Mark as fixed"),
    "check": _l("Checked: the hazard is gone"),
    "reopen": _l("Not fixed: back to being fixed"),
}
ITEM_LABELS = {
    "fire_lane_clear": _l("Fire lanes and exits are clear"),
    "fire_doors_closed": _l("Fire doors close and are not propped open"),
    "extinguishers_present": _l("Extinguishers are in place and in date"),
    "no_ebike_in_stairwell": _l("No e-bike parked or charging in stairwells or corridors"),
    "no_flying_leads": _l("No charging cables hanging from windows"),
    "facade_intact": _l("Facade, tiles and signs are firm"),
    "no_loose_objects_on_balconies": _l("Nothing loose on balconies or window sills"),
    "no_gas_smell": _l("No smell of gas"),
    "gas_pipes_intact": _l("Gas pipes and meters are undamaged"),
    "drains_clear": _l("Drains and gullies are clear"),
    "basement_dry": _l("Basement and garage are dry"),
    "meter_boxes_closed": _l("Meter boxes are closed"),
    "no_exposed_wires": _l("No exposed wires"),
}
EQUIPMENT_LABELS = {
    "aed": _l("AED (defibrillator)"),
    "stretcher": _l("Stretcher"),
    "sandbags": _l("Sandbags"),
    "generator": _l("Generator"),
    "first_aid_kit": _l("First-aid kit"),
    "flashlights": _l("Flashlights"),
    "water_pump": _l("Water pump"),
    "life_jackets": _l("Life jackets"),
}
