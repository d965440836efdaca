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


class Api(StrEnum):
    """A service the console calls."""

    REFERRALS = "referrals"
    MATCHING = "matching"
    SESSIONS = "sessions"
    OUTCOMES = "outcomes"


class ApiError(Exception):
    """A service refused or failed a call; `message` is fit to show next to the form."""

    def __init__(
        self,
        api: Api,
        status: int,
        message: str,
        code: str | None = None,
        fields: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{api.value} answered {status}: {message}")
        self.api = api
        self.status = status
        self.message = message
        self.code = code
        """The service's stable refusal code (problem `code`, or `detail.code`), if it sent one."""
        self.fields = fields or {}
        """Request validation errors by body field path (`contact.email`, `training.0.completed_on`)."""

    @property
    def is_refusal(self) -> bool:
        """The service understood the request and refused it under its rules (409, 422): a form shows
        the reason next to the field; anything else is an error page."""
        return self.status in (409, 422)


class ServiceApis:
    """One HTTP client for the four services, signing a token per call."""

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
            code, fields = _code_and_fields(response)
            raise ApiError(api, response.status_code, _message(response), code, fields)
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


def _message(response: httpx.Response) -> str:
    """The service's own words for a refusal (its `detail`, problem or OperationOutcome)."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    detail = body.get("detail", body) if isinstance(body, dict) else body
    if isinstance(detail, dict):
        return str(detail.get("message") or detail.get("detail") or detail)
    if isinstance(detail, list):
        return "; ".join(_one(item) for item in detail)
    return str(detail)


def _code_and_fields(response: httpx.Response) -> tuple[str | None, dict[str, str]]:
    """The refusal's stable code and, for a request validation error, the message per body field."""
    try:
        body = response.json()
    except ValueError:
        return None, {}
    if not isinstance(body, dict):
        return None, {}
    detail = body.get("detail")
    code = body.get("code") or (detail.get("code") if isinstance(detail, dict) else None)
    fields: dict[str, str] = {}
    if isinstance(detail, list):
        for item in detail:
            if isinstance(item, dict) and "msg" in item:
                loc = [str(p) for p in item.get("loc", [])]
                if loc and loc[0] == "body":
                    fields.setdefault(".".join(loc[1:]), str(item["msg"]))
    return (str(code) if code else None), fields


def _one(item: Any) -> str:
    if isinstance(item, dict) and "msg" in item:
        where = ".".join(str(p) for p in item.get("loc", [])[1:])
        return f"{where}: {item['msg']}" if where else str(item["msg"])
    return str(item)
