/*
 * coursepack runtime: course events -> xAPI statements (CoursepackXAPI.createCourseEmitter)
 *
 *   X.createCourseEmitter(tracker, options) -> emitter
 *     emitter.bind(Coursepack)   listen to core's events and flush (keepalive) on onHidden
 *     emitter.sessionStart(detail), .itemOpened, .taskCompleted, .checkAnswered,
 *     .checksScored, .sectionCompleted, .moduleCompleted, .courseCompleted, .sessionEnd
 *     (what bind() wires, callable)
 *     A graded course: `answered` for each answer to a CHECK (response, success, score 1 or 0
 *     of 1, the attempt number in a context extension), and `passed` or `failed` for the
 *     course once every CHECK is answered (docs/xapi.md section 2). A profile that refuses
 *     completion with a failure (config.target.completionOnFailure false: Cornerstone)
 *     sends no course `completed` after a failed result.
 *     options.endVerb(detail) -> "terminated" | "suspended" (default: terminated when the
 *     course is completed, else suspended); options.resumed (default true): send `resumed`;
 *     options.config (default: window.COURSEPACK_CONFIG)
 *
 * After the session's last statement (suspended/terminated), what the learner still does on
 * the page belongs to no session: it is not sent.
 */
(function (window) {
  "use strict";

  var U = window.CoursepackUtil;
  var X = window.CoursepackXAPI;

  function createCourseEmitter(tracker, options) {
    var o = options || {};
    var conf = o.config || window.COURSEPACK_CONFIG || {};
    var course = conf.course || {};
    var root = { iri: course.iri || course.id, definition: course.definition };
    var modulesById = {};
    var sectionModule = {};
    (conf.modules || []).forEach(function (m) {
      modulesById[m.id] = m;
      (m.sections || []).forEach(function (s) {
        sectionModule[s.key] = m;
      });
    });

    function moduleFor(detail) {
      if (detail.module) return detail.module;
      if (detail.section && sectionModule[detail.section.key]) return sectionModule[detail.section.key];
      return null;
    }

    function ids(list) {
      return list.filter(Boolean).map(function (a) {
        return a.iri || a.id;
      });
    }

    // After the session's last statement (suspended/terminated), what the learner still does
    // on the page belongs to no session: it is not sent (the next launch starts a new one).
    var ended = false;

    function withDuration(result, ms) {
      if (typeof ms === "number" && isFinite(ms) && ms >= 0) result.duration = U.isoDuration(ms);
      return result;
    }

    function sessionStart(detail) {
      detail = detail || {};
      tracker.send({ verb: "initialized", object: root, timestamp: detail.timestamp });
      if (detail.resumed && o.resumed !== false) {
        tracker.send({ verb: "resumed", object: root, timestamp: detail.timestamp });
      }
    }

    function itemOpened(detail) {
      if (ended) return;
      var item = detail.item;
      if (!item || item.kind === "task") return;
      var module = moduleFor(detail);
      tracker.send({
        verb: "experienced",
        object: item,
        parent: ids([detail.section]),
        grouping: ids([module, root]),
        timestamp: detail.timestamp,
      });
    }

    function taskCompleted(detail) {
      if (ended) return;
      var item = detail.item;
      if (!item) return;
      var module = moduleFor(detail);
      tracker.send({
        verb: "completed",
        object: item,
        result: withDuration({ completion: true, response: String(detail.response || "") }, detail.durationMs),
        parent: ids([detail.section]),
        grouping: ids([module, root]),
        timestamp: detail.timestamp,
      });
    }

    var attemptExtension = (conf.xapi || {}).attemptExtension;

    function checkAnswered(detail) {
      if (ended) return;
      var item = detail.item;
      if (!item) return;
      var module = moduleFor(detail);
      var right = detail.correct === true;
      var context = {};
      if (attemptExtension) {
        context.extensions = {};
        context.extensions[attemptExtension] = detail.attempt;
      }
      tracker.send({
        verb: "answered",
        object: item,
        result: {
          response: String(detail.response || ""),
          success: right,
          score: { raw: right ? 1 : 0, min: 0, max: 1, scaled: right ? 1 : 0 },
        },
        parent: ids([detail.section]),
        grouping: ids([module, root]),
        context: context,
        timestamp: detail.timestamp,
      });
    }

    function checksScored(detail) {
      if (ended) return;
      var score = detail && detail.score;
      if (!score || !score.decided) return;
      tracker.send({
        verb: score.passed ? "passed" : "failed",
        object: root,
        result: withDuration(
          {
            success: !!score.passed,
            score: { scaled: score.scaled, raw: score.raw, min: 0, max: score.max },
          },
          detail.durationMs
        ),
        timestamp: detail.timestamp,
      });
    }

    function sectionCompleted(detail) {
      if (ended) return;
      if (!detail.section) return;
      var module = moduleFor(detail);
      tracker.send({
        verb: "completed",
        object: detail.section,
        result: { completion: true },
        parent: ids([module]),
        grouping: ids([root]),
        timestamp: detail.timestamp,
      });
    }

    function moduleCompleted(detail) {
      if (ended) return;
      if (!detail.module) return;
      tracker.send({
        verb: "completed",
        object: detail.module,
        result: { completion: true },
        parent: ids([root]),
        timestamp: detail.timestamp,
      });
    }

    function courseCompleted(detail) {
      if (ended) return;
      if (detail && detail.passed === false && (conf.target || {}).completionOnFailure === false) return;
      tracker.send({
        verb: "completed",
        object: root,
        result: { completion: true },
        timestamp: detail && detail.timestamp,
        durationMs: detail && detail.durationMs,
      });
    }

    function sessionEnd(detail) {
      if (ended) return;
      ended = true;
      detail = detail || {};
      var verb = typeof o.endVerb === "function" ? o.endVerb(detail) : detail.completed ? "terminated" : "suspended";
      tracker.send({
        verb: verb,
        object: root,
        result: withDuration({}, detail.durationMs),
        timestamp: detail.timestamp,
      });
      // The frame or tab may be gone in a moment: send now, with keepalive.
      tracker.flush({ keepalive: true });
    }

    var emitter = {
      tracker: tracker,
      sessionStart: sessionStart,
      itemOpened: itemOpened,
      taskCompleted: taskCompleted,
      checkAnswered: checkAnswered,
      checksScored: checksScored,
      sectionCompleted: sectionCompleted,
      moduleCompleted: moduleCompleted,
      courseCompleted: courseCompleted,
      sessionEnd: sessionEnd,
      bind: function (cp) {
        cp = cp || window.Coursepack;
        if (!cp) return emitter;
        cp.on("session:start", sessionStart);
        cp.on("item:opened", itemOpened);
        cp.on("task:completed", taskCompleted);
        cp.on("check:answered", checkAnswered);
        cp.on("checks:scored", checksScored);
        cp.on("section:completed", sectionCompleted);
        cp.on("module:completed", moduleCompleted);
        cp.on("course:completed", courseCompleted);
        cp.on("session:end", sessionEnd);
        cp.onHidden(function () {
          tracker.flush({ keepalive: true });
        });
        return emitter;
      },
    };
    return emitter;
  }

  X.createCourseEmitter = createCourseEmitter;
})(window);
