/*
 * coursepack runtime: the pure parts of the start page and of "My reflections"
 * (window.CoursepackPages). No DOM, no clock: core passes what they need.
 *
 *   pluralCategory(lang, n)          CLDR's category of n in lang (Intl.PluralRules)
 *   pluralKey(strings, key, lang, n) key.<category> when the table has it, else key
 *   durationText(t, minutes)         "1 hour 30 minutes" with t(key, n, values) choosing forms
 *   reflectionsDocument(doc)         a self-contained HTML file of the learner's reflections
 *   fileName(title, isoDate)         "my-reflections-<title>-<date>.html"
 */
(function (root) {
  "use strict";

  var has = function (obj, key) {
    return Object.prototype.hasOwnProperty.call(obj, key);
  };

  /** The plural category of the whole number n in lang: "one", "other", "few"... The course
   *  language decides; a browser without Intl (or an unknown tag) falls back to English. */
  function pluralCategory(lang, n) {
    try {
      if (typeof Intl !== "undefined" && Intl.PluralRules) return new Intl.PluralRules(lang || "en").select(n);
    } catch (err) {
      /* an unknown language tag: English's rule below */
    }
    return n === 1 ? "one" : "other";
  }

  function pluralKey(strings, key, lang, n) {
    var form = key + "." + pluralCategory(lang, n);
    return has(strings || {}, form) ? form : key;
  }

  /** "1 hour 30 minutes": hours when there are any, minutes when there are some (or no hours).
   *  `count(key, n)` gives the word of `key` for n (core's plural-aware t). */
  function durationText(count, minutes) {
    var total = Math.max(0, Math.round(minutes));
    var hours = Math.floor(total / 60);
    var rest = total % 60;
    var parts = [];
    if (hours) parts.push(count("duration.hours", hours));
    if (rest || !hours) parts.push(count("duration.minutes", rest));
    return parts.join(" ");
  }

  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  function escapeHtml(value) {
    return String(value === undefined || value === null ? "" : value).replace(/[&<>"']/g, function (c) {
      return ENTITIES[c];
    });
  }

  var FILE_STYLE =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;line-height:1.6;" +
    "max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1b2230}" +
    "h1{font-size:1.6rem;line-height:1.25}h2{font-size:1.15rem;margin:2rem 0 .25rem}" +
    ".where{margin:0;color:#4a5363;font-size:.9rem}.prompt{margin:.5rem 0}" +
    ".answer{white-space:pre-wrap;border-inline-start:4px solid #d9dde4;padding-inline-start:1rem;margin:.5rem 0 0}" +
    ".none{color:#4a5363;font-style:italic}";

  /**
   * The learner's reflections as one HTML file, whole (nothing truncated), every value escaped:
   *   {lang, dir, title, heading, dateLine, entries: [{title, where, prompt, answer, none}]}
   * `answer` empty: `none` ("Not answered yet.") is written instead.
   */
  function reflectionsDocument(doc) {
    var out = [
      "<!DOCTYPE html>",
      '<html lang="' + escapeHtml(doc.lang || "en") + '" dir="' + (doc.dir === "rtl" ? "rtl" : "ltr") + '">',
      "<head>",
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      "<title>" + escapeHtml(doc.heading) + "</title>",
      "<style>" + FILE_STYLE + "</style>",
      "</head>",
      "<body>",
      "<h1>" + escapeHtml(doc.heading) + "</h1>",
      "<p>" + escapeHtml(doc.dateLine) + "</p>",
    ];
    (doc.entries || []).forEach(function (entry) {
      out.push("<section>");
      out.push("<h2>" + escapeHtml(entry.title) + "</h2>");
      if (entry.where) out.push('<p class="where">' + escapeHtml(entry.where) + "</p>");
      out.push('<p class="prompt">' + escapeHtml(entry.prompt) + "</p>");
      if (entry.answer) out.push('<p class="answer">' + escapeHtml(entry.answer) + "</p>");
      else out.push('<p class="answer none">' + escapeHtml(entry.none) + "</p>");
      out.push("</section>");
    });
    out.push("</body>", "</html>", "");
    return out.join("\n");
  }

  /** A file name any system takes: letters and digits of the title (at most 60), the date. */
  function fileName(title, isoDate) {
    var slug = String(title || "")
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60)
      .replace(/-+$/, "");
    var day = /^\d{4}-\d{2}-\d{2}/.test(isoDate || "") ? isoDate.slice(0, 10) : "";
    return ["my-reflections", slug, day].filter(Boolean).join("-") + ".html";
  }

  root.CoursepackPages = {
    pluralCategory: pluralCategory,
    pluralKey: pluralKey,
    durationText: durationText,
    escapeHtml: escapeHtml,
    reflectionsDocument: reflectionsDocument,
    fileName: fileName,
  };
})(window);
