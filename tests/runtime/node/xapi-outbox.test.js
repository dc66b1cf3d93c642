// xapi-outbox.js through a tracker with a fake fetch, storage and clock: retries and backoff,
// splitting a rejected batch, dead letters, 409s, a refused credential, the keepalive budget,
// the persistent outbox and the idle signal.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { load, fakeFetch, fakeTimers, memoryStorage, settle } = require("./harness.js");

const XAPI = ["util", "xapi-base", "xapi-ids", "xapi-actor", "xapi-statement", "xapi-http", "xapi-store", "xapi-outbox", "xapi-state", "xapi-tracker"];
const ENDPOINT = "https://lrs.example.org/lrs/";
const ACTOR = { objectType: "Agent", account: { homePage: "https://lms.example.org", name: "u1" } };

function lab(reply, options) {
  const o = options || {};
  const fetch = fakeFetch(reply);
  const timers = fakeTimers(1700000000000);
  const storage = o.storage || memoryStorage();
  const win = load(XAPI, { localStorage: storage });
  const X = win.CoursepackXAPI;
  const make = (extra) =>
    X.createTracker(
      Object.assign(
        { endpoint: ENDPOINT, auth: "Basic dTpw", actor: ACTOR, fetch, storage, timers, now: timers.now, random: () => 0 },
        extra || {}
      )
    );
  return { X, fetch, timers, storage, tracker: make(o.tracker), make };
}

function sendN(tracker, n, extra) {
  const ids = [];
  for (let i = 0; i < n; i++) {
    ids.push(tracker.send(Object.assign({ verb: "experienced", object: "https://courses.example.org/c1/m/items/r" + i }, extra || {})).id);
  }
  return ids;
}

const posts = (fetch) => fetch.requests.filter((r) => r.path === "statements" && r.method === "POST");
const sentIds = (fetch) =>
  fetch.requests
    .filter((r) => r.path === "statements" && (r.method === "POST" || r.method === "PUT"))
    .flatMap((r) => (Array.isArray(r.body) ? r.body : [r.body]).map((s) => s.id));

test("statements wait for a short delay, then go in batches of at most 25; idle() says when all is sent", async () => {
  const { tracker, fetch, timers } = lab();
  const ids = sendN(tracker, 60);
  await settle();
  assert.equal(fetch.requests.length, 0, "nothing before the flush delay");
  assert.deepEqual(timers.pending(), [50]);
  await timers.advance(50);
  await tracker.idle();
  assert.deepEqual(posts(fetch).map((r) => r.body.length), [25, 25, 10]);
  assert.deepEqual(sentIds(fetch), ids);
  assert.equal(tracker.status().pending, 0);
  assert.equal(tracker.status().sent, 60);
  assert.equal(posts(fetch)[0].headers.Authorization, "Basic dTpw");
  assert.equal(posts(fetch)[0].headers["X-Experience-API-Version"], "1.0.3");
});

test("network errors, 429 and 5xx are retried with doubling backoff up to the maximum, then sent", async () => {
  const answers = ["network", { status: 503 }, { status: 429 }, { status: 500 }, { status: 502 }];
  const { tracker, fetch, timers } = lab(() => answers.shift() || null, { tracker: { maxBackoffMs: 5000 } });
  const ids = sendN(tracker, 3);
  await timers.advance(50);
  const delays = [];
  for (let i = 0; i < 5; i++) {
    assert.equal(tracker.status().pending, 3, "kept while failing");
    const [next] = timers.pending();
    delays.push(next);
    await timers.advance(next);
  }
  await tracker.idle();
  assert.deepEqual(delays, [1000, 2000, 4000, 5000, 5000]);
  assert.equal(posts(fetch).length, 6);
  assert.deepEqual(sentIds(fetch).slice(-3), ids);
  assert.equal(tracker.status().pending, 0);
  assert.equal(tracker.status().lastError, null);
});

test("backoff has up to 20% jitter from the random source", async () => {
  const answers = [{ status: 503 }];
  const { tracker, timers } = lab(() => answers.shift() || null, { tracker: { random: () => 0.999 } });
  sendN(tracker, 1);
  await timers.advance(50);
  assert.deepEqual(timers.pending(), [1200]);
});

test("a rejected batch is split down to the bad statement, which becomes a dead letter; the rest is sent", async () => {
  let bad;
  const reply = (r) => {
    if (r.path !== "statements") return null;
    const batch = Array.isArray(r.body) ? r.body : [r.body];
    return batch.some((s) => s.id === bad) ? { status: 400, body: "bad statement" } : null;
  };
  const { tracker, fetch, timers } = lab(reply);
  const ids = sendN(tracker, 8);
  bad = ids[5];
  await timers.advance(50);
  await tracker.idle();
  // 8: 400 -> [4 ok] + [4: 400] -> [2: 400] -> [1 ok] + [1: 400, dead]; then [2 ok]
  assert.deepEqual(posts(fetch).map((r) => r.body.length), [8, 4, 4, 2, 1, 1, 2]);
  const dead = tracker.deadLetters();
  assert.equal(dead.length, 1);
  assert.equal(dead[0].statement.id, bad);
  assert.equal(dead[0].status, 400);
  assert.equal(dead[0].message, "bad statement");
  assert.equal(tracker.status().pending, 0);
  assert.equal(tracker.status().sent, 7);
  // what came later still goes
  const later = sendN(tracker, 2);
  await timers.advance(50);
  await tracker.idle();
  assert.deepEqual(sentIds(fetch).slice(-2), later);
  assert.equal(tracker.deadLetters().length, 1);
});

test("413 and 422 are rejections too; a 409 batch is resent one by one with PUT", async () => {
  for (const status of [413, 422]) {
    const { tracker, timers } = lab(() => ({ status }));
    sendN(tracker, 1);
    await timers.advance(50);
    await tracker.idle();
    assert.equal(tracker.deadLetters()[0].status, status);
  }
  const { tracker, fetch, timers } = lab((r) => (r.method === "POST" ? { status: 409 } : r.query.statementId.endsWith("0") ? { status: 409 } : { status: 204 }));
  const ids = sendN(tracker, 3);
  await timers.advance(50);
  await tracker.idle();
  const puts = fetch.requests.filter((r) => r.method === "PUT");
  assert.deepEqual(puts.map((r) => r.query.statementId), ids);
  assert.equal(tracker.status().pending, 0);
  assert.equal(tracker.status().sent, 3);
});

test("401/403 stop sending and keep the outbox for the next page", async () => {
  const statuses = [];
  const storage = memoryStorage();
  const { tracker, fetch, timers, make } = lab(() => ({ status: 401, body: "no" }), { storage, tracker: { onStatus: (s) => statuses.push(s.mode) } });
  const ids = sendN(tracker, 2);
  await timers.advance(50);
  await tracker.idle();
  assert.equal(tracker.status().mode, "stopped");
  assert.deepEqual(tracker.status().stopped, { status: 401, message: "no" });
  assert.ok(statuses.includes("stopped"));
  sendN(tracker, 1);
  await timers.advance(60000);
  assert.equal(posts(fetch).length, 1, "nothing more is sent");
  // a later page with the same storage sends what was left, first
  const fetch2 = fakeFetch();
  const next = make({ fetch: fetch2 });
  await timers.advance(50);
  await next.idle();
  assert.deepEqual(sentIds(fetch2).slice(0, 2), ids);
  assert.equal(next.status().pending, 0);
});

test("a credential promise that fails stops the tracker without sending", async () => {
  const { make, fetch, timers } = lab();
  const t = make({ auth: Promise.reject(new Error("fetch URL refused")) });
  sendN(t, 1);
  await timers.advance(50);
  await t.idle();
  assert.equal(t.status().mode, "stopped");
  assert.equal(fetch.requests.length, 0);
  assert.equal(t.status().pending, 1);
});

test("keepalive flush sends what waits at once, within 56 KiB of the page's 64 KiB; the rest stays", async () => {
  const { tracker, fetch } = lab((r) => (r.keepalive ? "hold" : null));
  await settle(); // the credential is known: fetch() starts synchronously from now on
  const big = "x".repeat(10 * 1024);
  const ids = sendN(tracker, 8, { result: { response: big } }); // ~10.5 KB each
  const done = tracker.flush({ keepalive: true });
  const sent = fetch.requests.filter((r) => r.keepalive);
  assert.ok(sent.length >= 1, "the request starts synchronously");
  const bytes = sent.reduce((n, r) => n + Buffer.byteLength(r.text), 0);
  assert.ok(bytes <= 56 * 1024, `${bytes} bytes in flight`);
  const carried = sent.flatMap((r) => r.body.map((s) => s.id));
  assert.deepEqual(carried, ids.slice(0, carried.length));
  assert.ok(carried.length < 8 && carried.length >= 4, `${carried.length} statements carried`);
  // a second keepalive flush while those are in flight adds nothing over the budget
  tracker.flush({ keepalive: true });
  const after = fetch.requests.filter((r) => r.keepalive).reduce((n, r) => n + Buffer.byteLength(r.text), 0);
  assert.ok(after <= 56 * 1024, `${after} bytes in flight after a second flush`);
  fetch.release();
  await done;
  assert.equal(tracker.status().pending, 8 - carried.length);
});

test("the keepalive budget is shared with a State PUT: at most 64 KiB in flight in the page", async () => {
  const { tracker, fetch } = lab((r) => (r.keepalive ? "hold" : null));
  await settle();
  const doc = JSON.stringify({ state: "s".repeat(8000) });
  const put = tracker.state.put("coursepack-state", doc, { keepalive: true });
  sendN(tracker, 10, { result: { response: "y".repeat(7000) } });
  tracker.flush({ keepalive: true });
  const inFlight = fetch.requests.filter((r) => r.keepalive).reduce((n, r) => n + Buffer.byteLength(r.text), 0);
  assert.ok(inFlight <= 64 * 1024, `${inFlight} bytes`);
  assert.equal(fetch.requests[0].path, "activities/state");
  assert.equal(fetch.requests[0].keepalive, true);
  fetch.release();
  assert.deepEqual(await put, { status: "ok" });
});

test("a statement carried by a keepalive request is not sent again by a regular flush meanwhile", async () => {
  const { tracker, fetch, timers } = lab((r) => (r.keepalive ? "hold" : null));
  const ids = sendN(tracker, 2);
  tracker.flush({ keepalive: true });
  await timers.advance(50);
  assert.equal(posts(fetch).length, 1);
  fetch.release();
  await tracker.idle();
  assert.deepEqual(sentIds(fetch), ids);
  assert.equal(tracker.status().pending, 0);
});

test("an outbox that does not fit in localStorage is kept in memory and still sent", async () => {
  const storage = memoryStorage({}, 3000);
  const { tracker, fetch, timers, X } = lab(null, { storage });
  const ids = sendN(tracker, 5, { result: { response: "z".repeat(1000) } });
  assert.ok(X.notes.some((n) => n.includes("does not fit in localStorage")));
  await timers.advance(50);
  await tracker.idle();
  assert.deepEqual(sentIds(fetch), ids);
});

test("without endpoint, actor or fetch nothing is kept or sent (local mode)", async () => {
  const { make, fetch, storage } = lab();
  for (const extra of [{ endpoint: "" }, { actor: { name: "no identifier" } }]) {
    const t = make(extra);
    const s = t.send({ verb: "experienced" });
    assert.ok(s.id);
    assert.equal(t.status().mode, "local");
    assert.equal(t.outbox().length, 0);
    await t.idle();
  }
  assert.equal(fetch.requests.length, 0);
  assert.equal([...storage.data.keys()].filter((k) => k.includes(":outbox")).length, 0);
});

test("idle() waits for State requests in flight too", async () => {
  const { tracker, fetch } = lab((r) => (r.path === "activities/state" ? "hold" : null));
  await settle();
  let idle = false;
  const put = tracker.state.put("coursepack-state", "{}", {});
  await settle();
  tracker.idle().then(() => (idle = true));
  await settle();
  assert.equal(idle, false, "a State PUT is in flight");
  fetch.release();
  await put;
  await settle();
  assert.equal(idle, true);
});
