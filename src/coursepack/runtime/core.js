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
  var course = S.index(modules, STATE_VERSION);
  var itemsByKey = course.itemsByKey;
  var sectionsByKey = course.sectionsByKey;
  var tasks = course.tasks;
  var allItems = course.items;
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
    }
    return ts;
  }

  function cleanState(raw) {
    return S.cleanState(raw, course);
  }

  function packState(st, limit) {
    return S.packState(st, limit, course, log);
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
  }

  /** A section's content is text in a <script type="text/x-coursepack-section"> until the
   *  section is first opened (the page of a big course is ready at once; the browser's
   *  search finds what is shown):
   *  here it becomes part of the page, is indexed and wired, and shows the saved state. */
  function materialize(key) {
    var el = dom.sections[key];
    var body = el && el.querySelector("script[data-cp-body]");
    if (!body) return;
    // the build's own HTML (course text escaped), kept as text: the browser only scans it
    // while loading the page, and parses it here, once
    var parsed = document.createElement("template");
    parsed.innerHTML = body.textContent;
    body.parentNode.replaceChild(parsed.content, body);
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

  /** Every section's content in the page (before printing: a print of the whole course or of
   *  the learner's reflections finds every TASK). */
  function materializeAll() {
    Object.keys(dom.sections).forEach(materialize);
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
    window.addEventListener("beforeprint", materializeAll);
    window.addEventListener("hashchange", function () {
      var section = sectionFromHash();
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

  var leavingResolve = null;
  var leaving = new Promise(function (resolve) {
    leavingResolve = resolve;
  });

  function end(trigger) {
    if (trigger === "pagehide" && leavingResolve) leavingResolve();
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
    // The last save completes (or leaves with keepalive) before the session is closed: an
    // LRS refuses State writes after terminated, and a navigation aborts what is in flight.
    return window.CoursepackSessionEnd.run({
      trigger: trigger,
      leaving: leaving,
      save: function () {
        if (!session.connected) return undefined;
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
    notice("exit", t("exit.done"));
    return end("exit");
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
      if (!deviceCopy.available()) {
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
      var fromHash = sectionFromHash();
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
    /** Put a section's content (or every section's, without a key) into the page. */
    materialize: function (key) {
      if (key === undefined) materializeAll();
      else if (has(sectionsByKey, key)) materialize(key);
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

