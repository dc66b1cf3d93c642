// state.js: packing under a budget (property-style, seeded), unpacking, cleaning hostile
// state, merging the LMS's state with this device's copy.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { load, seeded } = require("./harness.js");

const W = load(["util", "state"]);
const S = W.CoursepackState;
const LIMIT = 4096; // SCORM 1.2 cmi.suspend_data

const WORDS = ["learning", "é", "naïve", "日本語", "🙂", "line\nbreak", '"quoted"', "back\\slash", "tab\t", "x"];

function randomText(rand, max) {
  const length = rand.int(0, max);
  let text = "";
  while (text.length < length) text += rand.pick(WORDS) + " ";
  return text.slice(0, length).replace(/[\ud800-\udbff]$/, "");
}

/** A random course: modules of sections of READ/WATCH/TASK items. */
function randomCourse(rand) {
  const modules = [];
  const nModules = rand.int(1, 4);
  for (let m = 0; m < nModules; m++) {
    const mid = "m" + m + "-" + rand.int(0, 99);
    const sections = [];
    const nSections = rand.int(1, 4);
    for (let s = 0; s < nSections; s++) {
      const items = [];
      const nItems = rand.int(0, 6);
      for (let i = 0; i < nItems; i++) {
        const kind = rand.pick(["read", "watch", "task", "task"]);
        items.push({ key: mid + "/" + kind + "-" + s + "-" + i, kind });
      }
      sections.push({ key: mid + "/s" + s, items });
    }
    modules.push({ id: mid, sections });
  }
  return modules;
}

/** A random learner's state for that course (big reflections, drafts, opened items). */
function randomState(rand, course) {
  const state = S.emptyState(course);
  const sections = Object.keys(course.sectionsByKey);
  state.section = rand() < 0.9 ? rand.pick(sections) : null;
  course.items.forEach((item) => {
    if (item.kind !== "task") {
      if (rand() < 0.6) state.opened[item.key] = 1700000000000 + rand.int(0, 1e9);
      return;
    }
    if (rand() < 0.2) return;
    const done = rand() < 0.6;
    const big = rand() < 0.3;
    state.tasks[item.key] = {
      text: randomText(rand, big ? 3500 : 400),
      done,
      attempts: done ? rand.int(1, 4) : 0,
      savedAt: 1700000000000 + rand.int(0, 1e9) * 1000,
      doneAt: 0,
    };
  });
  if (rand() < 0.3) state.completedAt = 1700000000000 + rand.int(0, 1e9) * 1000;
  return state;
}

test("packed state never exceeds the SCORM 1.2 limit, for 500 random courses and reflections", () => {
  const rand = seeded(20240611);
  for (let run = 0; run < 500; run++) {
    const course = S.index(randomCourse(rand), 1);
    const state = randomState(rand, course);
    const packed = S.packState(state, LIMIT, course);
    assert.ok(packed.text.length <= LIMIT, `run ${run}: ${packed.text.length} characters`);
  }
});

test("unpacking gives back every reflection that fit, whole, and reports every one that did not", () => {
  const rand = seeded(7);
  let omittedSeen = 0;
  let keptSeen = 0;
  for (let run = 0; run < 500; run++) {
    const course = S.index(randomCourse(rand), 1);
    const state = randomState(rand, course);
    const packed = S.packState(state, LIMIT, course);
    const back = S.cleanState(S.unpackState(packed.text, course), course);
    assert.equal(back.section, state.section, `run ${run}: bookmark`);
    const omitted = new Set(packed.omitted);
    for (const [key, ts] of Object.entries(state.tasks)) {
      if (!ts.done && !ts.text) continue; // nothing to keep
      const got = back.tasks[key];
      assert.ok(got, `run ${run}: task ${key} lost`);
      assert.equal(got.done, ts.done, `run ${run}: ${key} done`);
      assert.equal(got.attempts, ts.attempts || (ts.done ? 1 : 0), `run ${run}: ${key} attempts`);
      assert.equal(got.savedAt, Math.floor(ts.savedAt / 1000) * 1000, `run ${run}: ${key} savedAt`);
      if (omitted.has(key)) {
        omittedSeen++;
        assert.ok(ts.text.length > 0, `run ${run}: ${key} omitted without a text`);
        assert.equal(got.text, "", `run ${run}: ${key} text should be elsewhere`);
        assert.equal(got.missing, true);
        assert.equal(got.len, ts.text.length, `run ${run}: ${key} keeps its length`);
      } else {
        if (ts.text) keptSeen++;
        assert.equal(got.text, ts.text, `run ${run}: ${key} text`);
        assert.equal(got.missing, undefined);
      }
    }
    for (const key of Object.keys(state.opened)) {
      if (!packed.text.includes('"o"')) break; // dropped only when even the skeleton is over
      assert.ok(back.opened[key], `run ${run}: opened ${key}`);
    }
  }
  assert.ok(omittedSeen > 50 && keptSeen > 50, `generator covers both (${omittedSeen}, ${keptSeen})`);
});

test("completed reflections are kept before drafts, shortest first", () => {
  const modules = [{ id: "m", sections: [{ key: "m/s", items: ["a", "b", "c", "d"].map((k) => ({ key: "m/" + k, kind: "task" })) }] }];
  const course = S.index(modules, 1);
  const state = S.emptyState(course);
  state.tasks["m/a"] = { text: "x".repeat(1500), done: true, attempts: 1, savedAt: 0, doneAt: 0 };
  state.tasks["m/b"] = { text: "y".repeat(1000), done: false, attempts: 0, savedAt: 0, doneAt: 0 };
  state.tasks["m/c"] = { text: "z".repeat(2000), done: true, attempts: 1, savedAt: 0, doneAt: 0 };
  state.tasks["m/d"] = { text: "w".repeat(3000), done: true, attempts: 1, savedAt: 0, doneAt: 0 };
  const packed = S.packState(state, LIMIT, course);
  assert.deepEqual(packed.omitted, ["m/b", "m/d"]);
  assert.ok(packed.text.length <= LIMIT);
});

test("a skeleton over the limit drops opened items, then task flags, and reports the texts", () => {
  const items = [];
  for (let i = 0; i < 400; i++) items.push({ key: "module/reading-number-" + i, kind: "read" });
  items.push({ key: "module/t", kind: "task" });
  const course = S.index([{ id: "module", sections: [{ key: "module/s", items }] }], 1);
  const state = S.emptyState(course);
  items.forEach((item) => (state.opened[item.key] = 1));
  state.tasks["module/t"] = { text: "hello", done: true, attempts: 1, savedAt: 0, doneAt: 0 };
  const logged = [];
  const packed = S.packState(state, 1000, course, (level, message) => logged.push(level + " " + message));
  assert.ok(packed.text.length <= 1000);
  assert.ok(!packed.text.includes('"o"'));
  assert.equal(S.unpackState(packed.text, course).tasks["module/t"].text, "hello");
  assert.deepEqual(logged, ["warn state skeleton over the limit; item progress dropped"]);
  const tiny = S.packState(state, 40, course);
  assert.ok(tiny.text.length <= 40);
  assert.deepEqual(tiny.omitted, ["module/t"]);
});

// --- hostile input

const COURSE = S.index(
  [
    {
      id: "m",
      sections: [
        { key: "m/s1", items: [{ key: "m/r", kind: "read" }, { key: "m/t", kind: "task" }] },
        { key: "m/s2", items: [{ key: "m/t2", kind: "task" }] },
      ],
    },
  ],
  1
);

function assertValidState(s) {
  assert.ok(s.section === null || Object.hasOwn(COURSE.sectionsByKey, s.section));
  for (const [key, v] of Object.entries(s.opened)) {
    assert.ok(Object.hasOwn(COURSE.itemsByKey, key), key);
    assert.ok(Number.isFinite(v) && v > 0);
  }
  for (const [key, ts] of Object.entries(s.tasks)) {
    assert.equal(COURSE.itemsByKey[key].kind, "task");
    assert.equal(typeof ts.text, "string");
    assert.equal(typeof ts.done, "boolean");
    for (const n of [ts.attempts, ts.savedAt, ts.doneAt]) assert.ok(Number.isFinite(n) && n >= 0, String(n));
    if (ts.len !== undefined) assert.ok(Number.isFinite(ts.len) && ts.len > 0);
  }
  assert.ok(Number.isFinite(s.completedAt) && s.completedAt >= 0);
  // and it can be packed and read back
  const packed = S.packState(s, LIMIT, COURSE);
  assert.ok(packed.text.length <= LIMIT);
  assert.ok(S.unpackState(packed.text, COURSE));
}

const HOSTILE_RAW = [
  null,
  undefined,
  42,
  "state",
  [],
  [1, 2],
  { v: 1, section: { not: "a string" }, opened: "everything", tasks: [1, 2, 3] },
  { section: "m/nope", opened: { "m/r": "yesterday", "m/zzz": 1, "m/t": 5, __proto__: 1 }, tasks: null },
  { tasks: { "m/t": null, "m/t2": "done", "m/r": { text: "a read is no task", done: true } } },
  { tasks: { "m/t": { text: 12, done: "yes", attempts: "1e400", savedAt: Infinity, doneAt: -5, len: 1e300 } } },
  { tasks: { "m/t": { text: "x".repeat(1e6), done: true, attempts: NaN, savedAt: "soon", len: "12" } } },
  { completedAt: 1e400, section: "m/s2", opened: { "m/r": -1 } },
  JSON.parse('{"__proto__": {"polluted": true}, "tasks": {"__proto__": {"text": "x"}, "constructor": {"done": true}}}'),
  { section: "other/s1", opened: { "other/r": 1 }, tasks: { "other/t": { text: "another course", done: true } } },
];

test("cleanState turns any value, wrong types, huge numbers or another course's state into a valid state", () => {
  HOSTILE_RAW.forEach((raw, i) => {
    const s = S.cleanState(raw, COURSE);
    assertValidState(s);
    assert.equal({}.polluted, undefined, `case ${i} polluted Object.prototype`);
  });
  const other = S.cleanState(HOSTILE_RAW[HOSTILE_RAW.length - 1], COURSE);
  assert.deepEqual({ section: other.section, opened: other.opened, tasks: other.tasks }, { section: null, opened: {}, tasks: {} });
});

const HOSTILE_TEXT = [
  "",
  "garbage",
  "{",
  "null",
  "[]",
  '"text"',
  "1e999",
  '{"v":2,"s":"m/s1"}',
  '{"v":"1"}',
  '{"v":1,"s":5,"o":["m"],"t":"x","c":{}}',
  '{"v":1,"s":"m/s1","o":{"m":5,"n":null},"t":{"m":{"t":"1x0"},"x":7}}',
  '{"v":1,"t":{"m":{"t":[1,1e400,"zzzzzzzzzzzzzzzz",-3,12],"t2":[true,"a",null,1e300]}}}',
  '{"v":1,"t":{"m":{"t":{"0":1,"1":2,"length":5}}},"o":{"m":"r r r  r"}}',
  "\u0000\uffff\ud800",
  '{"v":1,"s":"m/s2","c":"Infinity"}',
];

test("unpackState reads suspend_data garbage as nothing, and odd entries as a state that cleans up", () => {
  HOSTILE_TEXT.forEach((text) => {
    const raw = S.unpackState(text, COURSE, () => {});
    if (raw !== null) assert.equal(typeof raw, "object");
    assertValidState(S.cleanState(raw, COURSE));
    assertValidState(S.mergeLmsState(raw, { tasks: { "m/t": { text: 5 } } }, COURSE));
  });
  assert.equal(S.unpackState(12, COURSE), null);
  assert.equal(S.unpackState({ v: 1 }, COURSE), null);
  const odd = S.cleanState(S.unpackState(HOSTILE_TEXT[11], COURSE), COURSE);
  // [1, 1e400, "zzz…", -3, 12]: done, an impossible count (1 attempt), a time clamped to the
  // largest date, no text (12 is not one) and no length
  assert.deepEqual(odd.tasks["m/t"], { text: "", done: true, attempts: 1, savedAt: 8.64e15, doneAt: 0 });
  // [true, "a", null, 1e300]: not done (only 1 is), a text of a (clamped) length elsewhere
  assert.deepEqual(odd.tasks["m/t2"], { text: "", done: false, attempts: 0, savedAt: 0, doneAt: 0, len: 1e9, missing: true });
});

// --- merging the LMS's state with this device's copy

function taskEntry(text, savedAt, extra) {
  return Object.assign({ text, done: true, attempts: 1, savedAt, doneAt: savedAt }, extra || {});
}

test("mergeLmsState: the LMS wins; a text it lacks comes from the device copy when that is as recent", () => {
  const lms = { section: "m/s2", opened: {}, tasks: { "m/t": { done: true, attempts: 2, savedAt: 10000, len: 9 }, "m/t2": { done: false, attempts: 0, savedAt: 20000, len: 5 } } };
  const device = { v: 1, section: "m/s1", tasks: { "m/t": taskEntry("on device", 9500), "m/t2": taskEntry("older", 18000) } };
  const merged = S.mergeLmsState(lms, device, COURSE);
  assert.equal(merged.section, "m/s2");
  assert.equal(merged.tasks["m/t"].text, "on device"); // within the 1 s the packed times lose
  assert.equal(merged.tasks["m/t"].attempts, 2);
  assert.equal(merged.tasks["m/t"].missing, undefined);
  assert.equal(merged.tasks["m/t"].savedAt, 10000);
  assert.equal(merged.tasks["m/t2"].text, ""); // the device's is older: not used
  assert.equal(merged.tasks["m/t2"].missing, true);
});

test("mergeLmsState: a text the LMS has is never replaced, and a fresh attempt ignores the device", () => {
  const lms = { tasks: { "m/t": { text: "from the LMS", done: true, attempts: 1, savedAt: 1000 } } };
  const device = { tasks: { "m/t": taskEntry("newer on device", 99000), "m/t2": taskEntry("draft", 99000) } };
  const merged = S.mergeLmsState(lms, device, COURSE);
  assert.equal(merged.tasks["m/t"].text, "from the LMS");
  assert.equal(merged.tasks["m/t2"], undefined);
  const fresh = S.mergeLmsState(null, device, COURSE);
  assert.deepEqual(fresh.tasks, {});
});

test("mergeLmsState: a device copy of the wrong shape is ignored", () => {
  const lms = { tasks: { "m/t": { done: true, attempts: 1, savedAt: 1000, len: 4 } } };
  for (const device of [null, 5, "x", { tasks: "all" }, { tasks: { "m/t": "text" } }, { tasks: { "m/t": { text: 7, savedAt: 5000 } } }]) {
    const merged = S.mergeLmsState(lms, device, COURSE);
    assert.equal(merged.tasks["m/t"].missing, true);
    assert.equal(merged.tasks["m/t"].text, "");
  }
});
