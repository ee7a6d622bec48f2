"""Reads of resident requests: lists, one request's page, photos, timelines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from consult.core import search
from consult.core.clock import now
from consult.core.pagination import paginate
from consult.extensions import db
from consult.places import departments, queries as places
from consult.places.models import Community
from consult.requests.models import Holder, Request, RequestCategory, RequestEvent, RequestPhoto, RequestStatus
from consult.requests.policy import RequestPolicy, open_clause


def request_or_404(request_id: int) -> Request:
    request = db.session.scalar(sa.select(Request).options(joinedload(Request.category)).where(Request.id == request_id))
    if request is None:
        abort(404)
    return request


#: the search index of requests (consult/core/search.py; migration 0018 builds it). The
#: description is not public: the public list searches what was done only.
SEARCH = search.Index("search_requests", "request_id", (("resolution_note", "A"), ("description", "B")))
PUBLIC_FIELDS = ("resolution_note",)


def searched(select, q: str | None, *, fields: tuple[str, ...] | None = None):
    """``select`` narrowed to the requests whose text (``fields``, else all) matches ``q``, best match
    first; ``select`` itself without a ``q``."""
    if not q:
        return select
    found = search.apply(select, SEARCH, Request.id, q, db.session, fields=fields)
    return found.select.order_by(None).order_by(*found.best_first)


def public_list(community_id: int, q: str | None = None):
    """A community's requests, newest first, for the public list (no one's name, phone or room);
    ``q`` searches what was done (best match first)."""
    select = (
        sa.select(Request)
        .options(joinedload(Request.category))
        .where(Request.community_id == community_id)
        .order_by(Request.created_at.desc(), Request.id.desc())
    )
    return searched(select, q, fields=PUBLIC_FIELDS)


def of_reporter(user_id: int):
    return (
        sa.select(Request)
        .options(joinedload(Request.category))
        .where(Request.reporter_id == user_id)
        .order_by(Request.created_at.desc(), Request.id.desc())
    )


def photos_of(request_id: int) -> list[RequestPhoto]:
    return list(
        db.session.scalars(sa.select(RequestPhoto).where(RequestPhoto.request_id == request_id).order_by(RequestPhoto.id))
    )


def photo(request_id: int, key: str) -> RequestPhoto | None:
    return db.session.scalar(sa.select(RequestPhoto).where(RequestPhoto.request_id == request_id, RequestPhoto.key == key))


def timeline(request_id: int) -> list[RequestEvent]:
    return list(
        db.session.scalars(
            sa.select(RequestEvent)
            .where(RequestEvent.request_id == request_id, RequestEvent.kind != "reminded")
            .order_by(RequestEvent.at, RequestEvent.id)
        )
    )


@dataclass
class RequestPage:
    """What the page of one request shows to one person: the full record or the public part."""

    request: Request
    community: Community
    full: bool
    photos: list[RequestPhoto] = field(default_factory=list)
    events: list[RequestEvent] = field(default_factory=list)
    #: the staff steps this person may take now, in the order the page offers them
    steps: list[str] = field(default_factory=list)
    #: (user id, name) of the community's workers, when the request can be assigned
    workers: list[tuple[int, str]] = field(default_factory=list)
    #: (id, name) of the street's departments, when the request can be dispatched
    departments: list[tuple[int, str]] = field(default_factory=list)
    #: the department the viewer acts for (its steps go to the department's URLs), else None
    acting_department: int | None = None
    #: department id -> name, for "who held it"
    department_names: dict[int, str] = field(default_factory=dict)
    #: whether the caller's contact of an Open311 request shows (``RequestPolicy.sees_contact``)
    contact: bool = False

    @property
    def holds(self) -> list[tuple[str, datetime, datetime]]:
        """Who held the request from when to when: (holder, from, until now or the hand-over).
        A department is named: ("department:<name>", …)."""
        spans: list[tuple[str, datetime, datetime]] = []
        for event in self.events:
            holder = event.holder
            if holder == Holder.DEPARTMENT and event.department_id is not None:
                holder = f"department:{self.department_names.get(event.department_id, '')}"
            if not spans or spans[-1][0] != holder:
                if spans:
                    spans[-1] = (spans[-1][0], spans[-1][1], event.at)
                spans.append((holder, event.at, event.at))
        if spans:
            end = self.request.closed_at or self.request.confirmed_at or self.request.resolved_at or now()
            spans[-1] = (spans[-1][0], spans[-1][1], max(end, spans[-1][1]))
        return spans


def request_page(request: Request, viewer) -> RequestPage:
    """The reporter and the staff who handle it see everything; anyone else the public part."""
    community = db.session.get(Community, request.community_id)
    assert community is not None
    policy = RequestPolicy(request, community=community)
    if not policy.can("view", viewer):
        return RequestPage(request, community, full=False, events=timeline(request.id))
    steps = [step for step in STAFF_STEPS if policy.can(step, viewer)]
    workers = [(w.user_id, w.user.display_name) for w in places.workers_of(community.id)] if "assign" in steps else []
    street_departments = departments.departments_of_street(community.street_id)
    page = RequestPage(request, community, True, photos_of(request.id), timeline(request.id), steps, workers)
    page.departments = [(d.id, d.name) for d in street_departments] if "dispatch" in steps else []
    page.department_names = {d.id: d.name for d in street_departments}
    page.contact = policy.sees_contact(viewer)
    if policy.is_department(viewer) and not policy.is_committee(viewer):
        page.acting_department = request.department_id
    return page


#: the staff steps in the order the page offers them (the resident's answer has its own form)
STAFF_STEPS = (
    "accept",
    "assign",
    "resolve",
    "escalate",
    "dispatch",
    "send_back",
    "call_back",
    "close",
    "move_due",
    "merge",
    "refer",
)


def request_in(community_id: int, request_id: int) -> Request:
    """A request of this community (404 for another's: a worker's URL cannot reach it)."""
    request = request_or_404(request_id)
    if request.community_id != community_id:
        abort(404)
    return request


def _urgency():
    """Due time that matters now: the answer before it is accepted (by the committee, or by the
    department that holds it), then the solution."""
    waiting = sa.or_(
        Request.status == RequestStatus.SUBMITTED,
        sa.and_(Request.holder == Holder.DEPARTMENT, Request.department_accepted_at.is_(None)),
    )
    return sa.case((waiting, Request.response_due_at), else_=Request.resolution_due_at)


def department_queue(department_id: int, limit: int = 200) -> list[Request]:
    """What a department holds now, the most urgent first."""
    return list(
        db.session.scalars(
            sa.select(Request)
            .options(joinedload(Request.category), joinedload(Request.community))
            .where(Request.department_id == department_id, Request.holder == Holder.DEPARTMENT, open_clause())
            .order_by(_urgency(), Request.id)
            .limit(limit)
        )
    )


#: cards per page of the worker queue and of each list of the street's requests page
PER_PAGE = 50

#: the street's requests page: each list and the query-string argument of its page number
STREET_LISTS = ("held", "dispatched", "overdue")


def open_requests(community_id: int):
    """Open requests of a community, the most urgent first."""
    return (
        sa.select(Request)
        .options(joinedload(Request.category))
        .where(Request.community_id == community_id, open_clause())
        .order_by(_urgency(), Request.id)
    )


def queue(community_id: int, limit: int = 200) -> list[Request]:
    """The first ``limit`` open requests of a community, the most urgent first."""
    return list(db.session.scalars(open_requests(community_id).limit(limit)))


def queue_page(community_id: int, q: str | None = None):
    """The worker queue: a page of 50 open requests (``?page=``), the most urgent first; ``q``
    searches their description and resolution note (best match first)."""
    return paginate(searched(open_requests(community_id), q), per_page=PER_PAGE)


def _street_open(street_id: int):
    """The open requests of a street's communities, and what puts one in each list of its page:
    what the street holds now (``held``), what its departments hold (``dispatched``), every
    overdue request (``overdue``)."""
    in_street = Request.community_id.in_(sa.select(Community.id).where(Community.street_id == street_id))
    lists = {
        "held": Request.holder == Holder.STREET,
        "dispatched": Request.holder == Holder.DEPARTMENT,
        "overdue": _urgency() < now(),
    }
    return sa.and_(in_street, open_clause()), lists


def street_list(street_id: int, key: str):
    """One list of the street's requests page, the most urgent first."""
    open_in_street, lists = _street_open(street_id)
    return (
        sa.select(Request)
        .options(joinedload(Request.category), joinedload(Request.community))
        .where(open_in_street, lists[key])
        .order_by(_urgency(), Request.id)
    )


def street_pages(street_id: int) -> dict:
    """Each list of the street's requests page, 50 a page, its page number in ``?<list>_page=``;
    the three counted in one pass over the street's open requests."""
    open_in_street, lists = _street_open(street_id)
    counts = db.session.execute(
        sa.select(*(sa.func.count().filter(lists[key]) for key in STREET_LISTS)).where(open_in_street)
    ).one()
    return {
        key: paginate(street_list(street_id, key), per_page=PER_PAGE, arg=f"{key}_page", total=total)
        for key, total in zip(STREET_LISTS, counts, strict=True)
    }


#: requests of the same category and building within this many days look like one problem
DUPLICATE_WINDOW_DAYS = 14


@dataclass
class Recurring:
    """高频共性诉求: what comes up again and again in some communities over the last ``days``."""

    days: int
    by_category: list[tuple[str, int]]
    #: (category, community, building, requests): 3号楼 of two communities are two rows
    by_place: list[tuple[str, str, str, int]]
    duplicates: list[tuple[Request, Request]]


def recurring(community_ids: list[int], days: int, limit: int = 20) -> Recurring:
    """Categories and places with the most requests since ``days`` ago, and open look-alikes."""
    since = now() - timedelta(days=days)
    recent = sa.and_(Request.community_id.in_(community_ids), Request.created_at >= since, Request.status != RequestStatus.MERGED)
    count = sa.func.count(Request.id)
    # One pass over the period: counts per category, community and building (a few hundred groups
    # however many requests), summed per category here rather than read a second time.
    groups = db.session.execute(
        sa.select(RequestCategory.name, Community.name, Request.building, count)
        .join(Request, Request.category_id == RequestCategory.id)
        .join(Community, Community.id == Request.community_id)
        .where(recent)
        .group_by(RequestCategory.name, Request.community_id, Community.name, Request.building)
    ).tuples()
    per_category: dict[str, int] = {}
    by_place: list[tuple[str, str, str, int]] = []
    for name, community, building, n in groups:
        per_category[name] = per_category.get(name, 0) + n
        if building is not None and n > 1:
            by_place.append((name, community, building, n))
    by_category = sorted(per_category.items(), key=lambda item: (-item[1], item[0]))[:limit]
    by_place = sorted(by_place, key=lambda row: (-row[3], row[0], row[1], row[2]))[:limit]
    return Recurring(days, by_category, by_place, likely_duplicates(community_ids, limit))


def likely_duplicates(community_ids: list[int], limit: int = 20) -> list[tuple[Request, Request]]:
    """Open requests of one community, category and building reported within 14 days of each other:
    (the earlier, the later), the latest first. The committee merges the later into the earlier.

    The database pairs each open request with the one before it (``lag`` over community, category
    and building), newest first; only the pairs read until ``limit`` fall within the window are
    loaded as requests, so the cost does not grow with the street's open requests."""
    group = (Request.community_id, Request.category_id, Request.building)
    order = (Request.created_at, Request.id)
    at = Request.created_at
    paired = (
        sa.select(
            Request.id,
            Request.created_at,
            sa.func.lag(Request.id).over(partition_by=group, order_by=order).label("earlier_id"),
            sa.func.lag(at, type_=at.type).over(partition_by=group, order_by=order).label("earlier_at"),
        )
        .where(Request.community_id.in_(community_ids), open_clause(), Request.building.is_not(None))
        .subquery()
    )
    rows = db.session.execute(
        sa.select(paired.c.id, paired.c.created_at, paired.c.earlier_id, paired.c.earlier_at)
        .where(paired.c.earlier_id.is_not(None))
        .order_by(paired.c.created_at.desc(), paired.c.id.desc())
        .execution_options(yield_per=100)
    )
    window, found = timedelta(days=DUPLICATE_WINDOW_DAYS), []
    for later_id, later_at, earlier_id, earlier_at in rows:
        if later_at - earlier_at <= window:
            found.append((earlier_id, later_id))
            if len(found) == limit:
                break
    rows.close()
    loaded = {
        r.id: r
        for r in db.session.scalars(
            sa.select(Request)
            .options(joinedload(Request.category), joinedload(Request.community))
            .where(Request.id.in_([i for pair in found for i in pair]))
        )
    }
    return [(loaded[earlier], loaded[later]) for earlier, later in found]


def merged_into(request_id: int) -> list[Request]:
    return list(db.session.scalars(sa.select(Request).where(Request.merged_into_id == request_id).order_by(Request.id)))
