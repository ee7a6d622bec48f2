"""What safety adds to the shared registries: its part of "download my data", labels and audit
sentences, the grid panel of "My page"; and the blueprint-free bits the pages need."""

from flask_babel import lazy_gettext as _l

from consult.accounts.hooks import me_section
from consult.core.audit import describe_actions
from consult.core.registries import STAFF_ACTION, add_labels, closing, not_personal, personal, template_global
from consult.safety import needs, pages, queries, staff


@personal("help_needs", covers={"help_needs.user_id": ""})
def my_needs(user) -> list[dict]:
    """My marks of needing help in an emergency, and who recorded them with my consent."""
    need = queries.need_of(user.id)
    if need is None:
        return []
    return [
        {
            "marks": need.marks,
            "note": need.note,
            "recorded_by_worker": need.recorded_by_id is not None,
            "consent_by": need.consent_by,
            "consent_how": need.consent_how,
            "consent_at": need.consent_at.isoformat() if need.consent_at else None,
            "updated_at": need.updated_at.isoformat(),
        }
    ]


@personal("building_volunteers", covers={"building_volunteers.user_id": ""})
def my_volunteering(user) -> list[dict]:
    """The buildings I was named volunteer (楼栋长) of."""
    return [
        {
            "community_id": v.community_id,
            "building": v.building,
            "created_at": v.created_at.isoformat(),
            "ended_at": v.ended_at.isoformat() if v.ended_at else None,
        }
        for v in queries.volunteering_of(user.id)
    ]


not_personal(
    {
        "help_needs.recorded_by_id": STAFF_ACTION,
        "building_volunteers.named_by_id": STAFF_ACTION,
        "building_volunteers.ended_by_id": STAFF_ACTION,
    }
)


@closing("safety")
def close_account(user) -> None:
    """A closed account's marks are deleted and its building volunteer roles end."""
    needs.forget(user)
    staff.end_volunteering(user)


@me_section("safety")
def my_grid(user):
    """ "My page": my grid, its grid workers' work phones and my building's volunteer."""
    page = pages.my_safety(user)
    if page.home is None:
        return None
    return "safety/_me_grid.html", {"page": page}


add_labels(
    {
        "grid_worker": _l("grid worker"),
        "building": _l("Building"),
        "grid": _l("Grid"),
        "work_phone": _l("Work phone"),
        "grid.create": _l("grid created"),
        "grid.rename": _l("grid renamed"),
        "grid.delete": _l("grid deleted"),
        "grid.add_building": _l("building put in a grid"),
        "grid.move_building": _l("building moved to another grid"),
        "grid.remove_building": _l("building taken out of its grid"),
        "grid.name_volunteer": _l("building volunteer named"),
        "grid.end_volunteer": _l("building volunteer's role ended"),
        "staff.appoint_grid_worker": _l("grid worker appointed"),
        "staff.end_grid_worker": _l("grid worker removed"),
        "safety.need_set": _l("needs help in an emergency: marks changed by the person"),
        "safety.need_recorded": _l("needs help in an emergency: recorded by a worker with consent"),
        "safety.need_removed": _l("needs help in an emergency: marks removed by the person"),
    }
)

#: The marks as people read them (not in the shared labels: "other" is a topic category's there).
MARK_LABELS = {
    "lives_alone_over_70": _l("lives alone and is over 70"),
    "limited_mobility": _l("limited mobility"),
    "no_phone": _l("no phone"),
    "other": _l("other"),
}


@template_global
def help_marks(need) -> list[str]:
    """The marks of a HelpNeed, translated: ``{{ listed(help_marks(need)) }}``."""
    return [str(MARK_LABELS[mark]) for mark in need.marks]


describe_actions(
    {
        "grid.create": _l("Created the grid %(name)s."),
        "grid.rename": _l("Renamed a grid to %(name)s."),
        "grid.delete": _l("Deleted the grid %(name)s."),
        "grid.add_building": _l("Put building %(building)s in a grid."),
        "grid.move_building": _l("Moved building %(building)s to the grid %(grid)s."),
        "grid.remove_building": _l("Took building %(building)s out of its grid."),
        "grid.name_volunteer": _l("Named %(user_id)s volunteer of building %(building)s."),
        "grid.end_volunteer": _l("Ended the role of %(user_id)s as volunteer of building %(building)s."),
        "staff.appoint_grid_worker": _l("Appointed %(user_id)s as a grid worker of %(grid)s (work phone %(work_phone)s)."),
        "staff.end_grid_worker": _l("Ended the appointment of %(user_id)s as a grid worker."),
        "safety.need_set": _l("%(user_id)s changed their marks of needing help in an emergency."),
        "safety.need_recorded": _l("Recorded, with consent, that %(user_id)s needs help in an emergency."),
        "safety.need_removed": _l("%(user_id)s removed their marks of needing help in an emergency."),
    }
)
import consult.safety.hazard_registrations  # noqa: E402,F401  (the hazard ledger's part)
