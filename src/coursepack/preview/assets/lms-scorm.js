/*
 * coursepack preview: the LMS side of SCORM 1.2 (window.API) and SCORM 2004
 * (window.API_1484_11), written for the preview (no third-party code).
 *
 * Strict, as a strict LMS is: every data model element name is checked, read-only and
 * write-only elements are enforced, vocabularies, types and ranges are checked, array
 * records must be created in order (2004: the id first), 1.2's suspend_data holds 4096
 * characters and 2004's 64000, and every call sets the error code of its standard
 * (../shared/docs/scorm12.md and scorm2004.md).
 *
 * The data is a flat map of element names to strings ("cmi.core.lesson_status": "incomplete")
 * with the array counts beside it. Commit (and Finish/Terminate) copies it to the stored
 * copy, which is what a relaunch starts from; "offline" makes them fail (1.2: 101, 2004: 391)
 * and keeps the stored copy as it was.
 *
 *   var lms = PreviewSCORM.create("1.2" | "2004", {
 *     stored: <a stored copy or null>, learner: {id, name}, launchData: "",
 *     offline: function () { return false; },
 *     onCall: function (entry) {},      // {method, args, result, error}
 *     onStore: function (stored) {},    // after a successful Commit/Finish
 *     suspendDataLimit: 64000,          // what the LMS keeps of cmi.suspend_data, when more
 *                                       // than the standard's (the LMS profile's LMS: Moodle
 *                                       // with "SCORM standards mode" off)
 *   });
 *   window.API = lms.api;               // (API_1484_11 for 2004)
 *   lms.data() / lms.stored() / lms.limits
 */
(function (window) {
  "use strict";

  // --- types ---------------------------------------------------------------------------

  var RE = {
    // 1.2
    ident12: /^[\x21-\x7E]{1,255}$/,
    decimal: /^-?\d+(\.\d+)?$/,
    integer: /^-?\d+$/,
    time12: /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,2})?$/,
    timespan12: /^\d{2,4}:[0-5]\d:[0-5]\d(\.\d{1,2})?$/,
    // 2004
    real: /^-?\d+(\.\d+)?$/,
    longId: /^\S{1,4000}$/,
    timestamp:
      /^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2}(\.\d{1,2})?)?)?(Z|[+-]\d{2}(:\d{2})?)?)?)?)?$/,
    duration: /^P(?=.)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)?)?$/,
    lang: /^\{lang=([A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)?\}/,
    navTarget: /^\{target=[^\s{}]+\}(choice|jump)$/,
  };

  function oneOf(list) {
    var set = {};
    list.forEach(function (v) {
      set[v] = true;
    });
    return function (v) {
      return set[v] === true;
    };
  }

  function maxLen(n) {
    return function (v) {
      return v.length <= n;
    };
  }

  function decimalIn(min, max) {
    return function (v) {
      if (!RE.decimal.test(v)) return "type";
      var n = parseFloat(v);
      return n >= min && n <= max ? true : "range";
    };
  }

  function intIn(min, max) {
    return function (v) {
      if (!RE.integer.test(v)) return "type";
      var n = parseInt(v, 10);
      return n >= min && n <= max ? true : "range";
    };
  }

  function realIn(min, max) {
    return function (v) {
      if (!RE.real.test(v)) return "type";
      var n = parseFloat(v);
      if ((min !== null && n < min) || (max !== null && n > max)) return "range";
      return true;
    };
  }

  function localized(n) {
    return function (v) {
      var m = RE.lang.exec(v);
      if (v.charAt(0) === "{" && v.indexOf("{lang=") === 0 && !m) return "type";
      var text = m ? v.slice(m[0].length) : v;
      return text.length <= n;
    };
  }

  function pattern(re) {
    return function (v) {
      return re.test(v);
    };
  }

  var STATUS12 = ["passed", "completed", "failed", "incomplete", "browsed", "not attempted"];
  var TYPES12 = [
    "true-false", "choice", "fill-in", "matching", "performance", "sequencing", "likert", "numeric",
  ];
  var TYPES2004 = [
    "true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing",
    "likert", "numeric", "other",
  ];

  // 1.2 CMIFeedback by interaction type (a record without a type takes any 255 characters)
  var CHAR = "[0-9a-z]";
  var FEEDBACK12 = {
    "true-false": /^(0|1|t|f)$/,
    choice: new RegExp("^(" + CHAR + "(," + CHAR + ")*)?$"),
    "fill-in": /^[\s\S]{0,255}$/,
    numeric: /^-?\d+(\.\d+)?$/,
    likert: new RegExp("^" + CHAR + "?$"),
    matching: new RegExp("^(" + CHAR + "\\." + CHAR + "(," + CHAR + "\\." + CHAR + ")*)?$"),
    performance: /^[\s\S]{0,255}$/,
    sequencing: new RegExp("^(" + CHAR + "(," + CHAR + ")*)?$"),
  };

  function feedback12() {
    return function (v, data, path) {
      if (v.length > 255) return "type";
      var type = data[path.replace(/\.(student_response|correct_responses\.\d+\.pattern)$/, "") + ".type"];
      var re = type && FEEDBACK12[type];
      return re ? re.test(v) : true;
    };
  }

  // 2004 learner_response / pattern by type (the types coursepack does not send are held
  // to the data type's length only)
  function response2004(v, data, path) {
    var base = path.replace(/\.(learner_response|correct_responses\.\d+\.pattern)$/, "");
    var type = data[base + ".type"];
    switch (type) {
      case "true-false":
        return /^(true|false)$/.test(v);
      case "long-fill-in":
        return localized(4000)(v);
      case "numeric":
        return /^(-?\d+(\.\d+)?)?(\[:\](-?\d+(\.\d+)?)?)?$/.test(v) || RE.real.test(v);
      case "fill-in":
        return v.split("[,]").every(function (part) {
          return localized(250)(part) === true;
        });
      default:
        return v.length <= 4000;
    }
  }

  // --- data models -----------------------------------------------------------------------
  // [pattern, access (RO, WO, RW), check, extra] in dotted form; "N" is an array index

  var N = "(\\d+)";
  function el(name) {
    return new RegExp("^" + name.replace(/\./g, "\\.").replace(/\\\.N\\\./g, "\\." + N + "\\.").replace(/\\\.N$/, "\\." + N) + "$");
  }

  var MODEL12 = {
    version: "3.4",
    arrays: ["cmi.objectives", "cmi.interactions", "cmi.interactions.N.objectives", "cmi.interactions.N.correct_responses"],
    children: {
      cmi: "core,suspend_data,launch_data,comments,objectives,student_data,student_preference,interactions",
      "cmi.core": "student_id,student_name,lesson_location,credit,lesson_status,entry,score,total_time,lesson_mode,exit,session_time",
      "cmi.core.score": "raw,min,max",
      "cmi.objectives": "id,score,status",
      "cmi.objectives.N.score": "raw,min,max",
      "cmi.student_data": "mastery_score,max_time_allowed,time_limit_action",
      "cmi.student_preference": "audio,language,speed,text",
      "cmi.interactions": "id,objectives,time,type,correct_responses,weighting,student_response,result,latency",
    },
    elements: [
      ["cmi.core.student_id", "RO"],
      ["cmi.core.student_name", "RO"],
      ["cmi.core.lesson_location", "RW", maxLen(255)],
      ["cmi.core.credit", "RO"],
      ["cmi.core.lesson_status", "RW", oneOf(STATUS12.slice(0, 5))],
      ["cmi.core.entry", "RO"],
      ["cmi.core.score.raw", "RW", scoreCheck],
      ["cmi.core.score.min", "RW", scoreCheck],
      ["cmi.core.score.max", "RW", scoreCheck],
      ["cmi.core.total_time", "RO"],
      ["cmi.core.lesson_mode", "RO"],
      ["cmi.core.exit", "WO", oneOf(["time-out", "suspend", "logout", ""])],
      ["cmi.core.session_time", "WO", pattern(RE.timespan12)],
      ["cmi.suspend_data", "RW", maxLen(4096)],
      ["cmi.launch_data", "RO"],
      ["cmi.comments", "RW", maxLen(4096)],
      ["cmi.comments_from_lms", "RO"],
      ["cmi.objectives.N.id", "RW", pattern(RE.ident12)],
      ["cmi.objectives.N.score.raw", "RW", scoreCheck],
      ["cmi.objectives.N.score.min", "RW", scoreCheck],
      ["cmi.objectives.N.score.max", "RW", scoreCheck],
      ["cmi.objectives.N.status", "RW", oneOf(STATUS12)],
      ["cmi.student_data.mastery_score", "RO"],
      ["cmi.student_data.max_time_allowed", "RO"],
      ["cmi.student_data.time_limit_action", "RO"],
      ["cmi.student_preference.audio", "RW", intIn(-1, 100)],
      ["cmi.student_preference.language", "RW", maxLen(255)],
      ["cmi.student_preference.speed", "RW", intIn(-100, 100)],
      ["cmi.student_preference.text", "RW", intIn(-1, 1)],
      ["cmi.interactions.N.id", "WO", pattern(RE.ident12)],
      ["cmi.interactions.N.objectives.N.id", "WO", pattern(RE.ident12)],
      ["cmi.interactions.N.time", "WO", pattern(RE.time12)],
      ["cmi.interactions.N.type", "WO", oneOf(TYPES12)],
      ["cmi.interactions.N.correct_responses.N.pattern", "WO", feedback12()],
      ["cmi.interactions.N.weighting", "WO", decimalIn(-100, 100)],
      ["cmi.interactions.N.student_response", "WO", feedback12()],
      ["cmi.interactions.N.result", "WO", function (v) {
        return oneOf(["correct", "wrong", "unanticipated", "neutral"])(v) || RE.decimal.test(v);
      }],
      ["cmi.interactions.N.latency", "WO", pattern(RE.timespan12)],
    ],
    errors: {
      "0": "No error",
      "101": "General exception",
      "201": "Invalid argument error",
      "202": "Element cannot have children",
      "203": "Element not an array - cannot have count",
      "301": "Not initialized",
      "401": "Not implemented error",
      "402": "Invalid set value, element is a keyword",
      "403": "Element is read only",
      "404": "Element is write only",
      "405": "Incorrect data type",
    },
  };

  function scoreCheck(v) {
    if (v === "") return true;
    var r = decimalIn(0, 100)(v);
    return r === true ? true : "type"; // 1.2 has one code for both: 405
  }

  var OBJ2004 = "cmi.objectives.N.";
  var INT2004 = "cmi.interactions.N.";
  var MODEL2004 = {
    version: "1.0",
    arrays: [
      "cmi.comments_from_learner", "cmi.comments_from_lms", "cmi.interactions", "cmi.objectives",
      "cmi.interactions.N.objectives", "cmi.interactions.N.correct_responses",
    ],
    children: {
      "cmi.comments_from_learner": "comment,location,timestamp",
      "cmi.comments_from_lms": "comment,location,timestamp",
      "cmi.interactions": "id,type,objectives,timestamp,correct_responses,weighting,learner_response,result,latency,description",
      "cmi.learner_preference": "audio_level,language,delivery_speed,audio_captioning",
      "cmi.objectives": "id,score,success_status,completion_status,progress_measure,description",
      "cmi.objectives.N.score": "scaled,raw,min,max",
      "cmi.score": "scaled,raw,min,max",
    },
    elements: [
      ["cmi.comments_from_learner.N.comment", "RW", localized(4000)],
      ["cmi.comments_from_learner.N.location", "RW", maxLen(250)],
      ["cmi.comments_from_learner.N.timestamp", "RW", pattern(RE.timestamp)],
      ["cmi.comments_from_lms.N.comment", "RO"],
      ["cmi.comments_from_lms.N.location", "RO"],
      ["cmi.comments_from_lms.N.timestamp", "RO"],
      ["cmi.completion_status", "RW", oneOf(["completed", "incomplete", "not attempted", "unknown"])],
      ["cmi.completion_threshold", "RO"],
      ["cmi.credit", "RO"],
      ["cmi.entry", "RO"],
      ["cmi.exit", "WO", oneOf(["time-out", "suspend", "logout", "normal", ""])],
      [INT2004 + "id", "RW", pattern(RE.longId)],
      [INT2004 + "type", "RW", oneOf(TYPES2004)],
      [INT2004 + "objectives.N.id", "RW", pattern(RE.longId)],
      [INT2004 + "timestamp", "RW", pattern(RE.timestamp)],
      [INT2004 + "correct_responses.N.pattern", "RW", response2004],
      [INT2004 + "weighting", "RW", realIn(null, null)],
      [INT2004 + "learner_response", "RW", response2004],
      [INT2004 + "result", "RW", function (v) {
        return oneOf(["correct", "incorrect", "unanticipated", "neutral"])(v) || RE.real.test(v);
      }],
      [INT2004 + "latency", "RW", pattern(RE.duration)],
      [INT2004 + "description", "RW", localized(250)],
      ["cmi.launch_data", "RO"],
      ["cmi.learner_id", "RO"],
      ["cmi.learner_name", "RO"],
      ["cmi.learner_preference.audio_level", "RW", realIn(0, null)],
      ["cmi.learner_preference.language", "RW", maxLen(250)],
      ["cmi.learner_preference.delivery_speed", "RW", realIn(0, null)],
      ["cmi.learner_preference.audio_captioning", "RW", oneOf(["-1", "0", "1"])],
      ["cmi.location", "RW", maxLen(1000)],
      ["cmi.max_time_allowed", "RO"],
      ["cmi.mode", "RO"],
      [OBJ2004 + "id", "RW", pattern(RE.longId)],
      [OBJ2004 + "score.scaled", "RW", realIn(-1, 1)],
      [OBJ2004 + "score.raw", "RW", realIn(null, null)],
      [OBJ2004 + "score.min", "RW", realIn(null, null)],
      [OBJ2004 + "score.max", "RW", realIn(null, null)],
      [OBJ2004 + "success_status", "RW", oneOf(["passed", "failed", "unknown"])],
      [OBJ2004 + "completion_status", "RW", oneOf(["completed", "incomplete", "not attempted", "unknown"])],
      [OBJ2004 + "progress_measure", "RW", realIn(0, 1)],
      [OBJ2004 + "description", "RW", localized(250)],
      ["cmi.progress_measure", "RW", realIn(0, 1)],
      ["cmi.scaled_passing_score", "RO"],
      ["cmi.score.scaled", "RW", realIn(-1, 1)],
      ["cmi.score.raw", "RW", realIn(null, null)],
      ["cmi.score.min", "RW", realIn(null, null)],
      ["cmi.score.max", "RW", realIn(null, null)],
      ["cmi.session_time", "WO", pattern(RE.duration)],
      ["cmi.success_status", "RW", oneOf(["passed", "failed", "unknown"])],
      ["cmi.suspend_data", "RW", maxLen(64000)],
      ["cmi.time_limit_action", "RO"],
      ["cmi.total_time", "RO"],
      ["adl.nav.request", "RW", function (v) {
        return oneOf(["continue", "previous", "choice", "jump", "exit", "exitAll", "abandon",
          "abandonAll", "suspendAll", "_none_"])(v) || RE.navTarget.test(v);
      }],
      ["adl.nav.request_valid.continue", "RO"],
      ["adl.nav.request_valid.previous", "RO"],
    ],
    errors: {
      "0": "No Error",
      "101": "General Exception",
      "102": "General Initialization Failure",
      "103": "Already Initialized",
      "104": "Content Instance Terminated",
      "111": "General Termination Failure",
      "112": "Termination Before Initialization",
      "113": "Termination After Termination",
      "122": "Retrieve Data Before Initialization",
      "123": "Retrieve Data After Termination",
      "132": "Store Data Before Initialization",
      "133": "Store Data After Termination",
      "142": "Commit Before Initialization",
      "143": "Commit After Termination",
      "201": "General Argument Error",
      "301": "General Get Failure",
      "351": "General Set Failure",
      "391": "General Commit Failure",
      "401": "Undefined Data Model Element",
      "402": "Unimplemented Data Model Element",
      "403": "Data Model Element Value Not Initialized",
      "404": "Data Model Element Is Read Only",
      "405": "Data Model Element Is Write Only",
      "406": "Data Model Type Mismatch",
      "407": "Data Model Element Value Out Of Range",
      "408": "Data Model Dependency Not Established",
    },
  };

  function nodesOf(model) {
    var nodes = {};
    model.elements.forEach(function (e) {
      var parts = e[0].split(".");
      for (var i = 1; i < parts.length; i++) nodes[parts.slice(0, i).join(".")] = true;
    });
    model.arrays.forEach(function (a) {
      nodes[a] = true;
    });
    return nodes;
  }

  MODEL12.nodes = nodesOf(MODEL12);
  MODEL2004.nodes = nodesOf(MODEL2004);
  MODEL12.compiled = MODEL12.elements.map(function (e) {
    return { re: el(e[0]), name: e[0], access: e[1], check: e[2] };
  });
  MODEL2004.compiled = MODEL2004.elements.map(function (e) {
    return { re: el(e[0]), name: e[0], access: e[1], check: e[2] };
  });

  // --- time sums for total_time ----------------------------------------------------------

  function timespan12ToMs(v) {
    var m = /^(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(v || "");
    return m ? ((+m[1] * 60 + +m[2]) * 60 + parseFloat(m[3])) * 1000 : 0;
  }

  function msToTimespan12(ms) {
    var cs = Math.round(ms / 10);
    var h = Math.floor(cs / 360000);
    var mi = Math.floor((cs % 360000) / 6000);
    var s = (cs % 6000) / 100;
    function pad(n, w) {
      var t = String(n);
      while (t.length < w) t = "0" + t;
      return t;
    }
    return pad(Math.min(h, 9999), 4) + ":" + pad(mi, 2) + ":" + pad(s.toFixed(2), 5);
  }

  function durationToMs(v) {
    var m = RE.duration.exec(v || "");
    if (!m) return 0;
    var p = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(v);
    if (!p) return 0;
    var days = (+p[1] || 0) * 365 + (+p[2] || 0) * 30 + (+p[3] || 0);
    return (((days * 24 + (+p[4] || 0)) * 60 + (+p[5] || 0)) * 60 + (parseFloat(p[6]) || 0)) * 1000;
  }

  function msToDuration(ms) {
    var cs = Math.round(ms / 10);
    var h = Math.floor(cs / 360000);
    var mi = Math.floor((cs % 360000) / 6000);
    var s = (cs % 6000) / 100;
    return "PT" + h + "H" + mi + "M" + String(Math.round(s * 100) / 100) + "S";
  }

  function copy(o) {
    return JSON.parse(JSON.stringify(o));
  }

  // --- the engine ------------------------------------------------------------------------

  function create(version, options) {
    var v12 = version === "1.2";
    var model = v12 ? MODEL12 : MODEL2004;
    var opts = options || {};
    var learner = opts.learner || { id: "preview-learner", name: "Learner, Preview" };
    var suspendLimit = Math.max(v12 ? 4096 : 64000, Number(opts.suspendDataLimit) || 0);
    var previous = opts.stored ? copy(opts.stored) : null;
    var state = "new"; // new | running | done
    var lastError = "0";
    var diagnostic = "";
    var data = {};
    var counts = {};
    var sessionSetMs = null;

    var E = v12
      ? {
          initTwice: "101", initAfterEnd: "101", endBefore: "301", endTwice: "101",
          getBefore: "301", getAfterEnd: "101", setBefore: "301", setAfterEnd: "101",
          commitBefore: "301", commitAfterEnd: "101", commitFail: "101", endFail: "101",
          badArg: "201", getEmpty: "201", undefined: "201", readOnly: "403", writeOnly: "404",
          type: "405", range: "405", keywordSet: "402", noChildren: "202", noCount: "203",
          index: "201", dependency: "201", notInit: null,
        }
      : {
          initTwice: "103", initAfterEnd: "104", endBefore: "112", endTwice: "113",
          getBefore: "122", getAfterEnd: "123", setBefore: "132", setAfterEnd: "133",
          commitBefore: "142", commitAfterEnd: "143", commitFail: "391", endFail: "111",
          badArg: "201", getEmpty: "301", undefined: "401", readOnly: "404", writeOnly: "405",
          type: "406", range: "407", keywordSet: "404", noChildren: "301", noCount: "301",
          index: "351", dependency: "408", notInit: "403",
        };

    // --- the launch: what the LMS hands to this attempt
    function launch() {
      var old = previous ? previous.data : null;
      var exit = previous ? previous.exit : null;
      var resume = exit === "suspend";
      var keep = old && (v12 || resume); // 2004: anything but suspend ends the attempt
      data = keep ? copy(old) : {};
      counts = keep ? copy(previous.counts || {}) : {};
      delete data[v12 ? "cmi.core.exit" : "cmi.exit"];
      delete data[v12 ? "cmi.core.session_time" : "cmi.session_time"];
      var total = keep ? previous.totalMs || 0 : 0;
      if (v12) {
        data["cmi.core.student_id"] = learner.id;
        data["cmi.core.student_name"] = learner.name;
        data["cmi.core.credit"] = "credit";
        data["cmi.core.lesson_mode"] = "normal";
        data["cmi.core.entry"] = !previous ? "ab-initio" : resume ? "resume" : "";
        if (!data["cmi.core.lesson_status"]) data["cmi.core.lesson_status"] = "not attempted";
        if (data["cmi.core.lesson_location"] === undefined) data["cmi.core.lesson_location"] = "";
        if (data["cmi.suspend_data"] === undefined) data["cmi.suspend_data"] = "";
        if (data["cmi.comments"] === undefined) data["cmi.comments"] = "";
        data["cmi.core.total_time"] = msToTimespan12(total);
        data["cmi.launch_data"] = opts.launchData || "";
        data["cmi.comments_from_lms"] = "";
        ["cmi.core.score.raw", "cmi.core.score.min", "cmi.core.score.max"].forEach(function (k) {
          if (data[k] === undefined) data[k] = "";
        });
        data["cmi.student_data.mastery_score"] = "";
        data["cmi.student_data.max_time_allowed"] = "";
        data["cmi.student_data.time_limit_action"] = "";
        ["audio", "speed", "text"].forEach(function (k) {
          if (data["cmi.student_preference." + k] === undefined) data["cmi.student_preference." + k] = "0";
        });
        if (data["cmi.student_preference.language"] === undefined) data["cmi.student_preference.language"] = "";
      } else {
        data["cmi.learner_id"] = learner.id;
        data["cmi.learner_name"] = learner.name;
        data["cmi.credit"] = "credit";
        data["cmi.mode"] = "normal";
        data["cmi.entry"] = resume ? "resume" : "ab-initio";
        if (!data["cmi.completion_status"]) data["cmi.completion_status"] = "unknown";
        if (!data["cmi.success_status"]) data["cmi.success_status"] = "unknown";
        if (data["cmi.location"] === undefined) data["cmi.location"] = "";
        if (data["cmi.suspend_data"] === undefined) data["cmi.suspend_data"] = "";
        data["cmi.total_time"] = msToDuration(total);
        data["cmi.launch_data"] = opts.launchData || "";
        data["cmi.completion_threshold"] = "";
        data["cmi.scaled_passing_score"] = "";
        data["cmi.max_time_allowed"] = "";
        data["cmi.time_limit_action"] = "continue,no message";
        data["cmi.learner_preference.audio_level"] = data["cmi.learner_preference.audio_level"] || "1";
        data["cmi.learner_preference.language"] = data["cmi.learner_preference.language"] || "";
        data["cmi.learner_preference.delivery_speed"] = data["cmi.learner_preference.delivery_speed"] || "1";
        data["cmi.learner_preference.audio_captioning"] = data["cmi.learner_preference.audio_captioning"] || "0";
        data["adl.nav.request"] = "_none_";
        data["adl.nav.request_valid.continue"] = "unknown";
        data["adl.nav.request_valid.previous"] = "unknown";
      }
      return { totalMs: total };
    }

    var attempt = launch();

    function fail(code, why) {
      lastError = code;
      diagnostic = why || model.errors[code] || "";
      return code;
    }

    function ok() {
      lastError = "0";
      diagnostic = "";
    }

    // the generic pattern of a concrete name ("cmi.interactions.3.id" -> compiled entry)
    function lookup(name) {
      for (var i = 0; i < model.compiled.length; i++) {
        var m = model.compiled[i].re.exec(name);
        if (m) return { def: model.compiled[i], indices: m.slice(1).map(Number) };
      }
      return null;
    }

    function generic(name) {
      return name.replace(/\.\d+(?=\.|$)/g, ".N");
    }

    function isArray(name) {
      return model.arrays.indexOf(generic(name)) !== -1;
    }

    function childrenOf(name) {
      return model.children[generic(name)];
    }

    function isKnownNode(name) {
      // a leaf, an array or a container of the model
      return lookup(name) !== null || model.nodes[generic(name)] === true;
    }

    // indices along the name must name existing records; a set may create the next one
    // (the count) at the deepest index only
    function checkIndices(name, forSet) {
      var parts = name.split(".");
      var positions = [];
      parts.forEach(function (p, i) {
        if (/^\d+$/.test(p)) positions.push(i);
      });
      for (var k = 0; k < positions.length; k++) {
        var i = positions[k];
        var arr = parts.slice(0, i).join(".");
        var n = parseInt(parts[i], 10);
        var count = counts[arr] || 0;
        if (n < count) continue;
        if (forSet && n === count && k === positions.length - 1) return { create: arr, index: n };
        return { error: true };
      }
      return {};
    }

    function getValue(name) {
      if (state === "new") return fail(E.getBefore), "";
      if (state === "done") return fail(E.getAfterEnd), "";
      if (typeof name !== "string" || name === "") return fail(E.getEmpty, "no element named"), "";
      if (name === "cmi._version") return ok(), model.version;
      var kw = /^(.*)\.(_children|_count)$/.exec(name);
      if (kw) {
        var base = kw[1];
        if (kw[2] === "_children") {
          var kids = childrenOf(base);
          if (kids !== undefined) return ok(), kids;
          if (isArray(base) || isKnownNode(base)) return fail(E.noChildren, base + " has no children"), "";
          return fail(E.undefined, "no element " + name), "";
        }
        if (isArray(base)) {
          if (checkIndices(base, false).error) return fail(v12 ? "201" : "301", "no record " + base), "";
          return ok(), String(counts[base] || 0);
        }
        if (isKnownNode(base)) return fail(E.noCount, base + " is not an array"), "";
        return fail(E.undefined, "no element " + name), "";
      }
      var found = lookup(name);
      if (!found) return fail(E.undefined, "no element " + name), "";
      if (found.def.access === "WO") return fail(E.writeOnly, name + " is write-only"), "";
      if (checkIndices(name, false).error) {
        return fail(v12 ? "201" : "301", "no record at this index: " + name), "";
      }
      if (!Object.prototype.hasOwnProperty.call(data, name)) {
        if (E.notInit) return fail(E.notInit, name + " has no value yet"), "";
        return ok(), "";
      }
      ok();
      return data[name];
    }

    function setValue(name, value) {
      if (state === "new") return fail(E.setBefore);
      if (state === "done") return fail(E.setAfterEnd);
      if (typeof name !== "string" || name === "") return fail(v12 ? "201" : "351", "no element named");
      if (/\.(_children|_count|_version)$/.test(name)) return fail(E.keywordSet, name + " is a keyword");
      var found = lookup(name);
      if (!found) return fail(E.undefined, "no element " + name);
      if (found.def.access === "RO") return fail(E.readOnly, name + " is read-only");
      var text = String(value);
      var idx = checkIndices(name, true);
      if (idx.error) return fail(E.index, "records are created in order: " + name);
      if (!v12 && (idx.create || /^cmi\.(interactions|objectives)\.\d+\./.test(name))) {
        // 2004: a record's id first (408), then its other elements
        var rec = /^(cmi\.(interactions|objectives)\.\d+)\.(.*)$/.exec(name);
        if (rec && rec[3] !== "id" && !Object.prototype.hasOwnProperty.call(data, rec[1] + ".id")) {
          return fail(E.dependency, "set " + rec[1] + ".id first");
        }
        var sub = /^(cmi\.interactions\.\d+)\.(learner_response|correct_responses\.\d+\.pattern)$/.exec(name);
        if (sub && !data[sub[1] + ".type"]) return fail(E.dependency, "set " + sub[1] + ".type first");
      }
      var check = name === "cmi.suspend_data" ? maxLen(suspendLimit) : found.def.check;
      var verdict = check ? check(text, data, name) : true;
      if (verdict !== true) {
        return fail(verdict === "range" ? E.range : E.type, "'" + text.slice(0, 80) + "' is not a valid value of " + name);
      }
      if (!v12 && name === "cmi.interactions." + (found.indices[0]) + ".id") {
        var prior = data[name];
        if (prior !== undefined && prior !== text) return fail("351", "an interaction's id cannot change");
      }
      if (idx.create) counts[idx.create] = idx.index + 1;
      // nested arrays under a new record start empty
      if (v12 && name === "cmi.comments") text = (data["cmi.comments"] || "") + text;
      if (v12 && name === "cmi.comments" && text.length > 4096) return fail(E.type, "cmi.comments holds 4096 characters");
      data[name] = text;
      if (name === "cmi.core.session_time" || name === "cmi.session_time") {
        sessionSetMs = v12 ? timespan12ToMs(text) : durationToMs(text);
      }
      ok();
      return "0";
    }

    function store() {
      var exit = data[v12 ? "cmi.core.exit" : "cmi.exit"];
      var stored = {
        version: version,
        data: copy(data),
        counts: copy(counts),
        exit: exit === undefined ? "" : exit,
        totalMs: attempt.totalMs + (sessionSetMs || 0),
      };
      if (opts.onStore) opts.onStore(stored);
      return stored;
    }

    function offline() {
      return !!(opts.offline && opts.offline());
    }

    function log(method, args, result, withError) {
      if (opts.onCall) {
        opts.onCall({ method: method, args: args, result: result, error: withError ? lastError : null, diagnostic: withError ? diagnostic : "" });
      }
      return result;
    }

    function argEmpty(arg) {
      return arg === undefined || arg === "" || arg === null;
    }

    var api = {};
    var names = v12
      ? ["LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit", "LMSGetLastError", "LMSGetErrorString", "LMSGetDiagnostic"]
      : ["Initialize", "Terminate", "GetValue", "SetValue", "Commit", "GetLastError", "GetErrorString", "GetDiagnostic"];

    api[names[0]] = function (arg) {
      var r;
      if (!argEmpty(arg)) r = (fail(E.badArg, "the argument must be \"\""), "false");
      else if (state === "running") r = (fail(E.initTwice), "false");
      else if (state === "done") r = (fail(E.initAfterEnd), "false");
      else {
        state = "running";
        ok();
        r = "true";
      }
      return log(names[0], [arg], r, true);
    };
    api[names[1]] = function (arg) {
      var r;
      if (!argEmpty(arg)) r = (fail(E.badArg, "the argument must be \"\""), "false");
      else if (state === "new") r = (fail(E.endBefore), "false");
      else if (state === "done") r = (fail(E.endTwice), "false");
      else {
        state = "done";
        if (offline()) r = (fail(E.endFail, "the network is offline: nothing was stored"), "false");
        else {
          store();
          ok();
          r = "true";
        }
      }
      return log(names[1], [arg], r, true);
    };
    api[names[2]] = function (name) {
      return log(names[2], [name], getValue(name), true);
    };
    api[names[3]] = function (name, value) {
      var code = setValue(name, value);
      return log(names[3], [name, value], code === "0" ? "true" : "false", true);
    };
    api[names[4]] = function (arg) {
      var r;
      if (!argEmpty(arg)) r = (fail(E.badArg, "the argument must be \"\""), "false");
      else if (state === "new") r = (fail(E.commitBefore), "false");
      else if (state === "done") r = (fail(E.commitAfterEnd), "false");
      else if (offline()) r = (fail(E.commitFail, "the network is offline: nothing was stored"), "false");
      else {
        store();
        ok();
        r = "true";
      }
      return log(names[4], [arg], r, true);
    };
    api[names[5]] = function () {
      return log(names[5], [], lastError, false);
    };
    api[names[6]] = function (code) {
      return log(names[6], [code], model.errors[String(code)] || "", false);
    };
    api[names[7]] = function (code) {
      var text = code === undefined || code === "" || String(code) === lastError ? diagnostic : model.errors[String(code)] || "";
      return log(names[7], [code], text, false);
    };

    return {
      api: api,
      version: version,
      limits: { suspend: suspendLimit },
      suspendElement: "cmi.suspend_data",
      data: function () {
        return copy(data);
      },
      counts: function () {
        return copy(counts);
      },
      state: function () {
        return state;
      },
      /** The LMS closes the session itself (the window is gone): what was stored stays. */
      abandon: function () {
        state = "done";
      },
    };
  }

  window.PreviewSCORM = {
    create: create,
    util: { msToTimespan12: msToTimespan12, msToDuration: msToDuration },
  };
})(window);
