// Test helpers for the runtime's plain scripts under `node --test`: load scripts into a fake
// window, and fakes for storage, timers, fetch and randomness. No DOM, no browser.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const RUNTIME = path.resolve(__dirname, "../../../src/coursepack/runtime");

/** A Web Storage in memory; `quota` (characters) makes setItem throw when exceeded. */
function memoryStorage(initial, quota) {
  const data = new Map(Object.entries(initial || {}));
  const size = () => [...data].reduce((n, [k, v]) => n + k.length + v.length, 0);
  return {
    data,
    getItem: (k) => (data.has(k) ? data.get(k) : null),
    setItem(k, v) {
      const old = data.get(k);
      data.set(k, String(v));
      if (quota !== undefined && size() > quota) {
        if (old === undefined) data.delete(k);
        else data.set(k, old);
        const err = new Error("quota");
        err.name = "QuotaExceededError";
        throw err;
      }
    },
    removeItem: (k) => data.delete(k),
  };
}

/** Timers on a fake clock: nothing runs until `advance(ms)`. */
function fakeTimers(start) {
  let now = start || 0;
  let seq = 0;
  const queue = [];
  const timers = {
    setTimeout(fn, ms) {
      const id = ++seq;
      queue.push({ id, at: now + Math.max(0, ms || 0), fn });
      return id;
    },
    clearTimeout(id) {
      const i = queue.findIndex((t) => t.id === id);
      if (i >= 0) queue.splice(i, 1);
    },
    now: () => now,
    /** Delays (ms from now) of what is scheduled. */
    pending: () => queue.map((t) => t.at - now).sort((a, b) => a - b),
    async advance(ms) {
      const end = now + ms;
      await settle();
      for (;;) {
        queue.sort((a, b) => a.at - b.at || a.id - b.id);
        const next = queue[0];
        if (!next || next.at > end) break;
        queue.shift();
        now = next.at;
        next.fn();
        await settle();
      }
      now = end;
      await settle();
    },
  };
  return timers;
}

/** Let every pending promise callback (and I/O-free async step) run. */
async function settle() {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * A scripted fetch: `reply(request)` -> {status, body} | "network" | "hold" (the answer waits
 * until `release(request)`). Every request is recorded with its parsed body.
 */
function fakeFetch(reply) {
  const requests = [];
  const held = [];
  async function fetch(url, init) {
    const u = new URL(url);
    const request = {
      url,
      method: init.method,
      path: u.pathname.replace(/^.*?\/lrs\//, ""),
      query: Object.fromEntries(u.searchParams),
      headers: init.headers || {},
      keepalive: !!init.keepalive,
      text: init.body === undefined ? undefined : String(init.body),
      body: undefined,
    };
    try {
      request.body = request.text === undefined ? undefined : JSON.parse(request.text);
    } catch (err) {
      request.body = request.text;
    }
    requests.push(request);
    let answer = reply ? reply(request) : null;
    if (answer === "hold") {
      answer = await new Promise((resolve) => held.push({ request, resolve }));
    }
    if (answer === "network") throw new TypeError("Failed to fetch");
    answer = answer || defaultAnswer(request);
    const text = answer.body === undefined ? "" : typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
    return {
      status: answer.status,
      headers: { get: (name) => (/content-type/i.test(name) ? "application/json" : null) },
      text: async () => text,
      json: async () => JSON.parse(text),
    };
  }
  fetch.requests = requests;
  fetch.held = held;
  /** Answer the held requests matching `which` (default: all) with `answer`. */
  fetch.release = (which, answer) => {
    for (let i = held.length - 1; i >= 0; i--) {
      if (!which || which(held[i].request)) {
        const h = held.splice(i, 1)[0];
        h.resolve(answer || null);
      }
    }
  };
  return fetch;
}

function defaultAnswer(request) {
  if (request.path === "statements" && request.method === "POST") {
    const batch = Array.isArray(request.body) ? request.body : [request.body];
    return { status: 200, body: batch.map((s) => s.id) };
  }
  if (request.method === "PUT") return { status: 204 };
  if (request.method === "GET") return { status: 404 };
  return { status: 200, body: {} };
}

/** A seeded generator (mulberry32): the same seed gives the same numbers. */
function seeded(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  next.pick = (list) => list[Math.floor(next() * list.length)];
  return next;
}

const COURSE_IRI = "https://courses.example.org/c1";

function baseConfig(extra) {
  return Object.assign(
    {
      course: { id: COURSE_IRI, iri: COURSE_IRI, language: "en", storageKey: "coursepack:node" },
      modules: [],
      target: { adapter: "none" },
      xapi: {
        version: "1.0.3",
        platform: "coursepack test",
        verbs: {
          initialized: "http://adlnet.gov/expapi/verbs/initialized",
          completed: "http://adlnet.gov/expapi/verbs/completed",
          terminated: "http://adlnet.gov/expapi/verbs/terminated",
          suspended: "http://adlnet.gov/expapi/verbs/suspended",
          experienced: "http://adlnet.gov/expapi/verbs/experienced",
        },
        registrationNamespace: "946453cb-af25-564b-9561-db36350f6320",
        cmi5: {
          category: "https://w3id.org/xapi/cmi5/context/categories/cmi5",
          moveOnCategory: "https://w3id.org/xapi/cmi5/context/categories/moveon",
        },
        lrs: null,
      },
    },
    extra || {}
  );
}

/**
 * A fresh fake window with `scripts` (names of files in the runtime folder, without .js) run
 * in it, in order, the way the page's <script> tags run them.
 */
function load(scripts, options) {
  const o = options || {};
  const win = {
    COURSEPACK_CONFIG: o.config || baseConfig(),
    localStorage: o.localStorage === undefined ? memoryStorage() : o.localStorage,
    sessionStorage: o.sessionStorage === undefined ? memoryStorage() : o.sessionStorage,
    location: Object.assign({ search: "", hash: "", href: "http://127.0.0.1/content/index.html" }, o.location || {}),
    document: { visibilityState: "visible" },
    console: { info() {}, warn() {}, error() {}, log() {} },
    crypto: globalThis.crypto,
    fetch: o.fetch,
    URL,
    URLSearchParams,
    setTimeout,
    clearTimeout,
    addEventListener() {},
  };
  win.window = win;
  Object.assign(win, o.window || {});
  for (const name of scripts) {
    const file = path.join(RUNTIME, name + ".js");
    const source = fs.readFileSync(file, "utf8");
    new Function("window", source + "\n//# sourceURL=" + file)(win);
  }
  return win;
}

module.exports = { RUNTIME, memoryStorage, fakeTimers, fakeFetch, seeded, settle, load, baseConfig, COURSE_IRI };
