// scorm-api.js: every value an LMS returns is taken whatever its JavaScript type, the API is
// found through parents and openers (cross-origin ones throw), errors are logged and reported.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { load } = require("./harness.js");

const W = load(["util", "scorm-api"]);
const Scorm = W.CoursepackScorm;

const SPEC = {
  label: "SCORM 1.2",
  apiName: "API",
  methods: { initialize: "LMSInitialize", get: "LMSGetValue", set: "LMSSetValue", lastError: "LMSGetLastError", errorString: "LMSGetErrorString" },
  notImplemented: { 401: true },
};

test("value() gives SCORM's string for whatever type an LMS returns", () => {
  const cases = [
    ["3", "3"],
    [3, "3"], // Moodle: cmi.interactions._count on re-entry
    [0, "0"],
    [2.5, "2.5"],
    [NaN, ""],
    [Infinity, ""],
    [true, "true"],
    [false, "false"],
    [null, ""],
    [undefined, ""],
    [{}, ""],
    [[], ""],
    [new String("incomplete"), "incomplete"], // eslint-disable-line no-new-wrappers
    [new Number(7), "7"], // eslint-disable-line no-new-wrappers
    [{ valueOf() { throw new Error("hostile"); } }, ""],
    [Symbol("s"), ""],
    [10n, "10"],
  ];
  for (const [input, expected] of cases) assert.equal(Scorm.value(input), expected, String(typeof input));
});

/** An LMS API answering from `values` with raw JavaScript values of any type. */
function fakeApi(values, errors) {
  const calls = [];
  let last = 0;
  return {
    calls,
    LMSInitialize: () => true, // a boolean, not "true"
    LMSGetValue(element) {
      calls.push(["get", element]);
      last = (errors && errors[element]) || 0; // a number, not "0"
      return values[element];
    },
    LMSSetValue(element, value) {
      calls.push(["set", element, value]);
      last = (errors && errors[element]) || 0;
      return last ? false : true;
    },
    LMSCommit: () => "true",
    LMSGetLastError: () => last,
    LMSGetErrorString: (code) => ({ 401: "Not implemented", 405: "Incorrect data type" })[code],
  };
}

function connect(api, extra) {
  const logged = [];
  const reported = [];
  const win = Object.assign({ API: api }, extra);
  win.parent = win;
  const scorm = Scorm.connect(SPEC, {
    window: win,
    log: (level, message) => logged.push(level + ": " + message),
    reportError: (code, element) => reported.push(code + " " + element),
  });
  return { scorm, logged, reported };
}

test("get() normalises every LMSGetValue result and reads error codes given as numbers", () => {
  const api = fakeApi({ "cmi.interactions._count": 4, "cmi.core.lesson_status": "incomplete", "cmi.suspend_data": null, "cmi.core.entry": undefined, "cmi.core.score.raw": 0 });
  const { scorm, logged } = connect(api);
  assert.ok(scorm.discover());
  assert.deepEqual(scorm.call("LMSInitialize"), { ok: true, error: "0" });
  assert.deepEqual(scorm.get("cmi.interactions._count"), { value: "4", error: "0" });
  assert.equal(parseInt(scorm.get("cmi.interactions._count").value, 10), 4);
  assert.deepEqual(scorm.get("cmi.core.lesson_status"), { value: "incomplete", error: "0" });
  assert.deepEqual(scorm.get("cmi.suspend_data"), { value: "", error: "0" });
  assert.deepEqual(scorm.get("cmi.core.entry"), { value: "", error: "0" });
  assert.deepEqual(scorm.get("cmi.core.score.raw"), { value: "0", error: "0" });
  assert.deepEqual(logged, []);
});

test("an error code (number or string) is logged; 401 is not implemented, never reported", () => {
  const api = fakeApi({}, { "cmi.interactions._count": 401, "cmi.core.exit": "405" });
  const { scorm, logged, reported } = connect(api);
  scorm.discover();
  assert.equal(scorm.get("cmi.interactions._count").error, "401");
  assert.equal(scorm.set("cmi.core.exit", "suspend"), "405");
  assert.deepEqual(reported, ["405 cmi.core.exit"]);
  assert.deepEqual(logged, ["info: not implemented by this LMS: LMSGetValue cmi.interactions._count", "error: SCORM 1.2 error 405 (Incorrect data type) on LMSSetValue cmi.core.exit"]);
});

test("set() skips a value equal to the last one set, unless forced", () => {
  const api = fakeApi({});
  const { scorm } = connect(api);
  scorm.discover();
  scorm.set("cmi.core.lesson_location", "m/s1");
  scorm.set("cmi.core.lesson_location", "m/s1");
  scorm.set("cmi.core.lesson_location", "m/s1", true);
  assert.equal(api.calls.filter((c) => c[0] === "set").length, 2);
});

test("discover() climbs parents past cross-origin frames, then tries the opener", () => {
  const api = fakeApi({});
  const top = { API: api };
  top.parent = top;
  const crossOrigin = {};
  Object.defineProperty(crossOrigin, "API", { get() { throw new Error("SecurityError"); } });
  crossOrigin.parent = top;
  const frame = { parent: crossOrigin };
  let scorm = Scorm.connect(SPEC, { window: frame });
  assert.equal(scorm.discover(), api);

  const lonely = {};
  lonely.parent = lonely;
  lonely.opener = { closed: false, API: api };
  lonely.opener.parent = lonely.opener;
  scorm = Scorm.connect(SPEC, { window: lonely });
  assert.equal(scorm.discover(), api);

  const none = {};
  none.parent = none;
  assert.equal(Scorm.connect(SPEC, { window: none }).discover(), null);
});

test("a throwing API is logged, never thrown", () => {
  const api = {
    LMSInitialize() {},
    LMSGetValue() {
      throw new Error("boom");
    },
    LMSGetLastError() {
      throw new Error("boom");
    },
  };
  const { scorm, logged } = connect(api);
  scorm.discover();
  assert.deepEqual(scorm.get("cmi.core.entry"), { value: "", error: "101" });
  assert.ok(logged.includes("error: SCORM 1.2 LMSGetValue cmi.core.entry: threw boom"), logged.join("\n"));
});
