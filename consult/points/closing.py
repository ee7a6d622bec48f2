"""What points gives up when a person closes their account: redemptions not yet handed over."""

import sqlalchemy as sa

from consult.core.registries import closing
from consult.extensions import db
from consult.points import rewards
from consult.points.models import Redemption, RedemptionStatus


@closing("points")
def cancel_pending_redemptions(user) -> None:
    """Cancel each redemption not yet handed over: the points come back (a reversal) and so does the stock."""
    for redemption in list(
        db.session.scalars(
            sa.select(Redemption)
            .where(Redemption.user_id == user.id, Redemption.status == RedemptionStatus.PENDING)
            .order_by(Redemption.id)
        )
    ):
        rewards.cancel_redemption(user, redemption)
