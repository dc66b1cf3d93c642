// checks.js: grading knowledge checks, the score and the pass, shuffling, the standards'
// response formats; state.js: CHECK answers packed into suspend_data and read back.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { load } = require("./harness.js");

const W = load(["util", "checks", "state"]);
const C = W.CoursepackChecks;
const S = W.CoursepackState;

const SINGLE = { kind: "choice", options: ["a-check", "a-task", "a-read"], correct: ["a-check"], accepted: [] };
const MULTI = { kind: "choice-multiple", options: ["read", "watch", "section"], correct: ["read", "watch"], accepted: [] };
const TF = { kind: "true-false", options: ["true", "false"], correct: ["false"], accepted: [] };
const TEXT = { kind: "fill-in", options: [], correct: [], accepted: ["Monitoring, evaluation and learning", "MEL"] };

function item(key, check) {
  return { key, kind: "check", check };
}

const MODULES = [
  {
    id: "m",
    sections: [
      {
        key: "m/s",
        items: [
          item("m/single", SINGLE),
          item("m/multi", MULTI),
          item("m/tf", TF),
          item("m/text", TEXT),
          { key: "m/task", kind: "task" },
        ],
      },
    ],
  },
];

test("a choice's response lists the chosen ids in the author's order, joined by [,]", () => {
  assert.equal(C.response(MULTI, ["watch", "read"], ""), "read[,]watch");
  assert.equal(C.response(SINGLE, [], ""), "");
  assert.equal(C.response(SINGLE, ["not-an-option"], ""), "");
  assert.equal(C.response(TEXT, [], "  Paris "), "Paris");
});

test("a multiple choice is right only with exactly the right options", () => {
  assert.equal(C.judge(MULTI, "read[,]watch"), true);
  assert.equal(C.judge(MULTI, "read"), false);
  assert.equal(C.judge(MULTI, "read[,]watch[,]section"), false);
  assert.equal(C.judge(SINGLE, "a-check"), true);
  assert.equal(C.judge(SINGLE, "a-task"), false);
  assert.equal(C.judge(TF, "false"), true);
  assert.equal(C.judge(TF, "true"), false);
  assert.equal(C.judge(SINGLE, ""), false);
});

test("a text answer forgives case and spacing, nothing else", () => {
  assert.equal(C.judge(TEXT, "  monitoring,   EVALUATION and\tlearning "), true);
  assert.equal(C.judge(TEXT, "mel"), true);
  assert.equal(C.judge(TEXT, "monitoring evaluation and learning"), false);
  assert.equal(C.judge(TEXT, "M E L"), false);
});

test("attempts: a wrong answer leaves the rest, a right one or the last attempt ends it", () => {
  assert.equal(C.attemptsLeft(null, 2), 2);
  assert.equal(C.attemptsLeft({ attempts: 1, correct: false }, 2), 1);
  assert.equal(C.isDone({ attempts: 1, correct: false }, 2), false);
  assert.equal(C.isDone({ attempts: 2, correct: false }, 2), true);
  assert.equal(C.isDone({ attempts: 1, correct: true }, 2), true);
  assert.equal(C.attemptsLeft({ attempts: 50, correct: false }, 0), Infinity);
  assert.equal(C.isDone({ attempts: 50, correct: false }, 0), false);
  assert.equal(C.isDone(undefined, 1), false);
});

test("the score is decided once every CHECK is answered, and passes in whole numbers", () => {
  const items = [item("a", SINGLE), item("b", TF), item("c", MULTI), item("d", TEXT), item("e", SINGLE)];
  const right = { attempts: 1, correct: true };
  const wrong = { attempts: 1, correct: false };
  const partial = C.score(items, { a: right, b: wrong }, { attempts: 1, passMark: 80 });
  assert.deepEqual([partial.raw, partial.max, partial.decided, partial.passed], [1, 5, false, null]);
  const four = C.score(items, { a: right, b: right, c: right, d: right, e: wrong }, { attempts: 1, passMark: 80 });
  assert.deepEqual([four.raw, four.scaled, four.decided, four.passed], [4, 0.8, true, true]);
  const three = C.score(items, { a: right, b: right, c: right, d: wrong, e: wrong }, { attempts: 1, passMark: 80 });
  assert.deepEqual([three.raw, three.min, three.max, three.scaled, three.passed], [3, 0, 5, 0.6, false]);
  // unlimited attempts: a wrong answer is not final
  const open = C.score([item("a", SINGLE)], { a: wrong }, { attempts: 0, passMark: 0 });
  assert.equal(open.decided, false);
});

test("shuffling is a permutation, the same for a seed and different between learners", () => {
  const a = C.order(6, "learner-1|m/q1");
  assert.deepEqual([...a].sort(), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(C.order(6, "learner-1|m/q1"), a);
  const orders = new Set();
  for (let n = 0; n < 20; n++) orders.add(C.order(6, `learner-${n}|m/q1`).join());
  assert.ok(orders.size > 10, "learners get different orders");
  assert.deepEqual(C.order(0, "x"), []);
});

test("SCORM 1.2 gets letters for options, t/f, and a text of 255 on one line", () => {
  assert.equal(C.scorm12(MULTI, "read[,]watch"), "a,b");
  assert.equal(C.scorm12(SINGLE, "a-read"), "c");
  assert.equal(C.scorm12(TF, "false"), "f");
  assert.equal(C.scorm12(TEXT, "a\nb"), "a b");
  assert.equal(C.scorm12(TEXT, "x".repeat(300)).length, 255);
  assert.deepEqual(C.correctPatterns12(MULTI), ["a,b"]);
  assert.deepEqual(C.correctPatterns12(TF), ["f"]);
  assert.deepEqual(C.correctPatterns12(TEXT), ["Monitoring, evaluation and learning", "MEL"]);
});

test("SCORM 2004 gets ids joined by [,], true/false, and texts of 250", () => {
  assert.equal(C.scorm2004(MULTI, "read[,]watch"), "read[,]watch");
  assert.equal(C.scorm2004(TF, "true"), "true");
  assert.equal(C.scorm2004(TEXT, "x".repeat(300)).length, 250);
  assert.equal(C.scorm2004(TEXT, "a[,]b"), "a,b", "a typed delimiter would split the answer");
  assert.deepEqual(C.correctPatterns2004(MULTI), ["read[,]watch"]);
  assert.deepEqual(C.correctPatterns2004(TEXT), ["Monitoring, evaluation and learning", "MEL"]);
});

test("answers are packed as option positions and texts, and read back as responses", () => {
  const course = S.index(MODULES, 1);
  const state = S.emptyState(course);
  state.checks = {
    "m/single": { answer: "a-task", attempts: 2, correct: false, at: 5000 },
    "m/multi": { answer: "read[,]watch", attempts: 1, correct: true, at: 6000 },
    "m/tf": { answer: "false", attempts: 1, correct: true, at: 7000 },
    "m/text": { answer: "mel", attempts: 1, correct: true, at: 8000 },
  };
  state.round = 1;
  const packed = S.packState(state, 4096, course);
  const data = JSON.parse(packed.text);
  assert.deepEqual(data.k, {
    m: { single: [2, 0, "1"], multi: [1, 1, "0.1"], tf: [1, 1, "1"], text: [1, 1, "mel"] },
  });
  assert.equal(data.r, 1);
  const back = S.cleanState(S.unpackState(packed.text, course), course);
  assert.deepEqual(
    Object.fromEntries(Object.entries(back.checks).map(([k, v]) => [k, [v.answer, v.attempts, v.correct]])),
    {
      "m/single": ["a-task", 2, false],
      "m/multi": ["read[,]watch", 1, true],
      "m/tf": ["false", 1, true],
      "m/text": ["mel", 1, true],
    },
  );
  assert.equal(back.round, 1);
});

test("hostile saved answers are dropped, never trusted", () => {
  const course = S.index(MODULES, 1);
  const text = JSON.stringify({
    v: 1,
    k: { m: { single: [1, 1, "9.x.-1"], task: [1, 1, "0"], nope: [1, 1, "0"], multi: "garbage" } },
    r: "lots",
  });
  const back = S.cleanState(S.unpackState(text, course), course);
  assert.deepEqual(Object.keys(back.checks), ["m/single"]);
  assert.equal(back.checks["m/single"].answer, "");
  assert.equal(back.round, 0);
  const raw = S.cleanState({ checks: { "m/task": { attempts: 1 }, "m/tf": { attempts: "2", correct: "yes" } } }, course);
  assert.deepEqual(raw.checks, { "m/tf": { answer: "", attempts: 2, correct: false, at: 0 } });
});

test("when the skeleton is too long, answers' texts go before the attempts and results", () => {
  const course = S.index(MODULES, 1);
  const state = S.emptyState(course);
  state.checks = { "m/text": { answer: "x".repeat(900), attempts: 1, correct: false, at: 0 } };
  const packed = S.packState(state, 200, course);
  assert.ok(packed.text.length <= 200);
  assert.deepEqual(JSON.parse(packed.text).k, { m: { text: [1, 0, ""] } });
});
