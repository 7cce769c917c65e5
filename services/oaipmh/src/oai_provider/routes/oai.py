"""The OAI-PMH endpoint: GET and POST (form-encoded), at ``/oai`` and upstream's three routes.

Upstream's provider serves ``/scicat/oai``, ``/openaire/oai`` and ``/panosc/oai`` with three
Dublin Core variants; here they are one provider, offering every format at each route.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from ..deps import AppSettings, Client
from ..records import PublishedRecord
from ..repository import Provider, Repository

router = APIRouter(tags=["OAI-PMH"])
ROUTES = ("/oai", "/scicat/oai", "/openaire/oai", "/panosc/oai")
XML = "text/xml; charset=utf-8"


async def _answer(request: Request, settings: AppSettings, client: Client,
                  arguments: list[tuple[str, str]]) -> Response:
    raw = await client.registered()
    records = [PublishedRecord.model_validate(item) for item in raw]
    repository = Repository(
        records, name=settings.facility_name, base_url=f"{settings.service_url}{request.url.path}",
        admin_email=settings.admin_email, landing_page_url=settings.landing_page_url,
    )
    provider = Provider(repository, settings.records_per_page)
    body = await run_in_threadpool(provider.respond, arguments)
    return Response(body, media_type=XML)


async def oai_get(request: Request, settings: AppSettings, client: Client) -> Response:
    return await _answer(request, settings, client,
                         parse_qsl(request.url.query, keep_blank_values=True))


async def oai_post(request: Request, settings: AppSettings, client: Client) -> Response:
    body = (await request.body()).decode("utf-8", errors="replace")
    return await _answer(request, settings, client, parse_qsl(body, keep_blank_values=True))


for route in ROUTES:
    router.add_api_route(route, oai_get, methods=["GET"], summary="OAI-PMH request")
    router.add_api_route(route, oai_post, methods=["POST"], summary="OAI-PMH request (form)")
