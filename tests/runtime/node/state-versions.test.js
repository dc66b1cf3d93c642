// state.js across course versions: every saved reflection carries the wording it answered
// (the first hex digits of its prompt's fingerprint) and the state the course version; on
// resume an answer stays with its wording: under its TASK when that kept its wording, under
// the TASK that has it now when it moved, kept apart (state.earlier) when it was reworded or
// removed, never shown as the answer to another question.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { load } = require("./harness.js");

const W = load(["util", "state"]);
const S = W.CoursepackState;
const LIMIT = 4096;

function task(key, fingerprint) {
  return { key, kind: "task", fingerprint };
}

/** Version 1: two modules; a/t1, a/t2, a/t3 in section a/s1, b/t1 in b/s1. */
const V1 = S.index(
  [
    { id: "a", sections: [{ key: "a/s1", items: [{ key: "a/r", kind: "read" }, task("a/t1", "111111aaaaaa"), task("a/t2", "222222bbbbbb"), task("a/t3", "333333cccccc")] }] },
    { id: "b", sections: [{ key: "b/s1", items: [task("b/t1", "444444dddddd")] }] },
  ],
  1,
  "1.0.0"
);

/** Version 2: a/t1 reworded, a/t2 moved to a new section a/s2, a/t3 removed, b/t1 moved to
 *  module a under a new id (a/t9), a new TASK b/t2. */
const V2 = S.index(
  [
    {
      id: "a",
      sections: [
        { key: "a/s1", items: [{ key: "a/r", kind: "read" }, task("a/t1", "999999eeeeee"), task("a/t9", "444444dddddd")] },
        { key: "a/s2", items: [task("a/t2", "222222bbbbbb")] },
      ],
    },
    { id: "b", sections: [{ key: "b/s1", items: [task("b/t2", "555555ffffff")] }] },
  ],
  1,
  "2.0.0"
);

function answered(text, savedAt) {
  return { text, done: true, attempts: 1, savedAt: savedAt || 1700000000000, doneAt: 0 };
}

function v1State() {
  const st = S.emptyState(V1);
  st.section = "a/s1";
  st.opened["a/r"] = 1700000000000;
  st.tasks["a/t1"] = Object.assign(answered("answer to the first wording of t1"), { fp: "111111" });
  st.tasks["a/t2"] = Object.assign(answered("answer to t2"), { fp: "222222" });
  st.tasks["a/t3"] = Object.assign(answered("answer to t3, removed in version 2"), { fp: "333333" });
  st.tasks["b/t1"] = Object.assign(answered("answer to b/t1, moved to module a"), { fp: "444444" });
  return st;
}

test("the packed state names each answer's wording and the course version", () => {
  const packed = JSON.parse(S.packState(S.cleanState(v1State(), V1), LIMIT, V1).text);
  assert.equal(packed.cv, "1.0.0");
  assert.deepEqual(Object.keys(packed.t.a).sort(), ["t1~111111", "t2~222222", "t3~333333"]);
  assert.deepEqual(Object.keys(packed.t.b), ["t1~444444"]);
  assert.equal(packed.e, undefined, "no earlier answers in the version they were written for");
});

test("resumed under version 2: a kept wording keeps its answer, a moved TASK takes it along", () => {
  const text = S.packState(S.cleanState(v1State(), V1), LIMIT, V1).text;
  const st = S.cleanState(S.unpackState(text, V2), V2);
  assert.equal(st.cv, "2.0.0");
  assert.equal(st.tasks["a/t2"].text, "answer to t2", "same id, other section");
  assert.equal(st.tasks["a/t9"].text, "answer to b/t1, moved to module a", "its wording is a/t9's now");
  assert.equal(st.tasks["a/t9"].fp, "444444");
});

test("resumed under version 2: a reworded TASK shows no answer; the earlier one is kept apart", () => {
  const text = S.packState(S.cleanState(v1State(), V1), LIMIT, V1).text;
  const st = S.cleanState(S.unpackState(text, V2), V2);
  assert.equal(st.tasks["a/t1"], undefined, "the answer to the first wording is not t1's answer");
  assert.equal(st.tasks["b/t2"], undefined);
  const earlier = Object.fromEntries(st.earlier.map((e) => [e.key, e]));
  assert.deepEqual(Object.keys(earlier).sort(), ["a/t1", "a/t3"]);
  assert.equal(earlier["a/t1"].text, "answer to the first wording of t1");
  assert.equal(earlier["a/t1"].fp, "111111");
  assert.equal(earlier["a/t1"].ver, "1.0.0", "the version whose wording it answered");
  assert.equal(earlier["a/t3"].text, "answer to t3, removed in version 2", "removed: kept, not shown");
  assert.equal(earlier["a/t3"].done, true);
});

test("earlier answers survive the next save and resume, and a new answer sits beside them", () => {
  const first = S.cleanState(S.unpackState(S.packState(S.cleanState(v1State(), V1), LIMIT, V1).text, V2), V2);
  first.tasks["a/t1"] = Object.assign(answered("answer to the new wording", 1700000100000), { fp: "999999" });
  const packed = S.packState(first, LIMIT, V2);
  const raw = JSON.parse(packed.text);
  assert.deepEqual(Object.keys(raw.e.a).sort(), ["t1~111111", "t3~333333"]);
  assert.equal(raw.e.a["t1~111111"][4], "1.0.0");
  const again = S.cleanState(S.unpackState(packed.text, V2), V2);
  assert.equal(again.tasks["a/t1"].text, "answer to the new wording");
  assert.deepEqual(
    again.earlier.map((e) => [e.key, e.text]).sort(),
    [
      ["a/t1", "answer to the first wording of t1"],
      ["a/t3", "answer to t3, removed in version 2"],
    ]
  );
  assert.deepEqual(packed.omitted, []);
});

test("a TASK put back word for word gets its earlier answer back", () => {
  const v2 = S.cleanState(S.unpackState(S.packState(S.cleanState(v1State(), V1), LIMIT, V1).text, V2), V2);
  const v3text = S.packState(v2, LIMIT, V2).text;
  const back = S.cleanState(S.unpackState(v3text, V1), V1);
  assert.equal(back.tasks["a/t1"].text, "answer to the first wording of t1");
  assert.equal(back.tasks["a/t3"].text, "answer to t3, removed in version 2");
});

test("this browser's copy of version 1 never fills a reworded TASK; it completes the earlier answer", () => {
  const device = Object.assign(v1State(), { v: 1 });
  // the LMS kept the flags of the earlier answer but not its text (a tight budget)
  const lms = S.cleanState(S.unpackState(S.packState(S.cleanState(v1State(), V1), LIMIT, V1).text, V2), V2);
  const t1 = lms.earlier.find((e) => e.key === "a/t1");
  delete t1.text;
  t1.len = 33;
  t1.missing = true;
  const merged = S.mergeLmsState(lms, device, V2);
  assert.equal(merged.tasks["a/t1"], undefined);
  assert.equal(merged.earlier.find((e) => e.key === "a/t1").text, "answer to the first wording of t1");
  // and in local mode (no LMS) the device copy is reconciled the same way
  const local = S.cleanState(device, V2);
  assert.equal(local.tasks["a/t1"], undefined);
  assert.equal(local.tasks["a/t2"].text, "answer to t2");
  assert.ok(local.earlier.some((e) => e.key === "a/t1"));
});

test("a state saved before fingerprints is trusted by key, and its answers to removed TASKs are kept", () => {
  const legacy = '{"v":1,"s":"a/s1","t":{"a":{"t1":[1,1,"0",6,"legacy"],"t3":[1,1,"0",4,"gone"]}}}';
  const st = S.cleanState(S.unpackState(legacy, V2), V2);
  assert.equal(st.tasks["a/t1"].text, "legacy");
  assert.equal(st.tasks["a/t1"].fp, "999999", "stamped with the wording it now belongs to");
  assert.deepEqual(st.earlier.map((e) => [e.key, e.text]), [["a/t3", "gone"]]);
});

test("completion counts only answers to the current wording", () => {
  const st = S.cleanState(S.unpackState(S.packState(S.cleanState(v1State(), V1), LIMIT, V1).text, V2), V2);
  const done = V2.tasks.filter((item) => st.tasks[item.key] && st.tasks[item.key].done).map((i) => i.key);
  assert.deepEqual(done.sort(), ["a/t2", "a/t9"]);
});

test("the wordings and the course version cost a few characters per TASK of the budget", () => {
  const plain = S.index(
    [{ id: "a", sections: [{ key: "a/s1", items: V1.tasks.slice(0, 3).map((t) => ({ key: t.key, kind: "task" })) }] }],
    1
  );
  const st = S.cleanState(v1State(), V1);
  const withFp = S.packState(st, LIMIT, S.index([{ id: "a", sections: [{ key: "a/s1", items: V1.tasks.slice(0, 3) }] }], 1, "1.0.0")).text;
  const without = S.packState(st, LIMIT, plain).text;
  // 7 characters ("~" and six hex digits) per TASK, and "cv":"1.0.0", for three TASKs
  assert.equal(withFp.length - without.length, 3 * 7 + ',"cv":"1.0.0"'.length);
});

test("hostile earlier answers clean up: wrong types, bad keys and wordings, too many", () => {
  const many = [];
  for (let i = 0; i < 500; i++) many.push({ key: "x/t" + i, fp: "abcdef", text: "t" + i, done: true, savedAt: i * 1000 });
  const raws = [
    { earlier: "all" },
    { earlier: [null, 5, { key: 7 }, { key: "no-slash", fp: "abc" }, { key: "a/t1", fp: "NOT HEX" }, { key: "a/t1~x", fp: "abc" }] },
    { earlier: many },
    { tasks: { "a/t1": { text: "x", fp: { not: "a string" } } } },
  ];
  raws.forEach((raw) => {
    const st = S.cleanState(raw, V2);
    assert.ok(Array.isArray(st.earlier) && st.earlier.length <= 200);
    st.earlier.forEach((e) => {
      assert.equal(typeof e.key, "string");
      assert.equal(typeof e.text, "string");
    });
    assert.ok(S.packState(st, LIMIT, V2).text.length <= LIMIT);
  });
  assert.equal(S.cleanState(raws[1], V2).earlier.length, 0);
  assert.equal(S.cleanState(raws[3], V2).tasks["a/t1"].text, "x", "an unreadable wording counts as none");
});
