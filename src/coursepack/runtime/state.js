/*
 * coursepack runtime: the learner's state as data (window.CoursepackState)
 *
 * Pure functions: no DOM, no storage, no clock. Each takes the course index (from `index`:
 * the items in course order, items and sections by key, the state version) and, where it
 * reports something, a logger `log(level, message, data)`.
 *
 *   state = {section, opened: {itemKey: ms}, tasks: {taskKey: {text, done, attempts, savedAt,
 *            doneAt, len?, missing?}}, checks: {checkKey: {answer, attempts, correct, at}},
 *            round, completedAt}
 *   (a CHECK's answer is its response in the xAPI format, checks.js; `round` counts the
 *   retries of a learner who failed)
 *
 *   index(modules, version) -> course index
 *   emptyState(course)
 *   cleanState(raw, course) -> state        any value in, a valid state of this course out
 *   packState(state, limit, course, log) -> {text, omitted: [taskKey]}
 *   unpackState(text, course, log) -> partial state | null
 *   mergeLmsState(lmsState, deviceState, course, log) -> state
 *
 * Packing (SCORM suspend_data and the like), see docs/runtime.md "State budget": compact JSON
 * {"v":1,"s":"mod/sec","o":{"mod":"item item"},"t":{"mod":{"item":[done, attempts, savedAt
 * (base-36 seconds), length, text?]}},"k":{"mod":{"check":[attempts, right, answer]}},"r":round,
 * "c":completedAt}; a choice's answer is its options' positions ("0.2"). The skeleton always goes in; texts are
 * added, completed tasks first, shortest first, while the whole stays within the limit. A task
 * whose text did not fit keeps its length and is reported in `omitted`.
 */
(function (root) {
  "use strict";

  var U = root.CoursepackUtil;
  var has = U.has;
  // no time after the year 275760 (the largest Date), no count or length past these
  var MAX_TIME = 8.64e15;
  var MAX_COUNT = 1e6;
  var MAX_LENGTH = 1e9;
  var MAX_ANSWER = 1000; // a CHECK's text answer kept (a short answer, not a reflection)

  function noLog() {}

  /** The index of a course (or of the one module in scope) that every function here takes. */
  function index(modules, version) {
    var course = { version: version || 1, items: [], tasks: [], checks: [], itemsByKey: {}, sectionsByKey: {} };
    (modules || []).forEach(function (module) {
      (module.sections || []).forEach(function (section) {
        course.sectionsByKey[section.key] = section;
        (section.items || []).forEach(function (item) {
          course.itemsByKey[item.key] = item;
          course.items.push(item);
          if (item.kind === "task") course.tasks.push(item);
          if (item.kind === "check" && U.isObject(item.check)) course.checks.push(item);
        });
      });
    });
    return course;
  }

  /** A finite number in [0, max] from anything ("12", 12, null, "1e999", {} ...), else 0. */
  function bounded(value, max) {
    var n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
    if (!isFinite(n) || n < 0) return 0;
    return Math.min(n, max);
  }

  function emptyState(course) {
    return { v: course.version, section: null, opened: {}, tasks: {}, checks: {}, round: 0, completedAt: 0 };
  }

  /** Keep only keys this course knows, with the right types (state may come from anywhere). */
  function cleanState(raw, course) {
    var s = emptyState(course);
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) return s;
    if (typeof raw.section === "string" && has(course.sectionsByKey, raw.section)) s.section = raw.section;
    var key;
    if (U.isObject(raw.opened)) {
      for (key in raw.opened) {
        if (has(raw.opened, key) && has(course.itemsByKey, key) && !isAnswered(course.itemsByKey[key])) {
          s.opened[key] = bounded(raw.opened[key], MAX_TIME) || 1;
        }
      }
    }
    if (U.isObject(raw.tasks)) {
      for (key in raw.tasks) {
        if (!has(raw.tasks, key) || !has(course.itemsByKey, key) || course.itemsByKey[key].kind !== "task") continue;
        var r = U.isObject(raw.tasks[key]) ? raw.tasks[key] : {};
        var ts = {
          text: typeof r.text === "string" ? r.text : "",
          done: r.done === true || r.done === 1,
          attempts: Math.floor(bounded(r.attempts, MAX_COUNT)),
          savedAt: bounded(r.savedAt, MAX_TIME),
          doneAt: bounded(r.doneAt, MAX_TIME),
        };
        var len = Math.floor(bounded(r.len, MAX_LENGTH));
        if (typeof r.text !== "string" && len > 0) {
          ts.len = len; // the text exists but is stored elsewhere (see packState)
          ts.missing = true;
        }
        if (ts.done && !ts.attempts) ts.attempts = 1;
        s.tasks[key] = ts;
      }
    }
    if (U.isObject(raw.checks)) {
      for (key in raw.checks) {
        if (!has(raw.checks, key) || !has(course.itemsByKey, key) || course.itemsByKey[key].kind !== "check") continue;
        var rc = U.isObject(raw.checks[key]) ? raw.checks[key] : {};
        var cs = {
          answer: typeof rc.answer === "string" ? rc.answer.slice(0, MAX_ANSWER) : "",
          attempts: Math.floor(bounded(rc.attempts, MAX_COUNT)),
          correct: rc.correct === true || rc.correct === 1,
          at: bounded(rc.at, MAX_TIME),
        };
        if (cs.attempts) s.checks[key] = cs;
      }
    }
    s.round = Math.floor(bounded(raw.round, MAX_COUNT));
    s.completedAt = bounded(raw.completedAt, MAX_TIME);
    return s;
  }

  /** Items whose state is their own (a TASK's text, a CHECK's answer), not "opened". */
  function isAnswered(item) {
    return item.kind === "task" || item.kind === "check";
  }

  function b36(ms) {
    return ms ? Math.floor(ms / 1000).toString(36) : "0";
  }

  function fromB36(text) {
    if (typeof text !== "string" && typeof text !== "number") return 0;
    var n = parseInt(String(text), 36);
    return n > 0 ? Math.min(n * 1000, MAX_TIME) : 0;
  }

  function splitKey(key) {
    var i = key.indexOf("/");
    return [key.slice(0, i), key.slice(i + 1)];
  }

  function packState(st, limit, course, log) {
    log = log || noLog;
    var version = course.version;
    var compact = { v: version };
    if (st.section) compact.s = st.section;
    var opened = {};
    var anyOpened = false;
    course.items.forEach(function (item) {
      if (!isAnswered(item) && st.opened[item.key]) {
        var p = splitKey(item.key);
        opened[p[0]] = opened[p[0]] ? opened[p[0]] + " " + p[1] : p[1];
        anyOpened = true;
      }
    });
    if (anyOpened) compact.o = opened;
    var entries = [];
    var taskMap = {};
    var anyTask = false;
    course.tasks.forEach(function (item, position) {
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
        entries.push({ key: item.key, entry: entry, text: text, done: ts.done, index: position });
      }
    });
    if (anyTask) compact.t = taskMap;
    var checkMap = {};
    var anyCheck = false;
    var C = root.CoursepackChecks;
    (course.checks || []).forEach(function (item) {
      var cs = st.checks && st.checks[item.key];
      if (!cs || !cs.attempts) return;
      var p = splitKey(item.key);
      checkMap[p[0]] = checkMap[p[0]] || {};
      checkMap[p[0]][p[1]] = [cs.attempts, cs.correct ? 1 : 0, C ? C.packAnswer(item.check, cs.answer) : ""];
      anyCheck = true;
    });
    if (anyCheck) compact.k = checkMap;
    if (st.round) compact.r = st.round;
    if (st.completedAt) compact.c = b36(st.completedAt);

    var skeleton = JSON.stringify(compact);
    if (limit && skeleton.length > limit) {
      // Pathological: even the skeleton is too big. Keep the bookmark and the tasks' flags.
      delete compact.o;
      skeleton = JSON.stringify(compact);
      if (skeleton.length > limit && compact.k) {
        // then the answers' texts (their attempts and results stay)
        Object.keys(compact.k).forEach(function (mod) {
          Object.keys(compact.k[mod]).forEach(function (id) {
            compact.k[mod][id][2] = "";
          });
        });
        skeleton = JSON.stringify(compact);
      }
      if (skeleton.length > limit) {
        compact = { v: version, s: st.section || undefined };
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
      if (compact.t && (!limit || size + extra <= limit)) {
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
        if (entries[i].entry.length === 5) {
          dropped = entries[i];
          break;
        }
      }
      if (!dropped) break;
      dropped.entry.pop();
      omitted.push(dropped.key);
      text = JSON.stringify(compact);
    }
    if (limit && text.length > limit) text = JSON.stringify({ v: version });
    omitted.sort();
    return { text: text, omitted: omitted };
  }

  /** The state in a packed text; null when the text is not one (garbage, another version). */
  function unpackState(text, course, log) {
    log = log || noLog;
    if (!text || typeof text !== "string") return null;
    var c;
    try {
      c = JSON.parse(text);
    } catch (err) {
      log("warn", "saved state is not readable; starting afresh", String(err));
      return null;
    }
    if (!U.isObject(c) || c.v !== course.version) return null;
    var st = {
      section: typeof c.s === "string" ? c.s : null,
      opened: {},
      tasks: {},
      checks: {},
      round: Math.floor(bounded(c.r, MAX_COUNT)),
      completedAt: fromB36(c.c),
    };
    var mod, rest;
    if (U.isObject(c.o)) {
      for (mod in c.o) {
        if (!has(c.o, mod) || typeof c.o[mod] !== "string") continue;
        c.o[mod].split(" ").forEach(function (id) {
          if (id) st.opened[mod + "/" + id] = 1;
        });
      }
    }
    if (U.isObject(c.t)) {
      for (mod in c.t) {
        if (!has(c.t, mod) || !U.isObject(c.t[mod])) continue;
        for (rest in c.t[mod]) {
          if (!has(c.t[mod], rest)) continue;
          var e = c.t[mod][rest];
          if (!Array.isArray(e)) continue;
          var ts = { done: e[0] === 1, attempts: Math.floor(bounded(e[1], MAX_COUNT)), savedAt: fromB36(e[2]), doneAt: 0 };
          if (typeof e[4] === "string") ts.text = e[4];
          else ts.len = Math.floor(bounded(e[3], MAX_LENGTH));
          st.tasks[mod + "/" + rest] = ts;
        }
      }
    }
    var C = root.CoursepackChecks;
    if (U.isObject(c.k)) {
      for (mod in c.k) {
        if (!has(c.k, mod) || !U.isObject(c.k[mod])) continue;
        for (rest in c.k[mod]) {
          if (!has(c.k[mod], rest)) continue;
          var k = c.k[mod][rest];
          var key = mod + "/" + rest;
          var item = has(course.itemsByKey, key) ? course.itemsByKey[key] : null;
          if (!Array.isArray(k) || !item || item.kind !== "check" || !C) continue;
          st.checks[key] = {
            attempts: Math.floor(bounded(k[0], MAX_COUNT)),
            correct: k[1] === 1,
            answer: C.unpackAnswer(item.check, k[2]),
            at: 0,
          };
        }
      }
    }
    return st;
  }

  /**
   * The LMS's state is authoritative; a TASK whose text the LMS lacks takes the device's copy
   * when that is at least as recent (1 s: the packed times are whole seconds). No LMS state
   * (a fresh attempt): the device copy is not used.
   */
  function mergeLmsState(lmsState, deviceState, course) {
    var merged = cleanState(lmsState, course);
    if (!lmsState) return merged;
    var deviceTasks = deviceState && U.isObject(deviceState.tasks) ? deviceState.tasks : {};
    Object.keys(merged.tasks).forEach(function (key) {
      var ts = merged.tasks[key];
      var local = has(deviceTasks, key) ? deviceTasks[key] : null;
      if (!ts.missing || !U.isObject(local) || typeof local.text !== "string") return;
      var localSaved = bounded(local.savedAt, MAX_TIME);
      if (localSaved >= ts.savedAt - 1000) {
        ts.text = local.text;
        ts.savedAt = Math.max(ts.savedAt, localSaved);
        delete ts.missing;
        delete ts.len;
      }
    });
    return merged;
  }

  root.CoursepackState = {
    index: index,
    emptyState: emptyState,
    cleanState: cleanState,
    packState: packState,
    unpackState: unpackState,
    mergeLmsState: mergeLmsState,
  };
})(window);
