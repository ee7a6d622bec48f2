"""Forms of the hazard ledger, inspections and emergency points (shape only; the services hold the rules)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, FileField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from consult.core.forms import Form, strip
from consult.safety.hazard_labels import EQUIPMENT_LABELS, ITEM_LABELS, KIND_LABELS, SEVERITY_LABELS
from consult.safety.hazard_models import COUNT_MAX, EQUIPMENT, ITEM_KIND, KINDS, SEVERITIES
from consult.safety.hazards import HazardInput


def _severity():
    return RadioField(
        _l("How serious"),
        choices=[SelectChoice(s, SEVERITY_LABELS[s]) for s in SEVERITIES],
        default="medium",
        validators=[InputRequired(_l("Choose how serious it is."))],
    )


def _due():
    return DateField(
        _l("To be fixed by"),
        validators=[InputRequired(_l("Give the date it must be fixed by."))],
        description=_l("Not before the day it was found."),
    )


class OpenHazardForm(Form):
    """A failed inspection item opens a hazard: the kind comes from the item."""

    severity = _severity()
    place = StringField(_l("Where exactly"), filters=[strip], description=_l("For example: stairwell of unit 2, ground floor."))
    description = TextAreaField(_l("What was found"), filters=[strip])
    owner_name = StringField(
        _l("Owner (person or unit)"), filters=[strip], description=_l("Who must fix it, e.g. the property management office.")
    )
    due_on = _due()
    building = StringField(_l("Building (optional)"), filters=[strip])

    def hazard(self, **more) -> HazardInput:
        """What was sent, for ``hazards.record`` (the kind and the rest given by the caller or the subclass)."""
        sent = {
            "kind": "",
            "severity": self.severity.data,
            "place": self.place.data,
            "description": self.description.data,
            "owner_name": self.owner_name.data,
            "due_on": self.due_on.data,
            "building": self.building.data,
        }
        return HazardInput(**(sent | more))


class HazardForm(OpenHazardForm):
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, KIND_LABELS[k]) for k in KINDS])
    measures = TextAreaField(_l("Measures (optional)"), filters=[strip])
    owner_username = StringField(_l("Owner's username (optional)"), filters=[strip])
    request_id = IntegerField(
        _l("Request number (optional)"),
        validators=[Optional()],
        description=_l("When a resident's request reported it: the hazard and the request are linked."),
    )
    photos = FileField(
        _l("Photo (optional)"),
        description=_l("JPEG, PNG or WebP, at most 5 MB. Location data is removed."),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )

    def photo_bytes(self) -> bytes | None:
        sent = self.photos.data
        return sent.read() if sent is not None and getattr(sent, "filename", "") else None

    def full(self, owner_user) -> HazardInput:
        """Everything the committee's form sends, with the owner's account when one was named."""
        return self.hazard(
            kind=self.kind.data,
            measures=self.measures.data,
            owner_user=owner_user,
            photo=self.photo_bytes(),
            request_id=self.request_id.data,
        )


class PlanForm(Form):
    owner_name = StringField(_l("Owner (person or unit)"), filters=[strip])
    owner_username = StringField(_l("Owner's username (optional)"), filters=[strip])
    measures = TextAreaField(_l("Measures"), filters=[strip])
    due_on = _due()


class InspectionForm(Form):
    building = StringField(_l("Building (optional: the whole grid when empty)"), filters=[strip])
    note = StringField(_l("Note (optional)"), filters=[strip])

    def results(self) -> dict[str, bool]:
        return {item: getattr(self, f"item_{item}").data == "pass" for item in ITEM_KIND}


for _item in ITEM_KIND:
    setattr(
        InspectionForm,
        f"item_{_item}",
        RadioField(
            ITEM_LABELS[_item],
            choices=[SelectChoice("pass", _l("passed")), SelectChoice("fail", _l("failed"))],
            default="pass",
            validators=[InputRequired(_l("Answer every item of the checklist."))],
        ),
    )


class PointForm(Form):
    name = StringField(_l("Name"), filters=[strip])
    place = StringField(_l("Where"), filters=[strip])
    opening = StringField(_l("Opening hours"), filters=[strip], description=_l("For example: 24 hours, or 8:00–20:00."))
    open_at_night = BooleanField(_l("Residents can get in at night"))
    keeper_name = StringField(_l("Keeper"), filters=[strip])
    keeper_phone = StringField(_l("Keeper's work phone"), filters=[strip], description=_l("Never a personal number."))

    def point(self) -> dict:
        """What was sent, as ``stations.add_point`` takes it."""
        names = ("name", "place", "opening", "open_at_night", "keeper_name", "keeper_phone")
        counts = {item: getattr(self, f"count_{item}").data for item in EQUIPMENT}
        return {name: getattr(self, name).data for name in names} | {"counts": counts}


for _item in EQUIPMENT:
    setattr(
        PointForm,
        f"count_{_item}",
        IntegerField(
            EQUIPMENT_LABELS[_item],
            validators=[
                Optional(),
                NumberRange(min=0, max=COUNT_MAX, message=_l("Give a count between 0 and %(max)d.", max=COUNT_MAX)),
            ],
        ),
    )
