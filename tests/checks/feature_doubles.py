"""A stack with jobs, LDAP and OIDC as an httpx MockTransport: a SciCat backend, RabbitMQ's
management API and an OpenID Connect provider, each just as deep as the feature checks look.

Each behaves as the real one does where the checks judge it (upstream backend v5.2.1, RabbitMQ
3.10's management API, LemonLDAP::NG's login form), and has switches that break one thing at a
time, so every check can be made to fail for the reason it exists.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode

import httpx
from pydantic import SecretStr

from scicatlive.clients.target import Account, Broker, Target

BACKEND, BROKER, PROVIDER, FRONTEND = "http://scicat.test", "http://rabbit.test", "http://idp.test", "http://frontend.test"
CALLBACK = f"{BACKEND}/api/v3/auth/oidc/callback"
PEOPLE = {  # username: (password, groups, functional account?)
    "admin": ("pw-admin", ("admin",), True),
    "user1": ("pw-user1", ("group1",), True),
    "user2": ("pw-user2", ("group2",), True),
    "archiveManager": ("pw-archive", ("archivemanager",), True),
    "ldap-user": ("pw-ldap", ("group1",), False),
}
RABBIT_PASSWORD = "pw-rabbit"


def target(**changes: Any) -> Target:
    accounts = {
        name: Account(password=SecretStr(pw), groups=groups,
                      logins=("local", "ldap", "oidc") if functional else ("ldap", "oidc"))
        for name, (pw, groups, functional) in PEOPLE.items()
    }  # fmt: skip
    fields: dict[str, Any] = {
        "backend_url": BACKEND, "frontend_url": FRONTEND, "accounts": accounts,
        "features": ("jobs", "ldap", "oidc"), "oidc_issuer": PROVIDER,
        "broker": Broker(url=BROKER, password=SecretStr(RABBIT_PASSWORD)),
    }  # fmt: skip
    return Target(**{**fields, **changes})


def _json(status: int, body: Any = None, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers) if body is not None else httpx.Response(status, headers=headers)


@dataclass
class Queue:
    durable: bool = True
    consumers: int = 0
    messages: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class FeatureStack:
    """The three services' state and the switches that break them."""

    # sabotage switches
    publish_key: str = "jobqueuev4"       # the routing key the backend publishes with
    persistent: bool = True
    worker_polls: int | None = 2           # job reads before the worker finishes it; None: never
    worker_status: str = "finishedSuccessful"
    lifecycle_message: str = "datasetOnArchiveDisk"
    ldap_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # override a person's groups
    accept_any_password: bool = False
    authorize_at: str = PROVIDER           # where the backend sends the browser
    callback_token: bool = True            # the success redirect carries the token
    # state
    tokens: dict[str, str] = field(default_factory=dict)
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    job_reads: dict[str, int] = field(default_factory=dict)
    queues: dict[str, Queue] = field(default_factory=lambda: {"client.jobs.write.v4": Queue(consumers=1)})
    bindings: list[tuple[str, str]] = field(default_factory=lambda: [("client.jobs.write.v4", "jobqueuev4")])
    pending: dict[str, dict[str, str]] = field(default_factory=dict)  # provider: form token → request
    codes: dict[str, str] = field(default_factory=dict)  # code → username
    deleted: list[str] = field(default_factory=list)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        origin = f"{request.url.scheme}://{request.url.host}"
        raw = request.url.raw_path.decode().split("?")[0]
        if origin == BROKER:
            return self._broker(request, [unquote(part) for part in raw.split("/")[1:]])
        path = unquote(raw)
        if origin == PROVIDER:
            return self._provider(request, path)
        if origin == BACKEND:
            return self._backend(request, path)
        return _json(404, {"message": f"no such host {origin}"})

    # -- backend ---------------------------------------------------------------------------

    def _user(self, request: httpx.Request) -> str | None:
        return self.tokens.get(request.headers.get("authorization", "").removeprefix("Bearer "))

    def _issue(self, username: str) -> str:
        token = secrets.token_hex(8)
        self.tokens[token] = username
        return token

    def groups(self, username: str) -> tuple[str, ...]:
        return self.ldap_groups.get(username, PEOPLE[username][1])

    def _backend(self, request: httpx.Request, path: str) -> httpx.Response:
        body = json.loads(request.content) if request.content and request.method in ("POST", "PATCH") else {}
        if path in ("/api/v3/auth/login", "/api/v3/auth/ldap"):
            person = PEOPLE.get(body.get("username", ""))
            functional_only = path.endswith("/login") and person is not None and not person[2]
            if person is None or functional_only or (body.get("password") != person[0] and not self.accept_any_password):
                return _json(401, {"statusCode": 401, "message": "Unauthorized"})
            return _json(201, {"access_token": self._issue(body["username"]), "id": "x"})
        if path == "/api/v3/auth/whoami":
            user = self._user(request)
            return _json(200, {"username": user, "currentGroups": list(self.groups(user))} if user else {})
        if path == "/api/v3/auth/oidc":
            return self._oidc_start()
        if path == "/api/v3/auth/oidc/callback":
            return self._oidc_callback(request)
        if path.startswith("/api/v3/datasets"):
            return self._datasets(request, path.removeprefix("/api/v3/datasets").strip("/"), body)
        if path.startswith("/api/v4/jobs"):
            return self._jobs(request, path.removeprefix("/api/v4/jobs").strip("/"), body)
        return _json(404, {"message": f"Cannot {request.method} {path}"})

    def _datasets(self, request: httpx.Request, pid: str, body: dict[str, Any]) -> httpx.Response:
        if request.method == "POST":
            pid = f"PID.TEST/{secrets.token_hex(4)}"
            self.datasets[pid] = {**body, "pid": pid, "datasetlifecycle": {"archivable": True, "retrievable": False}}
            return _json(201, self.datasets[pid])
        if pid not in self.datasets:
            return _json(404, {"message": "not found"})
        if request.method == "DELETE":
            self.deleted.append(pid)
            return _json(200, self.datasets.pop(pid))
        return _json(200, self.datasets[pid])

    def _jobs(self, request: httpx.Request, job_id: str, body: dict[str, Any]) -> httpx.Response:
        user = self._user(request)
        if request.method == "POST":
            job_id = secrets.token_hex(6)
            job = {"id": job_id, "_id": job_id, "type": body["type"], "ownerGroup": body.get("ownerGroup"),
                   "ownerUser": user, "jobParams": body["jobParams"], "statusCode": "jobSubmitted",
                   "statusMessage": "Job submitted."}  # fmt: skip
            self.jobs[job_id] = job
            self._publish(job)
            return _json(201, job)
        job = self.jobs.get(job_id)
        if job is None:
            return _json(400, {"message": "Invalid job id."})
        if request.method == "DELETE":
            if user != "archiveManager":
                return _json(403, {"message": "Forbidden resource"})
            self.deleted.append(job_id)
            return _json(200, self.jobs.pop(job_id))
        self.job_reads[job_id] = reads = self.job_reads.get(job_id, 0) + 1
        if job["type"] == "archive" and self.worker_polls is not None and reads >= self.worker_polls:
            job["statusCode"] = self.worker_status
            for entry in job["jobParams"]["datasetList"]:
                lifecycle = self.datasets[entry["pid"]]["datasetlifecycle"]
                lifecycle.update({"archivable": False, "retrievable": True, "archiveStatusMessage": self.lifecycle_message})
        return _json(200, job)

    def _publish(self, job: dict[str, Any]) -> None:
        for queue, key in self.bindings:
            if key == self.publish_key:
                self.queues[queue].messages.append({
                    "exchange": "amqp.topic", "routing_key": self.publish_key, "payload": json.dumps(job),
                    "payload_encoding": "string", "properties": {"delivery_mode": 2 if self.persistent else 1},
                })  # fmt: skip
        self.queues["client.jobs.write.v4"].messages.clear()  # the archive worker takes its own at once

    # -- OIDC: the backend's side ----------------------------------------------------------

    def _oidc_start(self) -> httpx.Response:
        state = secrets.token_hex(6)
        query = urlencode({"response_type": "code", "client_id": "scicat", "redirect_uri": CALLBACK, "state": state})
        return httpx.Response(302, headers={"location": f"{self.authorize_at}/authorize?{query}",
                                            "set-cookie": f"oidc-session={state}; Path=/api/v3/auth; HttpOnly"})  # fmt: skip

    def _oidc_callback(self, request: httpx.Request) -> httpx.Response:
        query = parse_qs(request.url.query.decode())
        cookies = dict(part.strip().split("=", 1) for part in request.headers.get("cookie", "").split(";") if "=" in part)
        if cookies.get("oidc-session") != query.get("state", [""])[0]:
            return _json(401, {"statusCode": 401, "message": "state mismatch"})
        username = self.codes.pop(query.get("code", [""])[0], None)
        if username is None:
            return _json(401, {"statusCode": 401, "message": "invalid code"})
        success = {"access-token": self._issue(username), "user-id": username} if self.callback_token else {}
        return httpx.Response(302, headers={"location": f"{FRONTEND}/login?{urlencode({**success, 'returnUrl': '/datasets'})}"})

    # -- OIDC: the provider ----------------------------------------------------------------

    def _provider(self, request: httpx.Request, path: str) -> httpx.Response:
        if path == "/authorize":
            token = secrets.token_hex(6)
            self.pending[token] = {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}
            return self._form(token)
        if path == "/login" and request.method == "POST":
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            asked = self.pending.get(form.get("token", ""))
            person = PEOPLE.get(form.get("user", ""))
            if asked is None or person is None or (form.get("password") != person[0] and not self.accept_any_password):
                return self._form(form.get("token", ""), error=True)
            code = secrets.token_hex(6)
            self.codes[code] = form["user"]
            query = urlencode({"code": code, "state": asked["state"]})
            return httpx.Response(302, headers={"location": f"{asked['redirect_uri']}?{query}"})
        return _json(404, {"error": "not_found"})

    @staticmethod
    def _form(token: str, error: bool = False) -> httpx.Response:
        message = "<p class='alert'>Wrong credentials</p>" if error else ""
        html = (f"<html><body>{message}<form action='/login' method='post'>"
                f"<input type='hidden' name='token' value='{token}'><input type='hidden' name='skin' value='bootstrap'>"
                "<input type='text' name='user'><input type='password' name='password'>"
                "<input type='checkbox' name='stayconnected' value='1'><button type='submit'>Sign in</button>"
                "</form></body></html>")  # fmt: skip
        return httpx.Response(401 if error else 200, html=html)

    # -- RabbitMQ management ---------------------------------------------------------------

    def _broker(self, request: httpx.Request, parts: list[str]) -> httpx.Response:
        """``parts``: the path's segments, each decoded (the vhost ``%2F`` is ``/``)."""
        expected = "Basic " + base64.b64encode(f"admin:{RABBIT_PASSWORD}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return _json(401, {"error": "not_authorised", "reason": "Login failed"})
        if parts == ["api", "exchanges", "/", "amqp.topic", "bindings", "source"]:
            return _json(200, [{"source": "amqp.topic", "destination": q, "routing_key": k} for q, k in self.bindings])
        if parts[:5] == ["api", "bindings", "/", "e", "amqp.topic"] and parts[5] == "q":
            self.bindings.append((parts[6], json.loads(request.content)["routing_key"]))
            return _json(201)
        if parts[:3] == ["api", "queues", "/"] and len(parts) > 3:
            name = parts[3]
            if request.method == "PUT":
                self.queues[name] = Queue(durable=json.loads(request.content)["durable"])
                return _json(201)
            if name not in self.queues:
                return _json(404, {"error": "Object Not Found", "reason": "Not Found"})
            if request.method == "DELETE":
                del self.queues[name]
                self.bindings = [b for b in self.bindings if b[0] != name]
                return _json(204)
            queue = self.queues[name]
            if parts[-1] == "get":
                taken, queue.messages = queue.messages, []
                return _json(200, taken)
            return _json(200, {"name": name, "durable": queue.durable, "consumers": queue.consumers,
                               "messages": len(queue.messages)})  # fmt: skip
        return _json(404, {"error": "Object Not Found"})
