/*
 * coursepack runtime: dual tracking (a SCORM package that also sends statements to the LRS of
 * the build). Loaded last of the xAPI files, in SCORM packages built with an LRS only.
 *
 * When config.xapi.lrs is set and the adapter is not an xAPI one, a tracker starts on
 * session:start with an `account` actor {homePage: lrs.actorHomePage, name: the learner id
 * (cmi.core.student_id)} and registration uuid5(courseIRI|homePage|id); X.dual is its emitter.
 */
(function (window) {
  "use strict";

  var X = window.CoursepackXAPI;
  var C = X.constants;
  var config = window.COURSEPACK_CONFIG || {};
  var xconf = config.xapi || {};
  var courseConf = config.course || {};

  function startDualTracking(cp) {
    var lrs = xconf.lrs;
    var adapterName = (config.target || {}).adapter;
    if (!lrs || !lrs.endpoint || C.XAPI_ADAPTERS[adapterName]) return;
    cp.on("session:start", function (detail) {
      var learner = detail.learner;
      if (!detail.connected || !learner || !learner.id) {
        X.note("dual tracking is off: no learner id from the LMS (local mode)");
        return;
      }
      var home = lrs.actorHomePage;
      var actor = { objectType: "Agent", account: { homePage: home, name: String(learner.id) } };
      if (learner.name) actor.name = String(learner.name);
      var root = courseConf.iri || courseConf.id;
      var tracker = X.createTracker({
        endpoint: lrs.endpoint,
        auth: lrs.auth,
        actor: actor,
        registration: X.uuid5(root + "|" + home + "|" + learner.id, xconf.registrationNamespace),
      });
      var emitter = X.createCourseEmitter(tracker).bind(cp);
      emitter.sessionStart(detail);
      X.dual = emitter;
    });
  }

  if (window.Coursepack) startDualTracking(window.Coursepack);
})(window);
