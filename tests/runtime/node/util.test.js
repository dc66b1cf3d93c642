// util.js: the one copy of the shared helpers.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { load } = require("./harness.js");

const U = load(["util"]).CoursepackUtil;

test("safeDecode never throws: a malformed escape gives null", () => {
  assert.equal(U.safeDecode("s-m__s%C3%A9"), "s-m__sé");
  for (const bad of ["%", "%E0%A4%A", "%ZZ", "%uD800", "%ED%A0%80"]) assert.equal(U.safeDecode(bad), null, bad);
});

test("hash is FNV-1a 32-bit as 8 hex digits", () => {
  assert.equal(U.hash(""), "811c9dc5");
  assert.equal(U.hash("a"), "e40c292c");
  assert.equal(U.hash("foobar"), "bf9cf968");
});

test("durations and times", () => {
  assert.equal(U.isoDuration(3723450), "PT1H2M3.45S");
  assert.equal(U.isoDuration(-5), "PT0S");
  assert.equal(U.isoDuration("x"), "PT0S");
  assert.equal(U.scormTimespan(3723450), "0001:02:03.45");
  assert.equal(U.scormTimespan(1e12), "9999:59:59.99");
  assert.equal(U.iso(0), "1970-01-01T00:00:00.000Z");
  assert.equal(U.iso(Infinity), "");
});

test("truncate never splits a surrogate pair; safeId and singleLine", () => {
  assert.equal(U.truncate("ab🙂", 3), "ab");
  assert.equal(U.truncate("abc", null), "abc");
  assert.equal(U.safeId("task m/é", "[A-Za-z0-9_-]", 6), "task_m");
  assert.equal(U.singleLine("a\r\nb\tc\u2028d"), "a b c d");
  assert.equal(U.byteLength("é🙂"), 6);
});
