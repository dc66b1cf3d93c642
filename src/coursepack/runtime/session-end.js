/*
 * coursepack runtime: the order in which a session ends (window.CoursepackSessionEnd)
 *
 * A cmi5 LMS refuses State writes after `terminated`, and a navigation (returnURL) aborts what
 * is still in flight. So the last save goes first, and the statements that close the session
 * (the `session:end` event, then the adapter's finish) only follow once it is done:
 *
 *   CoursepackSessionEnd.run({trigger, save, announce, finish, leaving})
 *     trigger   "exit" (the learner pressed Save and exit) or "pagehide"
 *     save()    starts the last save, returns a Promise (its request starts synchronously)
 *     announce(trigger)  emits session:end
 *     finish(trigger)    the adapter's finish, returns a Promise
 *     leaving   a Promise resolved if the page is dismissed while we wait
 *
 * On "exit" the save is awaited (a timeout in the transport bounds the wait). On "pagehide"
 * nothing can be awaited: the save is started first (the adapters send it with keepalive),
 * then the session is closed in the same task. If the page is dismissed while an exit waits,
 * the rest runs at once, as on pagehide.
 */
(function (root) {
  "use strict";

  function run(steps) {
    var saving;
    try {
      saving = Promise.resolve(steps.save());
    } catch (err) {
      saving = Promise.resolve();
    }
    function close(trigger) {
      steps.announce(trigger);
      return Promise.resolve(steps.finish(trigger));
    }
    if (steps.trigger === "pagehide") return close("pagehide");
    var done = saving.then(
      function () {
        return steps.trigger;
      },
      function () {
        return steps.trigger;
      }
    );
    var candidates = [done];
    if (steps.leaving) {
      candidates.push(
        steps.leaving.then(function () {
          return "pagehide";
        })
      );
    }
    return Promise.race(candidates).then(close);
  }

  root.CoursepackSessionEnd = { run: run };
})(window);
