/*
 * coursepack runtime: knowledge checks as data (window.CoursepackChecks)
 *
 * Pure functions: no DOM, no storage, no clock. A CHECK's configuration (`item.check`, from
 * coursepack/tracking.py) is {kind, interactionType, options: [id], correct: [id], accepted:
 * [text]}; kind is "choice", "choice-multiple", "true-false" or "fill-in". A learner's answer
 * is kept as its response in the xAPI format (docs/xapi.md): option ids joined by "[,]",
 * "true"/"false", or the text typed.
 *
 *   response(check, chosenIds, text) -> response string ("" when nothing was answered)
 *   judge(check, response) -> true when the response is right
 *   normalise(text) -> text as it is compared (case and spacing forgiven)
 *   order(count, seedText) -> a permutation of 0..count-1, the same for the same seed
 *   chosen(check, response) -> [option id]   the ids a response chose (choice, true/false)
 *   isDone(checkState, attemptsAllowed) -> answered for good: right, or no attempt left
 *   attemptsLeft(checkState, attemptsAllowed) -> number, or Infinity (0 allowed: unlimited)
 *   score(checkItems, states, assessment) -> {raw, min, max, scaled, decided, passed}
 *   packAnswer(check, response) / unpackAnswer(check, packed): compact saved answers
 *   scorm12(check, response) / scorm2004(check, response): the standards' response formats
 *   correctPatterns12(check) / correctPatterns2004(check): their correct_responses patterns
 */
(function (root) {
  "use strict";

  var SEPARATOR = "[,]";
  // SCORM 1.2 CMIFeedback: a choice is single characters 0-9a-z (36 options at most)
  var LETTERS12 = "abcdefghijklmnopqrstuvwxyz0123456789";
  var TEXT_LIMIT12 = 255;
  var TEXT_LIMIT2004 = 250;

  function normalise(text) {
    return String(text == null ? "" : text).toLowerCase().split(/\s+/).filter(Boolean).join(" ");
  }

  function isChoice(check) {
    return check.kind !== "fill-in";
  }

  /** The response of an answer: the chosen ids in the author's order, or the text typed. */
  function response(check, chosenIds, text) {
    if (!isChoice(check)) return String(text == null ? "" : text).trim();
    var chosen = {};
    (chosenIds || []).forEach(function (id) {
      chosen[id] = true;
    });
    return check.options
      .filter(function (id) {
        return chosen[id] === true;
      })
      .join(SEPARATOR);
  }

  function chosen(check, resp) {
    if (!isChoice(check) || !resp) return [];
    var ids = String(resp).split(SEPARATOR);
    return check.options.filter(function (id) {
      return ids.indexOf(id) >= 0;
    });
  }

  function judge(check, resp) {
    if (!resp) return false;
    if (!isChoice(check)) {
      var typed = normalise(resp);
      return (check.accepted || []).some(function (answer) {
        return normalise(answer) === typed;
      });
    }
    var ids = chosen(check, resp);
    var right = check.correct || [];
    return ids.length === right.length && right.every(function (id) {
      return ids.indexOf(id) >= 0;
    });
  }

  function attemptsLeft(cs, allowed) {
    if (!allowed) return Infinity;
    return Math.max(0, allowed - ((cs && cs.attempts) || 0));
  }

  function isDone(cs, allowed) {
    if (!cs || !cs.attempts) return false;
    return cs.correct === true || attemptsLeft(cs, allowed) === 0;
  }

  /** The score of the CHECKs in `items` (course order) from their states. */
  function score(items, states, assessment) {
    var allowed = (assessment && assessment.attempts) || 0;
    var passMark = assessment && typeof assessment.passMark === "number" ? assessment.passMark : 80;
    var raw = 0;
    var decided = items.length > 0;
    items.forEach(function (item) {
      var cs = states[item.key];
      if (cs && cs.correct === true) raw++;
      if (!isDone(cs, allowed)) decided = false;
    });
    var max = items.length;
    return {
      raw: raw,
      min: 0,
      max: max,
      scaled: max ? Math.round((raw / max) * 10000) / 10000 : 0,
      decided: decided,
      passed: decided ? raw * 100 >= passMark * max : null,
      passMark: passMark,
    };
  }

  // A small seeded generator (mulberry32) from an FNV-1a hash of the seed text.
  function seedOf(text) {
    var h = 0x811c9dc5;
    text = String(text);
    for (var i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h;
  }

  function order(count, seedText) {
    var a = seedOf(seedText);
    function next() {
      a = (a + 0x6d2b79f5) >>> 0;
      var t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }
    var result = [];
    for (var i = 0; i < count; i++) result.push(i);
    for (var j = count - 1; j > 0; j--) {
      var k = Math.floor(next() * (j + 1));
      var swap = result[j];
      result[j] = result[k];
      result[k] = swap;
    }
    return result;
  }

  /** A saved answer, short: a choice as option positions ("0.2"), a text as it is. */
  function packAnswer(check, resp) {
    if (!isChoice(check)) return String(resp || "");
    return chosen(check, resp)
      .map(function (id) {
        return check.options.indexOf(id);
      })
      .join(".");
  }

  function unpackAnswer(check, packed) {
    if (typeof packed !== "string") return "";
    if (!isChoice(check)) return packed;
    var ids = [];
    packed.split(".").forEach(function (part) {
      var n = /^\d+$/.test(part) ? Number(part) : -1;
      if (n >= 0 && n < check.options.length && ids.indexOf(check.options[n]) < 0) ids.push(check.options[n]);
    });
    return response(check, ids, "");
  }

  function truncate(text, max) {
    return text.length > max ? text.slice(0, max) : text;
  }

  function oneLine(text) {
    return String(text).replace(/\s+/g, " ").trim();
  }

  function letter12(check, id) {
    var i = check.options.indexOf(id);
    return i >= 0 && i < LETTERS12.length ? LETTERS12.charAt(i) : "";
  }

  /** SCORM 1.2 student_response: single characters for options, t/f, a text of 255 at most. */
  function scorm12(check, resp) {
    if (check.kind === "true-false") return resp === "true" ? "t" : resp === "false" ? "f" : "";
    if (!isChoice(check)) return truncate(oneLine(resp), TEXT_LIMIT12);
    return chosen(check, resp)
      .map(function (id) {
        return letter12(check, id);
      })
      .filter(Boolean)
      .join(",");
  }

  function correctPatterns12(check) {
    if (check.kind === "true-false") return [check.correct[0] === "true" ? "t" : "f"];
    if (!isChoice(check)) {
      return (check.accepted || []).map(function (a) {
        return truncate(oneLine(a), TEXT_LIMIT12);
      });
    }
    return [scorm12(check, check.correct.join(SEPARATOR))];
  }

  /** SCORM 2004 learner_response: ids joined by [,], true/false, a text of 250 at most. */
  function scorm2004(check, resp) {
    if (!isChoice(check)) return truncate(oneLine(resp).replace(/\[,\]/g, ","), TEXT_LIMIT2004);
    return chosen(check, resp).join(SEPARATOR);
  }

  function correctPatterns2004(check) {
    if (!isChoice(check)) {
      return (check.accepted || []).slice(0, 10).map(function (a) {
        return scorm2004(check, a);
      });
    }
    return [check.correct.join(SEPARATOR)];
  }

  root.CoursepackChecks = {
    SEPARATOR: SEPARATOR,
    normalise: normalise,
    response: response,
    chosen: chosen,
    judge: judge,
    attemptsLeft: attemptsLeft,
    isDone: isDone,
    score: score,
    order: order,
    packAnswer: packAnswer,
    unpackAnswer: unpackAnswer,
    scorm12: scorm12,
    scorm2004: scorm2004,
    correctPatterns12: correctPatterns12,
    correctPatterns2004: correctPatterns2004,
  };
})(window);
