"""The panel's Jobs page: failed and dead jobs, each with a Retry button.

Signed-in operators only; Retry is a plain form POST with the session's CSRF token, then a
redirect back with a flash (the panel's usual shape, see `porch.panel.sites`).
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from porch.panel.auth import SignedIn
from porch.panel.headers import secured_route
from porch.panel.pages import form_post, operators_only, page_html
from porch.panel.render import error_page
from porch.services import Services

JOBS_PATH = "/panel/jobs"
MAX_JOB_ID = 2**63 - 1


def flash(params: Mapping[str, str]) -> str:
    retried = params.get("retried", "")
    if retried.isascii() and retried.isdigit():
        return f"Job {int(retried)} is queued to run again."
    return ""


def routes(services: Services) -> list[Route]:
    async def jobs_page(request: Request, who: SignedIn) -> Response:
        failed = await services.jobs.list(failed_only=True)
        html = page_html(
            services,
            who,
            "jobs/jobs.html",
            "jobs",
            jobs=failed,
            stats=await services.jobs.stats(),
            flash=flash(request.query_params),
            # Mail jobs do not fail without `PORCH_SMTP_URL`: their mails wait, held.
            outbound_mail=bool(services.config.smtp_url),
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    async def retry(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        job_id = request.path_params["job_id"]
        if job_id > MAX_JOB_ID or not await services.jobs.retry(job_id):
            return error_page(
                services, 409, "Not retried", f"Job {job_id} is running now, or is gone."
            )
        return RedirectResponse(f"{JOBS_PATH}?retried={job_id}", status_code=303)

    return [
        secured_route(JOBS_PATH, operators_only(services, jobs_page), "GET"),
        secured_route(
            f"{JOBS_PATH}/{{job_id:int}}/retry", form_post(services, JOBS_PATH, retry), "POST"
        ),
    ]
