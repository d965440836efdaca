"""Calls to the services' HTTP APIs on the signed-in person's behalf.

Each call carries a short-lived token the console signs with its own key: the role and subject come
from the account (a mentor acts as their mentor id), so the services enforce exactly what they would
for that person calling them directly.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from peer_console.domain.accounts import Account
from peer_console.settings import ConsoleSettings
from peer_shared.auth.tokens import issue_token
from peer_shared.clock import Clock
from peer_shared.logging import get_logger

log = get_logger(__name__)
INVALID_REQUEST = "invalid-request"
"""The problem `code` of a request the service could not read (its `errors` name the fields)."""


class Api(StrEnum):
    """A service the console calls."""

    REFERRALS = "referrals"
    MATCHING = "matching"
    SESSIONS = "sessions"
    OUTCOMES = "outcomes"
    GROUPS = "groups"


class ApiError(Exception):
    """A service refused or failed a call; `message` is fit to show next to the form."""

    def __init__(
        self,
        api: Api,
        status: int,
        message: str,
        code: str | None = None,
        fields: dict[str, str] | None = None,
        problems: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{api.value} answered {status}: {message}")
        self.api = api
        self.status = status
        self.message = message
        self.code = code
        """The service's stable refusal code (the problem's `code`), if it sent one."""
        self.fields = fields or {}
        """Request validation errors by field: a body field by its path (`contact.email`,
        `training.0.completed_on`), any other with its place (`query.programme`)."""
        self.problems = problems or {}
        """Every field problem the service named, whatever its code, by the same paths as `fields`:
        for a form that places a rule's refusal by field (a register line) rather than by code."""

    @property
    def is_refusal(self) -> bool:
        """The service understood the request and refused it under its rules (409, 422): a form shows
        the reason next to the field; anything else is an error page."""
        return self.status in (409, 422)


class ServiceApis:
    """One HTTP client for the five services, signing a token per call."""

    def __init__(
        self, settings: ConsoleSettings, key: Ed25519PrivateKey, clock: Clock, client: httpx.AsyncClient
    ) -> None:
        self._settings = settings
        self._key = key
        self._clock = clock
        self._client = client
        self._base = {
            Api.REFERRALS: settings.referrals_url,
            Api.MATCHING: settings.matching_url,
            Api.SESSIONS: settings.sessions_url,
            Api.OUTCOMES: settings.outcomes_url,
            Api.GROUPS: settings.groups_url,
        }

    def token_for(self, account: Account) -> str:
        """A short-lived token acting as the account's role and subject."""
        return issue_token(
            self._key,
            issuer=self._settings.token_issuer,
            role=account.role,
            subject=account.api_subject,
            ttl=timedelta(seconds=self._settings.token_ttl_seconds),
            clock=self._clock,
        )

    async def send(self, account: Account, api: Api, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The raw response of a call; ApiError if the service is unreachable or refuses."""
        headers = {"Authorization": f"Bearer {self.token_for(account)}"}
        try:
            response = await self._client.request(method, self._base[api] + path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            log.warning("service unreachable", api=api.value, path=path, error=repr(exc))
            raise ApiError(api, 503, f"the {api.value} service cannot be reached just now") from exc
        if response.status_code >= 400:
            raise refusal_of(api, response)
        return response

    async def get(self, account: Account, api: Api, path: str, **params: Any) -> Any:
        """GET a JSON resource."""
        return (await self.send(account, api, "GET", path, params=params)).json()

    async def post(self, account: Account, api: Api, path: str, body: Any = None) -> Any:
        """POST a JSON body; the JSON answer."""
        return (await self.send(account, api, "POST", path, json=body)).json()

    async def put(self, account: Account, api: Api, path: str, body: Any = None) -> Any:
        """PUT a JSON body; the JSON answer."""
        return (await self.send(account, api, "PUT", path, json=body)).json()

    async def patch(self, account: Account, api: Api, path: str, body: Any = None) -> Any:
        """PATCH with a JSON body; the JSON answer."""
        return (await self.send(account, api, "PATCH", path, json=body)).json()

    async def readiness(self, api: Api) -> dict[str, Any]:
        """A service's /readyz body (public: no token), or an empty dict if it does not answer."""
        try:
            response = await self._client.get(self._base[api] + "/readyz")
            body: dict[str, Any] = response.json()
            return body
        except (httpx.HTTPError, ValueError):
            return {}


def refusal_of(api: Api, response: httpx.Response) -> ApiError:
    """A service's error answer as an ApiError.

    Every service answers errors as RFC 9457 problem details: `detail` in its own words, a stable `code`,
    and `errors` naming the fields at fault (`body.contact.email`). The console calls no FHIR route, so
    it never meets an OperationOutcome. Anything else (a proxy's page) is shown as the text it sent.
    """
    try:
        problem = response.json()
    except ValueError:
        problem = None
    if not isinstance(problem, dict):
        return ApiError(api, response.status_code, response.text[:300] or response.reason_phrase)
    code = problem.get("code")
    message = str(problem.get("detail") or problem.get("title") or response.reason_phrase)
    items = [item for item in problem.get("errors") or () if isinstance(item, dict)]
    problems: dict[str, str] = {}
    for item in items:
        problems.setdefault(_form_path(str(item.get("field", ""))), str(item.get("message", "")))
    # A refusal under the rules is placed on the form by its code; only a request the service could not
    # read is placed by the fields it names.
    fields: dict[str, str] = {}
    if code == INVALID_REQUEST and items:
        fields = dict(problems)
        # "the request has 2 invalid fields" helps no one next to a form: say which, and why.
        message = "; ".join(_said(item) for item in items)
    return ApiError(api, response.status_code, message, str(code) if code else None, fields, problems)


def _form_path(field: str) -> str:
    """A body field's path as the forms know it (`contact.email`); other places keep their prefix."""
    place, _, path = field.partition(".")
    return path if place == "body" else field


def _said(item: dict[str, Any]) -> str:
    where = ".".join(str(item.get("field", "")).split(".")[1:])
    message = str(item.get("message", ""))
    return f"{where}: {message}" if where else message
