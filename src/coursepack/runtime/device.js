/*
 * coursepack runtime: this device's copy of the state (window.CoursepackDevice)
 *
 * The whole state, reflections included, as JSON in a Web Storage (localStorage), which is
 * passed in with the key, the state version and the clock: no other global is read.
 *
 *   var copy = CoursepackDevice.create({storage: () => localStorage | null, probeKey, version,
 *                                        now, log})
 *   copy.available() -> bool     storage works (a probe write succeeds)
 *   copy.read(key) -> raw object | null      anything unreadable or of another version: null
 *   copy.write(key, state) -> bool
 */
(function (root) {
  "use strict";

  var U = root.CoursepackUtil;

  function create(options) {
    var o = options || {};
    var log = o.log || function () {};

    function storage() {
      var s;
      try {
        s = o.storage();
        if (!s) return null;
        var probe = o.probeKey || "coursepack:probe";
        s.setItem(probe, "1");
        s.removeItem(probe);
        return s;
      } catch (err) {
        return null;
      }
    }

    function read(key) {
      var s = storage();
      if (!s || !key) return null;
      try {
        var raw = JSON.parse(s.getItem(key) || "null");
        return U.isObject(raw) && raw.v === o.version ? raw : null;
      } catch (err) {
        log("warn", "this browser's copy of the progress is not readable; ignored", String(err));
        return null;
      }
    }

    function write(key, state) {
      var s = storage();
      if (!s || !key) return false;
      try {
        var copy = JSON.parse(JSON.stringify(state));
        copy.v = o.version;
        copy.updatedAt = o.now();
        s.setItem(key, JSON.stringify(copy));
        return true;
      } catch (err) {
        log("warn", "could not save in this browser", String(err));
        return false;
      }
    }

    return {
      available: function () {
        return !!storage();
      },
      read: read,
      write: write,
    };
  }

  root.CoursepackDevice = { create: create };
})(window);
