// Every SCORM call guarded (scorm-api.js) and what the SCORM adapters write: an LMS API that
// throws, answers garbage or a wrong error code never breaks the page and is never taken for
// a confirmed save; review mode writes nothing; the bookmark names the item; the progress
// score. Fake LMS APIs, the real adapters, no browser.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { load } = require("./harness.js");

const SPEC = {
  label: "SCORM 1.2",
  apiName: "API",
  methods: { initialize: "LMSInitialize", get: "LMSGetValue", set: "LMSSetValue", lastError: "LMSGetLastError", errorString: "LMSGetErrorString" },
  notImplemented: { 401: true },
};

// What Moodle's API throws when it evaluates the HTML notice its server put in the answer.
const HTML_NOTICE = "<br />\n<b>Notice</b>: Target Activity does not exist in <b>datamodel.php</b>";

/** A 1.2 API whose LMSSetValue / LMSCommit answer `answer()` (or throw it) and whose
 *  LMSGetLastError answers `code()`. */
function scriptedApi(answer, code) {
  const api = {
    sets: [],
    LMSInitialize: () => "true",
    LMSGetValue: () => "",
    LMSSetValue(element, value) {
      api.sets.push([element, value]);
      return answer("set");
    },
    LMSCommit: () => answer("commit"),
    LMSFinish: () => "true",
    LMSGetLastError: () => (code ? code() : "0"),
    LMSGetErrorString: () => "",
  };
  return api;
}

function connect(api) {
  const W = load(["util", "scorm-api"]);
  const reported = [];
  const logged = [];
  const win = { API: api };
  win.parent = win;
  const scorm = W.CoursepackScorm.connect(SPEC, {
    window: win,
    log: (level, message) => logged.push(level + ": " + message),
    reportError: (code, what) => reported.push(code + " " + what),
  });
  scorm.discover();
  return { scorm, reported, logged, incidents: W.CoursepackScorm.incidents };
}

const throwing = (what) => () => {
  throw new SyntaxError("Unexpected token '<', \"<br />\" is not valid JSON (" + what + ")");
};

test("a set the LMS does not confirm is reported as unconfirmed, never remembered, whatever the garbage", () => {
  const garbage = [
    ["undefined", () => undefined, "garbage"],
    ["an object", () => ({ ok: true }), "garbage"],
    ["an HTML notice", () => HTML_NOTICE, "garbage"],
    ['"false" with error 0', () => "false", "refused"],
    ["a throw", (what) => throwing(what)(), "threw"],
  ];
  for (const [label, answer, kind] of garbage) {
    const api = scriptedApi(answer);
    const { scorm, reported, incidents } = connect(api);
    assert.equal(scorm.set("cmi.suspend_data", "abc"), "101", label);
    assert.deepEqual(reported, ["unconfirmed cmi.suspend_data"], label);
    assert.equal(incidents.at(-1).kind, kind, label);
    assert.equal(incidents.at(-1).call, "LMSSetValue cmi.suspend_data", label);
    // not remembered: the same value is written again at the next save
    scorm.set("cmi.suspend_data", "abc");
    assert.equal(api.sets.length, 2, label);
  }
});

test("a real error code is reported as itself, even after a 'true'; a code that is not a number is garbage", () => {
  let { scorm, reported } = connect(scriptedApi(() => "true", () => 405));
  assert.equal(scorm.set("cmi.core.exit", "suspend"), "405");
  assert.deepEqual(reported, ["405 cmi.core.exit"]);

  const html = connect(scriptedApi(() => "true", () => HTML_NOTICE));
  assert.equal(html.scorm.set("cmi.core.exit", "suspend"), "101");
  assert.deepEqual(html.reported, ["unconfirmed cmi.core.exit"]);
  assert.equal(html.incidents.at(-1).kind, "garbage");
  assert.match(html.incidents.at(-1).call, /^LMSGetLastError after LMSSetValue cmi\.core\.exit$/);

  ({ scorm, reported } = connect(scriptedApi(() => "true", throwing("last error"))));
  assert.equal(scorm.set("cmi.core.exit", "suspend"), "101");
  assert.deepEqual(reported, ["unconfirmed cmi.core.exit"]);

  // a confirmed write: "true" (or true) with error 0 (or 0, or "")
  for (const [answer, code] of [["true", "0"], [true, 0], ["true", ""]]) {
    const ok = connect(scriptedApi(() => answer, () => code));
    assert.equal(ok.scorm.set("cmi.core.exit", "suspend"), "0");
    assert.deepEqual(ok.reported, []);
  }
});

test("a Commit that throws (Moodle's HTML notice) is not ok, is reported, and does not throw", () => {
  const { scorm, reported, incidents } = connect(scriptedApi(throwing("commit")));
  assert.deepEqual(scorm.call("LMSCommit"), { ok: false, error: "101" });
  assert.deepEqual(reported, ["unconfirmed LMSCommit"]);
  assert.equal(incidents.at(-1).kind, "threw");
  assert.match(incidents.at(-1).detail, /Unexpected token/);
});

test("a failed LMSInitialize is left to the adapter (not reported as a save problem)", () => {
  const api = scriptedApi(() => "true");
  api.LMSInitialize = () => "false";
  const { scorm, reported } = connect(api);
  assert.equal(scorm.call("LMSInitialize").ok, false);
  assert.deepEqual(reported, []);
});

test("a get answered with an object, or a throw, is an error (101), not an empty value", () => {
  const api = scriptedApi(() => "true");
  api.LMSGetValue = (element) => (element === "cmi.suspend_data" ? { html: HTML_NOTICE } : throwing("get")());
  const { scorm } = connect(api);
  assert.deepEqual(scorm.get("cmi.suspend_data"), { value: "", error: "101" });
  assert.deepEqual(scorm.get("cmi.core.entry"), { value: "", error: "101" });
});

test("the bookmark names the section, then the item when both fit the limit", () => {
  const Scorm = load(["util", "scorm-api"]).CoursepackScorm;
  assert.equal(Scorm.location("m/s2", "m/t3", 255), "m/s2/t3");
  assert.equal(Scorm.location("m/s2", null, 255), "m/s2");
  assert.equal(Scorm.location("m/s2", "other/t3", 255), "m/s2"); // an item of another module
  assert.equal(Scorm.location("m/s2", "m/t3", 5), "m/s2"); // too long with the item
  assert.deepEqual(Scorm.readLocation("m/s2/t3"), { section: "m/s2", item: "m/t3" });
  assert.deepEqual(Scorm.readLocation("m/s2"), { section: "m/s2", item: null });
  assert.deepEqual(Scorm.readLocation(""), { section: null, item: null });
  assert.deepEqual(Scorm.readLocation("a/b/c/d"), { section: "a/b", item: null });
});

// --- the adapters, with a fake core

const MODULES = [
  {
    id: "m",
    counted: ["m/t1", "m/t2"],
    sections: [
      { key: "m/s1", items: [{ key: "m/t1", kind: "task", iri: "https://courses.example.org/c1/m/t1", title: "T1" }] },
      { key: "m/s2", items: [{ key: "m/t2", kind: "task", iri: "https://courses.example.org/c1/m/t2", title: "T2" }] },
    ],
  },
];

const TARGETS = {
  scorm12: { adapter: "scorm12", suspendDataLimit: 4096, locationLimit: 255, responseLimit: 255, exitIncomplete: "suspend", exitComplete: "suspend" },
  scorm2004: { adapter: "scorm2004", apiName: "API_1484_11", suspendDataLimit: 64000, locationLimit: 1000, responseLimit: 4000, interactionIdLimit: 4000, interactionDescriptionLimit: 250, exitIncomplete: "suspend", exitComplete: "suspend", navRequestOnExit: { suspend: "suspendAll" } },
};

const NAMES = {
  scorm12: { global: "API", init: "LMSInitialize", get: "LMSGetValue", set: "LMSSetValue", commit: "LMSCommit", finish: "LMSFinish", last: "LMSGetLastError", string: "LMSGetErrorString", mode: "cmi.core.lesson_mode" },
  scorm2004: { global: "API_1484_11", init: "Initialize", get: "GetValue", set: "SetValue", commit: "Commit", finish: "Terminate", last: "GetLastError", string: "GetErrorString", mode: "cmi.mode" },
};

/** A well-behaved LMS API recording every call; `values` answer GetValue; `hooks[method]`
 *  replaces a method. */
function lmsApi(standard, values, hooks) {
  const n = NAMES[standard];
  const calls = [];
  const api = {
    calls,
    [n.init]: () => "true",
    [n.get]: (element) => (element in values ? values[element] : ""),
    [n.set]: () => "true",
    [n.commit]: () => "true",
    [n.finish]: () => "true",
    [n.last]: () => "0",
    [n.string]: () => "",
  };
  for (const name of Object.keys(api)) {
    if (typeof api[name] !== "function") continue;
    const inner = (hooks && hooks[name]) || api[name];
    api[name] = (...args) => {
      calls.push([name, ...args]);
      return inner(...args);
    };
  }
  return api;
}

function adapter(standard, api, course) {
  const factories = {};
  const reported = [];
  const W = load(["util", "state", "scorm-api"], {
    window: { Coursepack: { registerAdapter: (name, f) => (factories[name] = f) } },
  });
  W[NAMES[standard].global] = api;
  W.parent = W;
  load(["adapter-" + (standard === "scorm12" ? "scorm12" : "scorm2004")], { window: W });
  const index = W.CoursepackState.index(MODULES, 1);
  const U = W.CoursepackUtil;
  const ctx = {
    config: { course: course || {}, modules: MODULES, target: TARGETS[standard] },
    util: Object.assign({}, U, { clockTime: () => U.clockTime(new Date(0)), iso: (ms) => U.iso(ms || 0) }),
    packState: (st, limit) => W.CoursepackState.packState(st, limit, index),
    unpackState: (text) => W.CoursepackState.unpackState(text, index),
    log() {},
    now: () => 1000,
    reportError: (code, what) => reported.push(code + " " + what),
  };
  return { a: factories[standard](ctx), reported, W };
}

function state(extra) {
  return Object.assign({ section: "m/s2", item: "m/t2", opened: {}, tasks: { "m/t1": { text: "kept", done: true, attempts: 1, savedAt: 0, doneAt: 0 } }, completedAt: 0 }, extra);
}

for (const standard of ["scorm12", "scorm2004"]) {
  const n = NAMES[standard];

  test(`${standard}: an API that throws on every data call never breaks a session and never confirms a save`, () => {
    const boom = throwing(standard);
    const api = lmsApi(standard, {}, { [n.get]: boom, [n.set]: boom, [n.commit]: boom, [n.finish]: boom });
    const { a, reported } = adapter(standard, api);
    const started = a.start();
    assert.equal(started.connected, true);
    // entry cannot be read: on 2004 the adapter reads suspend_data, and the read failed
    if (standard === "scorm12") assert.equal(started.stateUnread, true);
    assert.equal(a.save(state()).ok, false);
    a.recordTask(MODULES[0].sections[0].items[0], "text", { attempt: 1, durationMs: 5 });
    a.setProgress({ completed: true, progressMeasure: 1, done: 2, total: 2, score: 1 });
    assert.deepEqual(a.commit(), { ok: false });
    assert.deepEqual(a.finish({ completed: true, trigger: "exit" }), { ok: false });
    assert.ok(reported.length > 0);
    assert.ok(reported.every((r) => r.startsWith("unconfirmed ")), reported.join("\n"));
  });

  test(`${standard}: a suspend_data read that throws is unread state, not a fresh attempt`, () => {
    const api = lmsApi(standard, { "cmi.entry": "resume", "cmi.core.entry": "resume" }, {
      [n.get]: (element) => {
        if (element === "cmi.suspend_data") throw new SyntaxError("Unexpected token '<'");
        return element.endsWith("entry") ? "resume" : "";
      },
    });
    const started = adapter(standard, api).a.start();
    assert.equal(started.stateUnread, true);
    assert.equal(started.state, null);
  });

  for (const mode of ["review", "browse"]) {
    test(`${standard}: ${mode} mode writes nothing: initialize and finish only, no data, no time, no commit`, () => {
      const api = lmsApi(standard, { [n.mode]: mode, "cmi.core.entry": "resume", "cmi.entry": "resume", "cmi.suspend_data": "", "cmi.interactions._count": 0 });
      const { a } = adapter(standard, api);
      const started = a.start();
      assert.equal(started.review, true);
      assert.deepEqual(a.save(state()), { ok: true, omitted: [] });
      a.recordTask(MODULES[0].sections[0].items[0], "text", { attempt: 1, durationMs: 5 });
      a.setProgress({ completed: true, progressMeasure: 1, done: 2, total: 2, score: 1 });
      assert.deepEqual(a.commit(), { ok: true });
      assert.deepEqual(a.finish({ completed: true, trigger: "exit" }), { ok: true });
      const methods = api.calls.map((c) => c[0]).filter((m) => m !== n.get && m !== n.last && m !== n.string);
      assert.deepEqual(methods, [n.init, n.finish]);
    });
  }

  test(`${standard}: the bookmark holds the item and comes back from the LMS`, () => {
    const api = lmsApi(standard, {});
    const { a } = adapter(standard, api);
    a.start();
    assert.equal(a.save(state()).ok, true);
    const location = standard === "scorm12" ? "cmi.core.lesson_location" : "cmi.location";
    const written = api.calls.filter((c) => c[0] === n.set && c[1] === location).map((c) => c[2]);
    assert.deepEqual(written, ["m/s2/t2"]);

    const again = lmsApi(standard, { [location]: "m/s2/t2", "cmi.core.entry": "resume", "cmi.entry": "resume" });
    const resumed = adapter(standard, again).a.start();
    assert.equal(resumed.state.section, "m/s2");
    assert.equal(resumed.item, "m/t2");
  });

  test(`${standard}: score: progress sends the share done as a percent (scaled in 2004), never a success status`, () => {
    const api = lmsApi(standard, {});
    const { a } = adapter(standard, api);
    a.start();
    a.setProgress({ completed: false, progressMeasure: 1 / 3, done: 1, total: 3, score: 1 / 3 });
    const sets = Object.fromEntries(api.calls.filter((c) => c[0] === n.set).map((c) => [c[1], c[2]]));
    const prefix = standard === "scorm12" ? "cmi.core.score." : "cmi.score.";
    assert.equal(sets[prefix + "raw"], "33.33");
    assert.equal(sets[prefix + "min"], "0");
    assert.equal(sets[prefix + "max"], "100");
    if (standard === "scorm2004") assert.equal(sets["cmi.score.scaled"], "0.3333");
    assert.ok(!("cmi.success_status" in sets));
    assert.ok(!Object.values(sets).some((v) => v === "passed" || v === "failed"));

    const ungraded = lmsApi(standard, {});
    const u = adapter(standard, ungraded).a;
    u.start();
    u.setProgress({ completed: true, progressMeasure: 1, done: 3, total: 3, score: null });
    assert.ok(!ungraded.calls.some((c) => c[0] === n.set && /score/.test(c[1])));
  });
}
