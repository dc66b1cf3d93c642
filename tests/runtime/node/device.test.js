// device.js: this browser's copy of the state survives whatever is stored, and a storage that
// refuses or throws.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { load, memoryStorage } = require("./harness.js");

const W = load(["util", "device"]);

function copy(storage) {
  const logged = [];
  const device = W.CoursepackDevice.create({ storage: () => storage, probeKey: "k:probe", version: 1, now: () => 5, log: (l, m) => logged.push(l + " " + m) });
  return { device, logged };
}

test("read() gives null for garbage, other versions and non-objects, and the object otherwise", () => {
  const values = { a: "{", b: "null", c: "[1]", d: '"text"', e: '{"v":2}', f: "12", g: '{"v":1,"section":"m/s"}', h: "\u0000" };
  const { device, logged } = copy(memoryStorage(values));
  for (const key of ["a", "b", "c", "d", "e", "f", "h", "missing"]) assert.equal(device.read(key), null, key);
  assert.deepEqual(device.read("g"), { v: 1, section: "m/s" });
  assert.equal(device.read(null), null);
  assert.ok(logged.some((l) => l.startsWith("warn")));
});

test("write() stores the whole state with version and time; read() gives it back", () => {
  const storage = memoryStorage();
  const { device } = copy(storage);
  assert.equal(device.write("key", { section: "m/s", tasks: { "m/t": { text: "é 🙂" } } }), true);
  assert.deepEqual(device.read("key"), { section: "m/s", tasks: { "m/t": { text: "é 🙂" } }, v: 1, updatedAt: 5 });
});

test("a storage that is missing, throws or is full is reported, never thrown", () => {
  const throwing = { getItem() { throw new Error("SecurityError"); }, setItem() { throw new Error("SecurityError"); }, removeItem() {} };
  for (const storage of [null, throwing]) {
    const { device } = copy(storage);
    assert.equal(device.available(), false);
    assert.equal(device.read("key"), null);
    assert.equal(device.write("key", { a: 1 }), false);
  }
  const refusing = W.CoursepackDevice.create({ storage: () => { throw new Error("denied"); }, version: 1, now: () => 0 });
  assert.equal(refusing.available(), false);
  const full = memoryStorage({}, 30);
  const { device, logged } = copy(full);
  assert.equal(device.available(), true);
  assert.equal(device.write("key", { text: "x".repeat(100) }), false);
  assert.ok(logged.some((l) => l.includes("could not save")));
});
