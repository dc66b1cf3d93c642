/*
 * coursepack runtime: the learner's state as data (window.CoursepackState)
 *
 * Pure functions: no DOM, no storage, no clock. Each takes the course index (from `index`:
 * the items in course order, items and sections by key, the state version, the course
 * version) and, where it reports something, a logger `log(level, message, data)`.
 *
 *   state = {section, opened: {itemKey: ms}, tasks: {taskKey: {text, done, attempts, savedAt,
 *            doneAt, fp?, len?, missing?}}, earlier: [{key, fp, ver, text, done, attempts,
 *            savedAt, doneAt, len?, missing?}], completedAt, cv,
 *            checks: {checkKey: {answer, attempts, correct, at}}, round}
 *   (a CHECK's answer is its response in the xAPI format, checks.js; `round` counts the
 *   retries of a learner who failed)
 *
 *   `fp` is the first six hex digits of the TASK's prompt fingerprint (config `fingerprint`):
 *   the wording the reflection answered. `earlier` holds answers that no current wording
 *   owns (a TASK reworded or removed since), with `ver`, the course version that last had
 *   them as current answers; they are kept, packed and shown apart, never as an answer.
 *   `cv` is the course version that saved the state.
 *
 *   index(modules, version, courseVersion) -> course index
 *   emptyState(course)
 *   cleanState(raw, course) -> state        any value in, a valid state of this course out;
 *                                           answers follow their wording (see `reconcile`)
 *   packState(state, limit, course, log, base) -> {text, omitted: [taskKey]}
 *   unpackState(text, course, log) -> partial state | null
 *   mergeLmsState(lmsState, deviceState, course, log) -> state
 *   probeBudget(io, options) -> {budget, verified, reason}
 *
 * Packing (SCORM suspend_data and the like), see docs/runtime.md "State budget": compact JSON
 * {"v":1,"cv":"1.0.0","s":"mod/sec","o":{"mod":"item item"},"t":{"mod":{"item~fp":[done,
 * attempts, savedAt (base-36 seconds), length, text?]}},"e":{"mod":{"item~fp":[done, attempts,
 * savedAt, length, version, text?]}},"k":{"mod":{"check":[attempts, right, answer]}},"r":round,"c":completedAt}
 * (a choice's answer is its options' positions, "0.2"). The skeleton always goes in; texts are
 * added, completed tasks first, then drafts, then earlier answers, shortest first, while the
 * whole stays within the limit. A task whose text did not fit keeps its length and is
 * reported in `omitted`. With a verified budget above the standard's (`limit` > `base`), the
 * part above is a second line, `<length>:<hash>:{"mod/item~fp":text, "e:mod/item~fp":text}`,
 * with the texts that did not fit in `base`: a value cut short by the LMS loses that line
 * only, and a line whose length or hash does not match is never read.
 */
(function (root) {
  "use strict";

  var U = root.CoursepackUtil;
  var has = U.has;
  // no time after the year 275760 (the largest Date), no count or length past these
  var MAX_TIME = 8.64e15;
  var MAX_COUNT = 1e6;
  var MAX_LENGTH = 1e9;
  var MAX_EARLIER = 200;
  var FP_LENGTH = 6;
  var FP = /^[0-9a-f]{1,12}$/;
  var TASK_KEY = /^[^/~\s]{1,200}\/[^/~\s]{1,200}$/;
  var MAX_ANSWER = 1000; // a CHECK's text answer kept (a short answer, not a reflection)

  function noLog() {}

  /** The first hex digits of a TASK's prompt fingerprint ("" when the config has none). */
  function fpOf(item) {
    return item && typeof item.fingerprint === "string" ? item.fingerprint.slice(0, FP_LENGTH) : "";
  }

  /** The index of a course (or of the one module in scope) that every function here takes. */
  function index(modules, version, courseVersion) {
    var course = {
      version: version || 1,
      courseVersion: typeof courseVersion === "string" ? courseVersion : "",
      items: [],
      tasks: [],
      checks: [],
      itemsByKey: {},
      sectionsByKey: {},
      tasksByFp: {},
    };
    (modules || []).forEach(function (module) {
      (module.sections || []).forEach(function (section) {
        course.sectionsByKey[section.key] = section;
        (section.items || []).forEach(function (item) {
          course.itemsByKey[item.key] = item;
          course.items.push(item);
          if (item.kind === "check" && U.isObject(item.check)) course.checks.push(item);
          if (item.kind !== "task") return;
          course.tasks.push(item);
          var fp = fpOf(item);
          // two TASKs with one wording: an answer to it cannot say which one it belongs to
          if (fp) course.tasksByFp[fp] = has(course.tasksByFp, fp) ? null : item;
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
    return { v: course.version, cv: course.courseVersion, section: null, opened: {}, tasks: {}, earlier: [], checks: {}, round: 0, completedAt: 0 };
  }

  /** One saved answer from anything: the text, or (stored elsewhere) its length. */
  function cleanAnswer(r) {
    r = U.isObject(r) ? r : {};
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
    return ts;
  }

  function isEmpty(ts) {
    return !ts || (!ts.done && !ts.text && !ts.missing);
  }

  function fpFrom(value) {
    return typeof value === "string" && FP.test(value) ? value.slice(0, FP_LENGTH) : "";
  }

  function versionFrom(value) {
    return typeof value === "string" ? U.truncate(value, 64) : "";
  }

  /**
   * Every answer goes where its wording is: to its TASK when the fingerprint it carries is
   * the TASK's (or it carries none: saved before fingerprints), to the TASK that now has its
   * wording (moved to another module) when that TASK has no answer, else to `earlier`.
   */
  function reconcile(s, candidates, course) {
    var earlier = [];
    candidates.forEach(function (c) {
      var item = has(course.itemsByKey, c.key) ? course.itemsByKey[c.key] : null;
      if (item && item.kind !== "task") return;
      var current = fpOf(item);
      if (item && (!c.fp || !current || c.fp === current)) {
        if (!has(s.tasks, c.key) || isEmpty(s.tasks[c.key])) {
          if (current) c.answer.fp = current;
          s.tasks[c.key] = c.answer;
          return;
        }
      }
      if (!c.fp && !item) {
        // an answer saved before fingerprints, to a TASK no longer here: kept as it was
        earlier.push(c);
        return;
      }
      if (c.fp) earlier.push(c);
    });
    var kept = {};
    earlier.forEach(function (c) {
      var home = c.fp && has(course.tasksByFp, c.fp) ? course.tasksByFp[c.fp] : null;
      if (home && isEmpty(s.tasks[home.key])) {
        c.answer.fp = c.fp;
        s.tasks[home.key] = c.answer;
        return;
      }
      // a second answer to a TASK's current wording (only hostile data has one): the TASK's own
      if (home && home.key === c.key) return;
      if (isEmpty(c.answer)) return;
      var id = c.key + "~" + c.fp;
      if (has(kept, id) && kept[id].answer.savedAt >= c.answer.savedAt) return;
      kept[id] = c;
    });
    s.earlier = Object.keys(kept)
      .sort()
      .map(function (id) {
        var c = kept[id];
        return Object.assign({ key: c.key, fp: c.fp, ver: c.ver }, c.answer);
      })
      .sort(function (a, b) {
        return b.savedAt - a.savedAt;
      })
      .slice(0, MAX_EARLIER);
    return s;
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
    var savedBy = versionFrom(raw.cv);
    var candidates = [];
    if (U.isObject(raw.tasks)) {
      for (key in raw.tasks) {
        if (!has(raw.tasks, key) || !TASK_KEY.test(key)) continue;
        var r = raw.tasks[key];
        candidates.push({ key: key, fp: fpFrom(U.isObject(r) ? r.fp : ""), ver: savedBy, answer: cleanAnswer(r) });
      }
    }
    if (Array.isArray(raw.earlier)) {
      raw.earlier.slice(0, MAX_EARLIER * 2).forEach(function (e) {
        if (!U.isObject(e) || typeof e.key !== "string" || !TASK_KEY.test(e.key)) return;
        var fp = fpFrom(e.fp);
        if (!fp && has(course.itemsByKey, e.key)) return;
        candidates.push({ key: e.key, fp: fp, ver: versionFrom(e.ver), answer: cleanAnswer(e) });
      });
    }
    reconcile(s, candidates, course);
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

  function entryName(item, fp) {
    return fp ? item + "~" + fp : item;
  }

  /** The packed text within `limit`, and the TASKs whose text is not in it. With `base` below
   *  `limit` (a larger budget the LMS proved), texts that do not fit `base` go to a second
   *  line up to `limit`. */
  function packState(st, limit, course, log, base) {
    log = log || noLog;
    var version = course.version;
    var first = base && limit && base < limit ? base : limit;
    var compact = { v: version };
    if (course.courseVersion) compact.cv = course.courseVersion;
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
      var name = entryName(p[1], fpOf(item));
      var entry = [ts.done ? 1 : 0, ts.attempts || 0, b36(ts.savedAt), length];
      taskMap[p[0]] = taskMap[p[0]] || {};
      taskMap[p[0]][name] = entry;
      anyTask = true;
      if (!ts.missing && text.length) {
        entries.push({ key: item.key, ref: p[0] + "/" + name, entry: entry, text: text, rank: ts.done ? 0 : 1, index: position });
      }
    });
    if (anyTask) compact.t = taskMap;
    var earlierMap = {};
    var anyEarlier = false;
    (st.earlier || []).forEach(function (e, position) {
      if (!e || typeof e.key !== "string" || !TASK_KEY.test(e.key)) return;
      var text = typeof e.text === "string" ? e.text : "";
      var length = e.missing ? e.len || 0 : text.length;
      if (!e.done && !length) return;
      var p = splitKey(e.key);
      var name = entryName(p[1], e.fp);
      var entry = [e.done ? 1 : 0, e.attempts || 0, b36(e.savedAt), length, e.ver || ""];
      earlierMap[p[0]] = earlierMap[p[0]] || {};
      earlierMap[p[0]][name] = entry;
      anyEarlier = true;
      if (!e.missing && text.length) {
        entries.push({ key: e.key, ref: "e:" + p[0] + "/" + name, entry: entry, text: text, rank: 2, index: position, earlier: true });
      }
    });
    if (anyEarlier) compact.e = earlierMap;
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
    if (first && skeleton.length > first) {
      // Pathological: even the skeleton is too big. Earlier answers' flags go first, then
      // opened items; the bookmark and the current tasks' flags stay while they can.
      delete compact.e;
      delete compact.o;
      skeleton = JSON.stringify(compact);
      if (skeleton.length > first && compact.k) {
        // then the answers' texts (their attempts and results stay)
        Object.keys(compact.k).forEach(function (mod) {
          Object.keys(compact.k[mod]).forEach(function (id) {
            compact.k[mod][id][2] = "";
          });
        });
        skeleton = JSON.stringify(compact);
      }
      if (skeleton.length > first) {
        compact = { v: version, s: st.section || undefined };
        skeleton = JSON.stringify(compact);
      }
      log("warn", "state skeleton over the limit; item progress dropped", first);
    }
    var size = skeleton.length;
    entries.sort(function (a, b) {
      if (a.rank !== b.rank) return a.rank - b.rank;
      if (a.text.length !== b.text.length) return a.text.length - b.text.length;
      return a.index - b.index;
    });
    var rest = [];
    entries.forEach(function (e) {
      var extra = JSON.stringify(e.text).length + 1; // ,"text"
      var inSkeleton = e.earlier ? !!compact.e : !!compact.t;
      if (inSkeleton && (!first || size + extra <= first)) {
        e.entry.push(e.text);
        e.packed = true;
        size += extra;
      } else if (inSkeleton) {
        rest.push(e);
      }
    });
    var text = JSON.stringify(compact);
    while (first && text.length > first) {
      // Never expected (sizes are exact), but never exceed the limit either.
      var dropped = null;
      for (var i = entries.length - 1; i >= 0; i--) {
        if (entries[i].packed) {
          dropped = entries[i];
          break;
        }
      }
      if (!dropped) break;
      dropped.entry.pop();
      dropped.packed = false;
      rest.push(dropped);
      text = JSON.stringify(compact);
    }
    if (first && text.length > first) text = JSON.stringify({ v: version });
    var extraText = first !== limit ? extension(rest, limit - text.length - 1) : null;
    if (extraText) text += "\n" + extraText.text;
    var omitted = {};
    entries.forEach(function (e) {
      if (!e.earlier && !e.packed && !(extraText && extraText.kept[e.ref])) omitted[e.key] = true;
    });
    return { text: text, omitted: Object.keys(omitted).sort() };
  }

  /** The second line: as many of `rest` as fit in `room`, as `<length>:<hash>:<json>`. */
  function extension(rest, room) {
    var texts = {};
    var kept = {};
    var any = false;
    rest.sort(function (a, b) {
      if (a.rank !== b.rank) return a.rank - b.rank;
      if (a.text.length !== b.text.length) return a.text.length - b.text.length;
      return a.index - b.index;
    });
    var body = "{}";
    rest.forEach(function (e) {
      texts[e.ref] = e.text;
      var next = JSON.stringify(texts);
      var framed = next.length + String(next.length).length + 10; // "<n>:" + 8 hex + ":"
      if (framed <= room) {
        body = next;
        kept[e.ref] = true;
        any = true;
      } else {
        delete texts[e.ref];
      }
    });
    if (!any) return null;
    return { text: body.length + ":" + U.hash(body) + ":" + body, kept: kept };
  }

  /** The texts of the second line, when its length and hash are right; else null. */
  function readExtension(line, log) {
    var m = /^(\d{1,7}):([0-9a-f]{8}):/.exec(line);
    if (!m) return null;
    var length = parseInt(m[1], 10);
    var body = line.slice(m[0].length, m[0].length + length);
    if (body.length !== length || U.hash(body) !== m[2]) {
      log("warn", "the long part of the saved state was cut short; its texts are ignored", { length: length, got: body.length });
      return null;
    }
    try {
      var texts = JSON.parse(body);
      return U.isObject(texts) ? texts : null;
    } catch (err) {
      return null;
    }
  }

  function splitName(name) {
    var i = name.lastIndexOf("~");
    return i < 0 ? [name, ""] : [name.slice(0, i), name.slice(i + 1)];
  }

  /** The state in a packed text; null when the text is not one (garbage, another version). */
  function unpackState(text, course, log) {
    log = log || noLog;
    if (!text || typeof text !== "string" || !text.trim()) return null;
    var nl = text.indexOf("\n");
    var more = null;
    if (nl >= 0) {
      more = readExtension(text.slice(nl + 1), log);
      text = text.slice(0, nl);
    }
    var c;
    try {
      c = JSON.parse(text);
    } catch (err) {
      log("warn", "saved state is not readable; starting afresh", String(err));
      return null;
    }
    if (!U.isObject(c) || c.v !== course.version) return null;
    var st = {
      cv: versionFrom(c.cv),
      section: typeof c.s === "string" ? c.s : null,
      opened: {},
      tasks: {},
      earlier: [],
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
    function answer(e, textAt, ref) {
      var ts = { done: e[0] === 1, attempts: Math.floor(bounded(e[1], MAX_COUNT)), savedAt: fromB36(e[2]), doneAt: 0 };
      var len = Math.floor(bounded(e[3], MAX_LENGTH));
      if (typeof e[textAt] === "string") ts.text = e[textAt];
      else if (more && has(more, ref) && typeof more[ref] === "string" && more[ref].length === len) ts.text = more[ref];
      else ts.len = len;
      return ts;
    }
    function each(map, fn) {
      if (!U.isObject(map)) return;
      for (mod in map) {
        if (!has(map, mod) || !U.isObject(map[mod])) continue;
        for (rest in map[mod]) {
          if (has(map[mod], rest) && Array.isArray(map[mod][rest])) fn(mod, rest, map[mod][rest]);
        }
      }
    }
    var current = [];
    each(c.t, function (m, name, e) {
      var parts = splitName(name);
      var ts = answer(e, 4, m + "/" + name);
      ts.fp = parts[1];
      current.push({ key: m + "/" + parts[0], ts: ts });
    });
    current.forEach(function (x) {
      var item = has(course.itemsByKey, x.key) ? course.itemsByKey[x.key] : null;
      // another wording's answer under a key that a current one also has: keep both
      if (has(st.tasks, x.key) || (item && x.ts.fp && fpOf(item) && x.ts.fp !== fpOf(item))) {
        st.earlier.push(Object.assign({ key: x.key, ver: st.cv }, x.ts));
      } else {
        st.tasks[x.key] = x.ts;
      }
    });
    each(c.e, function (m, name, e) {
      var parts = splitName(name);
      var ts = answer(e, 5, "e:" + m + "/" + name);
      st.earlier.push(Object.assign({ key: m + "/" + parts[0], fp: parts[1], ver: versionFrom(e[4]) }, ts));
    });
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

  function sameAnswer(a, b) {
    return U.isObject(a) && U.isObject(b) && a.key === b.key && (a.fp || "") === (b.fp || "");
  }

  /** The device's text for an answer the LMS has without it, when as recent (1 s: packed
   *  times are whole seconds) and to the same wording. */
  function fillFrom(ts, local) {
    if (!ts.missing || !U.isObject(local) || local.missing || typeof local.text !== "string" || !local.text) return;
    var localSaved = bounded(local.savedAt, MAX_TIME);
    if (localSaved >= ts.savedAt - 1000) {
      ts.text = local.text;
      ts.savedAt = Math.max(ts.savedAt, localSaved);
      delete ts.missing;
      delete ts.len;
    }
  }

  /**
   * The LMS's state is authoritative; a TASK whose text the LMS lacks takes the device's copy
   * when that is at least as recent and answers the same wording. No LMS state (a fresh
   * attempt): the device copy is not used.
   */
  function mergeLmsState(lmsState, deviceState, course) {
    var merged = cleanState(lmsState, course);
    if (!lmsState) return merged;
    var device = U.isObject(deviceState) ? cleanState(deviceState, course) : emptyState(course);
    Object.keys(merged.tasks).forEach(function (key) {
      var ts = merged.tasks[key];
      var local = has(device.tasks, key) ? device.tasks[key] : null;
      if (local && (ts.fp || "") !== (local.fp || "") && ts.fp && local.fp) return;
      fillFrom(ts, local);
    });
    merged.earlier.forEach(function (e) {
      var local = null;
      device.earlier.concat(
        Object.keys(device.tasks).map(function (key) {
          return Object.assign({ key: key }, device.tasks[key]);
        })
      ).forEach(function (d) {
        if (sameAnswer(d, e)) local = d;
      });
      fillFrom(e, local);
    });
    return merged;
  }

  /**
   * The largest suspend_data this session may use: `standard` unless `probe` is larger and
   * the LMS proves it keeps a value that long. The probe writes `current` (what the LMS holds
   * now, so a learner's state is never at risk) padded with spaces, which a reader ignores,
   * to `probe` characters; checks the error code; reads it back and compares length and hash.
   * Any error, a refusal, a shorter or different value: `standard`.
   *   io = {get(element) -> {value, error}, set(element, value, force) -> code}
   *   options = {element, standard, probe, current, hash}
   */
  function probeBudget(io, options) {
    var o = options || {};
    var standard = o.standard;
    var probe = o.probe;
    if (!(probe > standard)) return { budget: standard, verified: false, reason: "not asked" };
    var current = typeof o.current === "string" ? o.current : "";
    if (current.length >= probe) return { budget: standard, verified: false, reason: "state too long" };
    var padding = new Array(probe - current.length + 1).join(" ");
    var value = current + padding;
    try {
      var code = io.set(o.element, value, true);
      if (code !== "0") return { budget: standard, verified: false, reason: "refused (" + code + ")" };
      var back = io.get(o.element);
      if (!back || back.error !== "0") return { budget: standard, verified: false, reason: "not read back" };
      var got = typeof back.value === "string" ? back.value : "";
      if (got.length !== value.length || U.hash(got) !== U.hash(value)) {
        return { budget: standard, verified: false, reason: "read back " + got.length + " of " + value.length };
      }
    } catch (err) {
      return { budget: standard, verified: false, reason: "threw: " + String(err) };
    }
    return { budget: probe, verified: true, reason: "kept " + probe };
  }

  root.CoursepackState = {
    index: index,
    fpOf: fpOf,
    emptyState: emptyState,
    cleanState: cleanState,
    packState: packState,
    unpackState: unpackState,
    mergeLmsState: mergeLmsState,
    probeBudget: probeBudget,
  };
})(window);
