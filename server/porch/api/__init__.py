"""The REST API v1 (`/api/v1/`): keys, errors, pagination, resources, the OpenAPI
document, the Settings → Developers page and the API's commands (docs/api.md). Installs
webhooks too (`porch.webhooks`), which the API and the page manage."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from porch.services import Services

OPENAPI_PATH = "/api/v1/openapi.json"
REFERENCE_PATH = "/panel/developers/reference"


def install(services: Services) -> None:
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    from porch import webhooks
    from porch.api import openapi, panel, v1
    from porch.api.edge import Api
    from porch.api.keys import KeyService
    from porch.api.limits import ApiLimiter

    config = services.config
    limiter = ApiLimiter(services.limiter, config.api_rate_limit)
    api = Api(services, KeyService(services.db, services.clock, services.events), limiter)
    webhook_service = webhooks.setup(services)
    v1.install(api, webhook_service)
    spec = openapi.document(api.operations, config.base_url)

    async def openapi_json(request: Request) -> Response:
        return JSONResponse(spec, headers={"Access-Control-Allow-Origin": "*"})

    services.routes.append(Route(OPENAPI_PATH, openapi_json, methods=["GET"]))
    services.routes += api.routes()
    services.routes += panel.routes(services, api.keys, webhook_service, spec)
