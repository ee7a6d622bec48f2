"""A street's evaluation settings, stored monthly figures and rankings (with their weights)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from consult.core.clock import now
from consult.extensions import Model

RATES = ("response", "resolution", "satisfaction", "participation")
DEFAULT_WEIGHTS = {"response": 30, "resolution": 30, "satisfaction": 30, "participation": 10}


class EvaluationSettings(Model):
    """A street's target response time, the minimum records for a rate, and the ranking weights."""

    __tablename__ = "evaluation_settings"

    street_id: Mapped[int] = mapped_column(sa.ForeignKey("streets.id"), primary_key=True)
    response_hours: Mapped[int] = mapped_column(default=48)
    min_records: Mapped[int] = mapped_column(default=5)
    weight_response: Mapped[int] = mapped_column(default=30)
    weight_resolution: Mapped[int] = mapped_column(default=30)
    weight_satisfaction: Mapped[int] = mapped_column(default=30)
    weight_participation: Mapped[int] = mapped_column(default=10)

    __table_args__ = (
        sa.CheckConstraint("response_hours BETWEEN 1 AND 720", name="response_hours"),
        sa.CheckConstraint("min_records BETWEEN 1 AND 1000", name="min_records"),
        sa.CheckConstraint(
            "weight_response >= 0 AND weight_resolution >= 0 AND weight_satisfaction >= 0 AND weight_participation >= 0"
            " AND weight_response + weight_resolution + weight_satisfaction + weight_participation > 0",
            name="weights",
        ),
    )

    @property
    def weights(self) -> dict[str, int]:
        return {rate: getattr(self, f"weight_{rate}") for rate in RATES}


class MonthlyResult(Model):
    """A community's figures for a month that has ended, computed once from the records."""

    __tablename__ = "evaluation_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    month: Mapped[str] = mapped_column(sa.String(7))
    figures: Mapped[dict] = mapped_column(sa.JSON)
    #: 0–100, None when no rate had enough data.
    composite: Mapped[float | None]
    weights: Mapped[dict] = mapped_column(sa.JSON)
    computed_at: Mapped[datetime] = mapped_column(default=now)

    __table_args__ = (sa.UniqueConstraint("community_id", "month"),)


class StreetRanking(Model):
    """A street's ranking for a month, with the weights it was computed with (a past ranking never changes)."""

    __tablename__ = "evaluation_rankings"

    id: Mapped[int] = mapped_column(primary_key=True)
    street_id: Mapped[int] = mapped_column(sa.ForeignKey("streets.id"))
    month: Mapped[str] = mapped_column(sa.String(7))
    weights: Mapped[dict] = mapped_column(sa.JSON)
    #: The target response time and minimum records the month was computed with.
    rules: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    computed_at: Mapped[datetime] = mapped_column(default=now)

    __table_args__ = (sa.UniqueConstraint("street_id", "month"),)
