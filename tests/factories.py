"""Factories building demo-like records directly, for tests of every domain."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from consult.accounts.models import User
from consult.activities import services as activities
from consult.activities.models import PartyRegistration
from consult.core.clock import now
from consult.offerings.models import Provider
from consult.places.models import Community, Department, Residence, ResidenceStatus, StaffAppointment, StaffRole, Street
from consult.requests import reporting, services as requests
from consult.safety.models import Grid, GridBuilding
from consult.topics import services as topics
from consult.topics.models import Category

PASSWORD = "secret-pass-1"
# A cheap hash keeps the suite fast; the real code uses werkzeug's default (scrypt).
FAST_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
_seq = itertools.count(1)


@dataclass
class World:
    """Two communities (a, b) in one street, a community (c) in another, one person per role."""

    street: Street
    other_street: Street
    a: Community
    b: Community
    c: Community
    pending: User
    resident: User
    party: User
    worker: User
    other_worker: User
    street_admin: User
    other_street_admin: User
    site_admin: User
    department: Department = None  # type: ignore[assignment]
    department_member: User = None  # type: ignore[assignment]
    #: a grid of community a holding building 3 (world.resident's); building 5 (world.party's) is in none
    grid: Grid = None  # type: ignore[assignment]
    grid_worker: User = None  # type: ignore[assignment]
    provider: Provider = None  # type: ignore[assignment]
    provider_staff: User = None  # type: ignore[assignment]

    _topics: dict = None  # type: ignore[assignment]
    factory: Factory = None  # type: ignore[assignment]

    def topic(self, stage: str = "collecting_support"):
        """A topic of community a at ``stage`` (built once per world, through the services)."""
        if self._topics is None:
            self._topics = {}
        if stage not in self._topics:
            self._topics[stage] = self.factory.topic(self, stage)
        return self._topics[stage]

    def roles(self) -> dict[str, User | None]:
        return {
            "visitor": None,
            "pending": self.pending,
            "resident": self.resident,
            "party": self.party,
            "other_worker": self.other_worker,
            "worker": self.worker,
            "other_street_admin": self.other_street_admin,
            "street_admin": self.street_admin,
            "site_admin": self.site_admin,
            "department": self.department_member,
            "grid_worker": self.grid_worker,
            "provider": self.provider_staff,
        }


class Factory:
    def __init__(self, session):
        self.session = session

    def _add(self, obj):
        self.session.add(obj)
        self.session.flush()
        return obj

    def street(self, name: str | None = None, slug: str | None = None) -> Street:
        n = next(_seq)
        return self._add(Street(slug=slug or f"street-{n}", name=name or f"街道{n}"))

    def community(self, street: Street | None = None, name: str | None = None, slug: str | None = None) -> Community:
        n = next(_seq)
        street = street or self.street()
        return self._add(Community(street_id=street.id, slug=slug or f"community-{n}", name=name or f"社区{n}"))

    def user(self, username: str | None = None, display_name: str | None = None, phone: str | None = None, **kwargs) -> User:
        n = next(_seq)
        return self._add(
            User(
                username=username or f"user{n}",
                display_name=display_name or f"用户{n}",
                phone=phone,
                password_hash=FAST_HASH,
                **kwargs,
            )
        )

    def residence(self, user: User, community: Community, status: str = ResidenceStatus.CONFIRMED, **address) -> Residence:
        moment = now()
        residence = Residence(
            user_id=user.id,
            community_id=community.id,
            status=status,
            confirmed_at=moment if status == ResidenceStatus.CONFIRMED else None,
            created_at=moment,
            **address,
        )
        if status == ResidenceStatus.CONFIRMED:
            community.member_count += 1
        self._add(residence)
        return residence

    def resident(self, community: Community, status: str = ResidenceStatus.CONFIRMED, **kwargs) -> User:
        address = {k: kwargs.pop(k) for k in ("building", "unit", "room") if k in kwargs}
        user = self.user(**kwargs)
        self.residence(user, community, status, **address)
        return user

    def appoint(
        self, user: User, role: str, community: Community | None = None, street: Street | None = None
    ) -> StaffAppointment:
        return self._add(
            StaffAppointment(
                user_id=user.id,
                role=role,
                community_id=community.id if community else None,
                street_id=street.id if street else None,
            )
        )

    def worker(self, community: Community, **kwargs) -> User:
        user = self.user(**kwargs)
        self.appoint(user, StaffRole.WORKER, community=community)
        return user

    def street_admin(self, street: Street, **kwargs) -> User:
        user = self.user(**kwargs)
        self.appoint(user, StaffRole.STREET_ADMIN, street=street)
        return user

    def department_member(self, department: Department, **kwargs) -> User:
        user = self.user(**kwargs)
        self._add(StaffAppointment(user_id=user.id, role=StaffRole.DEPARTMENT, department_id=department.id))
        return user

    def grid(self, community: Community, name: str = "第一网格", buildings=("3",)) -> Grid:
        grid = self._add(Grid(community_id=community.id, name=name))
        for building in buildings:
            self._add(GridBuilding(community_id=community.id, grid_id=grid.id, building=building))
        return grid

    def grid_worker(self, grid: Grid, work_phone: str = "010-62345678", **kwargs) -> User:
        user = self.user(**kwargs)
        self._add(
            StaffAppointment(
                user_id=user.id,
                role=StaffRole.GRID_WORKER,
                community_id=grid.community_id,
                grid_id=grid.id,
                work_phone=work_phone,
            )
        )
        return user

    def provider(self, community: Community, name: str | None = None, kind: str = "unit", confirmed: bool = True) -> Provider:
        """A provider of the service list in ``community`` (confirmed unless told)."""
        moment = now() if confirmed else None
        admin = self.session.scalar(sa.select(User).order_by(User.id)) if confirmed else None
        return self._add(
            Provider(
                community_id=community.id,
                kind=kind,
                name=name or f"服务单位{next(_seq)}",
                confirmed_at=moment,
                confirmed_by_id=admin.id if admin else None,
            )
        )

    def provider_staff(self, provider: Provider, **kwargs) -> User:
        user = self.user(**kwargs)
        self._add(
            StaffAppointment(
                user_id=user.id, role=StaffRole.PROVIDER, community_id=provider.community_id, provider_id=provider.id
            )
        )
        return user

    def service(self, provider: Provider, title: str = "老年人助浴", hours: str = "08:00-12:00", **fields):
        """A service of ``provider``, open ``hours`` every day (through the service, as the committee)."""
        from consult.offerings import hours as hours_rules, services as offerings  # noqa: PLC0415

        worker = self.session.scalar(
            sa.select(User)
            .join(StaffAppointment, StaffAppointment.user_id == User.id)
            .where(StaffAppointment.role == StaffRole.WORKER, StaffAppointment.community_id == provider.community_id)
        ) or self.worker(self.session.get(Community, provider.community_id))
        intervals = [i for day in range(7) for i in hours_rules.parse_day(day, hours)]
        values = offerings.ServiceFields(
            kind=fields.pop("kind", "welfare"),
            title=title,
            place=fields.pop("place", "社区服务中心一楼"),
            hours=intervals,
            **fields,
        )
        return offerings.add_service(worker, provider, values)

    def site_admin(self, **kwargs) -> User:
        user = self.user(**kwargs)
        self.appoint(user, StaffRole.SITE_ADMIN)
        return user

    def world(self) -> World:
        street = self.street(name="示范街道")
        other_street = self.street(name="远方街道")
        a = self.community(street, name="和平社区")
        b = self.community(street, name="杏花社区")
        c = self.community(other_street, name="远方社区")
        world = World(
            street=street,
            other_street=other_street,
            a=a,
            b=b,
            c=c,
            pending=self.resident(a, ResidenceStatus.PENDING, username="pending", display_name="新居民", phone="13800138002"),
            resident=self.resident(
                a, username="resident", display_name="居民李", phone="13800138000", building="3", unit="2", room="301"
            ),
            party=self.resident(a, username="party", display_name="党员张", building="5", unit="1", room="102"),
            worker=self.worker(a, username="worker", display_name="工作者周"),
            other_worker=self.worker(b, username="otherworker", display_name="工作者吴"),
            street_admin=self.street_admin(street, username="street", display_name="街道管理员"),
            other_street_admin=self.street_admin(other_street, username="otherstreet", display_name="远方管理员"),
            site_admin=self.site_admin(username="admin", display_name="系统管理员"),
        )
        world.department = self._add(Department(street_id=street.id, name="城管科"))
        world.department_member = self.department_member(world.department, username="dept", display_name="城管科员")
        world.grid = self.grid(a)
        world.grid_worker = self.grid_worker(world.grid, username="gridworker", display_name="网格员王")
        world.provider = self.provider(a, name="和平社区卫生服务站")
        world.provider_staff = self.provider_staff(world.provider, username="provider", display_name="服务站李医生")
        world.factory = self
        self.party_registration(world.party, a)
        return world

    def party_registration(self, user: User, community: Community, status: str = "confirmed", work_unit: str = "区税务局"):
        return self._add(
            PartyRegistration(
                user_id=user.id,
                community_id=community.id,
                work_unit=work_unit,
                party_branch="第一党支部",
                status=status,
                decided_at=now() if status == "confirmed" else None,
            )
        )

    def activity(self, world: World, *, starts_in=None, hours: float = 2, capacity: int = 10, **kw):
        """An activity of world.a created by its worker, starting ``starts_in`` from now (default: tomorrow)."""
        start = now() + (starts_in if starts_in is not None else timedelta(days=1))
        data = dict(
            title=f"活动{next(_seq)}",
            description="清理楼道杂物",
            kind="volunteer",
            place="3号楼",
            points_per_hour=10,
            checkin_minutes_before=30,
        )
        data.update(kw)
        return activities.create_activity(
            world.worker, world.a, starts_at=start, ends_at=start + timedelta(hours=hours), capacity=capacity, **data
        )

    def topic(
        self,
        world: World,
        stage: str = "collecting_support",
        *,
        title: str | None = None,
        body: str = "小区停车难，晚上车位不够。",
        author: User | None = None,
        **vote,
    ):
        """A topic of world.a taken to ``stage`` through the services, as people would."""
        category = self.session.scalar(sa.select(Category).where(Category.key == "parking"))
        topic = topics.propose(
            author or world.resident,
            world.a,
            title=title or f"议题{next(_seq)}",
            body=body,
            category_id=category.id,
            submit=stage != "draft",
        )
        if stage in ("draft", "pending_review"):
            return topic
        if stage == "rejected":
            return topics.reject(world.worker, topic, "不属于居委会职责")
        if stage == "withdrawn":
            return topics.withdraw(author or world.resident, topic)
        if stage == "collecting_support":
            return topics.approve(world.worker, topic)
        topics.send_to_vote(world.worker, topic)
        if stage == "ready_for_vote":
            return topic
        options = dict(kind="yes_no", options=None, max_choices=1, scope="resident", quorum_percent=None, live_results=False)
        options.update(vote)
        start = now() + (timedelta(days=1) if stage == "vote_scheduled" else timedelta(minutes=-1))
        topics.schedule_vote(world.worker, topic, opens_at=start, closes_at=start + timedelta(days=7), **options)
        if stage in ("vote_scheduled", "voting"):
            return topic
        topics.close_early(world.worker, topic, "会议已表决")
        if stage == "closed":
            return topic
        outcome = topics.publish_outcome(
            world.worker,
            topic,
            decision="增设夜间停车位",
            responsible="物业公司",
            actions="施划车位 20 个",
            due_date=date.today() + timedelta(days=30),
        )
        if stage == "outcome_done":
            topics.add_progress(world.worker, outcome, status="done", note="已完成")
        return topic

    def request(
        self,
        world: World,
        stage: str = "submitted",
        *,
        community: Community | None = None,
        reporter: User | None = None,
        worker: User | None = None,
        level: str = "satisfied",
        building: str | None = "3",
    ):
        """A request of ``community`` (world.a) taken to ``stage`` through the services, as people would:
        submitted, accepted, resolved, confirmed (the resident's answer ``level``), closed."""
        community = community or world.a
        worker = worker or (world.worker if community is world.a else self.worker(community))
        reporter = reporter or (world.resident if community is world.a else self.resident(community))
        request = reporting.report(reporter, community, category="property", description="楼道灯坏了。", building=building)
        if stage == "submitted":
            return request
        requests.accept(worker, request)
        if stage == "accepted":
            return request
        requests.resolve(worker, request, "已更换灯泡。")
        if stage == "resolved":
            return request
        requests.confirm(reporter, request, solved=True, level=level)
        if stage == "confirmed":
            return request
        return requests.close(worker, request)
