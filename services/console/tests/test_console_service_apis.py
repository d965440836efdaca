"""The services' one error shape (RFC 9457 problem details) as the console reads it: the refusal's code and
words, and for a request a service could not read, the fields at fault as the forms name them."""

from __future__ import annotations

from typing import Any

import httpx

from peer_console.service_apis import Api, refusal_of

PROBLEM_JSON = "application/problem+json"


def _problem(status: int, title: str, code: str, detail: str, errors: list[dict[str, Any]]) -> httpx.Response:
    """A service's answer as `peer_shared.http.problems` renders it."""
    body = {"type": f"urn:peer-support:problem:{code}", "title": title, "status": status}
    body |= {"detail": detail, "code": code, "errors": errors}
    return httpx.Response(status, json=body, headers={"Content-Type": PROBLEM_JSON})


def test_a_refusal_keeps_its_code_and_words_and_is_placed_by_its_code() -> None:
    answer = _problem(
        409,
        "Conflict",
        "pairing-not-active",
        "the pairing is ended",
        [{"field": "body.action", "message": "ended", "code": "x"}],
    )
    error = refusal_of(Api.SESSIONS, answer)
    assert (error.status, error.code, error.message) == (409, "pairing-not-active", "the pairing is ended")
    assert error.fields == {} and error.is_refusal


def test_a_request_the_service_could_not_read_names_its_fields_as_the_forms_do() -> None:
    answer = _problem(
        422,
        "Unprocessable Content",
        "invalid-request",
        "the request has 3 invalid fields",
        [
            {
                "field": "body.contact.email",
                "message": "String should match pattern",
                "code": "string_pattern",
            },
            {"field": "body.training.1.completed_on", "message": "Input should be a valid date"},
            {"field": "query.programme", "message": "Input should be a programme code"},
        ],
    )
    error = refusal_of(Api.MATCHING, answer)
    assert error.code == "invalid-request"
    assert error.fields == {
        "contact.email": "String should match pattern",
        "training.1.completed_on": "Input should be a valid date",
        "query.programme": "Input should be a programme code",
    }
    assert error.message.startswith("contact.email: String should match pattern; training.1.completed_on")


def test_an_answer_that_is_not_a_problem_is_shown_as_sent() -> None:
    error = refusal_of(Api.OUTCOMES, httpx.Response(502, text="Bad gateway from the proxy"))
    assert (error.status, error.code, error.message, error.fields) == (
        502,
        None,
        "Bad gateway from the proxy",
        {},
    )
    assert not error.is_refusal
