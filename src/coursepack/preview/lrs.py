"""An in-memory Learning Record Store for the preview: what xAPI and cmi5 packages talk to.

Resources (xAPI 1.0.3, the parts packages use): ``statements`` (PUT with ``statementId``,
POST one or a list, GET one or a filtered list), ``activities/state`` and ``agents/profile``
(GET, PUT, POST merging JSON objects, DELETE), ``about``. Every request must carry one of
the credentials the preview issued. Everything lives in memory and goes when the preview stops.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

XAPI_VERSION = "1.0.3"
Listener = Callable[[dict[str, Any]], None]


@dataclass
class Answer:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def _json(status: int, value: Any) -> Answer:
    return Answer(status, json.dumps(value, ensure_ascii=False).encode())


def _error(status: int, message: str) -> Answer:
    return Answer(status, message.encode(), "text/plain; charset=utf-8")


def agent_key(agent: Any) -> str:
    """One identifier of an Agent (mbox, mbox_sha1sum, openid or account), as a string."""
    if not isinstance(agent, dict):
        return ""
    for ifi in ("mbox", "mbox_sha1sum", "openid"):
        if isinstance(agent.get(ifi), str):
            return f"{ifi}:{agent[ifi]}"
    account = agent.get("account")
    if isinstance(account, dict):
        return f"account:{account.get('homePage')}|{account.get('name')}"
    return ""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class MemoryLRS:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statements: list[dict[str, Any]] = []
        self.by_id: dict[str, dict[str, Any]] = {}
        self.documents: dict[tuple[str, ...], tuple[bytes, str]] = {}
        self.credentials: set[str] = set()
        self.listeners: list[Listener] = []

    def reset(self) -> None:
        with self.lock:
            self.statements.clear()
            self.by_id.clear()
            self.documents.clear()

    # -- the LMS side ---------------------------------------------------------------------

    def store(self, statement: dict[str, Any]) -> dict[str, Any]:
        """Store a statement made by the preview itself (e.g. cmi5's ``launched``)."""
        with self.lock:
            stored = self._store(statement)
        self._notify(stored)
        return stored

    def put_document(self, key: tuple[str, ...], value: Any) -> None:
        with self.lock:
            self.documents[key] = (json.dumps(value).encode(), "application/json")

    # -- HTTP -----------------------------------------------------------------------------

    def handle(
        self,
        method: str,
        resource: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
    ) -> Answer:
        if resource == "about":
            return _json(200, {"version": [XAPI_VERSION]})
        if headers.get("authorization", "") not in self.credentials:
            return _error(401, "unknown credential")
        if not headers.get("x-experience-api-version", "").startswith("1.0"):
            return _error(400, "X-Experience-API-Version header missing")
        if resource == "statements":
            return self._statements(method, query, body)
        if resource == "activities/state":
            needed = ("activityId", "agent")
            key_names = ("activityId", "agent", "registration")
            return self._documents(method, "state", needed, key_names, "stateId", query, body)
        if resource == "agents/profile":
            return self._documents(
                method, "profile", ("agent",), ("agent",), "profileId", query, body
            )
        return _error(404, f"no resource {resource}")

    def _statements(self, method: str, query: Mapping[str, str], body: bytes) -> Answer:
        if method == "GET":
            return self._get_statements(query)
        try:
            data = json.loads(body or b"null")
        except ValueError:
            return _error(400, "the body is not JSON")
        if method == "PUT":
            statement_id = query.get("statementId", "")
            if not isinstance(data, dict) or not statement_id:
                return _error(400, "PUT needs statementId and one statement")
            if data.get("id", statement_id) != statement_id:
                return _error(400, "statementId and the statement's id differ")
            data["id"] = statement_id
            batch = [data]
        elif method == "POST":
            batch = data if isinstance(data, list) else [data]
        else:
            return _error(405, f"{method} is not allowed on statements")
        problems = [p for s in batch for p in _statement_problems(s)]
        if problems:
            return _error(400, "; ".join(problems))
        stored: list[dict[str, Any]] = []
        with self.lock:
            for statement in batch:
                known = self.by_id.get(str(statement.get("id")))
                if known is not None:
                    if _same(known, statement):
                        continue
                    return _error(409, f"statement {statement['id']} exists and differs")
                stored.append(self._store(statement))
        for statement in stored:
            self._notify(statement)
        if method == "PUT":
            return Answer(204)
        return _json(200, [s["id"] for s in stored] or [str(s.get("id")) for s in batch])

    def _store(self, statement: dict[str, Any]) -> dict[str, Any]:
        stored = dict(statement)
        stored.setdefault("id", str(uuid.uuid4()))
        stored.setdefault("timestamp", _now())
        stored["stored"] = _now()
        stored["authority"] = {
            "objectType": "Agent",
            "name": "coursepack preview",
            "mbox": "mailto:preview@coursepack.invalid",
        }
        stored.setdefault("version", XAPI_VERSION)
        self.statements.append(stored)
        self.by_id[stored["id"]] = stored
        return stored

    def _notify(self, statement: dict[str, Any]) -> None:
        for listener in list(self.listeners):
            listener(statement)

    def _get_statements(self, query: Mapping[str, str]) -> Answer:
        with self.lock:
            if "statementId" in query:
                found = self.by_id.get(query["statementId"])
                return _json(200, found) if found else _error(404, "no such statement")
            chosen = list(self.statements)
        agent = query.get("agent")
        if agent:
            try:
                key = agent_key(json.loads(agent))
            except ValueError:
                return _error(400, "agent is not JSON")
            chosen = [s for s in chosen if agent_key(s.get("actor")) == key]
        if query.get("verb"):
            chosen = [s for s in chosen if (s.get("verb") or {}).get("id") == query["verb"]]
        if query.get("activity"):
            chosen = [s for s in chosen if (s.get("object") or {}).get("id") == query["activity"]]
        if query.get("registration"):
            reg = query["registration"]
            chosen = [s for s in chosen if (s.get("context") or {}).get("registration") == reg]
        if query.get("ascending") != "true":
            chosen.reverse()
        limit = int(query.get("limit") or 0)
        if limit > 0:
            chosen = chosen[:limit]
        return _json(200, {"statements": chosen, "more": ""})

    def _documents(
        self,
        method: str,
        kind: str,
        needed: tuple[str, ...],
        key_names: tuple[str, ...],
        id_name: str,
        query: Mapping[str, str],
        body: bytes,
    ) -> Answer:
        missing = [n for n in needed if not query.get(n)]
        if missing:
            return _error(400, f"missing parameter(s): {', '.join(missing)}")
        try:
            agent = agent_key(json.loads(query["agent"]))
        except ValueError:
            return _error(400, "agent is not JSON")
        if not agent:
            return _error(400, "agent has no identifier")
        base = (kind, *(agent if n == "agent" else query.get(n, "") for n in key_names))
        doc_id = query.get(id_name, "")
        with self.lock:
            if method == "GET" and not doc_id:
                ids = [k[-1] for k in self.documents if k[:-1] == base]
                return _json(200, ids)
            if not doc_id:
                return _error(400, f"missing parameter: {id_name}")
            key = (*base, doc_id)
            if method == "GET":
                found = self.documents.get(key)
                if found is None:
                    return _error(404, "no such document")
                return Answer(200, found[0], found[1])
            if method == "PUT":
                self.documents[key] = (body, "application/json")
                return Answer(204)
            if method == "POST":
                try:
                    new = json.loads(body)
                    old = json.loads(self.documents[key][0]) if key in self.documents else {}
                except ValueError:
                    return _error(400, "POST merges JSON objects only")
                if not isinstance(new, dict) or not isinstance(old, dict):
                    return _error(400, "POST merges JSON objects only")
                self.documents[key] = (json.dumps({**old, **new}).encode(), "application/json")
                return Answer(204)
            if method == "DELETE":
                self.documents.pop(key, None)
                return Answer(204)
        return _error(405, f"{method} is not allowed here")

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "statements": list(self.statements),
                "documents": [
                    {"key": list(k), "value": v[0].decode("utf-8", "replace")}
                    for k, v in self.documents.items()
                ],
            }


def _same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    ignore = ("stored", "authority", "version", "timestamp")
    return {k: v for k, v in a.items() if k not in ignore} == {
        k: v for k, v in b.items() if k not in ignore
    }


def _statement_problems(statement: Any) -> list[str]:
    if not isinstance(statement, dict):
        return ["a statement is a JSON object"]
    problems = []
    for key in ("actor", "verb", "object"):
        if not isinstance(statement.get(key), dict):
            problems.append(f"the statement has no {key}")
    if (
        isinstance(statement.get("actor"), dict)
        and statement["actor"].get("objectType", "Agent") == "Agent"
        and not agent_key(statement["actor"])
    ):
        problems.append("the actor has no identifier")
    if isinstance(statement.get("verb"), dict) and not statement["verb"].get("id"):
        problems.append("the verb has no id")
    if "id" in statement:
        try:
            uuid.UUID(str(statement["id"]))
        except ValueError:
            problems.append(f"statement id {statement['id']!r} is not a UUID")
    return problems
