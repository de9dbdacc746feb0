"""The one place that decides who may see and do what.

Every surface (web pages, API, search, autocomplete, counts, exports, the admin, the CLI) reads
through `visible_to(queryset, user, action)` and asks `can(user, capability)` before acting.
Nothing else in the code base decides access; a model with no rule here is seen by nobody.

What a user may do follows from four things:

* **Roles.** Each role grants capabilities (GRANTS below); a user holding several has the union.
  An API token may carry fewer roles than its user (tokens are bound to roles): the policy then
  uses only the roles both hold.
* **Agency scope.** An agency liaison sees only the persons of their own agency; every other
  role that sees individuals works for the coordination headquarters and sees every agency.
* **Clearance.** A person record or event is seen only if its classification is at or below
  the user's clearance. An approved break-glass access (with a stated reason, in the audit log)
  opens one person above the user's clearance for a few hours.
* **Family-facing roles.** A user whose only roles that see individuals are family-facing (the
  family liaison officer) sees neither what GC IV art. 137 calls detrimental to disclose nor
  the fields in FAMILY_MASKS. The export to the ICRC Central Tracing Agency is not
  family-facing and withholds nothing.

Masked fields are not blanked in templates or serializers: `visible_to` hands out instances
whose masked fields were never read from the database and hold WITHHELD's empty value, marked so
that saving such an instance is refused (see `refuse_saving_redacted`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.db.models.query import ModelIterable
from django.utils import timezone
from django.utils.translation import gettext

from tracebureau.core.choices import Role, levels_up_to

VIEW = "view"
CHANGE = "change"
# Recording an event about a person needs less than changing the person's identity fields.
RECORD_EVENT = "record_event"
ACTIONS = (VIEW, CHANGE, RECORD_EVENT)

BREAK_GLASS_HOURS = 4


class Can(StrEnum):
    SEE_INDIVIDUALS = "see_individuals"
    EDIT_PERSONS = "edit_persons"  # register, correct, spell, merge and unmerge persons
    RECORD_EVENTS = "record_events"  # record, retract and supersede events
    MANAGE_REFERENCE = "manage_reference"  # places, sources, agencies
    EXPORT = "export"  # CSV of the lists the user sees, masks applied
    EXPORT_CTA = "export_cta"  # the full export to the ICRC Central Tracing Agency
    SEE_STATISTICS = "see_statistics"  # live totals over what the user sees
    RELEASE_STATISTICS = "release_statistics"  # publish totals to the press
    SEE_RELEASED_STATISTICS = "see_released_statistics"
    BREAK_GLASS = "break_glass"
    READ_AUDIT = "read_audit"
    MANAGE_USERS = "manage_users"
    RECONCILE_LISTS = "reconcile_lists"  # upload incoming lists and work their review queue
    IDENTIFY = "identify"  # repatriations, remains cases, references, match runs, decisions
    SEE_GENETIC_DATA = "see_genetic_data"  # DNA profiles: the most sensitive data held
    NOTIFY_FAMILIES = "notify_families"  # the family-liaison queue of in-person notifications
    SEE_EXCHANGES = "see_exchanges"  # exchanges and their lists, within clearance
    MANAGE_EXCHANGES = "manage_exchanges"  # negotiate, execute, verify and amend exchanges
    HANDLE_INQUIRIES = "handle_inquiries"  # families' tracing requests and what they are told
    REPORT_MISSING = "report_missing"  # register a person a family reports missing, nothing more
    DRAFT_RELEASES = "draft_releases"  # draft press releases of statistics, and see them
    REVIEW_RELEASES = "review_releases"  # check a colleague's draft: figures and what is held back
    APPROVE_RELEASES = "approve_releases"  # the head of the press centre's approval
    PUBLISH_RELEASES = "publish_releases"  # publish an approved release
    TRANSMIT_CTA = "transmit_cta"  # prepare, authorise and send batches to the ICRC's Agency
    IMPORT_RECORDS = "import_records"  # PFIF and persons' lists into the registry


@dataclass(frozen=True)
class Grant:
    can: frozenset[Can]
    agency_scoped: bool = False
    family_facing: bool = False


def _grant(*can: Can, agency_scoped: bool = False, family_facing: bool = False) -> Grant:
    return Grant(frozenset(can), agency_scoped=agency_scoped, family_facing=family_facing)


_READER = (Can.SEE_INDIVIDUALS, Can.SEE_STATISTICS)

GRANTS: dict[str, Grant] = {
    Role.CASE_OFFICER: _grant(
        *_READER, Can.EDIT_PERSONS, Can.RECORD_EVENTS, Can.MANAGE_REFERENCE, Can.EXPORT,
        Can.EXPORT_CTA, Can.BREAK_GLASS, Can.RECONCILE_LISTS, Can.SEE_EXCHANGES, Can.TRANSMIT_CTA,
        Can.IMPORT_RECORDS,
    ),
    # Reconciling lists is the analyst's daily work, and accepting a list row records an event
    # on the person's timeline: analysts, who may already change identities, record events too.
    # Analysts also check and authorise what a case officer prepares for the ICRC's Agency.

    Role.ANALYST: _grant(
        *_READER, Can.EDIT_PERSONS, Can.RECORD_EVENTS, Can.EXPORT, Can.RELEASE_STATISTICS,
        Can.SEE_RELEASED_STATISTICS, Can.BREAK_GLASS, Can.RECONCILE_LISTS, Can.SEE_EXCHANGES,
        Can.REVIEW_RELEASES, Can.IMPORT_RECORDS, Can.TRANSMIT_CTA,
    ),
    Role.EXCHANGE_COORDINATOR: _grant(
        *_READER, Can.RECORD_EVENTS, Can.EXPORT, Can.SEE_EXCHANGES, Can.MANAGE_EXCHANGES
    ),
    # Bodies come home through exchanges: identification officers follow them.
    Role.IDENTIFICATION_OFFICER: _grant(
        *_READER, Can.RECORD_EVENTS, Can.IDENTIFY, Can.SEE_GENETIC_DATA, Can.SEE_EXCHANGES
    ),
    # A family liaison takes tracing requests: registers a person a family reports missing, with
    # that report on the timeline, and records nothing else (no event, no identity change).
    Role.FAMILY_LIAISON: _grant(
        Can.SEE_INDIVIDUALS, Can.NOTIFY_FAMILIES, Can.HANDLE_INQUIRIES, Can.REPORT_MISSING,
        family_facing=True,
    ),
    # The press centre drafts, checks and publishes figures derived from every record, and sees
    # no individual: the figures are counted for it, less what may not be public.
    Role.PRESS_OFFICER: _grant(
        Can.SEE_RELEASED_STATISTICS, Can.DRAFT_RELEASES, Can.REVIEW_RELEASES, Can.PUBLISH_RELEASES
    ),
    Role.HEAD_OF_PRESS: _grant(
        Can.SEE_RELEASED_STATISTICS, Can.DRAFT_RELEASES, Can.REVIEW_RELEASES, Can.APPROVE_RELEASES,
        Can.PUBLISH_RELEASES,
    ),
    # A family liaison sees no exchange: a family told of a list can cost the person their place.
    Role.AGENCY_LIAISON: _grant(Can.SEE_INDIVIDUALS, Can.SEE_EXCHANGES, agency_scoped=True),
    Role.AUDITOR: _grant(Can.READ_AUDIT),
    Role.ADMINISTRATOR: _grant(Can.MANAGE_USERS, Can.MANAGE_REFERENCE),
}

# What a family-facing user does not see: where a person serves, how they are called on the
# radio, and where they were captured (masked on capture events only); nor the officers' free-
# text notes on events, which name units and places as freely as anyone writes them.
FAMILY_MASKS: dict[str, frozenset[str]] = {
    "registry.Person": frozenset({"unit", "call_sign", "identity_disc"}),
    "timeline.Event": frozenset({"note"}),
}
CAPTURE_KINDS = frozenset({"captured"})


@dataclass(frozen=True)
class Access:
    """What one user may do, computed from their roles; `NO_ACCESS` for anyone not signed in."""

    user_id: int | None = None
    can: frozenset[Can] = frozenset()
    all_agencies: bool = False
    agency_id: int | None = None
    levels: tuple[str, ...] = ()
    family_facing: bool = False
    roles: frozenset[str] = field(default_factory=frozenset)


NO_ACCESS = Access()


def is_staff_member(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def roles_of(user: Any) -> frozenset[str]:
    """The roles the user acts with now: theirs, narrowed to a token's roles when one is used."""
    if not is_staff_member(user):
        return frozenset()
    roles = frozenset(role for role in (user.roles or []) if role in GRANTS)
    token_roles = getattr(user, "token_roles", None)
    return roles if token_roles is None else roles & frozenset(token_roles)


def bind_token_roles(user: Any, roles: Iterable[str]) -> None:
    """Make the user act with at most `roles` for this request (an API token's roles)."""
    user.token_roles = frozenset(roles)


def access_of(user: Any) -> Access:
    roles = roles_of(user)
    if not roles:
        return NO_ACCESS
    grants = [GRANTS[role] for role in roles]
    readers = [g for g in grants if Can.SEE_INDIVIDUALS in g.can]
    return Access(
        user_id=user.pk,
        can=frozenset().union(*(g.can for g in grants)),
        all_agencies=any(not g.agency_scoped for g in readers),
        agency_id=user.agency_id,
        levels=levels_up_to(user.clearance),
        # Several roles: the most open one decides (a case officer who is also a family
        # liaison sees what a case officer sees).
        family_facing=bool(readers) and all(g.family_facing for g in readers),
        roles=roles,
    )


def requires_two_factor(user: Any) -> bool:
    """Whether the user must sign in with a second factor (a TOTP code) besides the password.

    Required of whoever sees the people of every agency (a family liaison too: masked, but
    every name and status), of whoever manages accounts, and of superusers and staff (the admin
    site): a stolen password alone must not open them. An agency liaison, a press officer or an
    auditor sees far less; they sign in with the password. TRACEBUREAU_REQUIRE_TWO_FACTOR=false
    switches this off, for development only.
    """
    from django.conf import settings

    if not settings.TRACEBUREAU_REQUIRE_TWO_FACTOR or not is_staff_member(user):
        return False
    if user.is_superuser or user.is_staff:
        return True
    access = access_of(user)
    sees_everyone = access.all_agencies
    # Whoever approves what the bureau says in public signs in with a second factor too.
    return sees_everyone or Can.MANAGE_USERS in access.can or Can.APPROVE_RELEASES in access.can


def can(user: Any, capability: Can) -> bool:
    return capability in access_of(user).can


def require(user: Any, capability: Can) -> None:
    """Refuse (403) an action the user's roles do not allow. For reads of a given record use
    visible_to, whose 404 does not reveal that the record exists."""
    if not can(user, capability):
        raise PermissionDenied(f"Your roles do not allow this ({capability}).")


def classification_errors(user: Any, level: str) -> dict[str, str]:
    """A write may not classify a record above the writer's clearance: they could not see it."""
    if level in access_of(user).levels:
        return {}
    return {"classification": gettext("Above your clearance: you could not read the record afterwards.")}


def capabilities(user: Any) -> frozenset[str]:
    """The user's capabilities by name, for templates: {% if 'export' in can %}."""
    return frozenset(str(c) for c in access_of(user).can)


# --- rows -----------------------------------------------------------------------------------

Rule = Callable[[QuerySet, Any, Access, str], QuerySet]


def visible_to(queryset: QuerySet, user: Any, action: str = VIEW) -> QuerySet:
    """The rows of `queryset` that `user` may `action`, masked for them. Fails closed: an
    unknown action, a model without a rule or a user without roles sees nothing."""
    access = access_of(user)
    model = queryset.model
    history_of = getattr(model, "instance_type", None)  # django-simple-history's tables
    label = (history_of or model)._meta.label
    rule = RULES.get(label)
    if action not in ACTIONS or rule is None or access is NO_ACCESS:
        return queryset.none()
    if history_of is not None:
        allowed = rule(history_of._default_manager.all(), user, access, action)
        return queryset.filter(id__in=allowed.values("pk"))
    return _masked(rule(queryset, user, access, action), access)


def _needs(access: Access, capability: Can) -> bool:
    return capability in access.can


def _person_condition(user: Any, access: Access, action: str) -> Q | None:
    need = {VIEW: Can.SEE_INDIVIDUALS, CHANGE: Can.EDIT_PERSONS, RECORD_EVENT: Can.RECORD_EVENTS}[action]
    if not _needs(access, need):
        return None
    condition = Q(classification__in=access.levels)
    if action == VIEW:
        condition |= Q(pk__in=_glass(user))
    if not access.all_agencies:
        condition &= Q(agency_id=access.agency_id) if access.agency_id else Q(pk__in=[])
    if access.family_facing:
        condition &= Q(detrimental_to_disclose=False)
    return condition


def _glass(user: Any) -> QuerySet:
    """The persons a break-glass access currently opens to the user."""
    from tracebureau.core.models import BreakGlass

    return BreakGlass.objects.filter(user=user, expires_at__gt=timezone.now()).values("person_id")


def _persons(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
    condition = _person_condition(user, access, action)
    return queryset.none() if condition is None else queryset.filter(condition)


def _through(relation: str, condition: Q) -> Q:
    """A condition on persons, asked of the rows that point at them through `relation`: a
    join the planner probes row by row, where `relation IN (visible persons)` had PostgreSQL
    read a million-person registry to check one page's events.

    Only for a relation that is never null, and conditions of plain lookups, never negated:
    through a nullable join a negated condition would also pass the rows with no person, so
    anything else is refused rather than rewritten into something weaker."""
    if condition.negated:
        raise ValueError("_through cannot carry a negated condition across a join; use relation__in.")
    rerooted = Q(_connector=condition.connector)
    for child in condition.children:
        if isinstance(child, Q):
            rerooted.children.append(_through(relation, child))
        elif isinstance(child, tuple) and len(child) == 2:
            key, value = child
            rerooted.children.append((f"{relation}__{key}", value))
        else:
            raise ValueError(f"_through cannot carry {child!r} across a join; use relation__in.")
    return rerooted


def _of_visible(relation: str, user: Any, access: Access) -> Q | None:
    """Rows whose person (through `relation`) the user may see; None when they see none."""
    condition = _person_condition(user, access, VIEW)
    return None if condition is None else _through(relation, condition)


def _visible_person_ids(user: Any, access: Access) -> QuerySet:
    from tracebureau.registry.models import Person

    return _persons(Person.objects.all(), user, access, VIEW).values("pk")


def _events(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
    need = Can.SEE_INDIVIDUALS if action == VIEW else Can.RECORD_EVENTS
    if action == RECORD_EVENT or not _needs(access, need):
        return queryset.none()
    person = _of_visible("person", user, access)
    if person is None:
        return queryset.none()
    condition = person & (Q(classification__in=access.levels) | Q(person__in=_glass(user)))
    if access.family_facing:
        condition &= Q(detrimental_to_disclose=False)
    return queryset.filter(condition)


def _kept_status(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
    """A kept status (timeline.PersonStatus) is read only by those who see every event and
    record it was derived from; anyone else has it derived from what they see."""
    if action != VIEW or not _needs(access, Can.SEE_INDIVIDUALS):
        return queryset.none()
    person = _of_visible("person", user, access)
    if person is None:
        return queryset.none()
    condition = person & Q(ceiling__in=access.levels)
    if access.family_facing:
        condition &= Q(detrimental=False)
    if not access.all_agencies:
        condition &= Q(other_agency=False)
    return queryset.filter(condition)


def _of_visible_persons(field_name: str) -> Rule:
    def rule(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
        if action != VIEW:
            return queryset.none()
        if queryset.model._meta.get_field(field_name).null:
            return queryset.filter(**{f"{field_name}__in": _visible_person_ids(user, access)})
        condition = _of_visible(field_name, user, access)
        return queryset.none() if condition is None else queryset.filter(condition)

    return rule


def _reference(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
    """Places, sources, agencies: read by anyone who reads records, changed by their keepers."""
    if action == VIEW and (_needs(access, Can.SEE_INDIVIDUALS) or _needs(access, Can.MANAGE_REFERENCE)):
        return queryset
    if action == CHANGE and _needs(access, Can.MANAGE_REFERENCE):
        return queryset
    return queryset.none()


def _capability(capability: Can, *, view_only: bool = True) -> Rule:
    def rule(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
        allowed = _needs(access, capability) and (action == VIEW or not view_only)
        return queryset if allowed else queryset.none()

    return rule


def _released(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
    readers = (Can.SEE_RELEASED_STATISTICS, Can.RELEASE_STATISTICS)
    if action == VIEW and any(_needs(access, c) for c in readers):
        return queryset
    return queryset.none()


def _own_tokens(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
    """API tokens: each user sees and revokes their own (administrators also in the admin)."""
    if _needs(access, Can.MANAGE_USERS):
        return queryset
    return queryset.filter(user_id=user.pk) if action in (VIEW, CHANGE) else queryset.none()


def _merges(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
    if action != VIEW:
        return queryset.none()
    persons = _visible_person_ids(user, access)
    return queryset.filter(keep__in=persons, absorb__in=persons)


def _incoming_lists(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
    """Incoming lists name people of every agency, in bulk: only those who reconcile lists
    read them (not a family liaison, an agency liaison or the press), within their clearance."""
    if action not in (VIEW, CHANGE) or not _needs(access, Can.RECONCILE_LISTS):
        return queryset.none()
    return queryset.filter(classification__in=access.levels)


def _of_visible_lists(path: str) -> Rule:
    def rule(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
        from tracebureau.lists.models import IncomingList

        lists = _incoming_lists(IncomingList.objects.all(), user, access, action).values("pk")
        return queryset.filter(**{f"{path}__in": lists})

    return rule


def _candidates(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
    """A candidate names a registered person: shown only to those who see that person too (a
    colleague cleared higher may have run the reconciliation)."""
    if action != VIEW:
        return queryset.none()
    rows = _of_visible_lists("row__incoming_list")(queryset, user, access, action)
    return rows.filter(person__in=_visible_person_ids(user, access))


def _identification(path: str | None = None, *, capability: Can = Can.IDENTIFY) -> Rule:
    """Identification records: for those who identify (or, with `capability`, notify), and only
    where the person they name (at `path`) is one the user may see."""

    def rule(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
        if capability not in access.can:
            return queryset.none()
        if path is not None:
            queryset = queryset.filter(**{f"{path}__in": _visible_person_ids(user, access)})
        return queryset

    return rule


def _remains(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
    if Can.IDENTIFY not in access.can:
        return queryset.none()
    return queryset.filter(classification__in=access.levels)


def _notification_tasks(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
    """Liaisons work the whole queue: a family must be told even when the person's record is
    classified above the liaison's clearance (the task names the person, nothing more).
    Identification officers follow it, for the persons they see."""
    if Can.NOTIFY_FAMILIES in access.can:
        return queryset
    if Can.IDENTIFY not in access.can or action == CHANGE:
        return queryset.none()
    return queryset.filter(person__in=_visible_person_ids(user, access))


def _exchanges(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
    """Exchanges: seen within clearance by those who follow them (negotiation-sensitive by
    default), changed by coordinators, never shown to a family-facing role."""
    need = Can.SEE_EXCHANGES if action == VIEW else Can.MANAGE_EXCHANGES
    if action == RECORD_EVENT or need not in access.can or access.family_facing:
        return queryset.none()
    return queryset.filter(classification__in=access.levels)


def _of_visible_exchanges(path: str, person: str | None = None) -> Rule:
    """Rows of an exchange the user sees; where a row names a person (at `person`), only if the
    user sees that person too (an agency liaison sees their own agency's people on a list)."""

    def rule(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
        from tracebureau.exchanges.models import Exchange

        if action != VIEW:
            return queryset.none()
        exchanges = _exchanges(Exchange.objects.all(), user, access, action).values("pk")
        queryset = queryset.filter(**{f"{path}__in": exchanges})
        if person is not None:
            persons = _visible_person_ids(user, access)
            queryset = queryset.filter(Q(**{f"{person}__isnull": True}) | Q(**{f"{person}__in": persons}))
        return queryset

    return rule


def _inquiries(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
    """Tracing requests: for those who handle them, within clearance; one linked to a person is
    seen only by who may see that person (an unlinked one names nobody registered)."""
    if Can.HANDLE_INQUIRIES not in access.can or action == RECORD_EVENT:
        return queryset.none()
    persons = _visible_person_ids(user, access)
    linked = Q(person__isnull=True) | Q(person__in=persons)
    return queryset.filter(Q(classification__in=access.levels) & linked)


def _of_visible_inquiries(path: str) -> Rule:
    def rule(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
        from tracebureau.families.models import Inquiry

        if action != VIEW:
            return queryset.none()
        inquiries = _inquiries(Inquiry.objects.all(), user, access, action).values("pk")
        return queryset.filter(**{f"{path}__in": inquiries})

    return rule


def _requesters(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
    if Can.HANDLE_INQUIRIES not in access.can or action == RECORD_EVENT:
        return queryset.none()
    return queryset


def _press(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
    """Releases in the making: the press centre and those who review its figures. The
    published ones are also public (see counted_in_public and press.selectors.published)."""
    if action != VIEW or not any(_needs(access, c) for c in PRESS_CENTRE):
        return queryset.none()
    return queryset


def _imports(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
    """Imports, whose outcomes name the records they touched: for who imports, within clearance."""
    if action != VIEW or Can.IMPORT_RECORDS not in access.can:
        return queryset.none()
    return queryset.filter(classification__in=access.levels)


def _import_jobs(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
    """An import waiting for the worker or under way: its file may name anyone, so only who asked
    for it sees it (and cancels it), while they may still import."""
    if action not in (VIEW, CHANGE) or Can.IMPORT_RECORDS not in access.can:
        return queryset.none()
    return queryset.filter(requested_by_id=user.pk)


def _transmissions(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
    """Batches to the ICRC's Agency: for who transmits, cleared for everything a batch carries."""
    if action != VIEW or Can.TRANSMIT_CTA not in access.can:
        return queryset.none()
    return queryset.filter(classification__in=access.levels)


def _of_transmissions(path: str) -> Rule:
    def rule(queryset: QuerySet, user: Any, access: Access, action: str) -> QuerySet:
        from tracebureau.interchange.models import TransmissionBatch

        batches = _transmissions(TransmissionBatch.objects.all(), user, access, action).values("pk")
        return queryset.filter(**{f"{path}__in": batches})

    return rule


RULES: dict[str, Rule] = {
    "registry.Person": _persons,
    "registry.NameVariant": _of_visible_persons("person"),
    "registry.PersonMerge": _merges,
    "registry.Agency": _reference,
    "timeline.Event": _events,
    "timeline.Place": _reference,
    "timeline.Source": _reference,
    "timeline.BulkEvent": _capability(Can.SEE_INDIVIDUALS),
    "timeline.PersonStatus": _kept_status,
    "core.User": _capability(Can.MANAGE_USERS, view_only=False),
    "core.BreakGlass": _capability(Can.READ_AUDIT),
    "reporting.StatisticsRelease": _released,
    "accounts.ApiToken": _own_tokens,
    "audit.AuditEntry": _capability(Can.READ_AUDIT),
    "lists.IncomingList": _incoming_lists,
    "lists.ListRow": _of_visible_lists("incoming_list"),
    "lists.Reconciliation": _of_visible_lists("incoming_list"),
    "lists.Candidate": _candidates,
    "lists.Decision": _of_visible_lists("row__incoming_list"),
    "identification.Repatriation": _identification(),
    "identification.RemainsCase": _remains,
    "identification.CustodyEntry": _identification(),
    "identification.FrequencyTable": _identification(),
    "identification.MatchRun": _identification(),
    "identification.MatchOutcome": _identification(),
    "identification.ReferenceSample": _identification("person"),
    "identification.MatchCandidate": _identification("person"),
    "identification.IdentificationDecision": _identification(),
    "identification.GeneticProfile": _identification(capability=Can.SEE_GENETIC_DATA),
    "identification.NotificationTask": _notification_tasks,
    "exchanges.Exchange": _exchanges,
    "exchanges.ExchangeEntry": _of_visible_exchanges("exchange", "person"),
    "exchanges.Transition": _of_visible_exchanges("exchange"),
    "exchanges.ArrivalList": _of_visible_exchanges("exchange"),
    "exchanges.ArrivalRow": _of_visible_exchanges("arrival_list__exchange", "person"),
    "exchanges.Amendment": _of_visible_exchanges("exchange"),
    "exchanges.ExchangeOutcome": _of_visible_exchanges("exchange", "person"),
    "families.Requester": _requesters,
    "families.Inquiry": _inquiries,
    "families.InquiryStep": _of_visible_inquiries("inquiry"),
    "families.ConsentChange": _of_visible_inquiries("inquiry"),
    "families.FamilyContact": _of_visible_inquiries("inquiry"),
    "families.LookupCode": _capability(Can.READ_AUDIT),
    "families.LookupAttempt": _capability(Can.READ_AUDIT),
    "press.Release": _press,
    "press.ReleaseTable": _press,
    "press.ReleaseStep": _press,
    "press.DisclosureCheck": _press,
    "interchange.Import": _imports,
    "interchange.ImportJob": _import_jobs,
    "interchange.ExternalRecord": _of_visible_persons("person"),
    "interchange.TransmissionBatch": _transmissions,
    "interchange.TransmissionItem": _of_transmissions("batch"),
    "interchange.TransmissionStep": _of_transmissions("batch"),
}


# --- fields ---------------------------------------------------------------------------------


def _masked(queryset: QuerySet, access: Access) -> QuerySet:
    """Hand out instances with the user's masked fields withheld.

    The fields are deferred, so the database never sends them, and the iterable fills them with
    an empty value and marks the instance. values()/values_list() bypass this: selectors must
    not read masked fields that way.
    """
    if not access.family_facing or queryset._iterable_class is not ModelIterable:
        return queryset
    hidden = FAMILY_MASKS.get(queryset.model._meta.label, frozenset())
    if hidden:
        queryset = queryset.defer(*hidden)
    queryset._iterable_class = type("RedactingIterable", (_RedactingIterable,), {"access": access})
    return queryset


class _RedactingIterable(ModelIterable):
    access: Access

    def __iter__(self) -> Iterator[Model]:
        for instance in super().__iter__():
            redact(instance, self.access)
            yield instance


def redact(instance: Model, access: Access, seen: set[int] | None = None) -> None:
    """Withhold the masked fields of `instance` and of the related rows loaded with it."""
    seen = set() if seen is None else seen
    if id(instance) in seen or not access.family_facing:
        return
    seen.add(id(instance))
    withheld = set(FAMILY_MASKS.get(instance._meta.label, ()))
    if instance._meta.label == "timeline.Event" and getattr(instance, "kind", None) in CAPTURE_KINDS:
        withheld.add("place")
    for name in withheld:
        _withhold(instance, name)
    if withheld:
        instance._withheld = frozenset(withheld)  # type: ignore[attr-defined]
    for related in list(instance._state.fields_cache.values()):
        if isinstance(related, Model):
            redact(related, access, seen)


def _withhold(instance: Model, name: str) -> None:
    model_field = instance._meta.get_field(name)
    if model_field.is_relation:
        instance.__dict__[model_field.attname] = None  # type: ignore[union-attr]
        model_field.set_cached_value(instance, None)  # type: ignore[union-attr]
    else:
        instance.__dict__[name] = ""


def told_to_families(events: QuerySet) -> QuerySet:
    """The events a family may be told about (through the five-level scale, never in detail):
    nothing detrimental to disclose (GC IV art. 137) and nothing negotiation-sensitive, whoever
    relays it. Not a user's view: families are not users, and a liaison's clearance is not
    theirs."""
    from tracebureau.core.choices import Classification

    return events.filter(detrimental_to_disclose=False).exclude(
        classification=Classification.NEGOTIATION_SENSITIVE
    )


def counted_in_public(persons: QuerySet, *, merged: bool = False) -> QuerySet:
    """The persons public figures count: none detrimental to disclose (GC IV art. 137), none
    whose record is negotiation-sensitive, and each once (a merged record counts as the record
    it was merged into). Not a user's view: the public is nobody's clearance."""
    from tracebureau.core.choices import Classification

    if not merged:
        persons = persons.filter(merged_into__isnull=True)
    persons = persons.filter(detrimental_to_disclose=False)
    return persons.exclude(classification=Classification.NEGOTIATION_SENSITIVE)


def naming_only_counted(rows: QuerySet, path: str = "person") -> QuerySet:
    """Rows (exchange outcomes, tracing requests) that name nobody, or a person counted in
    public; and none classified negotiation-sensitive, where the rows are classified."""
    from tracebureau.core.choices import Classification
    from tracebureau.registry.models import Person

    counted = counted_in_public(Person.objects.all()).values("pk")
    rows = rows.filter(Q(**{f"{path}__isnull": True}) | Q(**{f"{path}__in": counted}))
    if any(f.name == "classification" for f in rows.model._meta.get_fields()):
        rows = rows.exclude(classification=Classification.NEGOTIATION_SENSITIVE)
    return rows


def public_releases(releases: QuerySet) -> QuerySet:
    """The press releases anyone may read, signed in or not: those published."""
    from tracebureau.press.choices import ReleaseState

    return releases.filter(steps__state=ReleaseState.PUBLISHED)


def exchanges_counted_in_public(exchanges: QuerySet) -> QuerySet:
    """The exchanges public figures count: verified ones only. An exchange is negotiation-
    sensitive while it is negotiated (that is why it is classified so by default); once both
    sides have carried it out and we have verified who came home, it is no longer a
    negotiation, and the bureau reports it. One still proposed, agreed or executed but not
    verified is never in a public figure, whatever its classification."""
    from tracebureau.exchanges.choices import ExchangeState

    return exchanges.filter(state=ExchangeState.VERIFIED)


PRESS_CENTRE = (Can.DRAFT_RELEASES, Can.REVIEW_RELEASES, Can.APPROVE_RELEASES, Can.PUBLISH_RELEASES)


def in_press_centre(user: Any) -> bool:
    """Whether the user works on press releases (drafts, reviews, approves or publishes)."""
    return any(capability in access_of(user).can for capability in PRESS_CENTRE)


def may_withdraw_release(user: Any) -> bool:
    """Withdrawing is the press centre's own decision (whoever drafts or approves), not a
    reviewer's from outside it."""
    return any(c in access_of(user).can for c in (Can.DRAFT_RELEASES, Can.APPROVE_RELEASES))


def transmitted_to_cta(persons: QuerySet) -> QuerySet:
    """The persons the bureau reports to the ICRC Central Tracing Agency (GC III art. 122, GC IV
    art. 136): the adversary's people in our hands, alive or dead. Nothing about them is
    withheld from the Agency: what GC IV art. 137 calls detrimental to disclose is withheld from
    families, not from the Agency, and a negotiation does not suspend the Conventions."""
    from tracebureau.registry.choices import Side

    return persons.filter(side=Side.ADVERSARY, merged_into__isnull=True)


def leave_in_pfif(persons: QuerySet, *, merged: bool = False) -> QuerySet:
    """The persons a PFIF export may carry, of those the exporting user sees. A PFIF file goes
    to person finders that families and the public read: it carries what may be public (see
    counted_in_public), never a negotiation-sensitive or detrimental record, and never the
    fields in FAMILY_MASKS. Only our own people: the adversary's prisoners are reported to the
    ICRC's Agency, not to the public (GC III art. 13 protects them from public curiosity)."""
    from tracebureau.registry.choices import Side

    if merged:  # records merged into an exported one, for their spellings: the same rules
        return counted_in_public(persons.filter(merged_into__isnull=False), merged=True).filter(side=Side.OWN)
    return counted_in_public(persons).filter(side=Side.OWN)


def notes_leave_in_pfif(events: QuerySet) -> QuerySet:
    """The events a PFIF export may carry as notes: what a family may be told, and never a
    death or what leads to one: a family is told of a death in person, before any person finder
    could tell them."""
    from tracebureau.timeline.status import DEATH_SITUATIONS, EVENT_SITUATION

    deaths = [kind for kind, situation in EVENT_SITUATION.items() if situation in DEATH_SITUATIONS]
    return told_to_families(events).exclude(kind__in=deaths)


def events_counted_in_public(events: QuerySet) -> QuerySet:
    """The events public figures are derived from: the same as what a family may be told."""
    return told_to_families(events)


def masked_fields(user: Any, label: str) -> frozenset[str]:
    """The fields of model `label` withheld from the user: a search must not match on them
    either, or a query would confirm what the page withholds."""
    return FAMILY_MASKS.get(label, frozenset()) if access_of(user).family_facing else frozenset()


def withheld(instance: Any, name: str) -> bool:
    """Whether `name` was withheld from this instance for the user who read it."""
    return name in getattr(instance, "_withheld", ())


def refuse_saving_redacted(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    """A pre_save guard: an instance read with fields withheld would blank them if saved."""
    if getattr(instance, "_withheld", None):
        raise PermissionDenied("This record was read with fields withheld and cannot be saved.")


# --- break glass ----------------------------------------------------------------------------


def break_glass_expiry(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) + dt.timedelta(hours=BREAK_GLASS_HOURS)


def require_row(user: Any, instance: Model, action: str) -> None:
    """Services' own check that the actor may `action` this row: a 404, as for a row that does
    not exist, so that a service called from the CLI or a script cannot be used to probe."""
    from django.http import Http404

    rows = visible_to(type(instance)._default_manager.filter(pk=instance.pk), user, action)
    if not rows.exists():
        raise Http404(f"No such {instance._meta.verbose_name}.")


def allows(user: Any, model: type[Model], action: str = VIEW) -> bool:
    """Whether the user's roles allow `action` on some rows of `model` at all (for menus and the
    admin's permission checks; which rows is still visible_to's answer)."""
    return not visible_to(model._default_manager.all(), user, action).query.is_empty()
