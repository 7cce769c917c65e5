"""A recorded double of the routes an archive system uses on backend v5.2.1.

Shapes follow the backend's code: `POST /api/v3/auth/login` answers 201 with
`access_token` and `id`; `PATCH /api/v4/jobs/:id` needs `statusCode` and
`statusMessage` (ValidationPipe, unknown keys rejected) and says "Invalid job id."
for an unknown id; `PATCH /api/v4/datasets/:pid/datasetlifecycle` takes
PartialUpdateDatasetLifecycleDto's fields, refuses an empty body and answers the
whole lifecycle. Every request is recorded. It also runs as a script
(`python scicat_double.py PORT`) for the worker's Docker test.
"""

from __future__ import annotations

import secrets
import sys
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

LIFECYCLE_FIELDS = {
    "archivable", "retrievable", "publishable", "dateOfDiskPurging", "archiveRetentionTime",
    "dateOfPublishing", "publishedOn", "isOnCentralDisk", "archiveStatusMessage",
    "retrieveStatusMessage", "archiveReturnMessage", "retrieveReturnMessage", "exportedTo",
    "retrieveIntegrityCheck",
}
JOB_UPDATE_FIELDS = {"statusCode", "statusMessage", "jobResultObject"}


def default_lifecycle() -> dict[str, Any]:
    return {"archivable": True, "retrievable": False, "publishable": False, "isOnCentralDisk": True,
            "archiveStatusMessage": "datasetCreated", "retrieveStatusMessage": "",
            "archiveReturnMessage": {}, "retrieveReturnMessage": {}, "retrieveIntegrityCheck": False}


def _error(status: int, message: Any, error: str) -> JSONResponse:
    return JSONResponse({"statusCode": status, "message": message, "error": error}, status_code=status)


def create_double(users: dict[str, str]) -> FastAPI:
    app = FastAPI()
    state: dict[str, Any] = {"tokens": set(), "jobs": {}, "datasets": {}, "requests": [],
                             "expire_next": False}
    app.state.double = state

    def authorised(request: Request) -> bool:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if state["expire_next"] and token in state["tokens"]:
            state["expire_next"] = False
            state["tokens"].discard(token)
        return token in state["tokens"]

    @app.middleware("http")
    async def record(request: Request, call_next: Any) -> Any:
        body = await request.body()
        state["requests"].append({"method": request.method, "path": request.url.path,
                                  "body": body.decode() if body else None})
        return await call_next(request)

    @app.post("/api/v3/auth/login")
    async def login(request: Request) -> JSONResponse:
        body = await request.json()
        if users.get(body.get("username")) != body.get("password"):
            return JSONResponse({"statusCode": 401, "message": "Unauthorized"}, status_code=401)
        token = secrets.token_hex(16)
        state["tokens"].add(token)
        return JSONResponse({"access_token": token, "id": token, "expires_in": 3600, "ttl": 3600,
                             "userId": body["username"], "user": {"username": body["username"]}},
                            status_code=201)

    @app.patch("/api/v4/jobs/{job_id}")
    async def update_job(job_id: str, request: Request) -> JSONResponse:
        if not authorised(request):
            return JSONResponse({"statusCode": 401, "message": "Unauthorized"}, status_code=401)
        body = await request.json()
        unknown = sorted(set(body) - JOB_UPDATE_FIELDS)
        missing = sorted({"statusCode", "statusMessage"} - set(body))
        if unknown or missing:
            problems = [f"property {k} should not exist" for k in unknown]
            problems += [f"{k} must be a string" for k in missing]
            return _error(400, problems, "Bad Request")
        if job_id not in state["jobs"]:
            return _error(400, "Invalid job id.", "Bad Request")
        job = state["jobs"][job_id]
        job.update(body)
        job.setdefault("history", []).append(body["statusCode"])
        return JSONResponse(job)

    @app.get("/api/v4/datasets/{pid:path}/datasetlifecycle")
    async def lifecycle(pid: str, request: Request) -> JSONResponse:
        if not authorised(request):
            return JSONResponse({"statusCode": 401, "message": "Unauthorized"}, status_code=401)
        if pid not in state["datasets"]:
            return _error(403, "Unauthorized to read this dataset", "Forbidden")
        return JSONResponse(state["datasets"][pid])

    @app.patch("/api/v4/datasets/{pid:path}/datasetlifecycle")
    async def update_lifecycle(pid: str, request: Request) -> JSONResponse:
        if not authorised(request):
            return JSONResponse({"statusCode": 401, "message": "Unauthorized"}, status_code=401)
        body = await request.json()
        unknown = sorted(set(body) - LIFECYCLE_FIELDS)
        if unknown:
            return _error(400, [f"property {k} should not exist" for k in unknown], "Bad Request")
        if not body:
            return _error(400, "dataset lifecycle DTO must not be empty", "Bad Request")
        if pid not in state["datasets"]:
            return _error(404, f"Dataset #{pid} not found", "Not Found")
        state["datasets"][pid].update(body)
        return JSONResponse(state["datasets"][pid])

    @app.post("/double/jobs")
    async def add_job(request: Request) -> JSONResponse:
        job = await request.json()
        state["jobs"][job["id"]] = job
        for entry in job["jobParams"]["datasetList"]:
            state["datasets"].setdefault(entry["pid"], default_lifecycle())
        return JSONResponse(job, status_code=201)

    @app.get("/double/state")
    async def dump() -> dict[str, Any]:
        return {"jobs": state["jobs"], "datasets": state["datasets"], "requests": state["requests"]}

    return app


if __name__ == "__main__":
    import uvicorn

    port, username, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    uvicorn.run(create_double({username: password}), host="0.0.0.0", port=port, log_level="warning")
