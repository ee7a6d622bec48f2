"""The route registry: every route of the app with a sample URL and who may open it.

Every GET route in ``app.url_map`` must be here (tests/test_registry.py fails otherwise). It
drives the view test of every page, the permission matrix for every kind of person (ROLES), the
CSRF check of every POST, and the axe-core check of every page in Chromium. Later domains
register their routes with ``route(...)`` in this file.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from PIL import Image

from consult.activities import services as activities
from consult.core.clock import now
from consult.core.documents import check_code
from consult.core.notifications import N_, Notification, notify
from consult.extensions import db
from consult.kiosk import services as kiosks
from consult.places.queries import active_residence
from consult.requests import api_keys, reporting, services as requests
from consult.requests.queries import photos_of
from consult.safety import hazards, inspections, needs, notices, responders, staff, stations
from consult.safety.hazard_models import ITEM_KIND
from consult.topics import services as topics

ROLES = (
    "visitor",
    "pending",
    "resident",
    "party",
    "other_worker",
    "worker",
    "other_street_admin",
    "street_admin",
    "site_admin",
    "department",
    "grid_worker",
    "provider",
)

# Access levels: which roles get the page (others: visitors are sent to log in, the rest 403).
PUBLIC = "public"  # everyone, 200
ANONYMOUS = "anonymous"  # visitors 200; logged-in people are sent on (302)
LOGGED_IN = "logged_in"  # any logged-in person
STAFF = "staff"  # any appointed person (sent on to their own pages)
COMMUNITY_STAFF = "community_staff"  # workers of world.a and admins of its street
STREET_ADMIN = "street_admin"  # admins of world.street
SITE_ADMIN = "site_admin"
MEMBER_OR_COMMITTEE = "topic_author"  # confirmed residents of world.a and its committee
MEMBER = "member"  # confirmed residents of world.a
OWNER = "topic_owner"  # the resident who wrote the thing (world.resident)
#: A topic in review or rejected: its author (world.resident) and the committee; for everyone else it does not exist.
UNPUBLISHED = "topic_unpublished"
#: Editing a topic in review: its author; the committee may see it (403); everyone else 404 (visitors log in first).
UNPUBLISHED_OWNER = "topic_unpublished_owner"
DEPARTMENT = "department"  # members of world.department (a department of world.street)
#: world.grid (of world.a): its grid worker and the committee (workers of world.a, admins of its street)
GRID = "grid"
PROVIDER = "provider"  # staff of world.provider (a confirmed provider of world.a's service list)
#: an urgent notice of world.a: its recipients (confirmed residents of world.a) and those who follow it up
NOTICE = "notice"
#: a service of world.provider: its provider's staff and the committee of world.a
KEEPER = "service_keeper"
#: kiosk pages (consult/kiosk): only a registered terminal opens them; every person elsewhere gets 403
#: (tests/kiosk/ open them as a kiosk; tests/e2e/test_kiosk_journey.py checks them with axe-core)
KIOSK = "kiosk"

ALLOWED = {
    MEMBER_OR_COMMITTEE: {"resident", "party", "worker", "street_admin"},
    MEMBER: {"resident", "party"},
    OWNER: {"resident"},
    UNPUBLISHED: {"resident", "worker", "street_admin"},
    UNPUBLISHED_OWNER: {"resident"},
    PUBLIC: set(ROLES),
    ANONYMOUS: {"visitor"},
    LOGGED_IN: set(ROLES) - {"visitor"},
    STAFF: {
        "other_worker",
        "worker",
        "other_street_admin",
        "street_admin",
        "site_admin",
        "department",
        "grid_worker",
        "provider",
    },
    DEPARTMENT: {"department"},
    GRID: {"grid_worker", "worker", "street_admin"},
    PROVIDER: {"provider"},
    NOTICE: {"resident", "party", "grid_worker", "worker", "street_admin"},
    KEEPER: {"provider", "worker", "street_admin"},
    COMMUNITY_STAFF: {"worker", "street_admin"},
    STREET_ADMIN: {"street_admin"},
    SITE_ADMIN: {"site_admin"},
    KIOSK: set(),
}


@dataclass(frozen=True)
class Route:
    endpoint: str
    sample: Callable  #: world -> URL
    access: str
    html: bool = True  #: an HTML page (axe-checked); False for JSON, downloads, redirects
    ok_status: int = 200  #: the status an allowed person gets
    refused_status: int = 403  #: the status a logged-in person who may not open it gets (404: "not yours")
    #: the role that views it in the page and browser checks, when not the first role allowed
    #: (a public page whose fuller form, with steps, is for someone else)
    shown_to: str | None = None

    def expected(self, role: str) -> int:
        if self.access == KIOSK:
            return 403
        if role in ALLOWED[self.access]:
            return self.ok_status
        if self.access == UNPUBLISHED:
            return 404
        if self.access == UNPUBLISHED_OWNER:
            return 302 if role == "visitor" else 403 if role in ALLOWED[UNPUBLISHED] else 404
        if self.access == ANONYMOUS:
            return 302
        return 302 if role == "visitor" else self.refused_status

    def viewer(self) -> str:
        """A role that may open the page (for the browser checks)."""
        if self.shown_to is not None:
            return self.shown_to
        # (a kiosk page opens for nobody but a registered terminal: a visitor sees its refusal)
        return next((role for role in ROLES if role in ALLOWED[self.access]), "visitor")


GET_ROUTES: dict[str, Route] = {}
#: POST endpoint -> world -> URL (for the CSRF check)
POST_ROUTES: dict[str, Callable] = {}


def route(endpoint: str, sample: Callable, access: str, **kwargs) -> None:
    GET_ROUTES[endpoint] = Route(endpoint, sample, access, **kwargs)


def post(endpoint: str, sample: Callable) -> None:
    POST_ROUTES[endpoint] = sample


# --- places and accounts -------------------------------------------------------------------
route("places.home", lambda w: "/", PUBLIC)
route("places.street", lambda w: f"/streets/{w.street.slug}/", PUBLIC)
route("places.community", lambda w: f"/c/{w.a.slug}/", PUBLIC)
route("core.healthz", lambda w: "/healthz", PUBLIC, html=False)
route("core.favicon", lambda w: "/favicon.ico", PUBLIC, html=False, ok_status=301)
route("places.register", lambda w: f"/auth/register?community={w.a.slug}", ANONYMOUS)
route("accounts.login", lambda w: "/auth/login", ANONYMOUS)
route("accounts.reset", lambda w: "/auth/reset", PUBLIC)
route("accounts.me", lambda w: "/me/", LOGGED_IN)
route("accounts.edit_profile", lambda w: "/me/edit", LOGGED_IN)
route("accounts.change_password", lambda w: "/me/password", LOGGED_IN)
route("accounts.my_notifications", lambda w: "/me/notifications", LOGGED_IN)
route(
    "accounts.open_notification",
    lambda w: f"/me/notifications/{_notification(w)}/open",
    OWNER,
    html=False,
    ok_status=302,
    refused_status=404,
)
route("accounts.my_data", lambda w: "/me/data", LOGGED_IN, html=False)
route("accounts.close_account", lambda w: "/me/close", LOGGED_IN)
route("places.apply", lambda w: f"/me/residence?street={w.street.slug}", LOGGED_IN)
route("manage.index", lambda w: "/manage/", STAFF, html=False, ok_status=302)
route("places_manage.todo", lambda w: f"/manage/c/{w.a.slug}/", COMMUNITY_STAFF)
route("places_manage.residents", lambda w: f"/manage/c/{w.a.slug}/residents/", COMMUNITY_STAFF)
route("places_manage.record_resident", lambda w: f"/manage/c/{w.a.slug}/residents/new", COMMUNITY_STAFF)
route("places_manage.community_audit", lambda w: f"/manage/c/{w.a.slug}/audit", COMMUNITY_STAFF)
route("places_manage.street", lambda w: f"/manage/streets/{w.street.slug}/", STREET_ADMIN)
route("places_manage.street_audit", lambda w: f"/manage/streets/{w.street.slug}/audit", STREET_ADMIN)
route("core.my_exports", lambda w: "/me/exports", LOGGED_IN)
route("core.download_export", lambda w: f"/me/exports/{_export(w)}", STREET_ADMIN, html=False, refused_status=404)
route("points_street.export", lambda w: f"/manage/streets/{w.street.slug}/points/export", STREET_ADMIN)
route("places_manage.site", lambda w: "/manage/site/", SITE_ADMIN)
route("places_manage.failed_jobs", lambda w: "/manage/site/jobs", SITE_ADMIN)


def _notification(w):
    """A notification of the resident (world.resident owns it; anyone else gets 404)."""
    if not hasattr(w, "_notification_id"):
        notify(w.resident.id, "registry:notification", N_("Your reward has been handed over."), link="/me/points")
        w._notification_id = db.session.scalar(db.select(Notification.id).where(Notification.recipient_id == w.resident.id))
    return w._notification_id


def _export(w):
    """A street's ledger export asked for by world.street_admin (built when the request commits)."""
    if not hasattr(w, "_export_id"):
        from consult.core import export_files  # noqa: PLC0415
        from consult.points.street_exports import KIND  # noqa: PLC0415

        w._export_id = export_files.ask(w.street_admin, KIND, w.street.slug, {"year": now().year}, locale="zh_CN").id
    return w._export_id


def _pending_residence(w):
    return active_residence(w.pending).id


def _resident_residence(w):
    return active_residence(w.resident).id


post("core.set_language", lambda w: "/settings/language")
post("core.set_display", lambda w: "/settings/display")
post("points_street.export", lambda w: f"/manage/streets/{w.street.slug}/points/export")
post("places.register", lambda w: f"/auth/register?community={w.a.slug}")
post("accounts.login", lambda w: "/auth/login")
post("accounts.logout", lambda w: "/auth/logout")
post("accounts.reset", lambda w: "/auth/reset")
post("accounts.edit_profile", lambda w: "/me/edit")
post("accounts.change_password", lambda w: "/me/password")
post("accounts.my_notifications", lambda w: "/me/notifications")
post("accounts.close_account", lambda w: "/me/close")
post("places.apply", lambda w: f"/me/residence?community={w.b.slug}")
post("places.withdraw", lambda w: f"/me/residence/{_pending_residence(w)}/withdraw")
post("places_manage.confirm", lambda w: f"/manage/c/{w.a.slug}/residences/{_pending_residence(w)}/confirm")
post("places_manage.reject", lambda w: f"/manage/c/{w.a.slug}/residences/{_pending_residence(w)}/reject")
post("places_manage.end", lambda w: f"/manage/c/{w.a.slug}/residences/{_resident_residence(w)}/end")
post("places_manage.reset_code", lambda w: f"/manage/c/{w.a.slug}/residences/{_resident_residence(w)}/reset-code")
post("places_manage.record_resident", lambda w: f"/manage/c/{w.a.slug}/residents/new")
post("places_manage.appoint_worker", lambda w: f"/manage/streets/{w.street.slug}/workers")
post("places_manage.end_worker", lambda w: f"/manage/streets/{w.street.slug}/appointments/1/end")
post("places_manage.create_street", lambda w: "/manage/site/streets")
post("places_manage.create_community", lambda w: "/manage/site/communities")
post("places_manage.appoint_street_admin", lambda w: "/manage/site/street-admins")
post("places_manage.end_street_admin", lambda w: "/manage/site/appointments/1/end")

# --- topics ----------------------------------------------------------------------------------
COMMITTEE = COMMUNITY_STAFF
route("topics.index", lambda w: f"/c/{w.a.slug}/topics/", PUBLIC)
route("topics.detail", lambda w: f"/topics/{w.topic('outcome_done').id}", PUBLIC)
route("topics.print_notice", lambda w: f"/topics/{w.topic('outcome_done').id}/print", PUBLIC)
route("topics.new", lambda w: f"/c/{w.a.slug}/topics/new", MEMBER_OR_COMMITTEE)
route("topics.edit", lambda w: f"/topics/{w.topic('pending_review').id}/edit", UNPUBLISHED_OWNER)
# Not endpoints: the same pages for topics not yet published (tests/test_registry.py runs them too).
route("topics.detail [pending review]", lambda w: f"/topics/{w.topic('pending_review').id}", UNPUBLISHED)
route("topics.detail [rejected]", lambda w: f"/topics/{w.topic('rejected').id}", UNPUBLISHED)
route("topics.edit_comment", lambda w: f"/topics/{w.topic().id}/comments/{_comment(w)}/edit", OWNER)
route("topics_manage.index", lambda w: f"/manage/c/{w.a.slug}/topics/", COMMITTEE)
route("topics_manage.review", lambda w: f"/manage/c/{w.a.slug}/topics/{w.topic('voting').id}/", COMMITTEE)
route("topics_manage.setup_vote", lambda w: f"/manage/c/{w.a.slug}/topics/{w.topic('ready_for_vote').id}/vote", COMMITTEE)
route("topics_manage.change_vote", lambda w: f"/manage/c/{w.a.slug}/topics/{w.topic('vote_scheduled').id}/vote/change", COMMITTEE)
route("topics_manage.paper", lambda w: f"/manage/c/{w.a.slug}/topics/{w.topic('voting').id}/paper", COMMITTEE)
route("topics_manage.outcome", lambda w: f"/manage/c/{w.a.slug}/topics/{w.topic('closed').id}/outcome", COMMITTEE)
route("topics_manage.flags", lambda w: f"/manage/c/{w.a.slug}/topics/flags", COMMITTEE)
route("topics_manage.settings", lambda w: f"/manage/c/{w.a.slug}/topics/settings", COMMITTEE)


def _comment(w):
    """A comment by the resident on the collecting topic (the resident owns it)."""
    if not hasattr(w, "_comment_id"):
        w._comment_id = topics.comment(w.resident, w.topic(), "同意，晚上确实没地方停。").id
    return w._comment_id


for endpoint, path in [
    ("topics.submit", "submit"),
    ("topics.withdraw", "withdraw"),
    ("topics.support", "support"),
    ("topics.follow", "follow"),
    ("topics.vote", "vote"),
    ("topics.add_comment", "comments"),
    ("topics.rate", "rate"),
]:
    post(endpoint, lambda w, path=path: f"/topics/{w.topic().id}/{path}")
post("topics.new", lambda w: f"/c/{w.a.slug}/topics/new")
post("topics.edit", lambda w: f"/topics/{w.topic('pending_review').id}/edit")
post("topics.edit_comment", lambda w: f"/topics/{w.topic().id}/comments/{_comment(w)}/edit")
post("topics.flag_comment", lambda w: f"/topics/{w.topic().id}/comments/{_comment(w)}/flag")
for endpoint, path in [
    ("topics_manage.approve", "approve"),
    ("topics_manage.reject", "reject"),
    ("topics_manage.to_vote", "to-vote"),
    ("topics_manage.setup_vote", "vote"),
    ("topics_manage.close_early", "close"),
    ("topics_manage.paper", "paper"),
    ("topics_manage.change_vote", "vote/change"),
    ("topics_manage.cancel_vote", "vote/cancel"),
    ("topics_manage.outcome", "outcome"),
    ("topics_manage.progress", "progress"),
]:
    post(endpoint, lambda w, path=path: f"/manage/c/{w.a.slug}/topics/{w.topic('pending_review').id}/{path}")
post("topics_manage.hide_comment", lambda w: f"/manage/c/{w.a.slug}/topics/comments/{_comment(w)}/hide")
post("topics_manage.keep_comment", lambda w: f"/manage/c/{w.a.slug}/topics/comments/{_comment(w)}/keep")
post("topics_manage.settings", lambda w: f"/manage/c/{w.a.slug}/topics/settings")


# --- activities, micro-wishes, documents -----------------------------------------------------
def _activity(w):
    if not hasattr(w, "_activity"):
        w._activity = w.factory.activity(w)
    return w._activity


def _wish(w):
    if not hasattr(w, "_wish"):
        w._wish = activities.post_wish(w.resident, w.a, title="帮忙换灯泡", description="厨房灯泡坏了")
        activities.approve_wish(w.worker, w._wish)
    return w._wish


def _document(w):
    if not hasattr(w, "_document"):
        w._document = activities.issue_service_record(w.party, w.party, w.a, 2026)
    return w._document.number, check_code(w._document.number)


route("activities.index", lambda w: f"/c/{w.a.slug}/activities/", PUBLIC)
route("activities.detail", lambda w: f"/activities/{_activity(w).id}", PUBLIC)
route("activities.print_notice", lambda w: f"/activities/{_activity(w).id}/print", PUBLIC)
route("activities.kiosk", lambda w: f"/activities/{_activity(w).id}/kiosk", COMMUNITY_STAFF)
route("activities.kiosk_json", lambda w: f"/activities/{_activity(w).id}/kiosk.json", COMMUNITY_STAFF, html=False)
route("activities.checkin", lambda w: f"/activities/{_activity(w).id}/checkin", LOGGED_IN)
route("activities.wishes", lambda w: f"/c/{w.a.slug}/wishes/", PUBLIC)
route("activities.wish", lambda w: f"/wishes/{_wish(w).id}", PUBLIC)
route("activities.party", lambda w: "/me/party", LOGGED_IN)
route("activities.my_record", lambda w: "/me/record", LOGGED_IN)
route("documents.verify", lambda w: "/verify/{}?c={}".format(*_document(w)), PUBLIC)
route("documents.show", lambda w: "/documents/{}?c={}".format(*_document(w)), PUBLIC)
route("activities_manage.party", lambda w: f"/manage/c/{w.a.slug}/party/", COMMUNITY_STAFF)
route("activities_manage.member_record", lambda w: f"/manage/c/{w.a.slug}/party/{w.party.id}/record", COMMUNITY_STAFF)
route("activities_manage.activities", lambda w: f"/manage/c/{w.a.slug}/activities/", COMMUNITY_STAFF)
route("activities_manage.new_activity", lambda w: f"/manage/c/{w.a.slug}/activities/new", COMMUNITY_STAFF)
route("activities_manage.attendance", lambda w: f"/manage/c/{w.a.slug}/activities/{_activity(w).id}/", COMMUNITY_STAFF)
route("activities_manage.wishes", lambda w: f"/manage/c/{w.a.slug}/wishes/", COMMUNITY_STAFF)
route("activities_manage.edit_activity", lambda w: f"/manage/c/{w.a.slug}/activities/{_activity(w).id}/edit", COMMUNITY_STAFF)
route("activities_manage.record_wish", lambda w: f"/manage/c/{w.a.slug}/wishes/new", COMMUNITY_STAFF)
route("activities_manage.documents_list", lambda w: (_document(w), f"/manage/c/{w.a.slug}/documents/")[1], COMMUNITY_STAFF)
post("activities_manage.edit_activity", lambda w: f"/manage/c/{w.a.slug}/activities/{_activity(w).id}/edit")
post("activities_manage.cancel_activity", lambda w: f"/manage/c/{w.a.slug}/activities/{_activity(w).id}/cancel")
post(
    "activities_manage.cancel_signup",
    lambda w: f"/manage/c/{w.a.slug}/activities/{_activity(w).id}/signups/{w.resident.id}/cancel",
)
post("activities_manage.record_wish", lambda w: f"/manage/c/{w.a.slug}/wishes/new")
post("activities_manage.release_wish", lambda w: f"/manage/c/{w.a.slug}/wishes/{_wish(w).id}/release")

for endpoint, path in [
    ("activities.signup", "signup"),
    ("activities.cancel", "cancel"),
    ("activities.checkin", "checkin"),
    ("activities.checkout", "checkout"),
]:
    post(endpoint, lambda w, path=path: f"/activities/{_activity(w).id}/{path}")
for endpoint, path in [
    ("activities.claim_wish", "claim"),
    ("activities.release_wish", "release"),
    ("activities.fulfil_wish", "fulfil"),
    ("activities.confirm_wish", "confirm"),
    ("activities.withdraw_wish", "withdraw"),
]:
    post(endpoint, lambda w, path=path: f"/wishes/{_wish(w).id}/{path}")
post("activities.wishes", lambda w: f"/c/{w.a.slug}/wishes/")
post("activities.party", lambda w: "/me/party")
post("activities.my_record", lambda w: "/me/record")
post("activities_manage.confirm_party", lambda w: f"/manage/c/{w.a.slug}/party/1/confirm")
post("activities_manage.reject_party", lambda w: f"/manage/c/{w.a.slug}/party/1/reject")
post("activities_manage.member_record", lambda w: f"/manage/c/{w.a.slug}/party/{w.party.id}/record")
post("activities_manage.new_activity", lambda w: f"/manage/c/{w.a.slug}/activities/new")
post("activities_manage.record_signup", lambda w: f"/manage/c/{w.a.slug}/activities/{_activity(w).id}/signups")
post("activities_manage.mark", lambda w: f"/manage/c/{w.a.slug}/activities/{_activity(w).id}/attendance/{w.resident.id}/mark")
post("activities_manage.confirm_minutes", lambda w: f"/manage/c/{w.a.slug}/activities/{_activity(w).id}/attendance/1/confirm")
post("activities_manage.approve_wish", lambda w: f"/manage/c/{w.a.slug}/wishes/{_wish(w).id}/approve")
post("activities_manage.reject_wish", lambda w: f"/manage/c/{w.a.slug}/wishes/{_wish(w).id}/reject")
post("activities_manage.revoke_document", lambda w: f"/manage/c/{w.a.slug}/documents/{_document(w)[0]}/revoke")

# --- points ----------------------------------------------------------------------------------
route("points.mine", lambda w: "/me/points", LOGGED_IN)
route("points.my_certificate", lambda w: "/me/certificate", LOGGED_IN)
route("points_manage.index", lambda w: f"/manage/c/{w.a.slug}/points/", COMMUNITY_STAFF)
route("points_manage.export", lambda w: f"/manage/c/{w.a.slug}/points/export?month=2026-11", COMMUNITY_STAFF, html=False)
route("points_manage.certificate", lambda w: f"/manage/c/{w.a.slug}/points/members/{w.party.id}/certificate", COMMUNITY_STAFF)
post("points.redeem", lambda w: "/me/points/rewards/1/redeem")
post("points.cancel", lambda w: "/me/points/redemptions/1/cancel")
post("points.my_certificate", lambda w: "/me/certificate")
for endpoint, path in [
    ("points_manage.bonus", "bonus"),
    ("points_manage.reverse", "entries/1/reverse"),
    ("points_manage.correct", "entries/1/correct"),
    ("points_manage.create_reward", "rewards"),
    ("points_manage.update_reward", "rewards/1"),
    ("points_manage.hand_over", "redemptions/1/hand-over"),
    ("points_manage.cancel_redemption", "redemptions/1/cancel"),
    ("points_manage.settings", "settings"),
    ("points_manage.certificate", "members/1/certificate"),
]:
    post(endpoint, lambda w, path=path: f"/manage/c/{w.a.slug}/points/{path}")

# --- evaluation ------------------------------------------------------------------------------
route("evaluation.ranking", lambda w: f"/streets/{w.street.slug}/ranking", PUBLIC)
route("evaluation.community", lambda w: f"/c/{w.a.slug}/evaluation/", PUBLIC)
route("evaluation.records", lambda w: f"/c/{w.a.slug}/evaluation/records?figure=response", PUBLIC)
route("evaluation.ranking_chart", lambda w: f"/streets/{w.street.slug}/ranking.svg", PUBLIC, html=False)
route("evaluation.community_chart", lambda w: f"/c/{w.a.slug}/evaluation/response.svg", PUBLIC, html=False)
route("evaluation_manage.settings", lambda w: f"/manage/streets/{w.street.slug}/evaluation/", STREET_ADMIN)
post("activities.rate", lambda w: f"/activities/{_activity(w).id}/rate")
post("evaluation_manage.settings", lambda w: f"/manage/streets/{w.street.slug}/evaluation/")

# --- open data -------------------------------------------------------------------------------
route("api.communities", lambda w: "/api/v1/communities", PUBLIC, html=False)
route("api.community_topics", lambda w: f"/api/v1/communities/{w.a.slug}/topics", PUBLIC, html=False)
route("api.community_outcomes", lambda w: f"/api/v1/communities/{w.a.slug}/outcomes", PUBLIC, html=False)
route("api.community_activities", lambda w: f"/api/v1/communities/{w.a.slug}/activities", PUBLIC, html=False)
route("api.street_figures", lambda w: f"/api/v1/streets/{w.street.slug}/figures", PUBLIC, html=False)
route("api.openapi", lambda w: "/api/v1/openapi.json", PUBLIC, html=False)
post("activities.end_party", lambda w: "/me/party/end")
post("places_manage.staff_reset_code", lambda w: "/manage/site/reset-code")
post("places_manage.staff_end_sessions", lambda w: "/manage/site/end-sessions")
post("places_manage.end_sessions", lambda w: f"/manage/c/{w.a.slug}/residences/{_resident_residence(w)}/end-sessions")
post("accounts.end_session", lambda w: "/me/sessions/1/end")
post("accounts.end_other_sessions", lambda w: "/me/sessions/end-others")


# --- resident requests -------------------------------------------------------------------------
def _request(w):
    """A request of world.resident in community a, with one photo, taken up by the committee."""
    if not hasattr(w, "_request"):
        buffer = io.BytesIO()
        Image.new("RGB", (40, 30), "teal").save(buffer, format="JPEG")
        w._request = reporting.report(
            w.resident, w.a, category="repairs", description="3号楼电梯停了", building="3", photos=[buffer.getvalue()]
        )
        requests.accept(w.worker, w._request)
        requests.resolve(w.worker, w._request, "已修好")
    return w._request


def _dispatched(w):
    """A request of world.party in community a that the street handed to world.department."""
    if not hasattr(w, "_dispatched"):
        w._dispatched = reporting.report(w.party, w.a, category="sanitation", description="南门外摊贩占道", building="1")
        requests.accept(w.worker, w._dispatched)
        requests.escalate(w.worker, w._dispatched, "需要城管处理")
        requests.dispatch(w.street_admin, w._dispatched, w.department, "请城管科处理")
    return w._dispatched


def _request_photo(w):
    return photos_of(_request(w).id)[0].key


route("requests.index", lambda w: f"/c/{w.a.slug}/requests/", PUBLIC)
route("requests.new", lambda w: f"/c/{w.a.slug}/requests/new", MEMBER)
route("requests.detail", lambda w: f"/requests/{_request(w).id}", PUBLIC)
route("requests.photo", lambda w: f"/requests/{_request(w).id}/photos/{_request_photo(w)}", UNPUBLISHED, html=False)
route("requests.mine", lambda w: "/me/requests", LOGGED_IN)
route("open311.services", lambda w: f"/open311/v2/services.json?jurisdiction_id={w.a.slug}", PUBLIC, html=False)
route("open311.requests_", lambda w: f"/open311/v2/requests.json?jurisdiction_id={w.a.slug}", PUBLIC, html=False)
route("open311.one", lambda w: f"/open311/v2/requests/{_request(w).id}.json?jurisdiction_id={w.a.slug}", PUBLIC, html=False)
route("requests_manage.queue", lambda w: f"/manage/c/{w.a.slug}/requests/", COMMUNITY_STAFF)
route("requests_manage.record", lambda w: f"/manage/c/{w.a.slug}/requests/new", COMMUNITY_STAFF)
route("requests_manage.street", lambda w: f"/manage/streets/{w.street.slug}/requests/", STREET_ADMIN)
route("requests_manage.recurring", lambda w: f"/manage/c/{w.a.slug}/requests/recurring?days=90", COMMUNITY_STAFF)
route("requests_manage.categories", lambda w: f"/manage/c/{w.a.slug}/requests/categories", COMMUNITY_STAFF)
route("requests_manage.targets", lambda w: f"/manage/streets/{w.street.slug}/requests/settings", STREET_ADMIN)
post("requests_manage.categories", lambda w: f"/manage/c/{w.a.slug}/requests/categories")
post("requests_manage.targets", lambda w: f"/manage/streets/{w.street.slug}/requests/settings")
route("requests_manage.street_recurring", lambda w: f"/manage/streets/{w.street.slug}/requests/recurring", STREET_ADMIN)
post("requests_manage.record", lambda w: f"/manage/c/{w.a.slug}/requests/new")
post("requests_manage.step", lambda w: f"/manage/c/{w.a.slug}/requests/{_request(w).id}/close")
post("requests.new", lambda w: f"/c/{w.a.slug}/requests/new")
route("places_manage.departments_page", lambda w: f"/manage/streets/{w.street.slug}/departments/", STREET_ADMIN)
route("requests_manage.department_queue", lambda w: f"/manage/departments/{_dispatched(w).department_id}/requests/", DEPARTMENT)
# Not an endpoint: a request world.department holds, as its member sees it (in full, with the department's steps).
route("requests.detail [held by a department]", lambda w: f"/requests/{_dispatched(w).id}", PUBLIC, shown_to=DEPARTMENT)
post("places_manage.add_department", lambda w: f"/manage/streets/{w.street.slug}/departments/")
post("places_manage.appoint_department_member", lambda w: f"/manage/streets/{w.street.slug}/departments/members")
post("places_manage.end_department_member", lambda w: f"/manage/streets/{w.street.slug}/departments/members/1/end")
post("requests_manage.department_step", lambda w: f"/manage/departments/{w.department.id}/requests/{_request(w).id}/accept")
post("requests.answer", lambda w: f"/requests/{_request(w).id}/answer")
route("requests_manage.site_keys", lambda w: "/manage/site/open311-keys", SITE_ADMIN)
post("requests_manage.site_issue_key", lambda w: "/manage/site/open311-keys")
post("requests_manage.site_revoke_key", lambda w: f"/manage/site/open311-keys/{_open311_key(w)}/revoke")
route("open311.token", lambda w: f"/open311/v2/tokens/{_open311_request(w).token}.json", PUBLIC, html=False)
#: POSTs authenticated by an API key, not a session: no CSRF token; without a key, 403 and nothing written
API_KEY_POSTS = {"open311.create"}
post("open311.create", lambda w: "/open311/v2/requests.json")


def _open311_key(w):
    if not hasattr(w, "_open311_key"):
        w._open311_key = api_keys.issue(w.site_admin, w.street, "12345 热线")
    return w._open311_key[0].id


def _open311_request(w):
    if not hasattr(w, "_open311_request"):
        _open311_key(w)
        key = w._open311_key[0]
        w._open311_request = reporting.report_from_api(
            key, w.a, category="repairs", description="路灯坏了", place="3号楼东侧", contact=reporting.Contact(name="王")
        )
    return w._open311_request


# --- safety: grids, grid workers, building volunteers, people needing help ---------------------
def _need(w):
    """world.resident (building 3, in world.grid) marked as needing help, once per world."""
    if not hasattr(w, "_need"):
        w._need = needs.set_own(w.resident, {"lives_alone_over_70": True, "other": True}, "独居，行动慢")
    return w._need


def _volunteer(w):
    if not hasattr(w, "_volunteer"):
        w._volunteer = staff.name_volunteer(w.worker, w.a, w.party, "3")
    return w._volunteer


route("safety.my_safety", lambda w: (_need(w), _volunteer(w), "/me/safety")[2], LOGGED_IN, shown_to="resident")
route("safety_manage.grids_page", lambda w: (_need(w), _volunteer(w), f"/manage/c/{w.a.slug}/grids/")[2], COMMUNITY_STAFF)
route(
    "safety_manage.grid_page", lambda w: (_need(w), _volunteer(w), f"/manage/grids/{w.grid.id}/")[2], GRID, shown_to="grid_worker"
)
post("safety.set_need", lambda w: "/me/safety")
post("safety.remove_need", lambda w: "/me/safety/remove")
post("safety_manage.create_grid", lambda w: f"/manage/c/{w.a.slug}/grids/")
post("safety_manage.rename_grid", lambda w: f"/manage/c/{w.a.slug}/grids/{w.grid.id}/rename")
post("safety_manage.delete_grid", lambda w: f"/manage/c/{w.a.slug}/grids/{w.grid.id}/delete")
post("safety_manage.place_building", lambda w: f"/manage/c/{w.a.slug}/grids/buildings")
post("safety_manage.remove_building", lambda w: f"/manage/c/{w.a.slug}/grids/buildings/1/remove")
post("safety_manage.appoint_grid_worker", lambda w: f"/manage/c/{w.a.slug}/grids/workers")
post("safety_manage.end_grid_worker", lambda w: f"/manage/c/{w.a.slug}/grids/workers/1/end")
post("safety_manage.name_volunteer", lambda w: f"/manage/c/{w.a.slug}/grids/volunteers")
post("safety_manage.end_volunteer", lambda w: f"/manage/c/{w.a.slug}/grids/volunteers/1/end")
post("safety_manage.record_need", lambda w: f"/manage/c/{w.a.slug}/grids/needs")
post("safety_manage.grid_record_need", lambda w: f"/manage/grids/{w.grid.id}/needs")


# --- safety: the hazard ledger, inspections, emergency points ------------------------------------
def _inspection(w):
    """An inspection of world.grid by its grid worker, every item failed."""
    if not hasattr(w, "_inspection"):
        w._inspection = inspections.inspect(w.grid_worker, w.grid, dict.fromkeys(ITEM_KIND, False), "3")
    return w._inspection


def _hazard(w):
    """A hazard of world.grid (building 3) with a photo, opened from a failed item of the inspection."""
    if not hasattr(w, "_hazard"):
        buffer = io.BytesIO()
        Image.new("RGB", (40, 30), "orange").save(buffer, format="JPEG")
        data = hazards.HazardInput(
            kind="",
            severity="high",
            place="2单元楼道",
            description="电动车在楼道充电",
            owner_name="物业服务中心",
            due_on=now().date() + timedelta(days=7),
            photo=buffer.getvalue(),
        )
        w._hazard = inspections.open_hazard(w.grid_worker, _inspection(w), "no_ebike_in_stairwell", data)
    return w._hazard


def _point(w):
    if not hasattr(w, "_point"):
        w._point = stations.add_point(
            w.worker,
            w.a,
            name="社区应急服务站",
            place="居委会一楼",
            opening="24小时",
            open_at_night=True,
            keeper_name="李师傅",
            keeper_phone="010-62001111",
            counts={"aed": 1, "stretcher": 2},
        )
    return w._point


route("hazards.ledger", lambda w: (_hazard(w), f"/manage/c/{w.a.slug}/hazards/")[1], COMMUNITY_STAFF)
route("hazards.export", lambda w: (_hazard(w), f"/manage/c/{w.a.slug}/hazards/ledger.csv")[1], COMMUNITY_STAFF, html=False)
route("hazards.detail", lambda w: f"/manage/hazards/{_hazard(w).id}/", GRID, shown_to="grid_worker")
route("hazards.photo", lambda w: f"/manage/hazards/{_hazard(w).id}/photo", GRID, html=False)
route("hazards.public", lambda w: (_hazard(w), _point(w), f"/c/{w.a.slug}/safety/")[2], PUBLIC)
route(
    "safety_rounds.grid_inspections",
    lambda w: (_inspection(w), f"/manage/grids/{w.grid.id}/inspections/")[1],
    GRID,
    shown_to="grid_worker",
)
route("safety_rounds.inspection", lambda w: f"/manage/inspections/{_inspection(w).id}/", GRID, shown_to="grid_worker")
route("safety_rounds.points", lambda w: (_point(w), f"/manage/c/{w.a.slug}/emergency-points/")[1], COMMUNITY_STAFF)
post("hazards.record", lambda w: f"/manage/c/{w.a.slug}/hazards/")
post("hazards.step", lambda w: f"/manage/hazards/{_hazard(w).id}/steps/start")
post("hazards.plan", lambda w: f"/manage/hazards/{_hazard(w).id}/plan")
post("safety_rounds.inspect", lambda w: f"/manage/grids/{w.grid.id}/inspections/")
post("safety_rounds.open_hazard", lambda w: f"/manage/inspections/{_inspection(w).id}/items/drains_clear/hazard")
post("safety_rounds.add_point", lambda w: f"/manage/c/{w.a.slug}/emergency-points/")
post("safety_rounds.remove_point", lambda w: f"/manage/c/{w.a.slug}/emergency-points/{_point(w).id}/remove")


def poster(endpoint: str) -> str:
    """The kind of person who sends a form (for the hostile-input tests): staff for /manage, else a resident."""
    if endpoint.startswith("places_manage.") and any(
        word in endpoint for word in ("street", "community", "staff_reset", "staff_end")
    ):
        return "site_admin"
    if endpoint.startswith("requests_manage.site_"):
        return "site_admin"
    if endpoint == "requests_manage.department_step":
        return "department"
    if endpoint in ("safety_manage.grid_record_need", "safety_notices.record_visit"):
        return "grid_worker"
    if endpoint == "safety_notices.publish_for_street":
        return "street_admin"
    if endpoint in {"safety_manage.grid_record_need", "safety_rounds.inspect", "safety_rounds.open_hazard"}:
        return "grid_worker"
    if endpoint.startswith("hazards."):
        return "worker"
    if endpoint.startswith("offerings_manage.provider_"):
        return "provider"
    if endpoint.startswith(("evaluation_manage.",)) or endpoint in {
        "places_manage.appoint_worker",
        "places_manage.end_worker",
        "places_manage.add_department",
        "places_manage.appoint_department_member",
        "places_manage.end_department_member",
    }:
        return "street_admin"
    if "manage" in endpoint:
        return "worker"
    return "resident"


# --- the service list (offerings) ---------------------------------------------------------------
def _service(w):
    """A listed service of world.provider (community a), open every morning."""
    if not hasattr(w, "_service"):
        w._service = w.factory.service(w.provider, "家庭医生签约", "08:00-12:00, 14:00-17:30", bring="身份证、医保卡")
    return w._service


route("offerings.index", lambda w: (_service(w), f"/c/{w.a.slug}/services/")[1], PUBLIC)
route("offerings.detail", lambda w: f"/services/{_service(w).id}", PUBLIC)
route("offerings.print_list", lambda w: (_service(w), f"/c/{w.a.slug}/services/print")[1], PUBLIC)
route("api.community_services", lambda w: (_service(w), f"/api/v1/communities/{w.a.slug}/services")[1], PUBLIC, html=False)
route("offerings_manage.index", lambda w: (_service(w), f"/manage/c/{w.a.slug}/services/")[1], COMMUNITY_STAFF)
route("offerings_manage.provider", lambda w: f"/manage/c/{w.a.slug}/services/providers/{w.provider.id}", COMMUNITY_STAFF)
route("offerings_manage.new_service", lambda w: f"/manage/c/{w.a.slug}/services/new?provider={w.provider.id}", COMMUNITY_STAFF)
route("offerings_manage.edit_service", lambda w: f"/manage/c/{w.a.slug}/services/{_service(w).id}/edit", COMMUNITY_STAFF)
route("offerings_manage.provider_home", lambda w: (_service(w), f"/manage/providers/{w.provider.id}/")[1], PROVIDER)
route("offerings_manage.provider_new_service", lambda w: f"/manage/providers/{w.provider.id}/services/new", PROVIDER)
route(
    "offerings_manage.provider_edit_service",
    lambda w: f"/manage/providers/{w.provider.id}/services/{_service(w).id}/edit",
    PROVIDER,
)
post("offerings_manage.add_provider", lambda w: f"/manage/c/{w.a.slug}/services/providers")
post("offerings_manage.provider_step", lambda w: f"/manage/c/{w.a.slug}/services/providers/{w.provider.id}/end")
post("offerings_manage.appoint_staff", lambda w: f"/manage/c/{w.a.slug}/services/providers/{w.provider.id}/staff")
post("offerings_manage.end_staff", lambda w: f"/manage/c/{w.a.slug}/services/providers/{w.provider.id}/staff/1/end")
post("offerings_manage.link_neighbour", lambda w: f"/manage/c/{w.a.slug}/services/neighbours")
post("offerings_manage.unlink_neighbour", lambda w: f"/manage/c/{w.a.slug}/services/neighbours/1/remove")
post("offerings_manage.new_service", lambda w: f"/manage/c/{w.a.slug}/services/new?provider={w.provider.id}")
post("offerings_manage.edit_service", lambda w: f"/manage/c/{w.a.slug}/services/{_service(w).id}/edit")
post("offerings_manage.withdraw", lambda w: f"/manage/services/{_service(w).id}/withdraw")
post("offerings_manage.provider_new_service", lambda w: f"/manage/providers/{w.provider.id}/services/new")
post("offerings_manage.provider_edit_service", lambda w: f"/manage/providers/{w.provider.id}/services/{_service(w).id}/edit")


# --- safety: urgent notices and first responders -----------------------------------------------
def _notice(w):
    """An orange warning for all of world.a (world.resident, in world.grid, and world.party), a
    first responder called, one visit recorded."""
    if not hasattr(w, "_notice"):
        from datetime import timedelta  # noqa: PLC0415

        from consult.safety import followup  # noqa: PLC0415

        _need(w)
        helper = w.factory.resident(w.a, username="helper", display_name="响应人赵", building="3", room="402")
        responders.opt_in(helper, {"first_aid": True}, None, [w.grid.id])
        draft = notices.Draft(
            level="orange", title="暴雨橙色预警", what_to_do="请远离地下室。", ends_at=now() + timedelta(hours=6)
        )
        w._notice = notices.publish(w.worker, w.a, draft)
        followup.record_visit(w.grid_worker, w._notice, w.resident.id, "not_home", "敲门无人")
    return w._notice


route("safety_notices.community_notices", lambda w: (_notice(w), f"/manage/c/{w.a.slug}/notices/")[1], COMMUNITY_STAFF)
route("safety_notices.street_notices", lambda w: (_notice(w), f"/manage/streets/{w.street.slug}/notices/")[1], STREET_ADMIN)
route("safety_notices.board", lambda w: f"/manage/notices/{_notice(w).id}/", GRID, shown_to="worker")
route("safety_notices.print_list", lambda w: f"/manage/notices/{_notice(w).id}/print", GRID, shown_to="grid_worker")
route("safety_notices.export", lambda w: f"/manage/notices/{_notice(w).id}/export.csv", GRID, html=False)
route(
    "safety_notices.community_export",
    lambda w: (_notice(w), f"/manage/c/{w.a.slug}/notices/export.csv")[1],
    COMMUNITY_STAFF,
    html=False,
)
route("safety_notice.notice", lambda w: f"/notices/{_notice(w).id}", NOTICE, refused_status=404, shown_to="resident")
post("safety_notices.publish", lambda w: f"/manage/c/{w.a.slug}/notices/")
post("safety_notices.publish_for_street", lambda w: f"/manage/streets/{w.street.slug}/notices/")
post("safety_notices.record_visit", lambda w: f"/manage/notices/{_notice(w).id}/visits")
post("safety_notice.acknowledge", lambda w: f"/notices/{_notice(w).id}/ack")
post("safety_notice.answer", lambda w: f"/notices/{_notice(w).id}/answer")
post("safety_notice.opt_in", lambda w: "/me/safety/responder")
post("safety_notice.opt_out", lambda w: "/me/safety/responder/remove")


# --- appointments (offerings) -------------------------------------------------------------------
def _slot(w):
    """A slot of a service of world.provider taking appointments, tomorrow 09:00–10:00, world.resident booked."""
    if not hasattr(w, "_slot"):
        from datetime import datetime, time, timedelta  # noqa: PLC0415

        from consult.core.clock import local_now, site_zone  # noqa: PLC0415
        from consult.offerings import booking, slots  # noqa: PLC0415

        service = w.factory.service(w.provider, "上门理发", "08:00-12:00", takes_appointments=True)
        day = local_now().date() + timedelta(days=1)
        starts = datetime.combine(day, time(9), tzinfo=site_zone())
        w._slot = slots.add_slot(w.worker, service, starts, starts + timedelta(hours=1), 3)
        w._appointment = booking.book(w._slot, w.resident, w.resident)
    return w._slot


def _board_url(w):
    from consult.core.clock import local  # noqa: PLC0415

    slot = _slot(w)
    return f"/manage/services/{slot.service_id}/slots?day={local(slot.starts_at).date().isoformat()}"


route("appointments.mine", lambda w: (_slot(w), "/me/appointments")[1], LOGGED_IN, shown_to="resident")
route("appointments_manage.board", _board_url, KEEPER)
post("appointments.book", lambda w: f"/slots/{_slot(w).id}/book")
post("appointments.cancel", lambda w: (_slot(w), f"/appointments/{w._appointment.id}/cancel")[1])
post("appointments.rate", lambda w: (_slot(w), f"/appointments/{w._appointment.id}/rate")[1])
post("appointments_manage.add_slot", lambda w: f"/manage/services/{_slot(w).service_id}/slots")
post("appointments_manage.book_for", lambda w: f"/manage/services/{_slot(w).service_id}/book")
post("appointments_manage.cancel", lambda w: (_slot(w), f"/manage/appointments/{w._appointment.id}/cancel")[1])
post("appointments_manage.mark", lambda w: (_slot(w), f"/manage/appointments/{w._appointment.id}/attended")[1])


# --- kiosk mode (一体机) ---------------------------------------------------------------------------
def _kiosk(w):
    """A registered kiosk of community a."""
    if not hasattr(w, "_kiosk"):
        w._kiosk = kiosks.register_kiosk(w.worker, w.a, "服务大厅")[0]
    return w._kiosk


route("kiosk.home", lambda w: "/kiosk/", KIOSK, html=False)
route("kiosk.login", lambda w: "/kiosk/login", KIOSK, html=False)
route("kiosk.report", lambda w: "/kiosk/report", KIOSK, html=False)
route("kiosk_manage.index", lambda w: (_kiosk(w), f"/manage/c/{w.a.slug}/kiosks/")[1], COMMUNITY_STAFF)
post("kiosk.login", lambda w: "/kiosk/login")
post("kiosk.logout", lambda w: "/kiosk/logout")
post("kiosk.card", lambda w: "/kiosk/card")
post("kiosk.report", lambda w: "/kiosk/report")
post("kiosk_manage.register", lambda w: f"/manage/c/{w.a.slug}/kiosks/")
post("kiosk_manage.revoke", lambda w: f"/manage/c/{w.a.slug}/kiosks/{_kiosk(w).id}/revoke")
post("kiosk_manage.set_pin", lambda w: f"/manage/c/{w.a.slug}/kiosks/pins")
post("kiosk_manage.print_card", lambda w: f"/manage/c/{w.a.slug}/kiosks/cards")
post("kiosk_manage.unlock", lambda w: f"/manage/c/{w.a.slug}/kiosks/pins/{w.resident.id}/unlock")
