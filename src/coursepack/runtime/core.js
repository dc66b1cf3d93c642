/*
 * coursepack runtime core: window.Coursepack
 *
 * Plain JavaScript, no dependencies, no build step, no modules, no network requests: it runs
 * from file://, a plain web server or any LMS frame. It reads window.COURSEPACK_CONFIG
 * (coursepack-config.js, written by the build) and owns the learner's state, the page's
 * behaviour, the completion rule, an event bus and the adapter registry. See docs/runtime.md.
 *
 * Scripts load in this order: coursepack-config.js, core.js, xapi.js (if any), adapter-*.js.
 * Core boots on DOMContentLoaded, after every script has registered itself.
 *
 * ADAPTER INTERFACE (one per standard: scorm12, scorm2004, tincan, cmi5)
 *
 *   Coursepack.registerAdapter(name, function factory(ctx) { return adapter; })
 *
 *   The adapter named by config.target.adapter is used. ctx holds:
 *     ctx.config                the runtime configuration
 *     ctx.util                  helpers (scormTimespan, isoDuration, clockTime, truncate,
 *                               safeId, singleLine, hash)
 *     ctx.packState(state, limit) -> {text, omitted:[taskKey]}   compact state within limit
 *     ctx.unpackState(text)     -> state | null
 *     ctx.log(level, message, data)     level: "debug" | "info" | "warn" | "error"
 *     ctx.reportError(code, detail)     show the learner a (deduplicated) saving problem
 *     ctx.now()                 ms since epoch (Coursepack.now, replaceable in tests)
 *
 *   Every method may return a value or a Promise; core never lets an adapter's exception
 *   break the page.
 *     start()  -> {connected, resumed, state, learner: {id, name} | null, completed, failed}
 *                 connected=false: no LMS/LRS (core runs in local mode and says so);
 *                 failed=true: an LMS was found but could not be started.
 *                 ended=true: the LMS session is over (a cmi5 AU reloaded after terminated).
 *                 state: what the standard's storage held (from unpackState), or null.
 *     save(state) -> {ok, omitted: [taskKey]}   persist the state (suspend data, bookmark);
 *                 omitted = TASKs whose reflection text did not fit (kept on the device).
 *     recordTask(item, response, info)  a TASK was completed (again): info = {attempt,
 *                 durationMs, timestamp (ISO), revised}. item is the config item entry.
 *     recordItem(item, info)            optional: a READ/WATCH was opened.
 *     setProgress({completed, progressMeasure, done, total})
 *     commit()                          ask the LMS to persist now
 *     finish(info)                      end the session once: info = {completed, reason:
 *                 "suspend" | "terminate", durationMs, trigger: "exit" | "pagehide"}
 *
 * EVENTS: Coursepack.on(type, fn) / Coursepack.off(type, fn); every payload has
 *   timestamp (ISO 8601) and the config entries (with iri and definition) it concerns.
 *     session:start      {resumed, connected, learner, mode: "lms" | "local"}
 *     section:opened     {section, module}
 *     item:opened        {item, section, module, first}
 *     task:completed     {item, section, module, response, durationMs, attempt, revised}
 *     section:completed  {section, module}
 *     module:completed   {module}
 *     course:completed   {durationMs, done, total}
 *     progress           {done, total, progressMeasure, completed}
 *     state:saved        {omitted: [taskKey], connected}
 *     session:end        {completed, reason: "suspend" | "terminate", durationMs, trigger}
 *   Coursepack.onHidden(fn): fn({reason: "hidden" | "pagehide"}) whenever the page is hidden
 *   or dismissed, after core has saved and committed: the place to flush an outbox.
 */
(function (window, document) {
  "use strict";

  var config = window.COURSEPACK_CONFIG;
  if (!config || typeof config !== "object") {
    throw new Error("coursepack: coursepack-config.js did not load");
  }

  var STATE_VERSION = 1;
  var strings = config.strings || {};
  var target = config.target || {};
  var courseConf = config.course || {};

  // ---------------------------------------------------------------------------------------
  // Utilities

  function has(obj, key) {
    return Object.prototype.hasOwnProperty.call(obj, key);
  }

  function format(template, values) {
    return String(template).replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, function (m, name) {
      return values && has(values, name) ? String(values[name]) : m;
    });
  }

  function t(key, values) {
    if (!has(strings, key)) {
      log("warn", "missing learner-facing string", key);
      return key;
    }
    return format(strings[key], values);
  }

  function pad(n, width) {
    var s = String(n);
    while (s.length < width) s = "0" + s;
    return s;
  }

  var util = {
    format: format,
    pad: pad,
    /** SCORM 1.2 CMITimespan: HHHH:MM:SS.SS */
    scormTimespan: function (ms) {
      var cs = Math.max(0, Math.round((ms || 0) / 10));
      var h = Math.floor(cs / 360000);
      var m = Math.floor((cs % 360000) / 6000);
      var s = Math.floor((cs % 6000) / 100);
      if (h > 9999) {
        h = 9999;
        m = 59;
        s = 59;
        cs = 99;
      }
      return pad(h, 4) + ":" + pad(m, 2) + ":" + pad(s, 2) + "." + pad(cs % 100, 2);
    },
    /** ISO 8601 duration (SCORM 2004 timeinterval, xAPI result.duration): PT1H2M3.45S */
    isoDuration: function (ms) {
      var cs = Math.max(0, Math.round((ms || 0) / 10));
      var h = Math.floor(cs / 360000);
      var m = Math.floor((cs % 360000) / 6000);
      var s = (cs % 6000) / 100;
      var out = "PT";
      if (h) out += h + "H";
      if (m) out += m + "M";
      return out + (Math.round(s * 100) / 100) + "S";
    },
    /** CMITime, time of day: HH:MM:SS */
    clockTime: function (date) {
      var d = date || new Date(Coursepack.now());
      return pad(d.getHours(), 2) + ":" + pad(d.getMinutes(), 2) + ":" + pad(d.getSeconds(), 2);
    },
    /** At most max UTF-16 units, never splitting a surrogate pair. */
    truncate: function (text, max) {
      text = String(text);
      if (max === undefined || max === null || text.length <= max) return text;
      var cut = text.slice(0, max);
      var last = cut.charCodeAt(cut.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
      return cut;
    },
    /** One line: line breaks (which CMIString255-type checks reject) become spaces. */
    singleLine: function (text) {
      return String(text).replace(/[\r\n\u2028\u2029\t]+/g, " ");
    },
    /** An identifier whose characters all match the class `pattern` (e.g. "[A-Za-z0-9_-]"). */
    safeId: function (text, pattern, max) {
      var allowed = new RegExp(pattern || "[A-Za-z0-9_-]");
      var out = "";
      for (var i = 0; i < text.length; i++) {
        var c = text.charAt(i);
        out += allowed.test(c) ? c : "_";
      }
      return util.truncate(out, max || 255);
    },
    /** FNV-1a 32-bit hash as 8 hex digits (not cryptographic: used to name storage keys). */
    hash: function (text) {
      var h = 0x811c9dc5;
      for (var i = 0; i < text.length; i++) {
        h ^= text.charCodeAt(i);
        h = (h + ((h << 1) + (h << 4) + (h << 7) + (h << 8) + (h << 24))) >>> 0;
      }
      return pad(h.toString(16), 8);
    },
    iso: function (ms) {
      return new Date(ms === undefined ? Coursepack.now() : ms).toISOString();
    },
  };

  var logBuffer = [];

  function log(level, message, data) {
    var entry = { level: level, message: message, data: data, time: Date.now() };
    logBuffer.push(entry);
    if (logBuffer.length > 500) logBuffer.shift();
    if ((level === "error" || level === "warn") && window.console) {
      (window.console[level] || window.console.log).call(window.console, "coursepack: " + message, data === undefined ? "" : data);
    }
  }

  // ---------------------------------------------------------------------------------------
  // The course, indexed from the configuration

  var modules = config.modules || [];
  // Scope: a launch URL ?<target.moduleParam>=<module id> (one cmi5 AU per module) shows,
  // tracks and completes that module only; its state is kept apart from the others'.
  var scope = (function () {
    var param = target.moduleParam;
    if (!param || !window.URLSearchParams) return null;
    var id = new window.URLSearchParams(window.location.search).get(param);
    for (var i = 0; i < modules.length; i++) if (modules[i].id === id) return id;
    return null;
  })();
  if (scope) {
    modules = modules.filter(function (m) {
      return m.id === scope;
    });
    courseConf = Object.assign({}, courseConf, { storageKey: (courseConf.storageKey || "coursepack") + ":" + scope });
  }
  var sectionList = [];
  var itemsByKey = {};
  var sectionsByKey = {};
  var tasks = [];
  var allItems = [];
  modules.forEach(function (module) {
    module.sections.forEach(function (section) {
      sectionList.push(section);
      sectionsByKey[section.key] = section;
      section.items.forEach(function (item) {
        itemsByKey[item.key] = item;
        allItems.push(item);
        if (item.kind === "task") tasks.push(item);
      });
    });
  });

  function moduleOf(section) {
    for (var i = 0; i < modules.length; i++) {
      if (modules[i].sections.indexOf(section) >= 0) return modules[i];
    }
    return null;
  }

  function sectionOfItem(item) {
    for (var i = 0; i < sectionList.length; i++) {
      if (sectionList[i].items.indexOf(item) >= 0) return sectionList[i];
    }
    return null;
  }

  // What completes the course (or the one module in scope): decided by the build
  // (coursepack.completion), the same list the report counts.
  var countedKeys = {};
  (scope ? modules[0].counted : courseConf.counted || []).forEach(function (key) {
    countedKeys[key] = true;
  });

  // ---------------------------------------------------------------------------------------
  // State: { section, opened: {key: ms}, tasks: {key: {text, done, attempts, savedAt, doneAt,
  //          len, missing}}, completedAt }

  function emptyState() {
    return { v: STATE_VERSION, section: null, opened: {}, tasks: {}, completedAt: 0 };
  }

  function taskState(key) {
    var ts = state.tasks[key];
    if (!ts) {
      ts = state.tasks[key] = { text: "", done: false, attempts: 0, savedAt: 0, doneAt: 0 };
    }
    return ts;
  }

  /** Keep only keys this course knows; coerce types (state may come from an older package). */
  function cleanState(raw) {
    var s = emptyState();
    if (!raw || typeof raw !== "object") return s;
    if (typeof raw.section === "string" && has(sectionsByKey, raw.section)) s.section = raw.section;
    var key;
    if (raw.opened && typeof raw.opened === "object") {
      for (key in raw.opened) {
        if (has(raw.opened, key) && has(itemsByKey, key)) s.opened[key] = Number(raw.opened[key]) || 1;
      }
    }
    if (raw.tasks && typeof raw.tasks === "object") {
      for (key in raw.tasks) {
        if (!has(raw.tasks, key) || !has(itemsByKey, key)) continue;
        var r = raw.tasks[key] || {};
        var ts = {
          text: typeof r.text === "string" ? r.text : "",
          done: !!r.done,
          attempts: Math.max(0, parseInt(r.attempts, 10) || 0),
          savedAt: Number(r.savedAt) || 0,
          doneAt: Number(r.doneAt) || 0,
        };
        if (typeof r.text !== "string" && r.len > 0) {
          ts.len = r.len; // the text exists but is stored elsewhere (see packState)
          ts.missing = true;
        }
        if (ts.done && !ts.attempts) ts.attempts = 1;
        s.tasks[key] = ts;
      }
    }
    s.completedAt = Number(raw.completedAt) || 0;
    return s;
  }

  // ---------------------------------------------------------------------------------------
  // Packing the state into a size budget (SCORM suspend_data and the like)
  //
  // Compact JSON: {"v":1,"s":"mod/sec","o":{"mod":"item item"},"t":{"mod":{"item":[done,
  // attempts, savedAt (base-36 seconds), length, text?]}},"c":completedAt}. The skeleton
  // (bookmark, opened items, task flags) always goes in; reflection texts are then added,
  // completed tasks first, shortest first, while the whole stays within the limit. A task
  // whose text did not fit keeps its length (so the next launch knows a text exists) and is
  // reported in `omitted`; core keeps every text whole in the device copy.

  function b36(ms) {
    return ms ? Math.floor(ms / 1000).toString(36) : "0";
  }

  function fromB36(text) {
    var n = parseInt(text, 36);
    return n ? n * 1000 : 0;
  }

  function splitKey(key) {
    var i = key.indexOf("/");
    return [key.slice(0, i), key.slice(i + 1)];
  }

  function packState(st, limit) {
    var compact = { v: STATE_VERSION };
    if (st.section) compact.s = st.section;
    var opened = {};
    var anyOpened = false;
    allItems.forEach(function (item) {
      if (item.kind !== "task" && st.opened[item.key]) {
        var p = splitKey(item.key);
        opened[p[0]] = opened[p[0]] ? opened[p[0]] + " " + p[1] : p[1];
        anyOpened = true;
      }
    });
    if (anyOpened) compact.o = opened;
    var entries = [];
    var taskMap = {};
    var anyTask = false;
    tasks.forEach(function (item, index) {
      var ts = st.tasks[item.key];
      if (!ts) return;
      var text = typeof ts.text === "string" ? ts.text : "";
      var length = ts.missing ? ts.len || 0 : text.length;
      if (!ts.done && !length) return;
      var p = splitKey(item.key);
      var entry = [ts.done ? 1 : 0, ts.attempts || 0, b36(ts.savedAt), length];
      taskMap[p[0]] = taskMap[p[0]] || {};
      taskMap[p[0]][p[1]] = entry;
      anyTask = true;
      if (!ts.missing && text.length) {
        entries.push({ key: item.key, entry: entry, text: text, done: ts.done, index: index });
      }
    });
    if (anyTask) compact.t = taskMap;
    if (st.completedAt) compact.c = b36(st.completedAt);

    var skeleton = JSON.stringify(compact);
    if (limit && skeleton.length > limit) {
      // Pathological: even the skeleton is too big. Keep the bookmark and the tasks' flags.
      delete compact.o;
      skeleton = JSON.stringify(compact);
      if (skeleton.length > limit) {
        compact = { v: STATE_VERSION, s: st.section || undefined };
        skeleton = JSON.stringify(compact);
      }
      log("warn", "state skeleton over the limit; item progress dropped", limit);
    }
    var size = skeleton.length;
    entries.sort(function (a, b) {
      if (a.done !== b.done) return a.done ? -1 : 1;
      if (a.text.length !== b.text.length) return a.text.length - b.text.length;
      return a.index - b.index;
    });
    var omitted = [];
    entries.forEach(function (e) {
      var extra = JSON.stringify(e.text).length + 1; // ,"text"
      if (!limit || size + extra <= limit) {
        e.entry.push(e.text);
        size += extra;
      } else {
        omitted.push(e.key);
      }
    });
    var text = JSON.stringify(compact);
    while (limit && text.length > limit) {
      // Never expected (sizes are exact), but never exceed the limit either.
      var dropped = null;
      for (var i = entries.length - 1; i >= 0; i--) {
        if (e2text(entries[i])) {
          dropped = entries[i];
          break;
        }
      }
      if (!dropped) break;
      dropped.entry.pop();
      omitted.push(dropped.key);
      text = JSON.stringify(compact);
    }
    if (limit && text.length > limit) text = JSON.stringify({ v: STATE_VERSION });
    omitted.sort();
    return { text: text, omitted: omitted };
  }

  function e2text(e) {
    return e.entry.length === 5;
  }

  function unpackState(text) {
    if (!text) return null;
    var c;
    try {
      c = JSON.parse(text);
    } catch (err) {
      log("warn", "saved state is not readable; starting afresh", String(err));
      return null;
    }
    if (!c || typeof c !== "object" || c.v !== STATE_VERSION) return null;
    var st = { section: c.s || null, opened: {}, tasks: {}, completedAt: c.c ? fromB36(c.c) : 0 };
    var mod, rest;
    if (c.o && typeof c.o === "object") {
      for (mod in c.o) {
        if (!has(c.o, mod)) continue;
        String(c.o[mod]).split(" ").forEach(function (id) {
          if (id) st.opened[mod + "/" + id] = 1;
        });
      }
    }
    if (c.t && typeof c.t === "object") {
      for (mod in c.t) {
        if (!has(c.t, mod) || !c.t[mod] || typeof c.t[mod] !== "object") continue;
        for (rest in c.t[mod]) {
          if (!has(c.t[mod], rest)) continue;
          var e = c.t[mod][rest];
          if (!e || typeof e.length !== "number") continue;
          var ts = { done: e[0] === 1, attempts: e[1] || 0, savedAt: fromB36(e[2]), doneAt: 0 };
          if (typeof e[4] === "string") ts.text = e[4];
          else ts.len = e[3] || 0;
          st.tasks[mod + "/" + rest] = ts;
        }
      }
    }
    return st;
  }

  // ---------------------------------------------------------------------------------------
  // The device copy (localStorage): the whole state, reflections included

  var deviceKey = null;
  var storageOk = true;

  function storage() {
    try {
      var s = window.localStorage;
      var probe = (courseConf.storageKey || "coursepack") + ":probe";
      s.setItem(probe, "1");
      s.removeItem(probe);
      return s;
    } catch (err) {
      return null;
    }
  }

  function readDevice() {
    var s = storage();
    if (!s || !deviceKey) return null;
    try {
      var raw = JSON.parse(s.getItem(deviceKey) || "null");
      return raw && raw.v === STATE_VERSION ? raw : null;
    } catch (err) {
      return null;
    }
  }

  function writeDevice() {
    var s = storage();
    if (!s || !deviceKey) {
      storageOk = false;
      return false;
    }
    try {
      var copy = JSON.parse(JSON.stringify(state));
      copy.v = STATE_VERSION;
      copy.updatedAt = Coursepack.now();
      s.setItem(deviceKey, JSON.stringify(copy));
      storageOk = true;
      return true;
    } catch (err) {
      storageOk = false;
      log("warn", "could not save in this browser", String(err));
      return false;
    }
  }

  // ---------------------------------------------------------------------------------------
  // Event bus and adapter registry

  var listeners = {};
  var hiddenHooks = [];
  var factories = {};

  function on(type, fn) {
    (listeners[type] = listeners[type] || []).push(fn);
    return fn;
  }

  function off(type, fn) {
    var list = listeners[type] || [];
    var i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
  }

  function emit(type, detail) {
    detail = detail || {};
    detail.type = type;
    if (!detail.timestamp) detail.timestamp = util.iso();
    log("debug", "event " + type, detail);
    (listeners[type] || []).slice().forEach(function (fn) {
      try {
        fn(detail);
      } catch (err) {
        log("error", "listener for " + type + " failed", String(err && err.stack || err));
      }
    });
    (listeners["*"] || []).slice().forEach(function (fn) {
      try {
        fn(detail);
      } catch (err) {
        log("error", "listener for * failed", String(err));
      }
    });
  }

  // ---------------------------------------------------------------------------------------
  // Runtime state

  var state = emptyState();
  var adapter = null;
  var session = {
    connected: false,
    mode: "local",
    started: false,
    ended: false,
    startMs: 0,
    learner: null,
    resumed: false,
  };
  var omittedNow = {};
  var sectionDone = {};
  var moduleDone = {};
  var courseDone = false;
  var taskStartMs = {};
  var sectionShownMs = {};
  var reportedErrors = {};

  function call(method, args) {
    if (!adapter || typeof adapter[method] !== "function") return Promise.resolve(undefined);
    try {
      return Promise.resolve(adapter[method].apply(adapter, args || [])).catch(function (err) {
        log("error", "adapter." + method + " failed", String(err && err.stack || err));
        return undefined;
      });
    } catch (err) {
      log("error", "adapter." + method + " threw", String(err && err.stack || err));
      return Promise.resolve(undefined);
    }
  }

  function snapshot() {
    return JSON.parse(JSON.stringify(state));
  }

  /** Save everywhere: the device copy now, the adapter's store (and commit if asked). */
  function persist(commit) {
    writeDevice();
    if (!session.connected || session.ended) {
      if (session.connected && session.ended) notice("ended", t("notice.ended"), "warning");
      refreshNotes();
      return Promise.resolve();
    }
    return call("save", [snapshot()]).then(function (result) {
      omittedNow = {};
      ((result && result.omitted) || []).forEach(function (key) {
        omittedNow[key] = true;
      });
      refreshNotes();
      emit("state:saved", { omitted: Object.keys(omittedNow).sort(), connected: true });
      if (commit) return call("commit");
      return undefined;
    });
  }

  // ---------------------------------------------------------------------------------------
  // Completion

  function itemDone(item) {
    if (item.kind === "task") {
      var ts = state.tasks[item.key];
      return !!(ts && ts.done);
    }
    return !!state.opened[item.key];
  }

  function counted(item) {
    return has(countedKeys, item.key);
  }

  var countsOnlyTasks = allItems.some(counted) && allItems.every(function (item) {
    return !counted(item) || item.kind === "task";
  });

  function itemsComplete(items) {
    for (var i = 0; i < items.length; i++) {
      if (counted(items[i]) && !itemDone(items[i])) return false;
    }
    return true;
  }

  /** A section is complete when its counted items are; one without any (readings only, under
   *  "all-tasks") when its items have been opened; an empty one once shown. */
  function sectionComplete(section) {
    if (section.items.some(counted)) return itemsComplete(section.items);
    if (section.items.length) return section.items.every(itemDone);
    return !!sectionShownMs[section.key] || state.section === section.key;
  }

  function moduleComplete(module) {
    var keys = module.counted || [];
    for (var i = 0; i < keys.length; i++) {
      if (!has(itemsByKey, keys[i]) || !itemDone(itemsByKey[keys[i]])) return false;
    }
    return true;
  }

  function progress() {
    var total = 0;
    var done = 0;
    allItems.forEach(function (item) {
      if (!counted(item)) return;
      total++;
      if (itemDone(item)) done++;
    });
    return { done: done, total: total, progressMeasure: total ? done / total : 1, completed: total ? done === total : false };
  }

  /** Recompute completion; emit events for what became complete (when `announce`). */
  function evaluate(announce) {
    var p = progress();
    sectionList.forEach(function (section) {
      var now = sectionComplete(section);
      if (now && !sectionDone[section.key] && announce) {
        emit("section:completed", { section: section, module: moduleOf(section) });
      }
      sectionDone[section.key] = now;
    });
    modules.forEach(function (module) {
      var now = moduleComplete(module);
      if (now && !moduleDone[module.id] && announce) emit("module:completed", { module: module });
      moduleDone[module.id] = now;
    });
    var becameComplete = p.completed && !courseDone;
    courseDone = p.completed;
    if (becameComplete && !state.completedAt) state.completedAt = Coursepack.now();
    renderProgress(p);
    emit("progress", p);
    call("setProgress", [{ completed: p.completed, progressMeasure: p.progressMeasure, done: p.done, total: p.total }]);
    if (becameComplete && announce) {
      emit("course:completed", { durationMs: Coursepack.now() - session.startMs, done: p.done, total: p.total });
    }
    return p;
  }

  // ---------------------------------------------------------------------------------------
  // The page

  var dom = { sections: {}, items: {}, links: {} };

  function qsa(root, selector) {
    return Array.prototype.slice.call(root.querySelectorAll(selector));
  }

  function indexDom() {
    qsa(document, "[data-cp-section]").forEach(function (el) {
      var key = el.getAttribute("data-cp-section");
      if (has(sectionsByKey, key)) dom.sections[key] = el;
      else el.hidden = true; // another module's, out of scope
    });
    qsa(document, "[data-cp-item]").forEach(function (el) {
      dom.items[el.getAttribute("data-cp-item")] = el;
    });
    qsa(document, "[data-cp-section-link]").forEach(function (el) {
      var key = el.getAttribute("data-cp-section-link");
      if (has(sectionsByKey, key)) dom.links[key] = el;
      else (el.closest(".cp-toc__module") || el).hidden = true;
    });
    qsa(document, "[data-cp-goto]").forEach(function (el) {
      if (!sectionByDomId(el.getAttribute("data-cp-goto"))) el.hidden = true;
    });
    dom.notices = document.querySelector("[data-cp-notices]");
    dom.progress = document.querySelector("[data-cp-progress]");
    dom.banner = document.querySelector("[data-cp-complete-banner]");
    dom.exit = document.querySelector("[data-cp-exit]");
    dom.toc = document.querySelector("[data-cp-toc]");
    dom.tocToggle = document.querySelector("[data-cp-toc-toggle]");
  }

  function sectionByDomId(id) {
    for (var key in dom.sections) {
      if (has(dom.sections, key) && dom.sections[key].id === id) return sectionsByKey[key] || null;
    }
    return null;
  }

  function renderProgress(p) {
    if (!dom.progress) return;
    var text = t(countsOnlyTasks ? "progress.tasks" : "progress.items", { done: p.done, total: p.total });
    var textEl = dom.progress.querySelector(".cp-progress__text");
    var bar = dom.progress.querySelector("[role=progressbar]");
    var fill = dom.progress.querySelector("[data-cp-progress-fill]");
    if (textEl) textEl.textContent = text;
    if (bar) {
      bar.setAttribute("aria-valuemax", String(p.total));
      bar.setAttribute("aria-valuenow", String(p.done));
      bar.setAttribute("aria-valuetext", text);
    }
    if (fill) fill.style.width = Math.round(p.progressMeasure * 1000) / 10 + "%";
    if (p.completed) dom.progress.setAttribute("data-complete", "");
    else dom.progress.removeAttribute("data-complete");
    if (dom.banner) dom.banner.hidden = !p.completed;
    sectionList.forEach(function (section) {
      var done = sectionComplete(section);
      var link = dom.links[section.key];
      if (link) {
        if (done) link.setAttribute("data-done", "");
        else link.removeAttribute("data-done");
        var st = link.querySelector("[data-cp-toc-state]");
        if (st) {
          var parts = [];
          if (done) parts.push(t("toc.completed"));
          if (state.section === section.key) parts.push(t("toc.current"));
          st.textContent = parts.join(" ");
        }
      }
      var el = dom.sections[section.key];
      var badge = el && el.querySelector("[data-cp-section-done]");
      if (badge) badge.hidden = !(done && section.items.some(counted));
    });
  }

  function renderItem(key) {
    var item = itemsByKey[key];
    var el = dom.items[key];
    if (!item || !el) return;
    var status = el.querySelector("[data-cp-status]");
    var done = itemDone(item);
    if (done) el.setAttribute("data-done", "");
    else el.removeAttribute("data-done");
    if (item.kind !== "task") {
      if (status) status.textContent = done ? t(item.kind === "watch" ? "status.watched" : "status.viewed") : t("status.notOpened");
      return;
    }
    var ts = state.tasks[key] || { text: "", done: false };
    var input = el.querySelector("[data-cp-input]");
    var button = el.querySelector("[data-cp-complete]");
    if (input && input.value !== (ts.text || "") && document.activeElement !== input) input.value = ts.text || "";
    if (status) status.textContent = ts.done ? t("status.completed") : ts.text ? t("status.inProgress") : t("status.notStarted");
    if (button) button.textContent = ts.done ? t("task.update") : t("task.complete");
    refreshNote(key);
  }

  function refreshNote(key) {
    var el = dom.items[key];
    var note = el && el.querySelector("[data-cp-note]");
    if (!note) return;
    var ts = state.tasks[key];
    var message = "";
    if (ts && ts.missing) message = t("task.missingHere");
    else if (ts && omittedNow[key] && ts.text) {
      message = t(config.xapi && config.xapi.lrs ? "task.savedDeviceAndLrs" : "task.savedDeviceOnly");
    }
    note.textContent = message;
    note.hidden = !message;
  }

  function refreshNotes() {
    tasks.forEach(function (item) {
      refreshNote(item.key);
    });
  }

  function notice(id, text, kind) {
    if (!dom.notices) return;
    var existing = dom.notices.querySelector('[data-notice="' + id + '"]');
    if (existing) {
      existing.querySelector(".cp-notice__text").textContent = text;
      return;
    }
    var tpl = document.getElementById("cp-notice-template");
    var node;
    if (tpl && tpl.content) {
      node = tpl.content.firstElementChild.cloneNode(true);
    } else {
      node = document.createElement("div");
      node.className = "cp-notice";
      node.innerHTML = '<p class="cp-notice__text"></p>';
    }
    node.setAttribute("data-notice", id);
    if (kind) node.className += " cp-notice--" + kind;
    node.querySelector(".cp-notice__text").textContent = text;
    var dismiss = node.querySelector(".cp-notice__dismiss");
    if (dismiss) {
      dismiss.addEventListener("click", function () {
        node.parentNode.removeChild(node);
        var main = document.getElementById("cp-main");
        if (main) main.focus();
      });
    }
    dom.notices.appendChild(node);
  }

  function currentSection() {
    return sectionsByKey[state.section] || sectionList[0] || null;
  }

  function showSection(section, opts) {
    opts = opts || {};
    if (!section) return;
    var changed = state.section !== section.key;
    state.section = section.key;
    for (var key in dom.sections) {
      if (has(dom.sections, key)) dom.sections[key].hidden = key !== section.key;
    }
    for (var lk in dom.links) {
      if (!has(dom.links, lk)) continue;
      if (lk === section.key) dom.links[lk].setAttribute("aria-current", "location");
      else dom.links[lk].removeAttribute("aria-current");
    }
    var el = dom.sections[section.key];
    if (opts.updateHash && el && window.history && window.history.replaceState) {
      try {
        window.history.replaceState(null, "", "#" + el.id);
      } catch (err) {
        /* some sandboxed frames refuse; the hash is a convenience only */
      }
    }
    if (opts.focus && el) {
      window.scrollTo(0, 0);
      var heading = el.querySelector(".cp-section__title");
      if (heading) heading.focus({ preventScroll: true });
    }
    if (!sectionShownMs[section.key]) sectionShownMs[section.key] = Coursepack.now();
    if (dom.toc && isNarrow()) collapseToc(true);
    if (changed || opts.initial) {
      emit("section:opened", { section: section, module: moduleOf(section) });
      var p = evaluate(!opts.initial);
      if (!opts.initial) persist(true);
      return p;
    }
    return null;
  }

  function isNarrow() {
    return !!(window.matchMedia && window.matchMedia("(max-width: 56rem)").matches);
  }

  function collapseToc(collapsed) {
    if (!dom.toc || !dom.tocToggle) return;
    if (collapsed) dom.toc.setAttribute("data-collapsed", "");
    else dom.toc.removeAttribute("data-collapsed");
    dom.tocToggle.setAttribute("aria-expanded", collapsed ? "false" : "true");
  }

  function markOpened(key) {
    var item = itemsByKey[key];
    if (!item || item.kind === "task") return;
    var first = !state.opened[key];
    if (first) state.opened[key] = Coursepack.now();
    var section = sectionOfItem(item);
    emit("item:opened", { item: item, section: section, module: moduleOf(section), first: first });
    call("recordItem", [item, { first: first, timestamp: util.iso() }]);
    renderItem(key);
    if (first) {
      evaluate(true);
      persist(true);
    }
  }

  function playVideo(button, key) {
    var embed = button.getAttribute("data-embed") || "";
    // Only the embed URLs the build made (privacy-enhanced YouTube, Vimeo player).
    if (!/^https:\/\/(www\.youtube-nocookie\.com\/embed\/|player\.vimeo\.com\/video\/)/.test(embed)) return;
    var frame = document.createElement("iframe");
    frame.src = embed + (embed.indexOf("?") >= 0 ? "&" : "?") + "autoplay=1";
    frame.title = button.getAttribute("data-frame-title") || "";
    frame.setAttribute("allow", "autoplay; encrypted-media; picture-in-picture; fullscreen");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    var box = button.parentNode;
    box.replaceChild(frame, button);
    frame.focus();
    markOpened(key);
  }

  var draftTimers = {};

  function onInput(key, input) {
    var ts = taskState(key);
    if (!taskStartMs[key]) taskStartMs[key] = Coursepack.now();
    ts.text = input.value;
    ts.savedAt = Coursepack.now();
    if (ts.missing) {
      delete ts.missing;
      delete ts.len;
    }
    var el = dom.items[key];
    var saved = el && el.querySelector("[data-cp-saved]");
    var error = el && el.querySelector("[data-cp-error]");
    if (error && !error.hidden && input.value.trim()) {
      error.hidden = true;
      input.removeAttribute("aria-invalid");
    }
    if (saved) saved.textContent = ts.done ? t("status.unsaved") : "";
    clearTimeout(draftTimers[key]);
    draftTimers[key] = setTimeout(function () {
      writeDevice();
      if (saved && !ts.done) saved.textContent = t("status.draftSaved");
    }, 600);
  }

  function completeTask(key) {
    var item = itemsByKey[key];
    var el = dom.items[key];
    if (!item || !el) return;
    var input = el.querySelector("[data-cp-input]");
    var error = el.querySelector("[data-cp-error]");
    var saved = el.querySelector("[data-cp-saved]");
    var text = input ? input.value : "";
    if (!text.trim()) {
      if (error) error.hidden = false;
      if (input) {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", [error && error.id, input.getAttribute("aria-describedby")].filter(Boolean).join(" "));
        input.focus();
      }
      return;
    }
    var ts = taskState(key);
    var revised = ts.done;
    if (revised && ts.text === text && ts.recorded === text) {
      if (saved) saved.textContent = t("status.changesSaved");
      return;
    }
    var nowMs = Coursepack.now();
    ts.text = text;
    ts.savedAt = nowMs;
    ts.done = true;
    ts.doneAt = nowMs;
    ts.attempts = (ts.attempts || 0) + 1;
    ts.recorded = text;
    delete ts.missing;
    delete ts.len;
    var started = taskStartMs[key] || sectionShownMs[(sectionOfItem(item) || {}).key] || session.startMs;
    var durationMs = Math.max(0, nowMs - started);
    taskStartMs[key] = nowMs;
    var section = sectionOfItem(item);
    var info = { attempt: ts.attempts, durationMs: durationMs, timestamp: util.iso(nowMs), revised: revised };
    emit("task:completed", {
      item: item,
      section: section,
      module: moduleOf(section),
      response: text,
      durationMs: durationMs,
      attempt: ts.attempts,
      revised: revised,
      timestamp: info.timestamp,
    });
    call("recordTask", [item, text, info]);
    renderItem(key);
    if (saved) saved.textContent = revised ? t("status.changesSaved") : "";
    evaluate(true);
    persist(true);
  }

  function wire() {
    document.documentElement.className += " cp-js";
    document.addEventListener("click", function (ev) {
      var target = ev.target;
      if (!target || !target.closest) return;
      var link = target.closest("[data-cp-section-link], [data-cp-goto]");
      if (link) {
        var section = link.hasAttribute("data-cp-section-link")
          ? sectionsByKey[link.getAttribute("data-cp-section-link")]
          : sectionByDomId(link.getAttribute("data-cp-goto"));
        if (section && !(ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button > 0)) {
          ev.preventDefault();
          showSection(section, { focus: true, updateHash: true });
        }
        return;
      }
      var opener = target.closest("[data-cp-open]");
      if (opener) {
        var card = opener.closest("[data-cp-item]");
        if (card) markOpened(card.getAttribute("data-cp-item"));
        return;
      }
      var play = target.closest("[data-cp-play]");
      if (play) {
        var wcard = play.closest("[data-cp-item]");
        if (wcard) playVideo(play, wcard.getAttribute("data-cp-item"));
        return;
      }
      var complete = target.closest("[data-cp-complete]");
      if (complete) {
        var tcard = complete.closest("[data-cp-item]");
        if (tcard) completeTask(tcard.getAttribute("data-cp-item"));
        return;
      }
      if (target.closest("[data-cp-toc-toggle]")) {
        collapseToc(dom.tocToggle.getAttribute("aria-expanded") === "true");
        return;
      }
      if (target.closest("[data-cp-exit]")) {
        exit();
      }
    });
    // middle-click opens a link in a new tab too
    document.addEventListener("auxclick", function (ev) {
      var opener = ev.target && ev.target.closest && ev.target.closest("[data-cp-open]");
      var card = opener && opener.closest("[data-cp-item]");
      if (card && ev.button === 1) markOpened(card.getAttribute("data-cp-item"));
    });
    qsa(document, "[data-cp-media]").forEach(function (video) {
      video.addEventListener("play", function () {
        var card = video.closest("[data-cp-item]");
        if (card) markOpened(card.getAttribute("data-cp-item"));
      });
    });
    qsa(document, "[data-cp-input]").forEach(function (input) {
      var card = input.closest("[data-cp-item]");
      if (!card) return;
      var key = card.getAttribute("data-cp-item");
      input.addEventListener("focus", function () {
        if (!taskStartMs[key]) taskStartMs[key] = Coursepack.now();
      });
      input.addEventListener("input", function () {
        onInput(key, input);
      });
      // leaving the field saves the draft with the rest of the state (no commit per keystroke)
      input.addEventListener("change", function () {
        renderItem(key);
        persist(false);
      });
    });
    window.addEventListener("hashchange", function () {
      var section = sectionByDomId(decodeURIComponent(window.location.hash.slice(1)));
      if (section && section.key !== state.section) showSection(section, { focus: true });
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") hidden("hidden");
    });
    window.addEventListener("pagehide", function () {
      hidden("pagehide");
      end("pagehide");
    });
    // older browsers without pagehide
    window.addEventListener("unload", function () {
      end("pagehide");
    });
    if (dom.toc && isNarrow()) collapseToc(true);
  }

  function hidden(reason) {
    Object.keys(draftTimers).forEach(function (key) {
      clearTimeout(draftTimers[key]);
    });
    if (session.started && !session.ended) {
      writeDevice();
      // On pagehide, end() saves and finishes right after: no commit while being dismissed.
      if (session.connected && reason !== "pagehide") {
        // Synchronous LMS APIs work here; a commit may fail while the page is being
        // dismissed (see docs/runtime.md), which is why core also commits on every change.
        call("save", [snapshot()]);
        call("commit");
      }
    }
    hiddenHooks.slice().forEach(function (fn) {
      try {
        fn({ reason: reason });
      } catch (err) {
        log("error", "onHidden hook failed", String(err));
      }
    });
  }

  function end(trigger) {
    if (!session.started || session.ended) return Promise.resolve();
    session.ended = true;
    writeDevice();
    var info = {
      completed: courseDone,
      reason: courseDone ? "terminate" : "suspend",
      durationMs: Coursepack.now() - session.startMs,
      trigger: trigger,
      timestamp: util.iso(),
    };
    emit("session:end", info);
    if (!session.connected) return Promise.resolve();
    call("save", [snapshot()]);
    return call("finish", [info]);
  }

  function exit() {
    // UI first: some LMSs close the frame as soon as the session finishes.
    if (dom.exit) dom.exit.hidden = true;
    notice("exit", t("exit.done"));
    return end("exit");
  }

  // ---------------------------------------------------------------------------------------
  // Boot

  function mergeLmsState(lmsState) {
    var device = readDevice();
    var merged = cleanState(lmsState);
    if (!lmsState) return merged;
    var deviceTasks = (device && device.tasks) || {};
    Object.keys(merged.tasks).forEach(function (key) {
      var ts = merged.tasks[key];
      var local = deviceTasks[key];
      if (!ts.missing) return;
      if (local && typeof local.text === "string" && (Number(local.savedAt) || 0) >= ts.savedAt - 1000) {
        ts.text = local.text;
        ts.savedAt = Math.max(ts.savedAt, Number(local.savedAt) || 0);
        delete ts.missing;
        delete ts.len;
      }
    });
    return merged;
  }

  /*
   * The SCORM API as both SCORM adapters use it: ADL's discovery walk, and Get/Set/other
   * calls each followed by the last-error call. What differs between 1.2 and 2004 comes in
   * `spec`, a table from the adapter: {label, apiName, methods: {initialize, get, set,
   * lastError, errorString}, notImplemented: {code: true}, quiet: {code: true}}.
   * Codes in `notImplemented` are logged at info level and never reported to the learner;
   * codes in `quiet` (e.g. 2004's 403 for a value never set) are not logged as errors.
   */
  var MAX_API_HOPS = 500;

  function scormConnection(spec) {
    var m = spec.methods;
    var api = null;
    var last = {}; // element -> last value set (skip redundant writes)

    function findIn(win) {
      var hops = 0;
      while (win && hops <= MAX_API_HOPS) {
        try {
          var candidate = win[spec.apiName];
          if (candidate && typeof candidate[m.initialize] === "function") return candidate;
        } catch (err) {
          /* cross-origin frame: keep climbing */
        }
        var parent = null;
        try {
          parent = win.parent;
        } catch (err) {
          parent = null;
        }
        if (!parent || parent === win) break;
        win = parent;
        hops++;
      }
      return null;
    }

    /** ADL's walk: this window and its parents, then the opener and its parents. */
    function discover() {
      api = findIn(window);
      if (!api) {
        try {
          if (window.opener && !window.opener.closed) api = findIn(window.opener);
        } catch (err) {
          /* cross-origin opener */
        }
      }
      return api;
    }

    function lastError(what) {
      var code = "0";
      try {
        code = String(api[m.lastError]());
      } catch (err) {
        code = "101";
      }
      if (code === "0" || code === "") return "0";
      var text = "";
      try {
        text = String(api[m.errorString](code));
      } catch (err) {
        /* ignore */
      }
      if (spec.notImplemented[code]) {
        log("info", "not implemented by this LMS: " + what);
      } else if (!(spec.quiet && spec.quiet[code])) {
        log("error", spec.label + " error " + code + " (" + text + ") on " + what);
      }
      return code;
    }

    function get(element) {
      var value = "";
      try {
        value = api[m.get](element);
      } catch (err) {
        log("error", m.get + " threw", element);
      }
      var code = lastError(m.get + " " + element);
      return { value: value === null || value === undefined ? "" : String(value), error: code };
    }

    function set(element, value, force) {
      value = String(value);
      if (!force && last[element] === value) return "0";
      var ok;
      try {
        ok = api[m.set](element, value);
      } catch (err) {
        log("error", m.set + " threw", element);
      }
      var code = lastError(m.set + " " + element);
      if (code === "0" && String(ok) !== "false") last[element] = value;
      else if (!spec.notImplemented[code]) reportError(code === "0" ? "101" : code, element);
      return code;
    }

    /** A call that takes "" (initialize, commit, finish/terminate). */
    function call(method) {
      var ok;
      try {
        ok = api[method]("");
      } catch (err) {
        log("error", method + " threw", String(err));
      }
      var code = lastError(method);
      return { ok: String(ok) === "true", error: code };
    }

    return { discover: discover, get: get, set: set, call: call };
  }

  function start() {
    indexDom();
    wire();
    session.startMs = Coursepack.now();
    var name = target.adapter;
    var factory = name && factories[name];
    if (factory) {
      try {
        adapter = factory({
          config: config,
          util: util,
          packState: packState,
          unpackState: unpackState,
          log: log,
          now: function () {
            return Coursepack.now();
          },
          reportError: reportError,
          strings: strings,
          scorm: scormConnection,
        });
      } catch (err) {
        log("error", "adapter " + name + " could not be created", String(err));
        adapter = null;
      }
    } else if (name) {
      log("warn", "no adapter registered for " + name + "; running without an LMS");
    }
    return call("start").then(function (result) {
      result = result || { connected: false };
      session.connected = !!result.connected;
      session.mode = session.connected ? "lms" : "local";
      session.learner = result.learner || null;
      var learnerId = session.learner && session.learner.id ? String(session.learner.id) : "";
      deviceKey = (courseConf.storageKey || "coursepack:" + util.hash(courseConf.id || "")) + ":" + (session.connected ? "l-" + util.hash(learnerId || "anonymous") : "local");
      if (session.connected) {
        state = mergeLmsState(result.state || null);
        Object.keys(state.tasks).forEach(function (key) {
          if (state.tasks[key].done) state.tasks[key].recorded = state.tasks[key].text;
        });
        session.resumed = !!result.resumed && !!result.state;
      } else {
        var device = readDevice();
        state = cleanState(device);
        session.resumed = !!device;
        notice("mode", t(result.ended ? "notice.ended" : result.failed ? "notice.lmsFailed" : "notice.noLms"), "warning");
      }
      if (!storage()) {
        storageOk = false;
        if (!session.connected) notice("storage", t("notice.noStorage"), "warning");
      }
      if (dom.exit) dom.exit.hidden = !session.connected;
      // initial completion flags without events (they were announced in earlier sessions)
      sectionList.forEach(function (section) {
        sectionDone[section.key] = sectionComplete(section);
      });
      modules.forEach(function (module) {
        moduleDone[module.id] = moduleComplete(module);
      });
      courseDone = progress().completed;
      var fromHash = window.location.hash ? sectionByDomId(decodeURIComponent(window.location.hash.slice(1))) : null;
      var first = fromHash || currentSection();
      allItems.forEach(function (item) {
        renderItem(item.key);
      });
      session.started = true;
      emit("session:start", {
        resumed: session.resumed,
        connected: session.connected,
        learner: session.learner,
        mode: session.mode,
      });
      showSection(first, { initial: true, focus: false });
      if (first && dom.sections[first.key] && session.resumed) {
        // a returning learner lands on the section they left, at its top
        window.scrollTo(0, 0);
      }
      return persist(true);
    }).then(function () {
      Coursepack.started = true;
      emit("ready", { mode: session.mode });
      return Coursepack;
    });
  }

  function reportError(code, detail) {
    log("error", "LMS error " + code, detail);
    if (reportedErrors[code]) return;
    reportedErrors[code] = true;
    notice("error-" + code, t("notice.saveError", { code: code }), "error");
  }

  var readyResolve;
  var ready = new Promise(function (resolve) {
    readyResolve = resolve;
  });

  function boot() {
    start().then(readyResolve, function (err) {
      log("error", "coursepack could not start", String(err && err.stack || err));
      readyResolve(Coursepack);
    });
  }

  var Coursepack = {
    version: 1,
    config: config,
    util: util,
    t: t,
    now: function () {
      return Date.now();
    },
    on: on,
    off: off,
    emit: emit,
    onHidden: function (fn) {
      hiddenHooks.push(fn);
      return fn;
    },
    registerAdapter: function (name, factory) {
      factories[name] = factory;
    },
    packState: packState,
    unpackState: unpackState,
    ready: ready,
    started: false,
    log: logBuffer,
    /** A copy of the learner's state. */
    state: snapshot,
    session: function () {
      return {
        connected: session.connected,
        mode: session.mode,
        resumed: session.resumed,
        learner: session.learner,
        ended: session.ended,
        adapter: target.adapter || null,
        storage: storageOk,
        omitted: Object.keys(omittedNow).sort(),
      };
    },
    progress: progress,
    item: function (key) {
      return itemsByKey[key] || null;
    },
    section: function (key) {
      return sectionsByKey[key] || null;
    },
    go: function (key) {
      return showSection(sectionsByKey[key], { focus: true, updateHash: true });
    },
    exit: exit,
  };
  window.Coursepack = Coursepack;

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", boot);
  } else {
    setTimeout(boot, 0);
  }
})(window, document);
