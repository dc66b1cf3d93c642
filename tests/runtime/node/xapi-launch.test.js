// xapi-launch.js: launch parameters from any query, hostile ones included, never throw and
// give strings (or an actor / null) only.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { load } = require("./harness.js");

const W = load(["util", "xapi-base", "xapi-actor", "xapi-launch"]);
const X = W.CoursepackXAPI;

const HOSTILE = [
  undefined,
  null,
  42,
  {},
  "",
  "?",
  "%",
  "?%",
  "?endpoint=%",
  "?endpoint=%E0%A4%A&actor=%7B",
  "?actor=%7B%22mbox%22%3A%5B%5D%7D",
  "?actor=null&actor=1&registration=%00",
  "?actor=" + encodeURIComponent('{"objectType":"Group","mbox":"mailto:g@x"}'),
  "?actor=" + encodeURIComponent('{"account":{"homePage":{},"name":[]}}'),
  "?registration=" + "a".repeat(100000),
  "?endpoint=javascript:alert(1)&activity_id=javascript%20x&grouping=not%20an%20iri",
  "?activityId=%20&fetch=%20&endpoint=",
  "?__proto__=1&constructor=2&hasOwnProperty=3",
  "?" + "x=1&".repeat(5000),
  "?auth=%20%20&Accept-Language=%FF",
];

function assertPlain(launch) {
  for (const [key, value] of Object.entries(launch)) {
    if (key === "actor") assert.ok(value === null || (typeof value === "object" && value.objectType === "Agent"), key);
    else if (key === "extra") assert.equal(typeof value, "object");
    else if (key === "any") assert.equal(typeof value, "boolean");
    else if (key === "actorRaw") assert.ok(value === null || typeof value === "string");
    else assert.equal(typeof value, "string", key);
  }
}

test("parseLaunch and parseCmi5Launch take any query without throwing", () => {
  for (const search of HOSTILE) {
    assertPlain(X.parseLaunch(search));
    assertPlain(X.parseCmi5Launch(search));
  }
});

test("a hostile query gives no endpoint, actor, registration or ids that are not ones", () => {
  const a = X.parseLaunch("?endpoint=%E0%A4%A&actor=%7B&registration=%00");
  assert.equal(a.actor, null);
  assert.equal(a.registration, "");
  const b = X.parseLaunch("?activity_id=javascript%20x&grouping=not%20an%20iri");
  assert.equal(b.activityId, "");
  assert.equal(b.grouping, "");
  const c = X.parseCmi5Launch("?activityId=%20&fetch=%20&endpoint=&actor=" + encodeURIComponent('{"objectType":"Group","mbox":"mailto:g@x"}'));
  assert.deepEqual([c.activityId, c.fetch, c.endpoint, c.actor, c.any], ["", "", "", null, true]);
  assert.equal(X.parseCmi5Launch("?module=m1").any, false);
  const d = X.parseLaunch("?__proto__=1&constructor=2");
  assert.equal(d.extra.constructor, "2");
  assert.equal({}.polluted, undefined);
});

test("a well-formed cmi5 launch is read whole", () => {
  const actor = { objectType: "Agent", account: { homePage: "https://lms.example.org", name: "ann" } };
  const launch = X.parseCmi5Launch(
    "?module=m1&endpoint=https%3A%2F%2Flms.example.org%2Flrs&fetch=https%3A%2F%2Flms.example.org%2Ffetch%2F1" +
      "&actor=" + encodeURIComponent(JSON.stringify(actor)) + "&registration=760E3480-BA55-4991-94B0-01820DBD23A2&activityId=https%3A%2F%2Flms.example.org%2Fau%2F1"
  );
  assert.deepEqual(launch, {
    endpoint: "https://lms.example.org/lrs/",
    fetch: "https://lms.example.org/fetch/1",
    actorRaw: JSON.stringify(actor),
    actor,
    registration: "760e3480-ba55-4991-94b0-01820dbd23a2",
    activityId: "https://lms.example.org/au/1",
    any: true,
  });
});
