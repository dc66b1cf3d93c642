/*
 * coursepack runtime: the statement outbox (CoursepackXAPI.createOutbox)
 *
 * Statements wait in storage until the LRS has them: a closed tab or an outage loses nothing,
 * the next page sends what an earlier one left. Everything it touches comes in as options, so
 * it runs the same against a fake LRS, a fake storage and a fake clock.
 *
 *   var outbox = X.createOutbox({http, store, timers, random, now, budget, batchSize,
 *                                maxBackoffMs, onChange, console})
 *     http      X.createHttp(...) (its fetch is the transport)
 *     store     X.createStore(...): "outbox" and "dead" lists
 *     timers    {setTimeout, clearTimeout};  random() in [0, 1): backoff jitter;  now(): ms
 *     budget    {inFlight}: keepalive bytes in flight, shared by the page's requests
 *   outbox.push(statement)        keep it (deduplicated by id) and send soon (outbox.soon())
 *   outbox.flush({keepalive}) -> Promise   POST batches (at most batchSize statements and
 *             512 KiB). Network errors, 408, 429, 5xx: retried with exponential backoff (1 s,
 *             doubling, at most maxBackoffMs, +20% jitter); 409: resent one by one with PUT
 *             (409 there = already stored = sent); 400/413/422: the batch is split down to the
 *             bad statement, kept aside as a dead letter, the rest goes on; 401/403: sending
 *             stops (the outbox is kept). keepalive: the page is going away: POST what waits
 *             with fetch keepalive, within the page's 64 KiB budget (56 KiB for statements);
 *             what does not fit stays for the next launch.
 *   outbox.idle() -> Promise      resolves when no request is in flight and no send is due
 *             (a retry waiting for its backoff does not count)
 *   outbox.list(), outbox.deadLetters()        what is kept
 *   outbox.info   {mode: "tracking" | "stopped", sent, lastError, stopped, retrying}
 *   outbox.stop(status, message)
 */
(function (window) {
  "use strict";

  var U = window.CoursepackUtil;
  var X = window.CoursepackXAPI;
  var C = X.constants;

  function createOutbox(options) {
    var o = options || {};
    var http = o.http;
    var store = o.store;
    var timers = o.timers || window;
    var random = o.random || Math.random;
    var nowFn = o.now || function () {
      return Date.now();
    };
    var budget = o.budget || X.keepaliveBudget();
    var batchSize = o.batchSize || C.BATCH_SIZE;
    var maxBackoff = o.maxBackoffMs || C.MAX_BACKOFF_MS;
    var console = o.console === undefined ? window.console : o.console;
    var info = { mode: "tracking", sent: 0, lastError: null, stopped: null, retrying: false };
    var flushing = null;
    var again = false;
    var soonTimer = null;
    var retryTimer = null;
    var backoff = 0;
    var keepaliveRequests = 0;
    var inflight = {}; // statement id -> true while a keepalive request carries it
    var sending = {}; // statement id -> true while a regular request carries it
    var idleWaiters = [];

    function changed() {
      if (typeof o.onChange === "function") o.onChange();
      checkIdle();
    }

    function busy() {
      return !!(flushing || soonTimer || keepaliveRequests);
    }

    function checkIdle() {
      if (busy() || !idleWaiters.length) return;
      var waiters = idleWaiters;
      idleWaiters = [];
      waiters.forEach(function (resolve) {
        resolve();
      });
    }

    function idle() {
      return new Promise(function (resolve) {
        idleWaiters.push(resolve);
        checkIdle();
      });
    }

    function stop(status, message) {
      info.mode = "stopped";
      info.stopped = { status: status, message: message };
      info.lastError = "HTTP " + status + ": " + message;
      if (console) console.error("coursepack xAPI: the LRS refused the credential (" + status + "); statements are kept in this browser and sent at the next launch.", message);
      changed();
    }

    // --- what is kept, deduplicated by statement id
    function list() {
      var l = store.read("outbox", []);
      return Array.isArray(l) ? l : [];
    }

    function deadLetters() {
      var l = store.read("dead", []);
      return Array.isArray(l) ? l : [];
    }

    function push(statement) {
      var l = list();
      if (!l.some(function (s) {
        return s && s.id === statement.id;
      })) {
        l.push(statement);
      }
      store.write("outbox", l);
      soon();
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
        list().filter(function (s) {
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
          if (console) console.warn("coursepack xAPI: the LRS rejected a statement (HTTP " + d.status + "); it is kept aside in this browser (dead letter) and later statements go on.", d.message, d.statement);
        });
        store.write("dead", dead);
      }
      info.sent += result.sent.length;
    }

    // --- delivery
    function message(res) {
      return (res.text || "").slice(0, 500);
    }

    function outcome() {
      return { sent: [], dead: [], retry: null, stop: null };
    }

    function combine(a, b) {
      return { sent: a.sent.concat(b.sent), dead: a.dead.concat(b.dead), retry: b.retry, stop: b.stop };
    }

    function deadEntry(statement, res) {
      return { statement: statement, status: res.status, message: message(res), at: new Date(nowFn()).toISOString() };
    }

    /** One statement by PUT ?statementId: 204 stored, 409 already there (counts as sent). */
    async function putOne(statement) {
      var r = outcome();
      var res = await http.request("PUT", "statements", { statementId: statement.id }, statement, false);
      if (res.status === 200 || res.status === 204 || res.status === 409) r.sent.push(statement.id);
      else if (C.REJECTED[res.status]) r.dead.push(deadEntry(statement, res));
      else if (res.status === 401 || res.status === 403) r.stop = res;
      else r.retry = res;
      return r;
    }

    async function individually(batch) {
      var r = outcome();
      for (var i = 0; i < batch.length; i++) {
        r = combine(r, await putOne(batch[i]));
        if (r.retry || r.stop) break;
      }
      return r;
    }

    /** POST a batch; split a rejected batch down to the bad statement (dead letter). */
    async function deliver(batch, keepalive) {
      var r = outcome();
      var res = await http.request("POST", "statements", null, batch, keepalive);
      if (res.status === 200 || res.status === 204) {
        r.sent = batch.map(function (s) {
          return s.id;
        });
      } else if (res.status === 409) {
        // Some statement is already stored (Ralph refuses the whole batch): one by one.
        r = await individually(batch);
      } else if (C.REJECTED[res.status]) {
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

    function nextBatch(waiting) {
      var batch = [];
      var bytes = 2;
      for (var i = 0; i < waiting.length && batch.length < batchSize; i++) {
        var size = U.byteLength(JSON.stringify(waiting[i])) + 1;
        if (batch.length && bytes + size > C.MAX_BATCH_BYTES) break;
        batch.push(waiting[i]);
        bytes += size;
      }
      return batch;
    }

    function scheduleRetry(res) {
      info.lastError = res.status ? "HTTP " + res.status + ": " + message(res) : "network error: " + message(res);
      backoff = Math.min(maxBackoff, backoff ? backoff * 2 : 1000);
      var delay = Math.round(backoff * (1 + random() * 0.2));
      timers.clearTimeout(retryTimer);
      info.retrying = true;
      retryTimer = timers.setTimeout(function () {
        retryTimer = null;
        info.retrying = false;
        flush();
      }, delay);
    }

    async function run() {
      await http.ready;
      while (info.mode === "tracking") {
        var batch = nextBatch(
          list().filter(function (s) {
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
    }

    function flush(opts) {
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
          changed();
          return info;
        },
        function (err) {
          flushing = null;
          info.lastError = String(err);
          changed();
          return info;
        }
      );
      return flushing;
    }

    function soon() {
      if (soonTimer) return;
      soonTimer = timers.setTimeout(function () {
        soonTimer = null;
        flush();
      }, C.FLUSH_DELAY_MS);
    }

    /**
     * The page is going away: POST what is waiting with keepalive, within the budget. That
     * includes what a regular request is carrying (unloading cancels it); the LRS keeps one
     * copy of a statement id, and a 409 or a duplicate answer counts as sent.
     */
    function urgent() {
      if (info.mode !== "tracking") return Promise.resolve(info);
      var waiting = list().filter(function (s) {
        return s && !inflight[s.id];
      });
      var requests = [];
      while (waiting.length) {
        var chunk = [];
        var bytes = 2;
        while (waiting.length && chunk.length < batchSize) {
          var size = U.byteLength(JSON.stringify(waiting[0])) + 1;
          if (bytes + size + budget.inFlight > C.KEEPALIVE_BUDGET) break;
          chunk.push(waiting.shift());
          bytes += size;
        }
        if (!chunk.length) break; // over the budget: kept for the next launch
        requests.push(sendKeepalive(chunk, bytes));
      }
      return Promise.all(requests).then(function () {
        changed();
        return info;
      });
    }

    function sendKeepalive(chunk, bytes) {
      chunk.forEach(function (s) {
        inflight[s.id] = true;
      });
      budget.inFlight += bytes;
      keepaliveRequests++;
      var release = function () {
        budget.inFlight -= bytes;
        keepaliveRequests--;
        chunk.forEach(function (s) {
          delete inflight[s.id];
        });
      };
      // fetch() starts synchronously when the credential is known: before the page goes.
      var delivery = http.known() ? deliver(chunk, true) : http.ready.then(function () {
        return deliver(chunk, true);
      });
      return delivery.then(
        function (r) {
          release();
          settle(r);
          if (r.stop) stop(r.stop.status, message(r.stop));
          else if (r.retry) scheduleRetry(r.retry);
          changed();
        },
        function () {
          release();
          changed();
        }
      );
    }

    return {
      info: info,
      push: push,
      flush: flush,
      soon: soon,
      idle: idle,
      list: list,
      deadLetters: deadLetters,
      stop: stop,
      store: store,
    };
  }

  X.createOutbox = createOutbox;
})(window);
