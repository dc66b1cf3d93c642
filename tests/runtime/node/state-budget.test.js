// state.js with a budget larger than the standard's (the Moodle profile's 64,000 characters
// of cmi.suspend_data): the probe that earns it, and the packed text's second line, which a
// value cut short by the LMS loses whole and is never half-read.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { load } = require("./harness.js");

const W = load(["util", "state"]);
const S = W.CoursepackState;
const STANDARD = 4096;
const MOODLE = 64000;

/** A fake LMS element store: keeps at most `keep` characters (silently), refuses over `refuse`. */
function fakeLms(options) {
  const o = options || {};
  const data = { "cmi.suspend_data": o.initial || "" };
  const writes = [];
  return {
    data,
    writes,
    set(element, value) {
      if (o.throws) throw new Error("LMS exploded");
      writes.push(value.length);
      if (o.refuse !== undefined && value.length > o.refuse) return "405";
      data[element] = o.keep !== undefined ? value.slice(0, o.keep) : value;
      return "0";
    },
    get(element) {
      if (o.unreadable) return { value: "", error: "101" };
      const value = data[element];
      return { value: o.alter ? value.replace(/ $/, "x") : value, error: "0" };
    },
  };
}

function probe(lms, current) {
  return S.probeBudget(lms, { element: "cmi.suspend_data", standard: STANDARD, probe: MOODLE, current });
}

test("the larger budget is used only when the LMS keeps the whole probe and gives it back", () => {
  const lms = fakeLms();
  assert.deepEqual(probe(lms, '{"v":1}'), { budget: MOODLE, verified: true, reason: "kept 64000" });
  assert.deepEqual(lms.writes, [MOODLE], "one write of exactly the budget");
});

test("any doubt falls back to the standard's 4,096: refused, cut short, changed, unreadable, thrown", () => {
  for (const options of [{ refuse: STANDARD }, { keep: 60000 }, { keep: STANDARD }, { alter: true }, { unreadable: true }, { throws: true }]) {
    const result = probe(fakeLms(options), '{"v":1}');
    assert.equal(result.budget, STANDARD, JSON.stringify(options));
    assert.equal(result.verified, false);
  }
});

test("without a larger budget to probe nothing is written", () => {
  const lms = fakeLms();
  for (const p of [undefined, null, 0, STANDARD, 1000]) {
    const result = S.probeBudget(lms, { element: "cmi.suspend_data", standard: STANDARD, probe: p, current: "" });
    assert.equal(result.budget, STANDARD);
  }
  assert.deepEqual(lms.writes, []);
});

test("the probe keeps what the LMS held readable, whatever the LMS does with it", () => {
  const course = S.index([{ id: "m", sections: [{ key: "m/s", items: [{ key: "m/t", kind: "task", fingerprint: "abcdef123456" }] }] }], 1, "1");
  const st = S.emptyState(course);
  st.tasks["m/t"] = { text: "kept", done: true, attempts: 1, savedAt: 0, doneAt: 0, fp: "abcdef" };
  const current = S.packState(st, STANDARD, course).text;
  for (const options of [{}, { keep: 5000 }]) {
    const lms = fakeLms(Object.assign({ initial: current }, options));
    probe(lms, current);
    const back = S.cleanState(S.unpackState(lms.data["cmi.suspend_data"], course), course);
    assert.equal(back.tasks["m/t"].text, "kept", JSON.stringify(options));
  }
});

/** The reflections of the finding in issue 12: one of 3,000 characters and six of 1,500. */
function longCourse() {
  const items = [];
  for (let i = 1; i <= 7; i++) items.push({ key: "m/t" + i, kind: "task", fingerprint: (i + "00000abcdef").slice(0, 12) });
  const course = S.index([{ id: "m", sections: [{ key: "m/s", items }] }], 1, "1.0.0");
  const st = S.emptyState(course);
  items.forEach((item, i) => {
    const length = i === 0 ? 3000 : 1500;
    st.tasks[item.key] = { text: ("reflection " + item.key + " ").repeat(200).slice(0, length), done: true, attempts: 1, savedAt: 1700000000000, doneAt: 0, fp: item.fingerprint.slice(0, 6) };
  });
  return { course, st };
}

test("with a proven budget every long reflection is kept whole; the first line alone stays within 4,096", () => {
  const { course, st } = longCourse();
  const standard = S.packState(st, STANDARD, course);
  assert.equal(standard.omitted.length, 5, "the finding: five of seven lost under 4,096");
  const packed = S.packState(st, MOODLE, course, undefined, STANDARD);
  assert.deepEqual(packed.omitted, []);
  assert.ok(packed.text.length <= MOODLE);
  const [first] = packed.text.split("\n");
  assert.ok(first.length <= STANDARD, "a value cut at 4,096 still holds the whole first line");
  const back = S.cleanState(S.unpackState(packed.text, course), course);
  course.tasks.forEach((item) => assert.equal(back.tasks[item.key].text, st.tasks[item.key].text, item.key));
});

test("a value cut short by the LMS loses the second line's texts, never half of one", () => {
  const { course, st } = longCourse();
  const packed = S.packState(st, MOODLE, course, undefined, STANDARD);
  const logged = [];
  for (const cut of [packed.text.length - 1, packed.text.length - 500, STANDARD + 10]) {
    const back = S.cleanState(S.unpackState(packed.text.slice(0, cut), course, (l, m) => logged.push(m)), course);
    const inFirst = S.packState(st, STANDARD, course).omitted;
    course.tasks.forEach((item) => {
      const ts = back.tasks[item.key];
      assert.equal(ts.done, true);
      if (inFirst.includes(item.key)) {
        assert.equal(ts.missing, true, `${item.key} after a cut at ${cut}`);
        assert.equal(ts.len, st.tasks[item.key].text.length);
      } else {
        assert.equal(ts.text, st.tasks[item.key].text);
      }
    });
  }
  assert.ok(logged.some((m) => m.includes("cut short")));
});

test("a budget too small even for the second line writes nothing over it and names what is left out", () => {
  const { course, st } = longCourse();
  for (const budget of [STANDARD + 1, 6000, 9000, 12000]) {
    const packed = S.packState(st, budget, course, undefined, STANDARD);
    assert.ok(packed.text.length <= budget, `${packed.text.length} > ${budget}`);
    const back = S.cleanState(S.unpackState(packed.text, course), course);
    course.tasks.forEach((item) => {
      const kept = back.tasks[item.key].text === st.tasks[item.key].text;
      assert.equal(!kept, packed.omitted.includes(item.key), `${item.key} at ${budget}`);
    });
  }
});
