"""Labels of request states, channels and holders in the reader's language."""

from flask_babel import gettext as _, lazy_gettext as _l

STATUS_LABELS = {
    "submitted": _l("submitted"),
    "accepted": _l("accepted"),
    "in_progress": _l("in progress"),
    "resolved": _l("resolved"),
    "confirmed": _l("confirmed"),
    "closed": _l("closed"),
    "merged": _l("merged"),
    "out_of_scope": _l("out of scope"),
}

CHANNEL_LABELS = {
    "web": _l("on the site"),
    "phone": _l("by phone"),
    "visit": _l("in person"),
    "kiosk": _l("at the service hall terminal"),
    "hotline": _l("from the 12345 hotline"),
    "open311": _l("through the Open311 interface"),
}

HOLDER_LABELS = {
    "community": _l("the committee"),
    "street": _l("the street"),
    "department": _l("a department"),
}


def place_label(building: str | None, unit: str | None) -> str:
    """Where a request is, as anyone may see it: the building and unit, never the room."""
    if not building:
        return _("in the community")
    place = _("Building %(building)s", building=building)
    return f"{place} {_('Unit %(unit)s', unit=unit)}" if unit else place
