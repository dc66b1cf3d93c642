/*
 * coursepack runtime: xAPI actors and credentials (CoursepackXAPI.normalizeActor, .actorKey,
 * .normalizeAuth)
 *
 * What a launcher sends is normalised to one valid Agent with exactly one identifier (legacy
 * 0.9/0.95 forms included), and to one Authorization value.
 */
(function (window) {
  "use strict";

  var U = window.CoursepackUtil;
  var X = window.CoursepackXAPI;
  var C = X.constants;

  function first(value) {
    return Array.isArray(value) ? value[0] : value;
  }

  /**
   * One valid xAPI Agent with exactly one identifier, from what a launcher sent: a JSON string
   * or an object, maybe in the 0.9 form (arrays: {"name": ["Ann"], "mbox": ["mailto:a@x"]}),
   * with an 0.95 account ({accountServiceHomePage, accountName}) or a bare mbox (no mailto:).
   * Identifiers are preferred in TinCanJS's order: mbox, mbox_sha1sum, openid, account.
   * Returns null when no identifier can be found.
   */
  function normalizeActor(value) {
    var raw = value;
    if (typeof raw === "string") {
      try {
        raw = JSON.parse(raw);
      } catch (err) {
        return null;
      }
    }
    raw = first(raw);
    if (!U.isObject(raw)) return null;
    if (raw.objectType === "Group") return null;
    var actor = { objectType: "Agent" };
    var name = first(raw.name);
    if (typeof name === "string" && name.trim()) actor.name = name.trim();
    for (var i = 0; i < C.IFI_ORDER.length; i++) {
      var key = C.IFI_ORDER[i];
      var v = first(raw[key]);
      // an identifier that is not valid is skipped (the next one may be): a statement with
      // it would be refused by the LRS, every one of them
      if (key === "mbox" && typeof v === "string" && v.trim()) {
        v = v.trim();
        v = /^mailto:/i.test(v) ? v.slice(7) : v;
        if (/^[^@\s]+@[^@\s]+$/.test(v)) {
          actor.mbox = "mailto:" + v;
          return actor;
        }
        continue;
      }
      if (key === "mbox_sha1sum" && typeof v === "string" && /^[0-9a-f]{40}$/i.test(v.trim())) {
        actor.mbox_sha1sum = v.trim().toLowerCase();
        return actor;
      }
      if (key === "openid" && typeof v === "string" && /^[a-z][a-z0-9+.-]*:\S+$/i.test(v.trim())) {
        actor.openid = v.trim();
        return actor;
      }
      if (key === "account" && U.isObject(v)) {
        var home = first(v.homePage) || first(v.accountServiceHomePage);
        var accountName = first(v.name);
        if (accountName === undefined || accountName === null || accountName === "") {
          accountName = first(v.accountName);
        }
        if (typeof home === "string" && home && accountName !== undefined && accountName !== null && String(accountName) !== "") {
          actor.account = { homePage: home, name: String(accountName) };
          return actor;
        }
      }
    }
    return null;
  }

  /** A stable text key for an actor's identifier ("account:https://lms|ann42"). */
  function actorKey(actor) {
    if (!actor) return "";
    if (actor.account) return "account:" + actor.account.homePage + "|" + actor.account.name;
    for (var i = 0; i < C.IFI_ORDER.length; i++) {
      if (actor[C.IFI_ORDER[i]]) return C.IFI_ORDER[i] + ":" + actor[C.IFI_ORDER[i]];
    }
    return "";
  }

  /** An Authorization value: used verbatim, except that a bare token gets "Basic ". */
  function normalizeAuth(value) {
    if (value === undefined || value === null) return "";
    var text = String(value).trim();
    if (!text) return "";
    // A "+" of base64 that was not URL-encoded arrives as a space: put it back.
    var m = /^(Basic|Bearer|OAuth|Digest) +(.*)$/i.exec(text);
    if (m) return m[1] + " " + m[2].replace(/ /g, "+");
    return "Basic " + text.replace(/ /g, "+");
  }

  X.normalizeActor = normalizeActor;
  X.actorKey = actorKey;
  X.normalizeAuth = normalizeAuth;
})(window);
