/*
 * coursepack runtime: xAPI identifiers (CoursepackXAPI.uuid4, .uuid5, .sha1Hex)
 *
 * Random (v4) statement ids, and name-based (v5, SHA-1) ids as Python's uuid.uuid5 makes them
 * (the dual-tracking registration). SHA-1 is written out: crypto.subtle needs a secure context.
 */
(function (window) {
  "use strict";

  var U = window.CoursepackUtil;
  var X = window.CoursepackXAPI;

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
    var nameBytes = U.utf8(name);
    var data = new Uint8Array(16 + nameBytes.length);
    for (var i = 0; i < 16; i++) data[i] = parseInt(ns.substr(i * 2, 2), 16);
    data.set(nameBytes, 16);
    var hash = sha1(data).slice(0, 16);
    hash[6] = (hash[6] & 0x0f) | 0x50;
    hash[8] = (hash[8] & 0x3f) | 0x80;
    return formatUuid(hash);
  }

  X.uuid4 = uuid4;
  X.uuid5 = uuid5;
  X.sha1Hex = function (text) {
    return hex(sha1(U.utf8(text)));
  };
})(window);
