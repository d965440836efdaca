"""The waitlist of a group programme for coordinators: each person's position, since when they wait, the
cohort that would take them and its start, and the groups service's proposal that a next cohort is
needed (linked to the create-a-cohort form, filled with the programme and the suggested start).

Included before `pages.groups`, whose `/coordinator/groups/{cohort_id}` would otherwise take this path.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from peer_console.domain.group_form import GROUP_PROGRAMMES
from peer_console.pages.coordinator import Coordinator
from peer_console.pages.web import apis_of, render
from peer_console.service_apis import Api

router = APIRouter(prefix="/coordinator/groups")


@router.get("/waitlist")
async def waitlist(request: Request, account: Coordinator, programme: str = "") -> Response:
    """The programme's waitlist in order, and whether a next cohort should be planned."""
    programme = programme or GROUP_PROGRAMMES[0][0]
    found = await apis_of(request).get(account, Api.GROUPS, "/waitlist", programme=programme)
    return render(
        request,
        "group_waitlist.html",
        title="Group waitlist",
        waitlist=found,
        values={"programme": programme},
        programmes=GROUP_PROGRAMMES,
    )
