/*
 * coursepack runtime: launch parameters (CoursepackXAPI.parseLaunch, .parseCmi5Launch)
 *
 * Pure functions of a location.search string. Whatever the query holds (malformed escapes,
 * repeated or missing names, JSON that is not an actor, ids that are not IRIs), the result is
 * a plain object of strings (and an actor or null): never an exception.
 *
 *   parseLaunch(search)      the Rustici / Tin Can convention: endpoint, auth, actor,
 *                            registration, activity_id, activity_platform, Accept-Language,
 *                            grouping (docs/xapi.md)
 *   parseCmi5Launch(search)  cmi5 §8.1: endpoint, fetch, actor, registration, activityId
 */
(function (window) {
  "use strict";

  var U = window.CoursepackUtil;
  var X = window.CoursepackXAPI;
  var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  function searchParams(search) {
    try {
      return new URLSearchParams(typeof search === "string" ? search : "");
    } catch (err) {
      return new URLSearchParams("");
    }
  }

  /** An absolute IRI (scheme: then no spaces), trimmed; anything else "". */
  function iri(value) {
    var text = String(value || "").trim();
    return /^[a-z][a-z0-9+.-]*:\S+$/i.test(text) ? text : "";
  }

  /** The Rustici launch parameters of a location.search string (see docs/xapi.md). */
  function parseLaunch(search) {
    var params = searchParams(search);
    var known = {
      endpoint: 1,
      auth: 1,
      actor: 1,
      registration: 1,
      activity_id: 1,
      activity_platform: 1,
      "Accept-Language": 1,
      grouping: 1,
      content_token: 1,
      content_endpoint: 1,
      "coursepack-debug": 1,
    };
    var extra = {};
    params.forEach(function (value, key) {
      if (!U.has(known, key)) extra[key] = value;
    });
    var registration = (params.get("registration") || "").trim().toLowerCase();
    return {
      endpoint: X.ensureSlash(params.get("endpoint") || ""),
      auth: X.normalizeAuth(params.get("auth")),
      actorRaw: params.get("actor"),
      actor: params.get("actor") ? X.normalizeActor(params.get("actor")) : null,
      registration: UUID.test(registration) ? registration : "",
      registrationRaw: params.get("registration") || "",
      activityId: iri(params.get("activity_id")),
      platform: params.get("activity_platform") || "",
      language: params.get("Accept-Language") || "",
      grouping: iri(params.get("grouping")),
      extra: extra,
    };
  }


  /** The cmi5 launch parameters (names are case-sensitive; values URL-decoded). */
  function parseCmi5Launch(search) {
    var params = searchParams(search);
    var registration = (params.get("registration") || "").trim().toLowerCase();
    return {
      endpoint: X.ensureSlash(params.get("endpoint") || ""),
      fetch: (params.get("fetch") || "").trim(),
      actorRaw: params.get("actor"),
      actor: params.get("actor") ? X.normalizeActor(params.get("actor")) : null,
      registration: UUID.test(registration) ? registration : "",
      activityId: iri(params.get("activityId")),
      any: ["endpoint", "fetch", "actor", "registration", "activityId"].some(function (k) {
        return params.has(k);
      }),
    };
  }

  X.parseLaunch = parseLaunch;
  X.parseCmi5Launch = parseCmi5Launch;
})(window);
