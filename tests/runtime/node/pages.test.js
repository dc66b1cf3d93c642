// pages.js: plural forms with the course language, the duration in words, and the
// reflections file (whole answers, everything escaped).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { load } = require("./harness.js");

const P = load(["pages"]).CoursepackPages;
const STRINGS = { "progress.tasks": "{done} of {total} tasks", "progress.tasks.one": "{done} of {total} task" };

test("French takes 'one' for 0 and 1, English for 1 only; 2 is 'other' in both", () => {
  assert.deepEqual([0, 1, 2].map((n) => P.pluralCategory("fr", n)), ["one", "one", "other"]);
  assert.deepEqual([0, 1, 2].map((n) => P.pluralCategory("en", n)), ["other", "one", "other"]);
  assert.deepEqual([0, 1, 2].map((n) => P.pluralCategory("pt-BR", n)), ["one", "one", "other"]);
  assert.equal(P.pluralCategory("ar", 2), "two");
  assert.equal(P.pluralCategory("not a tag!", 1), "one");
});

test("pluralKey() picks key.<category> when the table has it, else the key itself", () => {
  assert.equal(P.pluralKey(STRINGS, "progress.tasks", "fr", 0), "progress.tasks.one");
  assert.equal(P.pluralKey(STRINGS, "progress.tasks", "en", 0), "progress.tasks");
  assert.equal(P.pluralKey(STRINGS, "progress.tasks", "ar", 2), "progress.tasks"); // no .two
  assert.equal(P.pluralKey({ ...STRINGS, "progress.tasks.two": "x" }, "progress.tasks", "ar", 2), "progress.tasks.two");
});

test("durationText() says hours and minutes, minutes alone, or hours alone", () => {
  const count = (key, n) => `${n} ${key.split(".")[1]}`;
  assert.equal(P.durationText(count, 90), "1 hours 30 minutes");
  assert.equal(P.durationText(count, 45), "45 minutes");
  assert.equal(P.durationText(count, 120), "2 hours");
  assert.equal(P.durationText(count, 0), "0 minutes");
});

test("reflectionsDocument() holds every answer whole and escapes every value", () => {
  const long = "x".repeat(2990) + "\n<b>end</b>";
  const html = P.reflectionsDocument({
    lang: "en",
    dir: "rtl",
    heading: "My reflections: A & B",
    dateLine: "Saved on 2 December 2026",
    entries: [
      { title: "Why <now>?", where: "M: S", prompt: "Say \"why\"", answer: long, none: "Not yet" },
      { title: "Second", where: "", prompt: "P", answer: "", none: "Not yet" },
    ],
  });
  assert.ok(html.startsWith("<!DOCTYPE html>"));
  assert.match(html, /<html lang="en" dir="rtl">/);
  assert.ok(html.includes("x".repeat(2990) + "\n&lt;b&gt;end&lt;/b&gt;"), "the whole answer, escaped");
  assert.ok(html.includes("Why &lt;now&gt;?") && html.includes("A &amp; B") && html.includes("Say &quot;why&quot;"));
  assert.ok(html.includes('<p class="answer none">Not yet</p>'));
  assert.ok(!html.includes("<b>"));
});

test("fileName() keeps letters and digits of the title and the day", () => {
  assert.equal(P.fileName("Leadership & Impact: été", "2026-12-02T20:00:00.000Z"), "my-reflections-leadership-impact-ete-2026-12-02.html");
  assert.equal(P.fileName("", "garbage"), "my-reflections.html");
  assert.ok(P.fileName("a".repeat(200), "2026-01-01").length < 100);
});
