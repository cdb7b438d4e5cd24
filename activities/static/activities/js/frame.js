/* The player's bridge, inside the sandboxed iframe (activities/templates/activities/embed.html).
 *
 * It starts h5p-standalone with the configuration the server wrote into the page, and is the
 * only thing that talks to the lesson page: it posts the activity's xAPI statements, its state
 * (so a learner resumes where they left off) and its height to the parent, addressed to the
 * parent's origin only. It has no cookies and no session; the parent checks every message and
 * does the sending (static/js/activity.js).
 */
(function () {
  "use strict";
  // The sandbox gives this page no storage (reading localStorage throws), and H5P core reads it
  // as it starts (its offline request queue). A storage in memory, for this page only, lets it
  // start; nothing in it outlives the page, and the learner's state goes to the site instead.
  function memoryStorage() {
    var items = {};
    return {
      getItem: function (key) { return Object.prototype.hasOwnProperty.call(items, key) ? items[key] : null; },
      setItem: function (key, value) { items[key] = String(value); },
      removeItem: function (key) { delete items[key]; },
      clear: function () { items = {}; },
      key: function (index) { return Object.keys(items)[index] || null; },
      get length() { return Object.keys(items).length; },
    };
  }
  ["localStorage", "sessionStorage"].forEach(function (name) {
    try {
      void window[name];
    } catch (blocked) {
      Object.defineProperty(window, name, { value: memoryStorage(), configurable: true });
    }
  });

  var config = JSON.parse(document.getElementById("h5p-config").textContent);
  var bridge = JSON.parse(document.getElementById("h5p-bridge").textContent);
  var container = document.getElementById("h5p-container");
  var lastState = null;
  var lastHeight = 0;

  function send(message) {
    window.parent.postMessage(message, bridge.parent_origin);
  }

  function uuid4() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function instance() {
    return window.H5P && window.H5P.instances && window.H5P.instances[0];
  }

  function saveState() {
    if (!bridge.recording) return;
    var current = instance();
    if (!current || typeof current.getCurrentState !== "function") return;
    var state = current.getCurrentState();
    if (state === undefined || state === null) return;
    var text = JSON.stringify(state);
    if (text !== lastState) {
      lastState = text;
      send({ type: "state", state: text });
    }
  }

  function reportHeight() {
    var height = Math.ceil(Math.max(container.scrollHeight, document.documentElement.scrollHeight));
    if (Math.abs(height - lastHeight) > 2) {
      lastHeight = height;
      send({ type: "resize", height: height });
    }
  }

  function statementOf(event) {
    // A plain copy: H5P's statement object carries no functions, but may carry undefined.
    var statement = JSON.parse(JSON.stringify(event.data.statement));
    statement.id = uuid4(); // a retried post is then the same statement, stored once
    if (!statement.timestamp) statement.timestamp = new Date().toISOString();
    delete statement.actor; // the lesson page names the learner
    return statement;
  }

  new H5PStandalone.H5P(container, config)
    .then(function () {
      H5P.externalDispatcher.on("xAPI", function (event) {
        if (bridge.recording) send({ type: "statement", statement: statementOf(event) });
        saveState();
      });
      window.setInterval(saveState, 10000);
      window.setInterval(reportHeight, 500);
      reportHeight();
    })
    .catch(function (error) {
      if (window.console) console.error("The H5P player failed to start:", error);
      container.setAttribute("data-error", String((error && error.stack) || error));
      var message = document.createElement("p");
      message.textContent = bridge.error_text;
      container.replaceChildren(message);
      reportHeight();
    });
})();
