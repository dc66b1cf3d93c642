/*
 * coursepack runtime: the xAPI statement emitter (window.CoursepackXAPI)
 *
 * Plain JavaScript (ES2017), no dependencies, no build step, no modules. Loaded after core.js
 * and before the adapters (see render/__init__.py). It never sends anything by itself except
 * for dual tracking (below); the tincan and cmi5 adapters create trackers through it.
 * Full documentation: docs/xapi.md.
 *
 * API
 *
 *   var X = window.CoursepackXAPI;
 *
 *   X.createTracker(options) -> tracker        one LRS connection with a persistent outbox
 *     options.endpoint        LRS base URL ("" or missing: local mode, nothing is sent or kept)
 *     options.auth            Authorization header value, or a Promise of it (cmi5 fetch)
 *     options.actor           an xAPI Agent (legacy forms are normalised, see normalizeActor)
 *     options.registration    UUID for context.registration and State calls (optional)
 *     options.contextTemplate base context merged into every statement (cmi5 LaunchData's
 *                             contextTemplate): its values are never overwritten, its
 *                             contextActivities lists are kept and extended
 *     options.rootId          the activity id standing for the launched thing (default: the
 *                             course IRI from the configuration)
 *     options.objectIdOverride  replaces rootId wherever it appears (object and context):
 *                             the tincan `activity_id` / the cmi5 `activityId`
 *     options.categories      activities (or ids) added to contextActivities.category of every
 *                             statement; options.rootCategories only where the object is root
 *     options.decorate        function (statement, partial) called last on every new statement
 *     options.namespace       localStorage key prefix of the outbox (default: course storage
 *                             key + ":xapi:" + hash of the endpoint)
 *     options.platform, options.language, options.version ("1.0.3"), options.batchSize (25),
 *     options.maxBackoffMs (60000), options.fetch, options.storage, options.now (tests)
 *     options.onStatus        function (status) on every change (see tracker.status())
 *
 *   tracker.send(partial) -> statement   complete a statement and queue it (outbox), then
 *                             flush soon. partial: {verb: key | IRI | {id, display},
 *                             object: activity, result, parent: [activity], grouping:
 *                             [activity], category: [activity], context: {...}, id,
 *                             timestamp}. Adds id (UUID v4), timestamp (UTC, ms, increasing),
 *                             actor, context.registration/language/platform.
 *   tracker.flush({keepalive}) -> Promise   send the outbox (POST batches); keepalive: the
 *                             page is going away (fetch keepalive, 64 KiB budget). Network
 *                             errors, 429, 5xx: retried with backoff; 409: resent one by one
 *                             with PUT (409 there = already stored = sent); 400/413/422: the
 *                             batch is split down to the bad statement, kept aside as a dead
 *                             letter; 401/403: sending stops (the outbox is kept)
 *   tracker.state.get(stateId, {activityId, registration}) -> Promise<{status, value}>
 *   tracker.state.put(stateId, value, {activityId, registration, keepalive}) -> Promise<{status}>
 *                             status: "ok" | "missing" | "unavailable" (the LRS has no State
 *                             resource: 404/405/501 on PUT) | "error" | "local"
 *   tracker.status() -> {mode: "tracking" | "local" | "stopped", endpoint, actor,
 *                        registration, pending, sent, dead, lastError, stateResource}
 *   tracker.outbox() / tracker.deadLetters()   copies of what is kept in localStorage
 *
 *   X.createCourseEmitter(tracker, options) -> emitter  course events -> statements
 *     emitter.bind(Coursepack)   listen to the core's events and flush on onHidden
 *     emitter.sessionStart(detail), .itemOpened, .taskCompleted, .sectionCompleted,
 *     .moduleCompleted, .courseCompleted, .sessionEnd     (what bind() wires, callable)
 *     options.endVerb(detail) -> "terminated" | "suspended" (default: terminated when the
 *     course is completed, else suspended); options.resumed (default true): send `resumed`
 *
 *   X.normalizeActor(value) -> Agent | null    X.parseLaunch(search) -> launch parameters
 *   X.uuid4()  X.uuid5(name, namespace)  X.isoDuration(ms)  X.actorKey(actor)
 *   X.debug.note(text)  X.debug.show()         the debug view (also opened by the URL
 *                             parameter `coursepack-debug` or localStorage
 *                             "coursepack:debug" = "1")
 *   X.trackers                every tracker made in this page
 *
 * DUAL TRACKING: when config.xapi.lrs is set and the adapter is not an xAPI one, this file
 * starts a tracker on session:start with an `account` actor {homePage: lrs.actorHomePage,
 * name: learner id (cmi.core.student_id)} and registration uuid5(courseIRI|homePage|id).
 */
(function (window) {
  "use strict";

  var config = window.COURSEPACK_CONFIG || {};
  var xconf = config.xapi || {};
  var courseConf = config.course || {};
  var VERSION = xconf.version || "1.0.3";
  var BATCH_SIZE = 25;
  var MAX_BATCH_BYTES = 512 * 1024;
  // fetch keepalive: the browser refuses a request whose body would bring the keepalive bodies
  // in flight in this page over 64 KiB. Statements use at most 56 KiB of it (8 KiB: State).
  var KEEPALIVE_LIMIT = 64 * 1024;
  var KEEPALIVE_BUDGET = 56 * 1024;
  var keepaliveBytes = 0; // keepalive request bodies in flight in this page (every tracker)
  var REQUEST_TIMEOUT_MS = 30000;
  var STATE_GET_TIMEOUT_MS = 8000;
  var IFI_ORDER = ["mbox", "mbox_sha1sum", "openid", "account"]; // TinCanJS's order
  var XAPI_ADAPTERS = { tincan: true, cmi5: true };
  // A statement the LRS will never take: 400 (xAPI), 422 (Ralph's validation), 413 (too big).
  var REJECTED = { 400: true, 413: true, 422: true };

  // ---------------------------------------------------------------------------------------
  // Utilities

  function has(obj, key) {
    return obj !== null && obj !== undefined && Object.prototype.hasOwnProperty.call(obj, key);
  }

  function clone(value) {
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function hex(bytes) {
    var out = "";
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return out;
  }

  function randomBytes(n) {
    var bytes = new Uint8Array(n);
    var c = window.crypto || window.msCrypto;
    if (c && c.getRandomValues) {
      c.getRandomValues(bytes);
    } else {
      for (var i = 0; i < n; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    return bytes;
  }

  function formatUuid(bytes) {
    var h = hex(bytes);
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20, 32);
  }

  /** A random (version 4) UUID, lower-case. */
  function uuid4() {
    var b = randomBytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    return formatUuid(b);
  }

  function utf8(text) {
    if (window.TextEncoder) return new window.TextEncoder().encode(String(text));
    var s = unescape(encodeURIComponent(String(text)));
    var out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }

  function byteLength(text) {
    return utf8(text).length;
  }

  function rotl(x, n) {
    return (x << n) | (x >>> (32 - n));
  }

  /** SHA-1 of bytes (for name-based UUIDs only; crypto.subtle needs a secure context). */
  function sha1(msg) {
    var len = msg.length;
    var nWords = (((len + 8) >>> 6) + 1) * 16;
    var words = new Array(nWords);
    var i;
    for (i = 0; i < nWords; i++) words[i] = 0;
    for (i = 0; i < len; i++) words[i >>> 2] |= msg[i] << (24 - (i % 4) * 8);
    words[len >>> 2] |= 0x80 << (24 - (len % 4) * 8);
    words[nWords - 2] = Math.floor((len * 8) / 0x100000000);
    words[nWords - 1] = (len * 8) >>> 0;
    var h0 = 0x67452301;
    var h1 = 0xefcdab89;
    var h2 = 0x98badcfe;
    var h3 = 0x10325476;
    var h4 = 0xc3d2e1f0;
    var w = new Array(80);
    for (var block = 0; block < nWords; block += 16) {
      var t;
      for (t = 0; t < 16; t++) w[t] = words[block + t] | 0;
      for (t = 16; t < 80; t++) w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
      var a = h0;
      var b = h1;
      var c = h2;
      var d = h3;
      var e = h4;
      for (t = 0; t < 80; t++) {
        var f;
        var k;
        if (t < 20) {
          f = (b & c) | (~b & d);
          k = 0x5a827999;
        } else if (t < 40) {
          f = b ^ c ^ d;
          k = 0x6ed9eba1;
        } else if (t < 60) {
          f = (b & c) | (b & d) | (c & d);
          k = 0x8f1bbcdc;
        } else {
          f = b ^ c ^ d;
          k = 0xca62c1d6;
        }
        var temp = (rotl(a, 5) + f + e + k + w[t]) | 0;
        e = d;
        d = c;
        c = rotl(b, 30);
        b = a;
        a = temp;
      }
      h0 = (h0 + a) | 0;
      h1 = (h1 + b) | 0;
      h2 = (h2 + c) | 0;
      h3 = (h3 + d) | 0;
      h4 = (h4 + e) | 0;
    }
    var out = new Uint8Array(20);
    [h0, h1, h2, h3, h4].forEach(function (h, j) {
      out[j * 4] = (h >>> 24) & 0xff;
      out[j * 4 + 1] = (h >>> 16) & 0xff;
      out[j * 4 + 2] = (h >>> 8) & 0xff;
      out[j * 4 + 3] = h & 0xff;
    });
    return out;
  }

  /** A name-based (version 5, SHA-1) UUID, as Python's uuid.uuid5(namespace, name). */
  function uuid5(name, namespace) {
    var ns = String(namespace).replace(/-/g, "");
    if (!/^[0-9a-fA-F]{32}$/.test(ns)) throw new Error("uuid5: bad namespace " + namespace);
    var nameBytes = utf8(name);
    var data = new Uint8Array(16 + nameBytes.length);
    for (var i = 0; i < 16; i++) data[i] = parseInt(ns.substr(i * 2, 2), 16);
    data.set(nameBytes, 16);
    var hash = sha1(data).slice(0, 16);
    hash[6] = (hash[6] & 0x0f) | 0x50;
    hash[8] = (hash[8] & 0x3f) | 0x80;
    return formatUuid(hash);
  }

  /** ISO 8601 duration with 0.01 s precision: PT1H2M3.45S. */
  function isoDuration(ms) {
    var cs = Math.max(0, Math.round((Number(ms) || 0) / 10));
    var h = Math.floor(cs / 360000);
    var m = Math.floor((cs % 360000) / 6000);
    var s = (cs % 6000) / 100;
    var out = "PT";
    if (h) out += h + "H";
    if (m) out += m + "M";
    return out + Math.round(s * 100) / 100 + "S";
  }

  /** FNV-1a 32-bit, 8 hex digits: names storage keys (not a secret). */
  function shortHash(text) {
    var h = 0x811c9dc5;
    text = String(text);
    for (var i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul ? Math.imul(h, 16777619) >>> 0 : (h * 16777619) >>> 0;
    }
    return ("0000000" + h.toString(16)).slice(-8);
  }

  function ensureSlash(endpoint) {
    endpoint = String(endpoint || "").trim();
    return endpoint && endpoint.charAt(endpoint.length - 1) !== "/" ? endpoint + "/" : endpoint;
  }

  function query(params) {
    return Object.keys(params)
      .filter(function (k) {
        return params[k] !== undefined && params[k] !== null && params[k] !== "";
      })
      .map(function (k) {
        return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]);
      })
      .join("&");
  }

  // ---------------------------------------------------------------------------------------
  // Actors and launch parameters

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
    if (!isObject(raw)) return null;
    if (raw.objectType === "Group") return null;
    var actor = { objectType: "Agent" };
    var name = first(raw.name);
    if (typeof name === "string" && name.trim()) actor.name = name.trim();
    for (var i = 0; i < IFI_ORDER.length; i++) {
      var key = IFI_ORDER[i];
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
      if (key === "account" && isObject(v)) {
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
    for (var i = 0; i < IFI_ORDER.length; i++) {
      if (actor[IFI_ORDER[i]]) return IFI_ORDER[i] + ":" + actor[IFI_ORDER[i]];
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

  /** The Rustici launch parameters of a location.search string (see docs/xapi.md). */
  function parseLaunch(search) {
    var params = new URLSearchParams(search || "");
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
      if (!has(known, key)) extra[key] = value;
    });
    var registration = (params.get("registration") || "").trim().toLowerCase();
    return {
      endpoint: ensureSlash(params.get("endpoint") || ""),
      auth: normalizeAuth(params.get("auth")),
      actorRaw: params.get("actor"),
      actor: params.get("actor") ? normalizeActor(params.get("actor")) : null,
      registration: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(registration) ? registration : "",
      registrationRaw: params.get("registration") || "",
      activityId: params.get("activity_id") || "",
      platform: params.get("activity_platform") || "",
      language: params.get("Accept-Language") || "",
      grouping: params.get("grouping") || "",
      extra: extra,
    };
  }

  // ---------------------------------------------------------------------------------------
  // Statement pieces

  function verbObject(verb) {
    if (isObject(verb)) return clone(verb);
    var verbs = xconf.verbs || {};
    var key = String(verb);
    var id = has(verbs, key) ? verbs[key] : key;
    var display = has(verbs, key) ? key : id.replace(/^.*[/#]/, "");
    return { id: id, display: { "en-US": display } };
  }

  function activity(value, withDefinition) {
    if (typeof value === "string") return { objectType: "Activity", id: value };
    var out = { objectType: "Activity", id: String(value.iri || value.id) };
    if (withDefinition && value.definition) out.definition = clone(value.definition);
    return out;
  }

  function addActivities(list, more) {
    (more || []).forEach(function (a) {
      var act = activity(a, false);
      if (!list.some(function (x) {
        return x.id === act.id;
      })) {
        list.push(act);
      }
    });
    return list;
  }

  /** template + extra: the template's values win; contextActivities lists are merged. */
  function mergeContext(template, extra) {
    var out = clone(template) || {};
    Object.keys(extra || {}).forEach(function (key) {
      var value = extra[key];
      if (value === undefined || value === null || value === "") return;
      if (key === "contextActivities") {
        var ca = out.contextActivities = out.contextActivities || {};
        Object.keys(value).forEach(function (k) {
          var current = ca[k] === undefined ? [] : Array.isArray(ca[k]) ? ca[k] : [ca[k]];
          ca[k] = addActivities(current, value[k]);
          if (!ca[k].length) delete ca[k];
        });
        if (!Object.keys(ca).length) delete out.contextActivities;
      } else if (key === "extensions") {
        out.extensions = Object.assign({}, clone(value), out.extensions || {});
      } else if (!has(out, key)) {
        out[key] = clone(value);
      }
    });
    return out;
  }

  // ---------------------------------------------------------------------------------------
  // Storage: JSON values under a namespace in localStorage (in memory when refused)

  var memory = {};

  function createStore(namespace, storage) {
    var backend = storage;
    if (backend === undefined) {
      try {
        backend = window.localStorage;
        var probe = namespace + ":probe";
        backend.setItem(probe, "1");
        backend.removeItem(probe);
      } catch (err) {
        backend = null;
      }
    }
    // A value that did not fit in localStorage (quota) is kept in memory, which then wins,
    // until a later write fits again.
    function read(name, fallback) {
      var key = namespace + ":" + name;
      try {
        var text = has(memory, key) ? memory[key] : backend ? backend.getItem(key) : null;
        if (text === null || text === undefined) return fallback;
        return JSON.parse(text);
      } catch (err) {
        return fallback;
      }
    }
    function write(name, value) {
      var key = namespace + ":" + name;
      var text = JSON.stringify(value);
      try {
        if (!backend) throw new Error("no localStorage");
        backend.setItem(key, text);
        delete memory[key];
        return true;
      } catch (err) {
        if (backend && !has(memory, key)) {
          note("the outbox does not fit in localStorage (" + String(err && err.name) + "): kept in this page's memory until it fits");
        }
        memory[key] = text;
        return false;
      }
    }
    return { namespace: namespace, persistent: !!backend, read: read, write: write };
  }

  // ---------------------------------------------------------------------------------------
  // The tracker

  var trackers = [];

  function createTracker(options) {
    var o = options || {};
    var endpoint = ensureSlash(o.endpoint || "");
    var actor = o.actor ? normalizeActor(o.actor) : null;
    var registration = o.registration ? String(o.registration).toLowerCase() : "";
    var version = o.version || VERSION;
    var platform = o.platform || xconf.platform || "";
    var language = o.language || courseConf.language || "";
    var rootId = o.rootId || courseConf.iri || courseConf.id || "";
    var override = o.objectIdOverride && o.objectIdOverride !== rootId ? String(o.objectIdOverride) : "";
    var batchSize = o.batchSize || BATCH_SIZE;
    var maxBackoff = o.maxBackoffMs || 60000;
    var fetchFn = o.fetch || (window.fetch ? window.fetch.bind(window) : null);
    var nowFn = o.now || function () {
      return Date.now();
    };
    var enabled = !!(endpoint && actor && fetchFn);
    var namespace = o.namespace || (courseConf.storageKey || "coursepack") + ":xapi:" + shortHash(endpoint);
    var store = createStore(namespace, o.storage);
    var auth = null; // the resolved Authorization value
    var authPromise = Promise.resolve(o.auth).then(
      function (value) {
        auth = normalizeAuth(value);
        return auth;
      },
      function (err) {
        stop(0, "no credential: " + String(err));
        return null;
      }
    );
    var info = {
      mode: enabled ? "tracking" : "local",
      sent: 0,
      lastError: null,
      stateResource: "unknown",
      stopped: null,
      note: enabled ? "" : !endpoint ? "no LRS endpoint: not tracking" : !actor ? "no valid actor: not tracking" : "no fetch: not tracking",
    };
    var lastTs = 0;
    var flushing = null;
    var again = false;
    var soonTimer = null;
    var retryTimer = null;
    var backoff = 0;
    var inflight = {}; // statement id -> true while a keepalive request carries it
    var sending = {}; // statement id -> true while a regular request carries it

    function rootize(id) {
      return override && id === rootId ? override : id;
    }

    function changed() {
      var status = tracker.status();
      if (typeof o.onStatus === "function") {
        try {
          o.onStatus(status);
        } catch (err) {
          /* a listener never breaks sending */
        }
      }
      debugRefresh();
    }

    function stop(status, message) {
      info.mode = "stopped";
      info.stopped = { status: status, message: message };
      info.lastError = "HTTP " + status + ": " + message;
      if (window.console) window.console.error("coursepack xAPI: the LRS refused the credential (" + status + "); statements are kept in this browser and sent at the next launch.", message);
      changed();
    }

    // --- the outbox (localStorage), deduplicated by statement id
    function outbox() {
      var list = store.read("outbox", []);
      return Array.isArray(list) ? list : [];
    }

    function deadLetters() {
      var list = store.read("dead", []);
      return Array.isArray(list) ? list : [];
    }

    function push(statement) {
      var list = outbox();
      if (!list.some(function (s) {
        return s && s.id === statement.id;
      })) {
        list.push(statement);
      }
      store.write("outbox", list);
    }

    function settle(result) {
      var done = {};
      result.sent.forEach(function (id) {
        done[id] = true;
      });
      result.dead.forEach(function (d) {
        done[d.statement.id] = true;
      });
      if (!Object.keys(done).length) return;
      store.write(
        "outbox",
        outbox().filter(function (s) {
          return !(s && done[s.id]);
        })
      );
      if (result.dead.length) {
        var dead = deadLetters();
        result.dead.forEach(function (d) {
          if (dead.some(function (x) {
            return x.statement && x.statement.id === d.statement.id;
          })) {
            return;
          }
          dead.push(d);
          if (window.console) window.console.warn("coursepack xAPI: the LRS rejected a statement (HTTP " + d.status + "); it is kept aside in this browser (dead letter) and later statements go on.", d.message, d.statement);
        });
        store.write("dead", dead);
      }
      info.sent += result.sent.length;
    }

    // --- statements
    function timestamp(given) {
      var ms = given ? Date.parse(given) : NaN;
      if (isNaN(ms)) ms = nowFn();
      if (ms <= lastTs) ms = lastTs + 1;
      lastTs = ms;
      return new Date(ms).toISOString();
    }

    function build(partial) {
      var p = partial || {};
      var object = activity(p.object || rootId, true);
      var isRoot = object.id === rootId || (override && object.id === override);
      object.id = rootize(object.id);
      var statement = {
        id: p.id || uuid4(),
        timestamp: timestamp(p.timestamp),
        actor: clone(actor),
        verb: verbObject(p.verb),
        object: object,
      };
      if (p.result) statement.result = clone(p.result);
      var extra = {
        registration: registration || undefined,
        language: language || undefined,
        platform: platform || undefined,
        contextActivities: {
          parent: p.parent || [],
          grouping: p.grouping || [],
          category: (o.categories || []).concat(isRoot ? o.rootCategories || [] : [], p.category || []),
          other: p.other || [],
        },
      };
      var context = mergeContext(mergeContext(o.contextTemplate, p.context || {}), extra);
      var ca = context.contextActivities;
      if (ca) {
        Object.keys(ca).forEach(function (k) {
          ca[k].forEach(function (a) {
            a.id = rootize(a.id);
          });
        });
      }
      if (Object.keys(context).length) statement.context = context;
      if (typeof o.decorate === "function") o.decorate(statement, p);
      return statement;
    }

    function send(partial) {
      var statement = build(partial);
      if (!enabled) return statement;
      push(statement);
      soon();
      changed();
      return statement;
    }

    // --- HTTP
    async function request(method, path, params, body, keepalive, timeoutMs) {
      // Once the credential is known, fetch() starts synchronously (pagehide needs that).
      if (auth === null) await authPromise;
      var headers = { "X-Experience-API-Version": version };
      if (auth) headers.Authorization = auth;
      if (body !== undefined) headers["Content-Type"] = "application/json";
      var qs = params ? query(Object.assign({}, o.extraParams || {}, params)) : query(o.extraParams || {});
      var url = endpoint + path + (qs ? "?" + qs : "");
      var init = {
        method: method,
        headers: headers,
        credentials: "omit", // never cookies or withCredentials with Basic auth (CORS)
        mode: "cors",
        cache: "no-store",
      };
      if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
      if (keepalive) init.keepalive = true;
      var timer = null;
      if (!keepalive && window.AbortController) {
        var controller = new window.AbortController();
        init.signal = controller.signal;
        timer = setTimeout(function () {
          controller.abort();
        }, timeoutMs || REQUEST_TIMEOUT_MS);
      }
      try {
        var res = await fetchFn(url, init);
        var text = "";
        try {
          text = await res.text();
        } catch (err) {
          text = "";
        }
        return { status: res.status, text: text, headers: res.headers };
      } catch (err) {
        return { status: 0, text: String(err && err.message ? err.message : err) };
      } finally {
        if (timer) clearTimeout(timer);
      }
    }

    function message(res) {
      return (res.text || "").slice(0, 500);
    }

    function outcome() {
      return { sent: [], dead: [], retry: null, stop: null };
    }

    function combine(a, b) {
      return {
        sent: a.sent.concat(b.sent),
        dead: a.dead.concat(b.dead),
        retry: b.retry,
        stop: b.stop,
      };
    }

    function deadEntry(statement, res) {
      return { statement: statement, status: res.status, message: message(res), at: new Date(nowFn()).toISOString() };
    }

    /** One statement by PUT ?statementId: 204 stored, 409 already there (counts as sent). */
    async function putOne(statement) {
      var r = outcome();
      var res = await request("PUT", "statements", { statementId: statement.id }, statement, false);
      if (res.status === 200 || res.status === 204 || res.status === 409) r.sent.push(statement.id);
      else if (REJECTED[res.status]) r.dead.push(deadEntry(statement, res));
      else if (res.status === 401 || res.status === 403) r.stop = res;
      else r.retry = res;
      return r;
    }

    async function individually(batch) {
      var r = outcome();
      for (var i = 0; i < batch.length; i++) {
        var one = await putOne(batch[i]);
        r = combine(r, one);
        if (r.retry || r.stop) break;
      }
      return r;
    }

    /** POST a batch; split a rejected batch down to the bad statement (dead letter). */
    async function deliver(batch, keepalive) {
      var r = outcome();
      var res = await request("POST", "statements", null, batch, keepalive);
      var ids = batch.map(function (s) {
        return s.id;
      });
      if (res.status === 200 || res.status === 204) {
        r.sent = ids;
      } else if (res.status === 409) {
        // Some statement is already stored (Ralph refuses the whole batch): one by one.
        r = await individually(batch);
      } else if (REJECTED[res.status]) {
        if (batch.length === 1) {
          r.dead.push(deadEntry(batch[0], res));
        } else {
          var mid = Math.ceil(batch.length / 2);
          var left = await deliver(batch.slice(0, mid), false);
          if (left.retry || left.stop) return left;
          r = combine(left, await deliver(batch.slice(mid), false));
        }
      } else if (res.status === 401 || res.status === 403) {
        r.stop = res;
      } else {
        r.retry = res; // network error (0), 408, 429, 5xx, or an unexpected answer
      }
      return r;
    }

    function nextBatch(list) {
      var batch = [];
      var bytes = 2;
      for (var i = 0; i < list.length && batch.length < batchSize; i++) {
        var size = byteLength(JSON.stringify(list[i])) + 1;
        if (batch.length && bytes + size > MAX_BATCH_BYTES) break;
        batch.push(list[i]);
        bytes += size;
      }
      return batch;
    }

    function scheduleRetry(res) {
      info.lastError = res.status ? "HTTP " + res.status + ": " + message(res) : "network error: " + message(res);
      backoff = Math.min(maxBackoff, backoff ? backoff * 2 : 1000);
      var delay = Math.round(backoff * (1 + Math.random() * 0.2));
      clearTimeout(retryTimer);
      retryTimer = setTimeout(function () {
        retryTimer = null;
        flush();
      }, delay);
    }

    async function run() {
      await authPromise;
      while (info.mode === "tracking") {
        var batch = nextBatch(
          outbox().filter(function (s) {
            return s && !inflight[s.id] && !sending[s.id];
          })
        );
        if (!batch.length) break;
        batch.forEach(function (s) {
          sending[s.id] = true;
        });
        var r;
        try {
          r = await deliver(batch, false);
        } finally {
          batch.forEach(function (s) {
            delete sending[s.id];
          });
        }
        settle(r);
        if (r.stop) {
          stop(r.stop.status, message(r.stop));
          break;
        }
        if (r.retry) {
          scheduleRetry(r.retry);
          break;
        }
        backoff = 0;
        info.lastError = null;
      }
      changed();
    }

    function flush(opts) {
      if (!enabled) return Promise.resolve(tracker.status());
      if (opts && opts.keepalive) return urgent();
      if (flushing) {
        again = true;
        return flushing;
      }
      flushing = run().then(
        function () {
          flushing = null;
          if (again) {
            again = false;
            return flush();
          }
          return tracker.status();
        },
        function (err) {
          flushing = null;
          info.lastError = String(err);
          changed();
          return tracker.status();
        }
      );
      return flushing;
    }

    function soon() {
      if (soonTimer) return;
      soonTimer = setTimeout(function () {
        soonTimer = null;
        flush();
      }, 50);
    }

    /**
     * The page is going away: POST what is waiting with keepalive, within the budget. That
     * includes what a regular request is carrying (unloading cancels it); the LRS keeps one
     * copy of a statement id, and a 409 or a duplicate answer counts as sent.
     */
    function urgent() {
      if (info.mode !== "tracking") return Promise.resolve(tracker.status());
      var waiting = outbox().filter(function (s) {
        return s && !inflight[s.id];
      });
      var requests = [];
      while (waiting.length) {
        var chunk = [];
        var bytes = 2;
        while (waiting.length && chunk.length < batchSize) {
          var size = byteLength(JSON.stringify(waiting[0])) + 1;
          if (bytes + size + keepaliveBytes > KEEPALIVE_BUDGET) break;
          chunk.push(waiting.shift());
          bytes += size;
        }
        if (!chunk.length) break; // over the budget: kept for the next launch
        requests.push(sendKeepalive(chunk, bytes));
      }
      return Promise.all(requests).then(function () {
        changed();
        return tracker.status();
      });
    }

    function sendKeepalive(chunk, bytes) {
      chunk.forEach(function (s) {
        inflight[s.id] = true;
      });
      keepaliveBytes += bytes;
      var release = function () {
        keepaliveBytes -= bytes;
        chunk.forEach(function (s) {
          delete inflight[s.id];
        });
      };
      // fetch() starts synchronously when the credential is known: before the page goes.
      var sending = auth !== null ? deliver(chunk, true) : authPromise.then(function () {
        return deliver(chunk, true);
      });
      return sending.then(
        function (r) {
          release();
          settle(r);
          if (r.stop) stop(r.stop.status, message(r.stop));
          else if (r.retry) scheduleRetry(r.retry);
        },
        function () {
          release();
        }
      );
    }

    // --- State resource (resume data)
    var STATE_MISSING_RESOURCE = { 404: true, 405: true, 501: true };

    function stateParams(stateId, opts) {
      opts = opts || {};
      var params = {
        stateId: stateId,
        activityId: opts.activityId || override || rootId,
        agent: JSON.stringify(actor),
      };
      var reg = opts.registration === undefined ? registration : opts.registration;
      if (reg) params.registration = reg;
      return params;
    }

    var state = {
      get: async function (stateId, opts) {
        if (!enabled) return { status: "local", value: null };
        if (info.stateResource === "unavailable") return { status: "unavailable", value: null };
        // The course waits for this answer before it starts: don't wait long.
        var res = await request("GET", "activities/state", stateParams(stateId, opts), undefined, false, STATE_GET_TIMEOUT_MS);
        if (res.status === 200) {
          info.stateResource = "available";
          changed();
          var value = res.text;
          var type = (res.headers && res.headers.get && res.headers.get("Content-Type")) || "";
          if (/json/i.test(type) || /^\s*[[{"]/.test(value)) {
            try {
              value = JSON.parse(res.text);
            } catch (err) {
              /* keep the text */
            }
          }
          return { status: "ok", value: value };
        }
        if (res.status === 404) return { status: "missing", value: null };
        if (STATE_MISSING_RESOURCE[res.status] || res.status === 403) {
          info.stateResource = "unavailable";
          changed();
          return { status: "unavailable", value: null, http: res.status };
        }
        return { status: "error", value: null, http: res.status, message: message(res) };
      },
      put: async function (stateId, value, opts) {
        if (!enabled) return { status: "local" };
        if (info.stateResource === "unavailable") return { status: "unavailable" };
        var body = typeof value === "string" ? value : JSON.stringify(value);
        // keepalive only within what the browser allows in flight (it would refuse the request)
        var bytes = opts && opts.keepalive ? byteLength(body) : 0;
        var keepalive = bytes > 0 && keepaliveBytes + bytes <= KEEPALIVE_LIMIT;
        if (keepalive) keepaliveBytes += bytes;
        var res;
        try {
          res = await request("PUT", "activities/state", stateParams(stateId, opts), body, keepalive);
        } finally {
          if (keepalive) keepaliveBytes -= bytes;
        }
        if (res.status === 204 || res.status === 200) {
          if (info.stateResource !== "available") {
            info.stateResource = "available";
            changed();
          }
          return { status: "ok" };
        }
        if (STATE_MISSING_RESOURCE[res.status] || res.status === 403) {
          info.stateResource = "unavailable";
          changed();
          return { status: "unavailable", http: res.status };
        }
        return { status: "error", http: res.status, message: message(res) };
      },
    };

    var tracker = {
      namespace: namespace,
      enabled: enabled,
      actor: actor,
      registration: registration,
      rootId: rootId,
      objectId: override || rootId,
      send: send,
      build: build,
      flush: flush,
      state: state,
      outbox: function () {
        return clone(outbox());
      },
      deadLetters: function () {
        return clone(deadLetters());
      },
      status: function () {
        return {
          mode: info.mode,
          note: info.note,
          endpoint: endpoint,
          actor: actor,
          registration: registration,
          pending: enabled ? outbox().length : 0,
          sent: info.sent,
          dead: enabled ? deadLetters().length : 0,
          lastError: info.lastError,
          stopped: info.stopped,
          stateResource: info.stateResource,
          persistent: store.persistent,
        };
      },
    };

    if (enabled) {
      window.addEventListener("online", function () {
        flush();
      });
      // What an earlier page left behind (closed tab, outage) goes first.
      if (outbox().length) soon();
    }
    trackers.push(tracker);
    debugRefresh();
    return tracker;
  }

  // ---------------------------------------------------------------------------------------
  // Course events -> statements

  function createCourseEmitter(tracker, options) {
    var o = options || {};
    var conf = o.config || config;
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
      if (typeof ms === "number" && isFinite(ms) && ms >= 0) result.duration = isoDuration(ms);
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

  // ---------------------------------------------------------------------------------------
  // The debug view: status of every tracker, dead letters, notes. Opened with the URL
  // parameter `coursepack-debug`, localStorage "coursepack:debug" = "1", or X.debug.show().

  var notes = [];
  var panel = null;
  var refreshTimer = null;

  function debugWanted() {
    try {
      if (/[?&#]coursepack-debug\b/.test(window.location.search + window.location.hash)) return true;
      return window.localStorage && window.localStorage.getItem("coursepack:debug") === "1";
    } catch (err) {
      return false;
    }
  }

  function note(text) {
    notes.push(String(text));
    if (window.console) window.console.info("coursepack xAPI: " + text);
    debugRefresh();
  }

  function debugText() {
    var lines = [];
    notes.forEach(function (n) {
      lines.push("note: " + n);
    });
    trackers.forEach(function (t, i) {
      var s = t.status();
      lines.push("tracker " + (i + 1) + ": " + s.mode + (s.note ? " (" + s.note + ")" : ""));
      if (!t.enabled) return;
      lines.push("  endpoint: " + s.endpoint);
      lines.push("  actor: " + actorKey(s.actor) + "  registration: " + (s.registration || "none"));
      lines.push("  sent: " + s.sent + "  waiting: " + s.pending + "  dead letters: " + s.dead + (s.persistent ? "" : "  (outbox in memory only)"));
      lines.push("  State resource: " + (s.stateResource === "unavailable" ? "not offered by this LRS: progress is saved in this browser (localStorage)" : s.stateResource));
      if (s.lastError) lines.push("  last error: " + s.lastError);
      t.deadLetters().forEach(function (d) {
        var st = d.statement || {};
        lines.push("  dead letter " + st.id + " (HTTP " + d.status + "): " + ((st.verb && st.verb.id) || "") + " " + ((st.object && st.object.id) || "") + " :: " + d.message);
      });
    });
    return lines.join("\n");
  }

  function showDebug() {
    if (!window.document || !document.body) return null;
    if (!panel) {
      panel = document.createElement("aside");
      panel.setAttribute("data-cp-xapi-debug", "");
      panel.setAttribute("aria-label", "xAPI debug");
      panel.style.cssText = "position:fixed;bottom:0;right:0;max-width:40rem;max-height:40vh;overflow:auto;background:#fff;color:#000;border:1px solid #555;font:12px/1.4 monospace;padding:.5rem;z-index:9999;white-space:pre-wrap";
      document.body.appendChild(panel);
    }
    panel.textContent = "coursepack xAPI\n" + debugText();
    return panel;
  }

  function debugRefresh() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(function () {
      refreshTimer = null;
      if (panel || debugWanted()) showDebug();
    }, 30);
  }

  // ---------------------------------------------------------------------------------------
  // Saved progress for the LRS-launched adapters (tincan, cmi5): the xAPI State resource and
  // a copy in this browser. An LRS without a State resource (404/405) leaves the browser copy
  // as the only one; on start the newer of the two copies wins.

  var PROGRESS_FORMAT = "coursepack-state/1";
  var PROGRESS_KEEPALIVE_MAX = 8 * 1024; // keep most of the keepalive budget for statements

  /**
   * createProgressStore(tracker, {stateId, localKey, activityId?, now})
   *   load() -> Promise<{doc, fromLrs, local, status}>: doc = the newer copy (or null)
   *   save(text, extra) -> Promise<{ok, unavailable, http}>: extra fields go into the doc
   */
  function createProgressStore(tracker, options) {
    var stateId = options.stateId;
    var localKey = options.localKey;
    var params = options.activityId ? { activityId: options.activityId } : undefined;

    function parseDoc(value) {
      if (isObject(value) && value.format === PROGRESS_FORMAT && typeof value.state === "string") {
        return value;
      }
      return null;
    }

    function savedMs(doc) {
      var ms = doc ? Date.parse(doc.savedAt) : NaN;
      return isNaN(ms) ? 0 : ms;
    }

    function readLocal() {
      try {
        return parseDoc(JSON.parse(window.localStorage.getItem(localKey) || "null"));
      } catch (err) {
        return null;
      }
    }

    function writeLocal(doc) {
      try {
        window.localStorage.setItem(localKey, JSON.stringify(doc));
      } catch (err) {
        /* the LRS copy still holds it */
      }
    }

    return {
      load: async function () {
        var remote = await tracker.state.get(stateId, params);
        var fromLrs = remote.status === "ok" ? parseDoc(remote.value) : null;
        var local = readLocal();
        var doc = fromLrs;
        if (local && (!doc || savedMs(local) > savedMs(doc))) doc = local;
        if (local && doc === local && !fromLrs) {
          note("resuming from this browser's copy: the LRS gave no saved state (" + remote.status + ")");
        }
        return { doc: doc, fromLrs: fromLrs, local: local, status: remote.status };
      },

      save: async function (text, extra) {
        var doc = { format: PROGRESS_FORMAT, state: text, savedAt: new Date(options.now()).toISOString() };
        Object.keys(extra || {}).forEach(function (key) {
          doc[key] = extra[key];
        });
        writeLocal(doc);
        var body = JSON.stringify(doc);
        var hidden = window.document.visibilityState === "hidden";
        var put = { keepalive: hidden && byteLength(body) <= PROGRESS_KEEPALIVE_MAX };
        if (params) put.activityId = params.activityId;
        var result = await tracker.state.put(stateId, body, put);
        return {
          ok: result.status === "ok" || result.status === "unavailable",
          unavailable: result.status === "unavailable",
          http: result.http,
        };
      },
    };
  }

  // ---------------------------------------------------------------------------------------
  // Dual tracking: a SCORM package that also sends statements to the LRS of the build

  function startDualTracking(cp) {
    var lrs = xconf.lrs;
    var adapterName = (config.target || {}).adapter;
    if (!lrs || !lrs.endpoint || XAPI_ADAPTERS[adapterName]) return;
    cp.on("session:start", function (detail) {
      var learner = detail.learner;
      if (!detail.connected || !learner || !learner.id) {
        note("dual tracking is off: no learner id from the LMS (local mode)");
        return;
      }
      var home = lrs.actorHomePage;
      var actor = { objectType: "Agent", account: { homePage: home, name: String(learner.id) } };
      if (learner.name) actor.name = String(learner.name);
      var root = courseConf.iri || courseConf.id;
      var tracker = createTracker({
        endpoint: lrs.endpoint,
        auth: lrs.auth,
        actor: actor,
        registration: uuid5(root + "|" + home + "|" + learner.id, xconf.registrationNamespace),
      });
      var emitter = createCourseEmitter(tracker).bind(cp);
      emitter.sessionStart(detail);
      api.dual = emitter;
    });
  }

  var api = {
    createTracker: createTracker,
    createCourseEmitter: createCourseEmitter,
    createProgressStore: createProgressStore,
    normalizeActor: normalizeActor,
    normalizeAuth: normalizeAuth,
    parseLaunch: parseLaunch,
    actorKey: actorKey,
    mergeContext: mergeContext,
    uuid4: uuid4,
    uuid5: uuid5,
    sha1Hex: function (text) {
      return hex(sha1(utf8(text)));
    },
    isoDuration: isoDuration,
    shortHash: shortHash,
    trackers: trackers,
    dual: null,
    debug: { note: note, show: showDebug, text: debugText },
  };
  window.CoursepackXAPI = api;

  if (window.Coursepack) startDualTracking(window.Coursepack);
})(window);
