/*
 * coursepack runtime: the outbox's storage (CoursepackXAPI.createStore)
 *
 *   var store = X.createStore(namespace, storage, note)
 *     storage   a Web Storage (localStorage), null for none, undefined: the page's own
 *               localStorage if it works
 *   store.read(name, fallback) -> JSON value     store.write(name, value) -> bool (persisted)
 *   store.persistent: a storage is in use
 *
 * A value that does not fit (quota) is kept in this page's memory, which then wins, until a
 * later write fits again.
 */
(function (window) {
  "use strict";

  var U = window.CoursepackUtil;
  var X = window.CoursepackXAPI;
  var memory = {}; // one page: every store's values that did not fit

  function createStore(namespace, storage, note) {
    var backend = storage;
    note = note || X.note;
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

    function read(name, fallback) {
      var key = namespace + ":" + name;
      try {
        var text = U.has(memory, key) ? memory[key] : backend ? backend.getItem(key) : null;
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
        if (backend && !U.has(memory, key)) {
          note("the outbox does not fit in localStorage (" + String(err && err.name) + "): kept in this page's memory until it fits");
        }
        memory[key] = text;
        return false;
      }
    }

    return { namespace: namespace, persistent: !!backend, read: read, write: write };
  }

  X.createStore = createStore;
})(window);
