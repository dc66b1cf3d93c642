/*
 * coursepack runtime: building xAPI statements (CoursepackXAPI.createStatementBuilder,
 * .mergeContext)
 *
 *   var b = X.createStatementBuilder({actor, registration, language, platform, rootId,
 *                                     objectIdOverride, contextTemplate, categories,
 *                                     rootCategories, extensions, decorate, verbs, now, uuid})
 *   b.build(partial) -> statement     partial: {verb: key | IRI | {id, display}, object:
 *                      activity, result, parent, grouping, category, other: [activity],
 *                      context, id, timestamp}. Adds id (UUID v4), timestamp (UTC, ms, always
 *                      increasing), actor, context.registration/language/platform.
 *   X.mergeContext(template, extra)   the template's values win; contextActivities lists are
 *                      merged (cmi5's contextTemplate is never overwritten)
 */
(function (window) {
  "use strict";

  var U = window.CoursepackUtil;
  var X = window.CoursepackXAPI;

  function verbObject(verb, verbs) {
    if (U.isObject(verb)) return U.clone(verb);
    verbs = verbs || {};
    var key = String(verb);
    var id = U.has(verbs, key) ? verbs[key] : key;
    var display = U.has(verbs, key) ? key : id.replace(/^.*[/#]/, "");
    return { id: id, display: { "en-US": display } };
  }

  function activity(value, withDefinition) {
    if (typeof value === "string") return { objectType: "Activity", id: value };
    var out = { objectType: "Activity", id: String(value.iri || value.id) };
    if (withDefinition && value.definition) out.definition = U.clone(value.definition);
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
    var out = U.clone(template) || {};
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
        out.extensions = Object.assign({}, U.clone(value), out.extensions || {});
      } else if (!U.has(out, key)) {
        out[key] = U.clone(value);
      }
    });
    return out;
  }

  function createStatementBuilder(options) {
    var o = options || {};
    var actor = o.actor || null;
    var registration = o.registration || "";
    var rootId = o.rootId || "";
    var override = o.objectIdOverride && o.objectIdOverride !== rootId ? String(o.objectIdOverride) : "";
    var nowFn = o.now || function () {
      return Date.now();
    };
    var uuid = o.uuid || X.uuid4;
    var lastTs = 0;

    function rootize(id) {
      return override && id === rootId ? override : id;
    }

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
        id: p.id || uuid(),
        timestamp: timestamp(p.timestamp),
        actor: U.clone(actor),
        verb: verbObject(p.verb, o.verbs),
        object: object,
      };
      if (p.result) statement.result = U.clone(p.result);
      var extra = {
        registration: registration || undefined,
        language: o.language || undefined,
        platform: o.platform || undefined,
        contextActivities: {
          parent: p.parent || [],
          grouping: p.grouping || [],
          category: (o.categories || []).concat(isRoot ? o.rootCategories || [] : [], p.category || []),
          other: p.other || [],
        },
        extensions: o.extensions || undefined,
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

    return { build: build, rootId: rootId, objectId: override || rootId };
  }

  X.createStatementBuilder = createStatementBuilder;
  X.mergeContext = mergeContext;
})(window);
