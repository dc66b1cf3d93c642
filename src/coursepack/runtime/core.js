/*
 * coursepack runtime core: window.Coursepack
 *
 * Plain JavaScript, no dependencies, no build step, no modules, no network requests: it runs
 * from file://, a plain web server or any LMS frame. It reads window.COURSEPACK_CONFIG
 * (coursepack-config.js, written by the build) and owns the page's behaviour, the completion
 * rule, an event bus and the adapter registry. The state as data is state.js, this device's
 * copy device.js, the order of the session's end session-end.js; the helpers are util.js.
 * docs/runtime.md documents the adapter interface and the events.
 *
 * Scripts load in this order: coursepack-config.js, util.js, state.js, device.js,
 * session-end.js, core.js, then (per target) scorm-api.js or the xapi-*.js files, then the
 * adapter. Core boots on DOMContentLoaded, after every script has registered itself.
 */
(function (window, document) {
  "use strict";

  var config = window.COURSEPACK_CONFIG;
  if (!config || typeof config !== "object") {
    throw new Error("coursepack: coursepack-config.js did not load");
  }

  var U = window.CoursepackUtil;
  var S = window.CoursepackState;
  var C = window.CoursepackChecks;
  var STATE_VERSION = 1;
  var strings = config.strings || {};
  var target = config.target || {};
  var courseConf = config.course || {};
  var has = U.has;

  function t(key, values) {
    if (!has(strings, key)) {
      log("warn", "missing learner-facing string", key);
      return key;
    }
    return U.format(strings[key], values);
  }

  /** `key` in the plural form that fits n in the course language (pages.js): key.one, ... */
  function tn(key, n, values) {
    return t(window.CoursepackPages.pluralKey(strings, key, courseConf.language || "en", n), values);
  }

  // The helpers adapters get as ctx.util: util.js's, with the clock of Coursepack.now.
  var util = Object.assign({}, U, {
    clockTime: function (date) {
      return U.clockTime(date || new Date(Coursepack.now()));
    },
    iso: function (ms) {
      return U.iso(ms === undefined ? Coursepack.now() : ms);
    },
  });

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
    var id;
    try {
      id = new window.URLSearchParams(window.location.search).get(param);
    } catch (err) {
      return null;
    }
    for (var i = 0; i < modules.length; i++) if (modules[i].id === id) return id;
    return null;
  })();
  if (scope) {
    modules = modules.filter(function (m) {
      return m.id === scope;
    });
    courseConf = Object.assign({}, courseConf, { storageKey: (courseConf.storageKey || "coursepack") + ":" + scope });
  }
  var course = S.index(modules, STATE_VERSION, typeof courseConf.version === "string" ? courseConf.version : "");
  var itemsByKey = course.itemsByKey;
  var sectionsByKey = course.sectionsByKey;
  var tasks = course.tasks;
  var checks = course.checks;
  var allItems = course.items;
  // Knowledge checks: how they are graded, and whether completing the scope takes a pass
  // (coursepack.completion decided it: config.course.assessment, a module's needsPass).
  var assessment = courseConf.assessment || null;
  var graded = !!assessment && checks.length > 0;
  var needsPass = graded && (scope ? !!modules[0].needsPass : !!assessment.needsPass);
  var attemptsAllowed = graded ? assessment.attempts || 0 : 0;
  var sectionList = [];
  modules.forEach(function (module) {
    module.sections.forEach(function (section) {
      sectionList.push(section);
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
  // State (state.js has the functions; they take this course's index)

  function taskState(key) {
    var ts = state.tasks[key];
    if (!ts) {
      ts = state.tasks[key] = { text: "", done: false, attempts: 0, savedAt: 0, doneAt: 0 };
      // the wording this answer is written for (docs/versions.md)
      var fp = S.fpOf(itemsByKey[key]);
      if (fp) ts.fp = fp;
    }
    return ts;
  }

  function cleanState(raw) {
    return S.cleanState(raw, course);
  }

  /** `base`: the standard's budget when `limit` is a larger one the LMS proved it keeps. */
  function packState(st, limit, base) {
    return S.packState(st, limit, course, log, base);
  }

  function unpackState(text) {
    return S.unpackState(text, course, log);
  }

  // ---------------------------------------------------------------------------------------
  // The device copy (localStorage, device.js): the whole state, reflections included

  var deviceKey = null;
  var storageOk = true;
  var deviceCopy = window.CoursepackDevice.create({
    storage: function () {
      return window.localStorage;
    },
    probeKey: (courseConf.storageKey || "coursepack") + ":probe",
    version: STATE_VERSION,
    now: function () {
      return Coursepack.now();
    },
    log: log,
  });

  function readDevice() {
    return deviceCopy.read(deviceKey);
  }

  function writeDevice() {
    storageOk = deviceCopy.write(deviceKey, state);
    return storageOk;
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

  var state = S.emptyState(course);
  var adapter = null;
  var shuffleSeed = ""; // the learner's, once known: options are shuffled as sections come in
  var session = {
    connected: false,
    mode: "local",
    started: false,
    ended: false,
    startMs: 0,
    learner: null,
    resumed: false,
    review: false, // the LMS opened a review (or browse): read-only, nothing written
    unconfirmed: false, // the LMS did not confirm a save (an error, a throw, garbage)
  };
  var omittedNow = {};
  var sectionDone = {};
  var moduleDone = {};
  var courseDone = false;
  var scoreDecided = false;
  var checkShownMs = {};
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
    if (session.review) return Promise.resolve();
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

  /**
   * The LMS did not confirm a save (an adapter said so through ctx.reportError): the learner
   * is not told "Your progress is saved" (the exit message and the completion banner say so
   * plainly); the work stays in this browser.
   */
  function unconfirmed() {
    session.unconfirmed = true;
    if (dom.notices && dom.notices.querySelector('[data-notice="exit"]')) notice("exit", t("exit.unconfirmed"), "warning");
    var text = dom.banner && dom.banner.querySelector("[data-cp-complete-text]");
    if (text) text.textContent = t("course.completedUnconfirmed");
  }

  // ---------------------------------------------------------------------------------------
  // Completion

  function itemDone(item) {
    if (item.kind === "task") {
      var ts = state.tasks[item.key];
      return !!(ts && ts.done);
    }
    if (item.kind === "check") return C.isDone(state.checks[item.key], attemptsAllowed);
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
    var completed = total ? done === total : false;
    if (needsPass) completed = completed && currentScore().passed === true;
    return { done: done, total: total, progressMeasure: total ? done / total : 1, completed: completed };
  }

  /** The score of the CHECKs in scope: {raw, min, max, scaled, decided, passed, passMark}. */
  function currentScore() {
    return C.score(checks, state.checks, assessment);
  }

  /**
   * The score the package reports, 0..1, or null: none for an ungraded course; with
   * `score: progress` in course.yaml the share of counted items done (never passed or failed).
   * The one place a graded course's score source goes.
   */
  function courseScore(p) {
    if (checks.length) return null; // a graded course reports its CHECKs (setScore)
    return courseConf.score === "progress" ? p.progressMeasure : null;
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
    if (graded) evaluateScore(announce);
    if (becameComplete && !state.completedAt) state.completedAt = Coursepack.now();
    renderProgress(p);
    emit("progress", p);
    call("setProgress", [{ completed: p.completed, progressMeasure: p.progressMeasure, done: p.done, total: p.total, score: courseScore(p) }]);
    if (becameComplete && announce) {
      emit("course:completed", {
        durationMs: Coursepack.now() - session.startMs,
        done: p.done,
        total: p.total,
        passed: graded ? currentScore().passed : null,
      });
    }
    return p;
  }

  /** The score to the page and the adapter; `checks:scored` once every CHECK is answered. */
  function evaluateScore(announce) {
    var score = currentScore();
    var became = score.decided && !scoreDecided;
    scoreDecided = score.decided;
    renderScore(score);
    call("setScore", [score]);
    if (became && announce) {
      emit("checks:scored", { score: score, passed: score.passed, durationMs: Coursepack.now() - session.startMs });
    }
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
    qsa(document, "[data-cp-section-link]").forEach(function (el) {
      var key = el.getAttribute("data-cp-section-link");
      if (has(sectionsByKey, key)) dom.links[key] = el;
      else (el.closest(".cp-toc__module") || el).hidden = true;
    });
    dom.notices = document.querySelector("[data-cp-notices]");
    dom.progress = document.querySelector("[data-cp-progress]");
    dom.banner = document.querySelector("[data-cp-complete-banner]");
    dom.exit = document.querySelector("[data-cp-exit]");
    dom.toc = document.querySelector("[data-cp-toc]");
    dom.tocToggle = document.querySelector("[data-cp-toc-toggle]");
    dom.score = document.querySelector("[data-cp-score]");
    dom.result = document.querySelector("[data-cp-result]");
    dom.pages = {};
    qsa(document, "[data-cp-page]").forEach(function (el) {
      dom.pages[el.getAttribute("data-cp-page")] = el;
    });
    dom.pageLinks = qsa(document, ".cp-toc [data-cp-page-link]");
  }

  // What the learner reads is not in the page: the build writes each module's sections'
  // content (and My reflections' list) to a content file, a script that adds {key: HTML} to
  // window.COURSEPACK_CONTENT, and the page holds an empty placeholder naming that file
  // (<div data-cp-body="content/module-1.js">) in each place. Once the runtime is ready and
  // the page has loaded (the page of a course of any size is ready at once, and an LMS that
  // waits for the page's load event does not wait for the content), the files are loaded one
  // after another, the current section's first; a section opened sooner has its file loaded at
  // once. A place is filled when it is opened (the browser's search finds what is shown).
  // docs/runtime.md, "Content".
  var contentFiles = {}; // path -> "loading" | "loaded" | "failed"
  var contentWanted = {}; // path -> keys opened before their file arrived
  var revealWanted = null; // an item to show once its section's content is here

  function contentMap() {
    return window.COURSEPACK_CONTENT || {};
  }

  function loadContent(src, then) {
    if (contentFiles[src]) {
      if (then) then();
      return;
    }
    contentFiles[src] = "loading";
    var script = document.createElement("script");
    script.src = src;
    script.onload = function () {
      contentArrived(src, "loaded");
      if (then) then();
    };
    script.onerror = function () {
      log("error", "a content file of the course could not be loaded", src);
      notice("content", t("notice.contentMissing"), "error");
      contentArrived(src, "failed");
      if (then) then();
    };
    document.head.appendChild(script);
  }

  function contentArrived(src, how) {
    contentFiles[src] = how;
    var keys = contentWanted[src] || [];
    delete contentWanted[src];
    keys.forEach(function (key) {
      if (key !== "reflections") materialize(key);
      else if (fillReflections() && view === "reflections") renderReflections();
    });
    var wanted = revealWanted && dom.items[revealWanted];
    if (wanted) {
      revealWanted = null;
      // still where the learner is (they may have gone elsewhere meanwhile)
      if (view === "section" && !wanted.closest("[hidden]")) revealItem(wanted.getAttribute("data-cp-item"));
    }
    emit("content", { file: src, keys: keys });
  }

  /** Every content file this launch shows, one after another: the current section's first
   *  (a cmi5 launch of one module loads no other module's). */
  function loadAllContent() {
    var places = [dom.sections[state.section]];
    for (var key in dom.sections) {
      if (has(dom.sections, key)) places.push(dom.sections[key]);
    }
    places.push(dom.pages && dom.pages.reflections);
    var files = [];
    places.forEach(function (place) {
      var slot = place && place.querySelector("[data-cp-body]");
      var src = slot && slot.getAttribute("data-cp-body");
      if (src && files.indexOf(src) < 0) files.push(src);
    });
    (function next(i) {
      if (i < files.length) loadContent(files[i], function () {
        next(i + 1);
      });
    })(0);
  }

  /** Put the content of `key` in place of the placeholder under `el`: true when it has just
   *  come in; false when it was there already, or while its content file is on its way (it
   *  comes in when the file arrives). */
  function fill(el, key) {
    var slot = el && el.querySelector("[data-cp-body]");
    if (!slot) return false;
    var src = slot.getAttribute("data-cp-body");
    var map = contentMap();
    if (!has(map, key) && contentFiles[src] !== "failed" && contentFiles[src] !== "loaded") {
      (contentWanted[src] = contentWanted[src] || []).push(key);
      loadContent(src);
      return false;
    }
    // the build's own HTML (course text escaped), parsed once, here
    var parsed = document.createElement("template");
    parsed.innerHTML = has(map, key) ? map[key] : "";
    slot.parentNode.replaceChild(parsed.content, slot);
    return true;
  }

  /** A section's content comes into the page: it is indexed and wired, and shows the saved
   *  state. */
  function materialize(key) {
    var el = dom.sections[key];
    if (!fill(el, key)) return;
    qsa(el, "[data-cp-item]").forEach(function (item) {
      dom.items[item.getAttribute("data-cp-item")] = item;
    });
    qsa(el, "[data-cp-goto]").forEach(function (link) {
      if (!sectionByDomId(link.getAttribute("data-cp-goto"))) link.hidden = true;
    });
    wireContent(el);
    (sectionsByKey[key].items || []).forEach(function (item) {
      renderItem(item.key);
    });
  }

  /** My reflections' list comes into the page (every TASK's prompt: the answers are filled in
   *  by renderReflections); true when it has just come in. */
  function fillReflections() {
    var el = dom.pages && dom.pages.reflections;
    if (!fill(el, "reflections")) return false;
    qsa(el, "[data-cp-reflection]").forEach(function (entry) {
      if (!has(itemsByKey, entry.getAttribute("data-cp-reflection"))) entry.hidden = true; // out of scope
    });
    return true;
  }

  /** Every section's content in the page, and My reflections' (before printing: a print of the
   *  whole course or of the learner's reflections finds every TASK). */
  function materializeAll() {
    Object.keys(dom.sections).forEach(materialize);
    fillReflections();
  }

  function sectionByDomId(id) {
    for (var key in dom.sections) {
      if (has(dom.sections, key) && dom.sections[key].id === id) return sectionsByKey[key] || null;
    }
    return null;
  }

  function progressText(p) {
    return tn(countsOnlyTasks ? "progress.tasks" : "progress.items", p.total, { done: p.done, total: p.total });
  }

  function renderProgress(p) {
    if (!dom.progress) return;
    var text = progressText(p);
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
    if (item.kind === "check") {
      renderCheck(key, false);
      return;
    }
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
    refreshEarlier(key);
  }

  /** The newest answer this TASK's earlier wording was given, if any (state.earlier). */
  function earlierAnswer(key) {
    var found = null;
    (state.earlier || []).forEach(function (e) {
      if (e.key === key && (!found || e.savedAt > found.savedAt)) found = e;
    });
    return found;
  }

  /** Under a reworded TASK: the learner's answer to the earlier wording, read-only, to copy. */
  function refreshEarlier(key) {
    var el = dom.items[key];
    var box = el && el.querySelector("[data-cp-earlier]");
    if (!box) return;
    // once the current wording is answered, the earlier answer has done its job here
    var ts = state.tasks[key];
    var e = ts && ts.done ? null : earlierAnswer(key);
    box.hidden = !e;
    if (!e) return;
    var note = box.querySelector("[data-cp-earlier-note]");
    var text = box.querySelector("[data-cp-earlier-text]");
    var missing = box.querySelector("[data-cp-earlier-missing]");
    var copy = box.querySelector("[data-cp-earlier-copy]");
    var present = typeof e.text === "string" && e.text !== "";
    if (note) note.textContent = t("task.earlierWording");
    if (text) {
      text.textContent = present ? e.text : "";
      text.hidden = !present;
    }
    if (missing) missing.hidden = present;
    if (copy) copy.hidden = !present;
  }

  function copyEarlier(key) {
    var e = earlierAnswer(key);
    var el = dom.items[key];
    var input = el && el.querySelector("[data-cp-input]");
    if (!e || !input || typeof e.text !== "string" || !e.text) return;
    input.value = e.text;
    onInput(key, input);
    input.focus();
  }

  /** Answers kept for TASKs no longer in the course: said once, never shown as answers. */
  function removedAnswers() {
    return (state.earlier || []).filter(function (e) {
      return !has(itemsByKey, e.key);
    }).length;
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
      if (kind) existing.className = "cp-notice cp-notice--" + kind;
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
    if (changed) delete state.item; // the learner is at the top of another section
    view = "section";
    showOnly(null);
    materialize(section.key);
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

  /** Scroll an item into view (at once when the learner prefers reduced motion) and move the
   *  focus to its card, which its title names for a screen reader. */
  function revealItem(key) {
    var el = dom.items[key];
    if (!el) {
      revealWanted = key; // once its section's content is here
      return;
    }
    var reduce = !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
    if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    el.focus({ preventScroll: true });
    if (el.scrollIntoView) el.scrollIntoView({ block: "start", behavior: reduce ? "auto" : "smooth" });
  }

  /** A review (the LMS opened the attempt in review or browse mode): the learner's work is
   *  shown and cannot be changed; a notice says so; nothing is saved anywhere. */
  function readOnly() {
    lockInputs(document);
    document.documentElement.setAttribute("data-cp-review", "");
    notice("review", t("notice.review"), "warning");
  }

  /** In a review, the reflections under `root` cannot be changed (a section's content is
   *  locked when it comes into the page; a CHECK locks itself in renderCheck). */
  function lockInputs(root) {
    qsa(root, "[data-cp-input]").forEach(function (input) {
      input.readOnly = true;
    });
    qsa(root, "[data-cp-complete]").forEach(function (button) {
      button.disabled = true;
      button.hidden = true;
    });
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
    if (!item || item.kind === "task" || session.review) return;
    state.item = key;
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
    if (session.review) return;
    state.item = key;
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
    if (!item || !el || session.review) return;
    state.item = key;
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

  // ---------------------------------------------------------------------------------------
  // Knowledge checks (templates/partials/check.html; grading in checks.js)

  function checkInputs(el) {
    return qsa(el, "[data-cp-choice]");
  }

  /** The learner's answer as it stands in the card (a response in the xAPI format). */
  function readAnswer(item, el) {
    var text = el.querySelector("[data-cp-check-text]");
    var ids = checkInputs(el)
      .filter(function (input) {
        return input.checked;
      })
      .map(function (input) {
        return input.value;
      });
    return C.response(item.check, ids, text ? text.value : "");
  }

  function showAnswer(item, el, answer) {
    var ids = C.chosen(item.check, answer);
    checkInputs(el).forEach(function (input) {
      input.checked = ids.indexOf(input.value) >= 0;
    });
    var text = el.querySelector("[data-cp-check-text]");
    if (text && item.check.kind === "fill-in") text.value = answer;
  }

  function cloneTemplate(el, selector, into) {
    var tpl = el.querySelector(selector);
    if (tpl && tpl.content && tpl.content.firstElementChild) {
      into.appendChild(tpl.content.firstElementChild.cloneNode(true));
    }
  }

  function renderCheck(key, announce) {
    var item = itemsByKey[key];
    var el = dom.items[key];
    if (!item || !el) return;
    var cs = state.checks[key] || null;
    var done = C.isDone(cs, attemptsAllowed);
    var left = C.attemptsLeft(cs, attemptsAllowed);
    if (done) el.setAttribute("data-done", "");
    else el.removeAttribute("data-done");
    var status = el.querySelector("[data-cp-status]");
    if (status) {
      status.textContent = !cs ? t("status.notAnswered") : done ? t(cs.correct ? "status.correct" : "status.incorrect") : t("status.tryAgain");
    }
    if (cs && (announce || done || !el.hasAttribute("data-cp-shown"))) showAnswer(item, el, cs.answer);
    el.setAttribute("data-cp-shown", "");
    var locked = done || session.review; // a review shows the answers and takes none
    var inputs = checkInputs(el);
    var text = el.querySelector("[data-cp-check-text]");
    inputs.forEach(function (input) {
      input.disabled = locked;
    });
    if (text) text.disabled = locked;
    var button = el.querySelector("[data-cp-check]");
    if (button) button.hidden = locked;
    var attempts = el.querySelector("[data-cp-attempts]");
    if (attempts) attempts.textContent = !done && isFinite(left) ? t("check.attemptsLeft", { count: left }) : "";
    // the right options, once the question is answered for good
    var right = item.check.correct || [];
    qsa(el, "[data-cp-option]").forEach(function (option) {
      var isRight = done && right.indexOf(option.getAttribute("data-cp-option")) >= 0;
      if (isRight) option.setAttribute("data-right", "");
      else option.removeAttribute("data-right");
      var mark = option.querySelector("[data-cp-right]");
      if (mark) mark.hidden = !isRight;
    });
    var feedback = el.querySelector("[data-cp-feedback]");
    if (!feedback || !(announce || !feedback.hasAttribute("data-verdict"))) return;
    while (feedback.firstChild) feedback.removeChild(feedback.firstChild);
    feedback.removeAttribute("data-verdict");
    if (!cs) return;
    feedback.setAttribute("data-verdict", cs.correct ? "correct" : "incorrect");
    var verdict = document.createElement("p");
    verdict.className = "cp-check__verdict";
    if (cs.correct) verdict.textContent = t("check.correct");
    else if (!done) verdict.textContent = t("check.incorrectTryAgain");
    else if (item.check.kind === "fill-in") verdict.textContent = t("check.acceptedAnswer", { answer: (item.check.accepted || [""])[0] });
    else verdict.textContent = t("check.incorrect");
    feedback.appendChild(verdict);
    C.chosen(item.check, cs.answer).forEach(function (id) {
      cloneTemplate(el, '[data-cp-option-feedback="' + id + '"]', feedback);
    });
    cloneTemplate(el, cs.correct ? "[data-cp-feedback-correct]" : "[data-cp-feedback-incorrect]", feedback);
  }

  function answerCheck(key) {
    var item = itemsByKey[key];
    var el = dom.items[key];
    if (!item || !el || !item.check || session.review) return;
    var cs = state.checks[key] || null;
    if (C.isDone(cs, attemptsAllowed)) return;
    var answer = readAnswer(item, el);
    var error = el.querySelector("[data-cp-error]");
    var text = el.querySelector("[data-cp-check-text]");
    if (!answer) {
      if (error) error.hidden = false;
      var first = text || checkInputs(el)[0];
      if (text) {
        text.setAttribute("aria-invalid", "true");
        text.setAttribute("aria-describedby", error ? error.id : "");
      }
      if (first) first.focus();
      return;
    }
    if (error) error.hidden = true;
    if (text) text.removeAttribute("aria-invalid");
    var nowMs = Coursepack.now();
    var correct = C.judge(item.check, answer);
    cs = state.checks[key] = { answer: answer, attempts: ((cs && cs.attempts) || 0) + 1, correct: correct, at: nowMs };
    var started = checkShownMs[key] || sectionShownMs[(sectionOfItem(item) || {}).key] || session.startMs;
    var durationMs = Math.max(0, nowMs - started);
    checkShownMs[key] = nowMs;
    var section = sectionOfItem(item);
    var info = {
      attempt: cs.attempts,
      correct: correct,
      durationMs: durationMs,
      timestamp: util.iso(nowMs),
      final: C.isDone(cs, attemptsAllowed),
      round: state.round || 0,
    };
    emit("check:answered", {
      item: item,
      section: section,
      module: moduleOf(section),
      response: answer,
      correct: correct,
      attempt: cs.attempts,
      final: info.final,
      durationMs: durationMs,
      timestamp: info.timestamp,
    });
    call("recordCheck", [item, answer, info]);
    renderCheck(key, true);
    evaluate(true);
    persist(true);
  }

  /** A learner who failed, where retries are allowed: every CHECK's attempts start again. */
  function retryChecks() {
    var score = currentScore();
    if (!graded || !assessment.retry || score.passed !== false || session.review) return;
    state.round = (state.round || 0) + 1;
    state.checks = {};
    checks.forEach(function (item) {
      var el = dom.items[item.key];
      if (el) {
        checkInputs(el).forEach(function (input) {
          input.checked = false;
        });
        var text = el.querySelector("[data-cp-check-text]");
        if (text) text.value = "";
      }
      checkShownMs[item.key] = Coursepack.now();
      renderCheck(item.key, true);
    });
    emit("checks:retry", { round: state.round });
    evaluate(true);
    persist(true);
    var first = checks[0] && sectionOfItem(checks[0]);
    if (first) showSection(first, { focus: true, updateHash: true });
  }

  function renderScore(score) {
    if (dom.score) dom.score.textContent = t("score.text", { correct: score.raw, total: score.max });
    if (!dom.result) return;
    dom.result.hidden = !score.decided;
    if (!score.decided) return;
    var values = { correct: score.raw, total: score.max, percent: Math.round(score.scaled * 100), passMark: score.passMark };
    var canRetry = !score.passed && !!assessment.retry;
    if (score.passed) dom.result.setAttribute("data-passed", "");
    else dom.result.removeAttribute("data-passed");
    var title = dom.result.querySelector("[data-cp-result-title]");
    var text = dom.result.querySelector("[data-cp-result-text]");
    var retry = dom.result.querySelector("[data-cp-retry]");
    if (title) title.textContent = t(score.passed ? "result.passedTitle" : "result.failedTitle");
    if (text) text.textContent = t(score.passed ? "result.passed" : canRetry ? "result.failedRetry" : "result.failed", values);
    if (retry) retry.hidden = !canRetry;
  }

  /** Options in an order of this learner's own (assessment.shuffle), the same every time. */
  function shuffleOptions(learnerId, root) {
    if (!graded || !assessment.shuffle) return;
    checks.forEach(function (item) {
      var el = dom.items[item.key];
      if (root && !(el && root.contains(el))) return;
      if (!el || el.hasAttribute("data-cp-shuffled")) return;
      el.setAttribute("data-cp-shuffled", "");
      var box = el && el.querySelector("[data-cp-options]");
      if (!box) return;
      var options = qsa(box, "[data-cp-option]");
      C.order(options.length, learnerId + "|" + item.key).forEach(function (i) {
        box.appendChild(options[i]);
      });
    });
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
      var pageLink = target.closest("[data-cp-page-link], [data-cp-begin]");
      if (pageLink && !(ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button > 0)) {
        ev.preventDefault();
        if (pageLink.hasAttribute("data-cp-begin")) {
          var resumeAt = state.item;
          var target0 = resumeSection() || sectionList[0];
          showSection(target0, { focus: !resumeAt, updateHash: true });
          if (resumeAt && itemsByKey[resumeAt] && sectionOfItem(itemsByKey[resumeAt]) === target0) revealItem(resumeAt);
        }
        else showPage(pageLink.getAttribute("data-cp-page-link"), { focus: true, updateHash: true });
        return;
      }
      if (target.closest("[data-cp-download]")) {
        downloadReflections();
        return;
      }
      if (target.closest("[data-cp-print]")) {
        if (typeof window.print === "function") window.print();
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
      var copy = target.closest("[data-cp-earlier-copy]");
      if (copy) {
        var ecard = copy.closest("[data-cp-item]");
        if (ecard) copyEarlier(ecard.getAttribute("data-cp-item"));
        return;
      }
      var checkButton = target.closest("[data-cp-check]");
      if (checkButton) {
        var ccard = checkButton.closest("[data-cp-item]");
        if (ccard) answerCheck(ccard.getAttribute("data-cp-item"));
        return;
      }
      if (target.closest("[data-cp-retry]")) {
        retryChecks();
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
    // the item the learner is working on (the bookmark: docs/runtime.md, "Resume")
    document.addEventListener("focusin", function (ev) {
      var card = ev.target && ev.target.closest && ev.target.closest("[data-cp-item]");
      var key = card && card.getAttribute("data-cp-item");
      if (key && has(itemsByKey, key) && !session.review) state.item = key;
    });
    window.addEventListener("beforeprint", materializeAll);
    window.addEventListener("hashchange", function () {
      var section = sectionFromHash();
      var page = pageFromHash();
      if (section && (section.key !== state.section || view !== "section")) showSection(section, { focus: true });
      else if (page && page !== view) showPage(page, { focus: true });
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

  /** The listeners of a section's videos and text boxes, once its content is in the page. */
  function wireContent(root) {
    qsa(root, "[data-cp-media]").forEach(function (video) {
      video.addEventListener("play", function () {
        var card = video.closest("[data-cp-item]");
        if (card) markOpened(card.getAttribute("data-cp-item"));
      });
    });
    qsa(root, "[data-cp-input]").forEach(function (input) {
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
    qsa(root, "[data-cp-check-text]").forEach(function (input) {
      var card = input.closest("[data-cp-item]");
      input.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" && card) {
          ev.preventDefault();
          answerCheck(card.getAttribute("data-cp-item"));
        }
      });
    });
    qsa(root, "[data-cp-choice], [data-cp-check-text]").forEach(function (input) {
      var card = input.closest("[data-cp-item]");
      var key = card && card.getAttribute("data-cp-item");
      input.addEventListener("focus", function () {
        if (key && !checkShownMs[key]) checkShownMs[key] = Coursepack.now();
      });
    });
    if (shuffleSeed) shuffleOptions(shuffleSeed, root);
    if (session.review) lockInputs(root);
  }

  function hidden(reason) {
    Object.keys(draftTimers).forEach(function (key) {
      clearTimeout(draftTimers[key]);
    });
    if (session.started && !session.ended && !session.review) {
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

  var leavingResolve = null;
  var leaving = new Promise(function (resolve) {
    leavingResolve = resolve;
  });

  function end(trigger) {
    if (trigger === "pagehide" && leavingResolve) leavingResolve();
    if (!session.started || session.ended) return Promise.resolve();
    session.ended = true;
    if (!session.review) writeDevice();
    var info = {
      completed: courseDone,
      reason: courseDone ? "terminate" : "suspend",
      durationMs: Coursepack.now() - session.startMs,
      trigger: trigger,
      timestamp: util.iso(),
    };
    // The last save completes (or leaves with keepalive) before the session is closed: an
    // LRS refuses State writes after terminated, and a navigation aborts what is in flight.
    return window.CoursepackSessionEnd.run({
      trigger: trigger,
      leaving: leaving,
      save: function () {
        if (!session.connected || session.review) return undefined;
        return call("save", [snapshot(), { final: true, trigger: trigger }]);
      },
      announce: function (actual) {
        info.trigger = actual;
        emit("session:end", info);
      },
      finish: function () {
        if (!session.connected) return undefined;
        return call("finish", [info]);
      },
    });
  }

  function exit() {
    // UI first: some LMSs close the frame as soon as the session finishes.
    if (dom.exit) dom.exit.hidden = true;
    if (session.unconfirmed) notice("exit", t("exit.unconfirmed"), "warning");
    else notice("exit", t("exit.done"));
    return end("exit");
  }

  // ---------------------------------------------------------------------------------------
  // The start page and "My reflections" (templates/partials/start.html, finish.html)

  var view = "section";
  var PAGE_PREFIX = "cp-";

  /** Show the page `name` only (null: none; the sections are then showSection's). */
  function showOnly(name) {
    for (var key in dom.pages) {
      if (has(dom.pages, key)) dom.pages[key].hidden = key !== name;
    }
    (dom.pageLinks || []).forEach(function (link) {
      if (link.getAttribute("data-cp-page-link") === name) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    });
    if (document.body) document.body.setAttribute("data-cp-view", name || "section");
  }

  function showPage(name, opts) {
    opts = opts || {};
    var el = dom.pages[name];
    if (!el) return;
    view = name;
    for (var key in dom.sections) {
      if (has(dom.sections, key)) dom.sections[key].hidden = true;
    }
    for (var lk in dom.links) {
      if (has(dom.links, lk)) dom.links[lk].removeAttribute("aria-current");
    }
    showOnly(name);
    if (name === "start") renderStart();
    if (name === "reflections") {
      fillReflections();
      renderReflections();
    }
    if (opts.updateHash && window.history && window.history.replaceState) {
      try {
        window.history.replaceState(null, "", "#" + el.id);
      } catch (err) {
        /* a sandboxed frame may refuse; the hash is a convenience only */
      }
    }
    if (opts.focus) {
      window.scrollTo(0, 0);
      var heading = el.querySelector(".cp-section__title");
      if (heading) heading.focus({ preventScroll: true });
    }
    if (dom.toc && isNarrow()) collapseToc(true);
  }

  function pageFromHash() {
    var hash = window.location.hash;
    if (!hash || hash.indexOf("#" + PAGE_PREFIX) !== 0) return null;
    var name = hash.slice(1 + PAGE_PREFIX.length);
    return has(dom.pages, name) ? name : null;
  }

  /** Where a returning learner left off: the saved section, when they have been anywhere. */
  function resumeSection() {
    var p = progress();
    if (!session.resumed && !p.done) return null;
    return sectionsByKey[state.section] || null;
  }

  function renderStart() {
    var el = dom.pages.start;
    var begin = el && el.querySelector("[data-cp-begin]");
    var where = el && el.querySelector("[data-cp-resume]");
    var section = resumeSection();
    if (!begin) return;
    if (section && dom.sections[section.key]) {
      begin.textContent = t("start.continue");
      begin.setAttribute("href", "#" + dom.sections[section.key].id);
      if (where) {
        where.textContent = t("start.lastVisited", { title: section.title }) + " · " + progressText(progress());
        where.hidden = false;
      }
    } else {
      begin.textContent = t("start.begin");
      if (where) where.hidden = true;
    }
  }

  function durationWords(ms) {
    return window.CoursepackPages.durationText(function (key, n) {
      return tn(key, n, { count: n });
    }, Math.max(0, ms) / 60000);
  }

  function renderReflections() {
    var el = dom.pages.reflections;
    if (!el) return;
    qsa(el, "[data-cp-reflection]").forEach(function (entry) {
      var ts = state.tasks[entry.getAttribute("data-cp-reflection")];
      var answer = entry.querySelector("[data-cp-answer]");
      if (!answer) return;
      var text = ts && ts.text ? ts.text : "";
      answer.textContent = text || t(ts && ts.missing ? "task.missingHere" : "reflections.none");
      if (text) answer.removeAttribute("data-empty");
      else answer.setAttribute("data-empty", "");
    });
    var finish = el.querySelector("[data-cp-finish]");
    if (finish) {
      var p = progress();
      finish.hidden = !p.completed;
      var summary = finish.querySelector("[data-cp-finish-summary]");
      var time = finish.querySelector("[data-cp-finish-time]");
      if (summary) summary.textContent = t("finish.summary", { progress: progressText(p) });
      if (time) time.textContent = t("finish.time", { duration: durationWords(Coursepack.now() - session.startMs) });
    }
  }

  /** The reflections as a file the learner keeps: {name, text} (whole texts, this device's). */
  function reflectionsFile() {
    fillReflections();
    var P = window.CoursepackPages;
    var el = dom.pages.reflections;
    var nowMs = Coursepack.now();
    var date;
    try {
      date = new Date(nowMs).toLocaleDateString(courseConf.language || "en", { year: "numeric", month: "long", day: "numeric" });
    } catch (err) {
      date = util.iso(nowMs).slice(0, 10);
    }
    var entries = tasks.map(function (item) {
      var entry = el && el.querySelector('[data-cp-reflection="' + item.key.replace(/["\\]/g, "") + '"]');
      var pick = function (selector) {
        var node = entry && entry.querySelector(selector);
        return node ? node.textContent.replace(/\s+/g, " ").trim() : "";
      };
      var ts = state.tasks[item.key];
      return {
        title: pick(".cp-reflection__title") || item.title,
        where: pick(".cp-reflection__where"),
        prompt: pick(".cp-reflection__prompt"),
        answer: ts && ts.text ? ts.text : "",
        none: t(ts && ts.missing ? "task.missingHere" : "reflections.none"),
      };
    });
    return {
      name: P.fileName(courseConf.title, util.iso(nowMs)),
      text: P.reflectionsDocument({
        lang: courseConf.language,
        dir: document.documentElement.getAttribute("dir"),
        heading: t("reflections.fileTitle", { title: courseConf.title || "" }),
        dateLine: t("reflections.fileDate", { date: date }),
        entries: entries,
      }),
    };
  }

  function downloadReflections() {
    var file = reflectionsFile();
    if (!window.Blob || !window.URL || !window.URL.createObjectURL) return file;
    var url = window.URL.createObjectURL(new window.Blob([file.text], { type: "text/html;charset=utf-8" }));
    var a = document.createElement("a");
    a.href = url;
    a.download = file.name;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    setTimeout(function () {
      window.URL.revokeObjectURL(url);
    }, 60000);
    return file;
  }

  /** The section named by the URL's fragment, if any (a malformed fragment names none). */
  function sectionFromHash() {
    var hash = window.location.hash;
    if (!hash || hash.length < 2) return null;
    var id = U.safeDecode(hash.slice(1));
    return id === null ? null : sectionByDomId(id);
  }

  // ---------------------------------------------------------------------------------------
  // Boot

  function mergeLmsState(lmsState) {
    return S.mergeLmsState(lmsState, readDevice(), course, log);
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
      // a mastery score the LMS gives (cmi5 LaunchData, 0..1) decides the pass instead of
      // the course's pass mark
      var mastery = result.masteryScore;
      if (graded && typeof mastery === "number" && isFinite(mastery) && mastery >= 0 && mastery <= 1) {
        assessment = Object.assign({}, assessment, { passMark: Math.round(mastery * 1e8) / 1e6 });
      }
      session.learner = result.learner || null;
      var learnerId = session.learner && session.learner.id ? String(session.learner.id) : "";
      deviceKey = (courseConf.storageKey || "coursepack:" + util.hash(courseConf.id || "")) + ":" + (session.connected ? "l-" + util.hash(learnerId || "anonymous") : "local");
      session.review = !!(result.connected && result.review);
      if (session.connected) {
        // The LMS would not say what it holds (it threw or answered garbage): this browser's
        // copy, not an empty state that the next save would write over the LMS's.
        var unread = result.stateUnread ? readDevice() : null;
        state = unread ? cleanState(unread) : mergeLmsState(result.state || null);
        Object.keys(state.tasks).forEach(function (key) {
          if (state.tasks[key].done) state.tasks[key].recorded = state.tasks[key].text;
        });
        session.resumed = unread ? true : !!result.resumed && !!result.state;
      } else {
        var device = readDevice();
        state = cleanState(device);
        session.resumed = !!device;
        notice("mode", t(result.ended ? "notice.ended" : result.failed ? "notice.lmsFailed" : "notice.noLms"), "warning");
      }
      var removed = removedAnswers();
      if (removed) notice("removed-answers", t("notice.removedAnswers", { count: removed }));
      if (!deviceCopy.available()) {
        storageOk = false;
        if (!session.connected) notice("storage", t("notice.noStorage"), "warning");
      }
      if (dom.exit) dom.exit.hidden = !session.connected || session.review;
      if (session.review) readOnly();
      // initial completion flags without events (they were announced in earlier sessions)
      sectionList.forEach(function (section) {
        sectionDone[section.key] = sectionComplete(section);
      });
      modules.forEach(function (module) {
        moduleDone[module.id] = moduleComplete(module);
      });
      courseDone = progress().completed;
      scoreDecided = graded && currentScore().decided;
      shuffleSeed = learnerId || "local";
      shuffleOptions(shuffleSeed);
      var fromHash = sectionFromHash();
      var first = fromHash || currentSection();
      // without a section in the URL, the course opens on its start page (or the page named)
      var page = fromHash ? null : pageFromHash() || (dom.pages.start ? "start" : null);
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
      if (page) {
        evaluate(false);
        showPage(page, { focus: false });
      } else showSection(first, { initial: true, focus: false });
      // a returning learner comes back to the item they were working on: at once when the URL
      // names their section, else from "Continue where you left off" on the start page
      var at = !fromHash && session.resumed && result.item && itemsByKey[result.item] && first && sectionOfItem(itemsByKey[result.item]) === first ? result.item : null;
      if (at) state.item = at;
      if (!page && first && dom.sections[first.key] && session.resumed) {
        if (at) revealItem(at);
        else window.scrollTo(0, 0);
      }
      // Nothing known to write yet when the LMS's data could not be read and this browser has
      // no copy: the first change of the learner saves, not an empty state at launch.
      if (session.connected && result.stateUnread && !readDevice()) {
        log("warn", "the LMS's saved data could not be read and this browser has no copy");
        return undefined;
      }
      return persist(true);
    }).then(function () {
      Coursepack.started = true;
      emit("ready", { mode: session.mode });
      // after the page's load event, which an LMS's player may be waiting for
      if (document.readyState === "complete") loadAllContent();
      else window.addEventListener("load", loadAllContent);
      return Coursepack;
    });
  }

  /** An LMS error (`code`: its error code, or "unconfirmed" when it gave none: it threw or
   *  answered garbage): one notice per code, and no "Your progress is saved" from now on. */
  function reportError(code, detail) {
    log("error", "LMS error " + code, detail);
    unconfirmed();
    if (reportedErrors[code]) return;
    reportedErrors[code] = true;
    var text = code === "unconfirmed" ? t("notice.lmsUnconfirmed") : t("notice.saveError", { code: code });
    notice("error-" + code, text, "error");
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
        review: session.review,
        unconfirmed: session.unconfirmed,
      };
    },
    progress: progress,
    item: function (key) {
      return itemsByKey[key] || null;
    },
    section: function (key) {
      return sectionsByKey[key] || null;
    },
    /** Put a section's content (or every section's, without a key) into the page. */
    materialize: function (key) {
      if (key === undefined) materializeAll();
      else if (has(sectionsByKey, key)) materialize(key);
    },
    go: function (key) {
      return showSection(sectionsByKey[key], { focus: true, updateHash: true });
    },
    /** Show "start" or "reflections" (the start page, My reflections). */
    page: function (name) {
      return showPage(name, { focus: true, updateHash: true });
    },
    view: function () {
      return view;
    },
    reflectionsFile: reflectionsFile,
    exit: exit,
  };
  window.Coursepack = Coursepack;

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", boot);
  } else {
    setTimeout(boot, 0);
  }
})(window, document);

