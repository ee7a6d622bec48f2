"""Labels of request states, channels and holders in the reader's language."""

from flask_babel import lazy_gettext as _l

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
