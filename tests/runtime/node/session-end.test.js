// The end of a session: the last State save is done (or sent with keepalive) before the
// statement that closes the session. session-end.js with the real cmi5 and TinCan adapters,
// their tracker and progress store, against a fake LMS/LRS (fetch) that can hold an answer.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { load, fakeFetch, settle, baseConfig, memoryStorage } = require("./harness.js");

const XAPI = ["util", "state", "session-end", "xapi-base", "xapi-ids", "xapi-actor", "xapi-launch", "xapi-statement", "xapi-http", "xapi-store", "xapi-outbox", "xapi-state", "xapi-tracker", "xapi-emitter", "xapi-progress", "xapi-debug"];
const ENDPOINT = "http://127.0.0.1:9/lrs/";
const ACTIVITY = "https://lms.example.org/activities/au-1";
const REGISTRATION = "760e3480-ba55-4991-94b0-01820dbd23a2";
const ACTOR = { objectType: "Agent", name: "Ann", account: { homePage: "https://lms.example.org", name: "ann" } };
const VERBS = baseConfig().xapi.verbs;
const MODULES = [{ id: "m", counted: ["m/t"], sections: [{ key: "m/s", items: [{ key: "m/t", kind: "task", iri: "https://courses.example.org/c1/m/t" }] }] }];

function fakeCoursepack() {
  const listeners = {};
  return {
    factories: {},
    registerAdapter(name, factory) {
      this.factories[name] = factory;
    },
    on(type, fn) {
      (listeners[type] = listeners[type] || []).push(fn);
    },
    onHidden() {},
    emit(type, detail) {
      (listeners[type] || []).forEach((fn) => fn(detail));
    },
  };
}

/** The page of an AU (cmi5) or a TinCan launch, with its adapter created as core would. */
function page(adapterName, search, reply) {
  const events = [];
  const fetch = fakeFetch((r) => {
    const answer = reply(r);
    events.push("request " + describe(r));
    return answer;
  });
  const cp = fakeCoursepack();
  const config = baseConfig({ modules: MODULES, target: { adapter: adapterName } });
  const win = load([...XAPI, "adapter-" + adapterName], {
    config,
    fetch,
    location: {
      search,
      assign: (url) => events.push("navigate " + url),
    },
    window: { Coursepack: cp },
  });
  const S = win.CoursepackState;
  const course = S.index(MODULES, 1);
  const adapter = cp.factories[adapterName]({
    config,
    util: win.CoursepackUtil,
    packState: (st, limit) => S.packState(st, limit, course),
    unpackState: (text) => S.unpackState(text, course),
    log() {},
    reportError() {},
    now: () => Date.now(),
  });
  return { win, cp, fetch, events, adapter, S, course };
}

function describe(r) {
  if (r.path === "statements" && r.method === "POST") {
    return "POST statements " + r.body.map((s) => s.verb.id.replace(/^.*\//, "")).join(",");
  }
  return r.method + " " + (r.path || r.url) + (r.query.stateId ? " " + r.query.stateId : "");
}

function cmi5Reply(holdFinalState) {
  let puts = 0;
  return (r) => {
    if (r.url.includes("/fetch")) return { status: 200, body: { "auth-token": "dG9rZW4=" } };
    if (r.path === "activities/state" && r.query.stateId === "LMS.LaunchData") {
      return { status: 200, body: { contextTemplate: { extensions: { "https://w3id.org/xapi/cmi5/context/extensions/sessionid": "s1" } }, launchMode: "Normal", moveOn: "Completed", returnURL: "http://127.0.0.1:9/returned" } };
    }
    if (r.path === "statements" && r.method === "GET") return { status: 200, body: { statements: [] } };
    if (r.path === "activities/state" && r.method === "PUT") {
      puts++;
      if (holdFinalState(r, puts)) return "hold";
    }
    return null;
  };
}

const CMI5_SEARCH =
  "?endpoint=" + encodeURIComponent(ENDPOINT) + "&fetch=" + encodeURIComponent("http://127.0.0.1:9/fetch/k1") +
  "&actor=" + encodeURIComponent(JSON.stringify(ACTOR)) + "&registration=" + REGISTRATION + "&activityId=" + encodeURIComponent(ACTIVITY);

/** Everything the page's trackers had to send is sent (the outbox's idle signal). */
async function idle(p) {
  await settle();
  await Promise.all(p.win.CoursepackXAPI.trackers.map((t) => t.idle()));
  await settle();
}

/** The session-closing statements waiting in the page's outboxes. */
function verbsWaiting(p) {
  const closing = /\/(terminated|suspended)$/;
  return p.win.CoursepackXAPI.trackers.flatMap((t) => t.outbox().map((st) => st.verb.id).filter((id) => closing.test(id)));
}

function finalState(p) {
  const st = p.S.emptyState(p.course);
  st.section = "m/s";
  st.tasks["m/t"] = { text: "my last words", done: true, attempts: 1, savedAt: Date.now(), doneAt: Date.now() };
  return st;
}

function endSession(p, trigger, announce) {
  const info = { completed: true, reason: "terminate", durationMs: 1000, trigger };
  return p.win.CoursepackSessionEnd.run({
    trigger,
    save: () => p.adapter.save(finalState(p), { final: true, trigger }),
    announce: announce || (() => {}),
    finish: () => p.adapter.finish(info),
    leaving: new Promise(() => {}),
  });
}

test("cmi5 exit: terminated is sent only after the last State save is answered, then returnURL", async () => {
  let holding = false;
  const p = page("cmi5", CMI5_SEARCH, cmi5Reply(() => holding));
  const started = await p.adapter.start();
  assert.equal(started.connected, true);
  await idle(p); // initialized is sent
  holding = true; // the LRS is slow to store the last save
  const ended = endSession(p, "exit");
  await settle();
  assert.ok(p.fetch.held.length === 1, "the last State PUT is in flight");
  // finish() queues terminated synchronously: had it run, terminated would be in the outbox
  assert.deepEqual(verbsWaiting(p), []);
  assert.ok(!p.events.some((e) => e.includes("terminated")), "terminated waits for the State save: " + p.events.join(" | "));
  p.events.push("State answered");
  p.fetch.release();
  await ended;
  const order = p.events.filter((e) => /State answered|terminated|navigate|PUT activities\/state coursepack/.test(e));
  assert.deepEqual(order.slice(-4), [
    "request PUT activities/state coursepack-state",
    "State answered",
    "request POST statements terminated",
    "navigate http://127.0.0.1:9/returned",
  ]);
  const put = p.fetch.requests.filter((r) => r.method === "PUT" && r.query.stateId === "coursepack-state").pop();
  assert.equal(put.keepalive, false);
  assert.ok(JSON.parse(put.body.state).t.m.t.includes("my last words"));
});

test("cmi5 exit: saves still in flight go before the last one, and all before terminated", async () => {
  let holding = false;
  const p = page("cmi5", CMI5_SEARCH, cmi5Reply(() => holding));
  await p.adapter.start();
  await settle();
  holding = true;
  const earlier = p.adapter.save(p.S.emptyState(p.course));
  await settle();
  endSession(p, "exit");
  await settle();
  const statePuts = () => p.fetch.requests.filter((r) => r.method === "PUT" && r.query.stateId === "coursepack-state");
  assert.equal(statePuts().length, 1, "the last save waits for the one in flight");
  holding = false;
  p.fetch.release();
  await earlier;
  await idle(p);
  assert.equal(statePuts().length, 2);
  assert.ok(p.events.findIndex((e) => e.includes("terminated")) > p.events.lastIndexOf("request PUT activities/state coursepack-state"));
});

test("cmi5 pagehide: the last State save leaves with keepalive before terminated, in the same task", async () => {
  const p = page("cmi5", CMI5_SEARCH, cmi5Reply(() => true));
  await p.adapter.start();
  await idle(p); // initialized is sent
  p.fetch.requests.length = 0;
  p.win.document.visibilityState = "hidden";
  endSession(p, "pagehide");
  // nothing awaited: both requests have started before the page's task ends
  const sent = p.fetch.requests.map(describe);
  assert.deepEqual(sent, ["PUT activities/state coursepack-state", "POST statements terminated"]);
  assert.deepEqual(p.fetch.requests.map((r) => r.keepalive), [true, true]);
  p.fetch.release();
});

const TINCAN_SEARCH =
  "?endpoint=" + encodeURIComponent(ENDPOINT) + "&auth=" + encodeURIComponent("Basic dTpw") +
  "&actor=" + encodeURIComponent(JSON.stringify(ACTOR)) + "&registration=" + REGISTRATION;

test("TinCan exit: the session's last statement is sent only after the last State save is answered", async () => {
  let holding = false;
  const p = page("tincan", TINCAN_SEARCH, (r) => (holding && r.method === "PUT" && r.path === "activities/state" ? "hold" : null));
  await p.adapter.start();
  await idle(p);
  holding = true;
  const ended = endSession(p, "exit", (trigger) => p.cp.emit("session:end", { completed: true, durationMs: 1000, trigger }));
  await settle();
  assert.equal(p.fetch.held.length, 1, "the last State PUT is in flight");
  assert.deepEqual(verbsWaiting(p), []);
  assert.ok(!p.events.some((e) => e.includes("terminated")), p.events.join(" | "));
  p.events.push("State answered");
  p.fetch.release();
  await ended;
  await idle(p);
  const tail = p.events.filter((e) => /State answered|terminated|PUT activities/.test(e));
  assert.deepEqual(tail.slice(-3), ["request PUT activities/state coursepack-state", "State answered", "request POST statements terminated"]);
});

test("session-end: a page dismissed while an exit waits for its save closes the session at once", async () => {
  const W = load(["session-end"]);
  const steps = [];
  let leave;
  const leaving = new Promise((resolve) => (leave = resolve));
  const done = W.CoursepackSessionEnd.run({
    trigger: "exit",
    save: () => new Promise(() => steps.push("save started")), // never answered
    announce: (trigger) => steps.push("announce " + trigger),
    finish: (trigger) => steps.push("finish " + trigger),
    leaving,
  });
  await settle();
  assert.deepEqual(steps, ["save started"]);
  leave();
  await done;
  assert.deepEqual(steps, ["save started", "announce pagehide", "finish pagehide"]);
});

test("session-end: a failed save still closes the session; pagehide never waits", async () => {
  const W = load(["session-end"]);
  const steps = [];
  await W.CoursepackSessionEnd.run({
    trigger: "exit",
    save: () => Promise.reject(new Error("LRS down")),
    announce: () => steps.push("announce"),
    finish: () => steps.push("finish"),
  });
  assert.deepEqual(steps, ["announce", "finish"]);
  steps.length = 0;
  W.CoursepackSessionEnd.run({
    trigger: "pagehide",
    save: () => {
      steps.push("save");
      return new Promise(() => {});
    },
    announce: () => steps.push("announce"),
    finish: () => steps.push("finish"),
  });
  assert.deepEqual(steps, ["save", "announce", "finish"], "all in the same task");
});

test("cmi5: garbage in the session record (sessionStorage) is dropped, the session starts", async () => {
  for (const stored of ["{", "[]", '{"token":{"x":1},"sent":"terminated","startMs":"soon"}', '{"sent":{"terminated":"yes"},"token":""}']) {
    const p = page("cmi5", CMI5_SEARCH, cmi5Reply(() => false));
    p.win.sessionStorage.setItem("coursepack:cmi5:" + p.win.CoursepackXAPI.shortHash("http://127.0.0.1:9/fetch/k1"), stored);
    const started = await p.adapter.start();
    assert.equal(started.connected, true, stored);
    assert.equal(p.fetch.requests[0].url, "http://127.0.0.1:9/fetch/k1", "a new token is fetched");
    await idle(p);
    assert.ok(p.events.includes("request POST statements initialized"), stored);
  }
});
