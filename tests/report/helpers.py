"""Test data for the report: a small course, statements as the runtime sends them, and feeding
them to a real LRS.

``post_statements(lrs, statements)`` is the entry point for anyone who wants a report test fed
by other statements (for example the ones recorded from real learner runs in a browser):

    from tests.report.helpers import post_statements
    post_statements(lrs, recorded)          # lrs: the `lrs` fixture (Ralph)
    report = build_report(course, options_for(lrs), now=NOW)

``append_raw(lrs, statements)`` writes statements straight into Ralph's store, bypassing its
validation, to get what a real LRS can serve but will not accept: a duplicate id, a malformed
statement.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from coursepack.model import (
    Assessment,
    Check,
    CheckKind,
    CheckOption,
    CompletionRule,
    Course,
    Item,
    ItemKind,
    Module,
    Position,
    Section,
)
from coursepack.report.fetch import Query
from coursepack.report.run import Options
from coursepack.xapi import vocab
from coursepack.xapi.client import LrsClient
from tests.support.lrs import STATEMENTS_FILE, RalphLRS
from tests.support.statements import activity_index

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
START = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
ID_NAMESPACE = uuid.UUID("6b1f0c64-5d0e-4c59-9d0a-1c2f3e4d5a6b")


def _item(kind: ItemKind, ident: str, title: str, **kw: Any) -> Item:
    return Item(
        id=ident,
        kind=kind,
        explicit_title=title,
        intro_md="",
        url=kw.get("url"),
        prompt=kw.get("prompt"),
        pos=Position("modules/m.md", 1, 1),
    )


def sample_course(
    root: Path | None = None,
    course_id: str = "https://courses.example.org/report-sample",
    completion: CompletionRule = CompletionRule.ALL_TASKS,
) -> Course:
    """Two modules, three TASKs, a READ and a WATCH."""
    basics = Module(
        id="basics",
        title="Basics",
        intro_md="",
        sections=(
            Section(
                id="intro",
                title="Introduction",
                items=(
                    _item(ItemKind.READ, "read-brief", "Read the brief", url="https://ex.org/b"),
                    _item(ItemKind.TASK, "task-1", "Describe your team", prompt="Who is in it?"),
                    _item(ItemKind.TASK, "task-2", "List your partners", prompt="Which ones?"),
                ),
                outro_md="",
                pos=Position("modules/basics.md", 1, 1),
            ),
        ),
        pos=Position("modules/basics.md", 1, 1),
    )
    practice = Module(
        id="practice",
        title="Practice & <practise>",
        intro_md="",
        sections=(
            Section(
                id="meet",
                title="Meet",
                items=(
                    _item(ItemKind.WATCH, "watch-talk", "Watch the talk", url="https://ex.org/v"),
                    _item(ItemKind.TASK, "task-3", "Plan a meeting", prompt="When and how?"),
                ),
                outro_md="",
                pos=Position("modules/practice.md", 1, 1),
            ),
        ),
        pos=Position("modules/practice.md", 1, 1),
    )
    return Course(
        id=course_id,
        title="Report <Sample> Course",
        description="",
        language="en",
        version="1.0.0",
        completion=completion,
        modules=(basics, practice),
        root=root or Path("."),
    )


def statement_id(name: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, name))


def statement(
    course: Course,
    actor: dict[str, Any],
    verb: str,
    activity: str,
    at: datetime,
    *,
    name: str | None = None,
    result: dict[str, Any] | None = None,
    definition: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A statement shaped like the runtime's: context parent/grouping up to the course."""
    ident = statement_id(name or f"{json.dumps(actor, sort_keys=True)}|{verb}|{activity}|{at}")
    index = activity_index(course)
    info = index.get(activity)
    obj: dict[str, Any] = {"objectType": "Activity", "id": activity}
    if definition is not None:
        obj["definition"] = definition
    elif info is not None:
        obj["definition"] = info.definition
    found: dict[str, Any] = {
        "id": ident,
        "actor": {"objectType": "Agent", **actor},
        "verb": {"id": vocab.VERBS[verb], "display": {"en-US": verb}},
        "object": obj,
        "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }
    if result is not None:
        found["result"] = result
    if context is not None:
        found["context"] = context
    elif info is not None and info.ancestors:
        activities: dict[str, Any] = {"parent": [{"id": info.parent[0]}]}
        if info.grouping:
            activities["grouping"] = [{"id": iri} for iri in info.grouping]
        found["context"] = {"contextActivities": activities}
    return found


def task_iri(course: Course, module_id: str, item_id: str) -> str:
    module = next(m for m in course.modules if m.id == module_id)
    item = next(i for i in module.items if i.id == item_id)
    return vocab.item_iri(course, module, item)


def completed_task(
    course: Course,
    actor: dict[str, Any],
    module_id: str,
    item_id: str,
    at: datetime,
    response: str,
    name: str | None = None,
) -> dict[str, Any]:
    return statement(
        course,
        actor,
        "completed",
        task_iri(course, module_id, item_id),
        at,
        name=name,
        result={"completion": True, "response": response},
    )


def voiding(target: str, at: datetime, context_course: Course | None = None) -> dict[str, Any]:
    """A voiding statement by an administrator (optionally carrying the course in context)."""
    found: dict[str, Any] = {
        "id": statement_id(f"void|{target}"),
        "actor": {"objectType": "Agent", "name": "Admin", "mbox": "mailto:admin@example.org"},
        "verb": {"id": vocab.VERBS["voided"], "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": target},
        "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }
    if context_course is not None:
        found["context"] = {"contextActivities": {"grouping": [{"id": context_course.id}]}}
    return found


ADA = {"name": "Ada Lovelace", "mbox": "mailto:ada@example.org"}
BOB = {
    "name": "Bob <b>Builder</b>",
    "account": {"homePage": "https://lms.example.org", "name": "bob-42"},
}
CHLOE = {"openid": "https://id.example.org/chloe"}  # no name: shown by IFI
DAN = {"name": "Dan", "mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"}
EVE = {"name": "Eve", "mbox": "mailto:eve@example.org"}


def at(days: float, hours: float = 0) -> datetime:
    return START + timedelta(days=days, hours=hours)


def learner_statements(course: Course) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The generated scenario: (statements to POST, the statements named by role).

    - Ada completes every task, both modules and the course (stated), with sessions.
    - Bob (account IFI, a name with markup) completes task-1; his task-2 completion is voided.
    - Chloé (openid, no name) completes task-3 twice (a new response the second time).
    - Dan completed only a task that is no longer in the course.
    - Eve runs under cmi5: session statements on an LMS-made AU id with the course in grouping;
      she opens the READ and completes task-1.
    - Someone completes a task of another course (must not show).
    """
    c = course
    cmi5_au = "https://lms.example.org/cmi5/au/7f3a"
    cmi5_context = {
        "registration": "2d7f4a0e-8a77-4bcb-9d59-0f4c1c3b7e11",
        "contextActivities": {
            "grouping": [{"id": c.id}],
            "category": [{"id": vocab.CMI5_CATEGORY}],
        },
    }
    named: dict[str, Any] = {}
    named["bob_task2"] = completed_task(c, BOB, "basics", "task-2", at(2, 1), "To be voided")
    named["chloe_task3_first"] = completed_task(
        c, CHLOE, "practice", "task-3", at(3, 2), "First plan"
    )
    statements = [
        statement(c, ADA, "initialized", c.id, at(0)),
        statement(c, ADA, "experienced", task_iri(c, "basics", "read-brief"), at(0, 0.5)),
        completed_task(c, ADA, "basics", "task-1", at(0, 1), "=SUM(A1:A9) is my team"),
        completed_task(c, ADA, "basics", "task-2", at(0, 2), "Partners: Kim, Lee"),
        statement(
            c,
            ADA,
            "completed",
            vocab.module_iri(c, c.modules[0]),
            at(0, 2.5),
            result={"completion": True},
        ),
        completed_task(c, ADA, "practice", "task-3", at(1, 3), "Tuesday, online\nwith notes"),
        statement(
            c,
            ADA,
            "completed",
            vocab.module_iri(c, c.modules[1]),
            at(1, 3.5),
            result={"completion": True},
        ),
        statement(c, ADA, "completed", c.id, at(1, 4), result={"completion": True}),
        statement(c, ADA, "terminated", c.id, at(1, 5)),
        statement(c, BOB, "initialized", c.id, at(2)),
        completed_task(c, BOB, "basics", "task-1", at(2, 0.5), "<script>alert('bob')</script>"),
        named["bob_task2"],
        statement(c, BOB, "suspended", c.id, at(2, 2)),
        named["chloe_task3_first"],
        completed_task(c, CHLOE, "practice", "task-3", at(5, 2), "Second plan, better"),
        statement(
            c,
            DAN,
            "completed",
            f"{c.id}/basics/items/old-task",
            at(4),
            result={"completion": True, "response": "Old answer"},
            definition={
                "type": vocab.ACTIVITY_TYPES["task"],
                "name": {"en": "An old task"},
                "interactionType": "long-fill-in",
            },
            context={"contextActivities": {"grouping": [{"id": c.id}]}},
        ),
        statement(c, EVE, "initialized", cmi5_au, at(6), context=cmi5_context),
        statement(c, EVE, "experienced", task_iri(c, "basics", "read-brief"), at(6, 1)),
        completed_task(c, EVE, "basics", "task-1", at(6, 2), "Eve's team"),
        statement(c, EVE, "terminated", cmi5_au, at(6, 3), context=cmi5_context),
        statement(
            c,
            ADA,
            "completed",
            "https://courses.example.org/another-course/m/items/task-1",
            at(7),
            result={"completion": True},
            context={
                "contextActivities": {
                    "grouping": [{"id": "https://courses.example.org/another-course"}]
                }
            },
        ),
    ]
    statements.append(voiding(named["bob_task2"]["id"], at(8)))
    return statements, named


MALFORMED = {
    "id": statement_id("malformed"),
    "verb": {"id": vocab.VERBS["completed"]},
    "object": {"id": "https://courses.example.org/report-sample/basics/items/task-1"},
    "context": {
        "contextActivities": {"grouping": [{"id": "https://courses.example.org/report-sample"}]}
    },
    "timestamp": "2024-05-09T00:00:00.000Z",
    "stored": "2024-05-09T00:00:00.000Z",
}  # no actor


def post_statements(lrs: RalphLRS, statements: list[dict[str, Any]]) -> None:
    """POST statements to the test LRS the way a client does (batches; a re-sent id is fine)."""
    with LrsClient(lrs.endpoint, auth=lrs.auth_header) as client:
        client.post_statements(statements)


def append_raw(lrs: RalphLRS, statements: list[dict[str, Any]]) -> None:
    """Write statements into Ralph's store as they are: what no POST would let through."""
    path = lrs.data_dir / STATEMENTS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as store:
        for found in statements:
            store.write(json.dumps(found) + "\n")


def options_for(lrs: RalphLRS, **kw: Any) -> Options:
    query = kw.pop("query", Query())
    return Options(endpoint=lrs.endpoint, auth=lrs.auth_header, query=query, **kw)


def feed_sample(lrs: RalphLRS, course: Course) -> dict[str, Any]:
    """The whole scenario in the LRS: POSTed statements plus a duplicate and a malformed one."""
    statements, named = learner_statements(course)
    post_statements(lrs, statements)
    stored = {s["id"]: s for s in lrs.statements(activity=course.id, related_activities="true")}
    duplicate = stored[named["chloe_task3_first"]["id"]]
    append_raw(lrs, [duplicate, MALFORMED])
    return named


# -- graded courses: CHECK items, answers and results ---------------------------------------------


def _check_item(ident: str, check: Check, title: str | None = None) -> Item:
    return Item(
        id=ident,
        kind=ItemKind.CHECK,
        explicit_title=title,
        intro_md="",
        url=None,
        prompt=None,
        pos=Position("modules/quiz.md", 1, 1),
        check=check,
    )


def _options(*pairs: tuple[str, str, bool]) -> tuple[CheckOption, ...]:
    return tuple(CheckOption(ident, text, correct) for ident, text, correct in pairs)


def graded_course(
    completion: CompletionRule = CompletionRule.ALL_TASKS_AND_PASS,
    course_id: str = "https://courses.example.org/graded-sample",
    *,
    tasks: bool = True,
) -> Course:
    """A TASK (unless ``tasks`` is False) and four CHECKs (single, multiple, true/false,
    fill-in), pass mark 75 %.

    Built as the model the parser of ``CHECK:`` will produce (the report needs no more).
    """
    single = Check(
        CheckKind.SINGLE,
        "Which *port* does HTTPS use?",
        _options(("p80", "80", False), ("p443", "443", True), ("p8080", "`8080`", False)),
    )
    multiple = Check(
        CheckKind.MULTIPLE,
        "Which of these are <primary> colours?",
        _options(
            ("red", "Red", True),
            ("green", "Green", False),
            ("blue", "Blue", True),
            ("white", "White & bright", False),
        ),
    )
    true_false = Check(
        CheckKind.TRUE_FALSE,
        "The Earth is flat.",
        _options(("true", "True", False), ("false", "False", True)),
    )
    text = Check(
        CheckKind.TEXT,
        "What is the capital of France?",
        (),
        accepted=("Paris",),
    )
    quiz = Module(
        id="quiz",
        title="Quiz",
        intro_md="",
        sections=(
            Section(
                id="check",
                title="Check yourself",
                items=(
                    *(
                        [_item(ItemKind.TASK, "reflect", "Reflect first", prompt="What?")]
                        if tasks
                        else []
                    ),
                    _check_item("port", single),
                    _check_item("colours", multiple),
                    _check_item("flat", true_false),
                    _check_item("capital", text, title="Capital of France"),
                ),
                outro_md="",
                pos=Position("modules/quiz.md", 1, 1),
            ),
        ),
        pos=Position("modules/quiz.md", 1, 1),
    )
    return Course(
        id=course_id,
        title="Graded <Sample> Course",
        description="",
        language="en",
        version="1.0.0",
        completion=completion,
        modules=(quiz,),
        root=Path("."),
        assessment=Assessment(pass_mark=75, attempts=2),
    )


def check_definition(course: Course, item: Item) -> dict[str, Any]:
    """The interaction activity definition of a CHECK, as docs/xapi.md says the runtime sends."""
    check = item.check
    assert check is not None
    definition: dict[str, Any] = {
        "type": vocab.ACTIVITY_TYPES["check"],
        "name": {course.language: item.explicit_title or item.id},
        "description": {course.language: check.question_md},
        "interactionType": check.kind.interaction_type,
    }
    if check.kind is CheckKind.TEXT:
        definition["correctResponsesPattern"] = list(check.accepted)
    elif check.kind is CheckKind.TRUE_FALSE:
        definition["correctResponsesPattern"] = list(check.correct_ids)
    else:
        definition["correctResponsesPattern"] = ["[,]".join(check.correct_ids)]
        definition["choices"] = [
            {"id": option.id, "description": {course.language: option.text_md}}
            for option in check.options
        ]
    return definition


def answered(
    course: Course,
    actor: dict[str, Any],
    item_id: str,
    response: str,
    success: bool | None,
    attempt: int,
    when: datetime,
    *,
    module_id: str = "quiz",
) -> dict[str, Any]:
    """An ``answered`` statement of a CHECK (docs/xapi.md §2); ``success`` None leaves it out."""
    module = next(m for m in course.modules if m.id == module_id)
    item = next(i for i in module.items if i.id == item_id)
    result: dict[str, Any] = {"response": response}
    if success is not None:
        result["success"] = success
        result["score"] = {"raw": int(success), "min": 0, "max": 1, "scaled": int(success)}
    found = statement(
        course,
        actor,
        "answered",
        vocab.item_iri(course, module, item),
        when,
        result=result,
        definition=check_definition(course, item),
        name=f"{actor}|answered|{item_id}|{attempt}|{when}",
    )
    found["context"]["extensions"] = {vocab.ATTEMPT_EXT: attempt}
    return found


def course_result(
    course: Course, actor: dict[str, Any], passed: bool, raw: int, when: datetime
) -> dict[str, Any]:
    """The course's ``passed`` / ``failed`` with its score (raw = CHECKs right of all)."""
    top = len(course.checks)
    return statement(
        course,
        actor,
        "passed" if passed else "failed",
        course.id,
        when,
        result={
            "success": passed,
            "completion": True,
            "score": {"scaled": round(raw / top, 4), "raw": raw, "min": 0, "max": top},
        },
    )


def graded_statements(course: Course) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """A fixed scenario for the item analysis:

    - Ada: everything right first time; passes (4/4).
    - Bob: port wrong (80) then right; colours red+green (wrong) then red+blue; flat right;
      capital "  LONDON " then "paris"; passes on his second go (4/4) after a fail (2/4).
    - Dan: port 8080 (wrong), colours red only (wrong, no wrong option ticked), flat "true"
      (wrong), capital "london"; fails (0/4).
    - Eve: answers port right and nothing else yet: in progress.
    - Chloé answers a question that is no longer in the course; her second answer to port is
      voided.
    """
    c = course
    named: dict[str, Any] = {}
    removed_iri = f"{c.id}/quiz/items/old-question"
    named["chloe_port_2"] = answered(c, CHLOE, "port", "p8080", False, 2, at(5, 1))
    statements = [
        answered(c, ADA, "port", "p443", True, 1, at(0, 1)),
        answered(c, ADA, "colours", "red[,]blue", True, 1, at(0, 2)),
        answered(c, ADA, "flat", "false", True, 1, at(0, 3)),
        answered(c, ADA, "capital", "Paris", True, 1, at(0, 4)),
        course_result(c, ADA, True, 4, at(0, 5)),
        *(
            [completed_task(c, ADA, "quiz", "reflect", at(0, 0.5), "I know a little")]
            if any(item.is_task for item in c.items)
            else []
        ),
        answered(c, BOB, "port", "p80", False, 1, at(1, 1)),
        answered(c, BOB, "colours", "red[,]green", False, 1, at(1, 2)),
        answered(c, BOB, "flat", "false", True, 1, at(1, 3)),
        answered(c, BOB, "capital", "  LONDON ", False, 1, at(1, 4)),
        course_result(c, BOB, False, 1, at(1, 5)),
        answered(c, BOB, "port", "p443", True, 2, at(2, 1)),
        answered(c, BOB, "colours", "red[,]blue", True, 2, at(2, 2)),
        answered(c, BOB, "capital", "paris", None, 2, at(2, 4)),  # no success: graded here
        course_result(c, BOB, True, 4, at(2, 5)),
        answered(c, DAN, "port", "p8080", False, 1, at(3, 1)),
        answered(c, DAN, "colours", "red", False, 1, at(3, 2)),
        answered(c, DAN, "flat", "true", False, 1, at(3, 3)),
        answered(c, DAN, "capital", "london", False, 1, at(3, 4)),
        course_result(c, DAN, False, 0, at(3, 5)),
        answered(c, EVE, "port", "p443", True, 1, at(4, 1)),
        answered(c, CHLOE, "port", "p443", True, 1, at(5, 0.5)),
        named["chloe_port_2"],
        statement(
            c,
            CHLOE,
            "answered",
            removed_iri,
            at(5, 2),
            result={"response": "b", "success": False},
            definition={
                "type": vocab.ACTIVITY_TYPES["check"],
                "name": {"en": "Old question"},
                "description": {"en": "Which came first?"},
                "interactionType": "choice",
                "correctResponsesPattern": ["a"],
                "choices": [
                    {"id": "a", "description": {"en": "The egg"}},
                    {"id": "b", "description": {"en": "The chicken"}},
                ],
            },
            context={"contextActivities": {"grouping": [{"id": c.id}]}},
        ),
        voiding(named["chloe_port_2"]["id"], at(6)),
    ]
    return statements, named
