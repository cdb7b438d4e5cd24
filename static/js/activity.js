/* Interactive activities in a lesson (templates/courses/blocks/activity.html, docs/h5p.md).
 *
 * "Start the activity" asks the activity's launch URL (with the reader's session) for a player
 * URL, then opens it in an iframe sandboxed with allow-scripts only: the activity runs in an
 * opaque origin (or on H5P_CONTENT_ORIGIN), cannot read this site's cookies and cannot call it
 * as the reader. The player's bridge (activities/js/frame.js) sends this page its xAPI
 * statements and its saved state with postMessage. A message counts only when it comes from
 * that iframe's window and from the origin the launch answer named; it is then posted to /xapi/
 * with the reader's session and CSRF token. Statements that could not be sent are kept and sent
 * again (nothing a learner did is dropped on a bad connection).
 */
(function () {
  "use strict";
  if (window.zhusanActivities) return; // one copy, however many blocks include this script
  window.zhusanActivities = true;

  var XAPI_VERSION = "1.0.3";
  var COMPLETING = [
    "http://adlnet.gov/expapi/verbs/completed",
    "http://adlnet.gov/expapi/verbs/passed",
  ];

  function xapiFetch(url, options, launch) {
    options.credentials = "same-origin";
    options.headers = Object.assign(
      {
        "X-Experience-API-Version": XAPI_VERSION,
        "X-CSRFToken": launch.csrf_token,
        "Content-Type": "application/json",
      },
      options.headers || {}
    );
    return fetch(url, options);
  }

  function Player(section) {
    this.section = section;
    this.button = section.querySelector(".activity__button");
    this.holder = section.querySelector(".activity__frame");
    this.status = section.querySelector(".activity__status");
    this.queue = [];
    this.sending = false;
    this.launch = null;
    this.frame = null;
    this.button.addEventListener("click", this.start.bind(this));
  }

  Player.prototype.say = function (text) {
    this.status.textContent = text || "";
  };

  Player.prototype.start = function () {
    var self = this;
    self.button.disabled = true;
    fetch(self.section.dataset.launch, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("launch " + response.status);
        return response.json();
      })
      .then(function (launch) {
        self.launch = launch;
        self.open();
        if (!launch.signed_in) self.say(self.section.dataset.guestText);
        else if (launch.completed) self.say(self.section.dataset.completedText);
      })
      .catch(function () {
        self.button.disabled = false;
        self.say(self.section.dataset.errorText);
      });
  };

  Player.prototype.open = function () {
    var frame = document.createElement("iframe");
    frame.setAttribute("sandbox", "allow-scripts");
    frame.setAttribute("allow", "fullscreen 'none'; camera 'none'; microphone 'none'");
    frame.setAttribute("referrerpolicy", "no-referrer");
    frame.setAttribute("title", this.section.dataset.frameTitle);
    frame.className = "activity__iframe";
    frame.src = this.launch.embed_url;
    this.holder.replaceChildren(frame);
    this.frame = frame;
    this.button.parentNode.hidden = true;
    players.push(this);
  };

  Player.prototype.accepts = function (event) {
    return (
      this.frame !== null &&
      event.source === this.frame.contentWindow &&
      event.origin === this.launch.frame_origin
    );
  };

  Player.prototype.receive = function (data) {
    if (!data || typeof data !== "object") return;
    if (data.type === "resize" && typeof data.height === "number") {
      this.frame.style.height = Math.max(200, Math.min(data.height, 5000)) + "px";
    } else if (!this.launch.signed_in) {
      return; // a guest's answers are not recorded
    } else if (data.type === "statement" && data.statement) {
      this.queue.push({ kind: "statement", body: data.statement });
      this.flush();
    } else if (data.type === "state" && typeof data.state === "string") {
      // Only the newest state matters: replace a state still waiting to be sent.
      this.queue = this.queue.filter(function (item) { return item.kind !== "state"; });
      this.queue.push({ kind: "state", body: data.state });
      this.flush();
    }
  };

  Player.prototype.flush = function () {
    var self = this;
    if (self.sending || !self.queue.length) return;
    self.sending = true;
    var item = self.queue[0];
    var request;
    if (item.kind === "statement") {
      item.body.actor = self.launch.actor;
      request = xapiFetch("/xapi/statements", {
        method: "POST",
        body: JSON.stringify(item.body),
        keepalive: true,
      }, self.launch);
    } else {
      var query = new URLSearchParams({
        activityId: self.launch.activity_iri,
        agent: JSON.stringify(self.launch.actor),
        stateId: self.launch.state_id,
      });
      request = xapiFetch("/xapi/activities/state?" + query.toString(), {
        method: "PUT",
        body: item.body,
        keepalive: true,
      }, self.launch);
    }
    request
      .then(function (response) {
        // A 4xx other than a lost session will not succeed on a retry: drop it and go on.
        if (response.ok || (response.status >= 400 && response.status < 500 && response.status !== 401 && response.status !== 403)) {
          self.queue.shift();
          self.sending = false;
          if (response.ok && item.kind === "statement") self.sent(item.body);
          self.flush();
          return;
        }
        throw new Error("xapi " + response.status);
      })
      .catch(function () {
        self.sending = false;
        self.say(self.section.dataset.saveErrorText);
        window.setTimeout(self.flush.bind(self), 5000);
      });
  };

  Player.prototype.sent = function (statement) {
    var self = this;
    if (!statement.verb || COMPLETING.indexOf(statement.verb.id) < 0) return;
    if (statement.object && statement.object.id !== self.launch.activity_iri) return;
    // Ask the server whether that made the activity (and the lesson) complete.
    fetch(self.section.dataset.launch + "?status=1&page=" + encodeURIComponent(self.section.dataset.page || ""), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (launch) {
        if (launch.completed) {
          self.say(launch.lesson_completed ? self.section.dataset.lessonDoneText : self.section.dataset.completedText);
          document.dispatchEvent(new CustomEvent("zhusan:activity-completed", { detail: launch }));
        } else {
          self.say(self.section.dataset.notYetText);
        }
      })
      .catch(function () {});
  };

  var players = [];

  window.addEventListener("message", function (event) {
    for (var i = 0; i < players.length; i++) {
      if (players[i].accepts(event)) {
        players[i].receive(event.data);
        return;
      }
    }
  });

  function init() {
    document.querySelectorAll(".activity[data-launch]").forEach(function (section) {
      new Player(section);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
