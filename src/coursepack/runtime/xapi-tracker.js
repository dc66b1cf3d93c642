/*
 * coursepack runtime: one LRS connection (CoursepackXAPI.createTracker)
 *
 * A tracker puts the pieces together: the statement builder (xapi-statement.js), HTTP
 * (xapi-http.js), the persistent outbox (xapi-outbox.js) and the State resource
 * (xapi-state.js). It never sends anything by itself: the tincan and cmi5 adapters and dual
 * tracking create trackers. Full documentation: docs/xapi.md.
 *
 *   X.createTracker(options) -> tracker
 *     options.endpoint        LRS base URL ("" or missing: local mode, nothing is sent or kept)
 *     options.auth            Authorization header value, or a Promise of it (cmi5 fetch)
 *     options.actor           an xAPI Agent (legacy forms are normalised)
 *     options.registration    UUID for context.registration and State calls (optional)
 *     options.contextTemplate base context merged into every statement (cmi5 LaunchData's
 *                             contextTemplate): its values are never overwritten
 *     options.rootId          the activity id standing for the launched thing (default: the
 *                             course IRI from the configuration)
 *     options.objectIdOverride  replaces rootId wherever it appears (object and context)
 *     options.categories, options.rootCategories, options.decorate(statement, partial)
 *     options.namespace       localStorage key prefix of the outbox (default: course storage
 *                             key + ":xapi:" + hash of the endpoint)
 *     options.platform, options.language, options.version ("1.0.3"), options.batchSize (25),
 *     options.maxBackoffMs (60000), options.extraParams
 *     options.fetch, options.storage, options.now, options.timers, options.random  (tests)
 *     options.onStatus        function (status) on every change
 *
 *   tracker.send(partial) -> statement    build it and queue it (outbox), then flush soon
 *   tracker.build(partial) -> statement   build only
 *   tracker.flush({keepalive}) -> Promise<status>
 *   tracker.idle() -> Promise   no statement or State request in flight, no send due (a retry
 *                               waiting for its backoff does not count)
 *   tracker.state.get / tracker.state.put             the State resource
 *   tracker.status() -> {mode: "tracking" | "local" | "stopped", note, endpoint, actor,
 *                        registration, pending, sent, dead, lastError, stopped,
 *                        stateResource, persistent}
 *   tracker.outbox() / tracker.deadLetters()   copies of what is kept in localStorage
 *
 * Every tracker is listed in X.trackers; X.changed() is signalled when its status changes
 * (the debug view reads trackers through status() and deadLetters() only).
 */
(function (window) {
  "use strict";

  var U = window.CoursepackUtil;
  var X = window.CoursepackXAPI;
  var C = X.constants;

  /** Every statement's context says which version of the course sent it. */
  function courseVersionExtension(xconf, courseConf) {
    if (!xconf.courseVersionExtension || typeof courseConf.version !== "string" || !courseConf.version) return undefined;
    var extensions = {};
    extensions[xconf.courseVersionExtension] = courseConf.version;
    return extensions;
  }

  function createTracker(options) {
    var o = options || {};
    var config = window.COURSEPACK_CONFIG || {};
    var xconf = config.xapi || {};
    var courseConf = config.course || {};
    var endpoint = X.ensureSlash(o.endpoint || "");
    var actor = o.actor ? X.normalizeActor(o.actor) : null;
    var registration = o.registration ? String(o.registration).toLowerCase() : "";
    var rootId = o.rootId || courseConf.iri || courseConf.id || "";
    var fetchFn = o.fetch || (window.fetch ? window.fetch.bind(window) : null);
    var nowFn = o.now || function () {
      return Date.now();
    };
    var enabled = !!(endpoint && actor && fetchFn);
    var namespace = o.namespace || (courseConf.storageKey || "coursepack") + ":xapi:" + X.shortHash(endpoint);
    var store = X.createStore(namespace, o.storage);
    var outbox = null;
    var builder = X.createStatementBuilder({
      actor: actor,
      registration: registration,
      language: o.language || courseConf.language || "",
      platform: o.platform || xconf.platform || "",
      rootId: rootId,
      objectIdOverride: o.objectIdOverride,
      contextTemplate: o.contextTemplate,
      categories: o.categories,
      rootCategories: o.rootCategories,
      extensions: courseVersionExtension(xconf, courseConf),
      decorate: o.decorate,
      verbs: xconf.verbs,
      now: nowFn,
    });
    var localNote = enabled ? "" : !endpoint ? "no LRS endpoint: not tracking" : !actor ? "no valid actor: not tracking" : "no fetch: not tracking";

    function changed() {
      if (typeof o.onStatus === "function") {
        try {
          o.onStatus(tracker.status());
        } catch (err) {
          /* a listener never breaks sending */
        }
      }
      X.changed();
    }

    var http = X.createHttp({
      endpoint: endpoint,
      auth: o.auth,
      version: o.version || xconf.version || C.VERSION,
      fetch: fetchFn,
      extraParams: o.extraParams,
      timers: o.timers,
      onAuthError: function (err) {
        if (outbox) outbox.stop(0, "no credential: " + String(err));
      },
    });
    if (enabled) {
      outbox = X.createOutbox({
        http: http,
        store: store,
        timers: o.timers,
        random: o.random,
        now: nowFn,
        batchSize: o.batchSize,
        maxBackoffMs: o.maxBackoffMs,
        onChange: changed,
      });
    }
    var stateResource = X.createStateResource({
      http: http,
      actor: actor,
      registration: registration,
      activityId: builder.objectId,
      onChange: changed,
    });

    function send(partial) {
      var statement = builder.build(partial);
      if (!enabled) return statement;
      outbox.push(statement);
      changed();
      return statement;
    }

    var tracker = {
      namespace: namespace,
      enabled: enabled,
      actor: actor,
      registration: registration,
      rootId: rootId,
      objectId: builder.objectId,
      send: send,
      build: builder.build,
      flush: function (opts) {
        if (!enabled) return Promise.resolve(tracker.status());
        return outbox.flush(opts).then(function () {
          return tracker.status();
        });
      },
      idle: function () {
        if (!enabled) return Promise.resolve();
        return Promise.all([outbox.idle(), stateResource.idle()]).then(function () {});
      },
      state: {
        get: function (stateId, opts) {
          if (!enabled) return Promise.resolve({ status: "local", value: null });
          return stateResource.get(stateId, opts);
        },
        put: function (stateId, value, opts) {
          if (!enabled) return Promise.resolve({ status: "local" });
          return stateResource.put(stateId, value, opts);
        },
      },
      outbox: function () {
        return enabled ? U.clone(outbox.list()) : [];
      },
      deadLetters: function () {
        return enabled ? U.clone(outbox.deadLetters()) : [];
      },
      status: function () {
        var info = outbox ? outbox.info : { mode: "local", sent: 0, lastError: null, stopped: null };
        return {
          mode: info.mode,
          note: localNote,
          endpoint: endpoint,
          actor: actor,
          registration: registration,
          pending: enabled ? outbox.list().length : 0,
          sent: info.sent,
          dead: enabled ? outbox.deadLetters().length : 0,
          lastError: info.lastError,
          stopped: info.stopped,
          stateResource: stateResource.resource(),
          persistent: store.persistent,
        };
      },
    };

    if (enabled) {
      if (window.addEventListener) {
        window.addEventListener("online", function () {
          tracker.flush();
        });
      }
      // What an earlier page left behind (closed tab, outage) goes first.
      if (outbox.list().length) outbox.soon();
    }
    X.trackers.push(tracker);
    X.changed();
    return tracker;
  }

  X.createTracker = createTracker;
})(window);
