// Quiz pages: autosave, the countdown and a guard against double submits.
// Everything here is an enhancement: without JavaScript the forms post as they are.
(function () {
  "use strict";

  // A submit button does its work once: a second click (or Enter) while the first request is
  // on its way does nothing. The server grades an attempt only once anyway.
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.submitting === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.submitting = "1";
      if (event.submitter && event.submitter.name) {
        // Disabled buttons are not posted: carry the pressed button's value in a hidden field.
        var carried = document.createElement("input");
        carried.type = "hidden";
        carried.name = event.submitter.name;
        carried.value = event.submitter.value;
        form.appendChild(carried);
      }
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        b.setAttribute("aria-disabled", "true");
        b.disabled = true;
      });
    });
  });

  var form = document.querySelector("form.quiz-form");
  if (!form) return;
  var status = document.getElementById("autosave-status");
  var timer = null;
  var inFlight = false;
  var pending = false;

  function save() {
    if (inFlight) { pending = true; return; }
    inFlight = true;
    var data = new FormData(form);
    data.delete("action");
    fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest" },
    })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        if (result.body.closed && result.body.redirect) {
          window.location.assign(result.body.redirect);
          return;
        }
        if (result.ok && status) {
          status.textContent = form.dataset.savedLabel + " " + result.body.saved_at;
        }
      })
      .catch(function () {
        if (status) status.textContent = form.dataset.failedLabel;
      })
      .finally(function () {
        inFlight = false;
        if (pending) { pending = false; save(); }
      });
  }

  function scheduleSave() {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 600);
  }

  form.addEventListener("change", scheduleSave);
  form.addEventListener("input", function (event) {
    if (event.target && event.target.type === "text") scheduleSave();
  });
  // Leaving the page: send what is there, even if the page is being closed.
  window.addEventListener("pagehide", function () {
    if (form.dataset.submitting === "1" || !navigator.sendBeacon) return;
    var data = new FormData(form);
    data.delete("action");
    navigator.sendBeacon(form.dataset.autosaveUrl, data);
  });

  // The countdown counts down from the seconds the server gave, so a wrong clock on the
  // learner's device does not matter. At zero the answers on the page are submitted.
  var clock = document.querySelector(".quiz-timer");
  if (!clock) return;
  var left = parseInt(clock.dataset.remaining, 10);
  var shown = clock.querySelector(".quiz-timer__left");
  var announcer = document.getElementById("timer-announcer");
  var started = Date.now();
  var announced = {};

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function format(seconds) {
    var d = Math.floor(seconds / 86400);
    var h = Math.floor((seconds % 86400) / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    if (d > 0) return d + "d " + h + ":" + pad(m) + ":" + pad(s);
    if (h > 0) return h + ":" + pad(m) + ":" + pad(s);
    return m + ":" + pad(s);
  }

  function tick() {
    var remaining = Math.max(0, left - Math.floor((Date.now() - started) / 1000));
    shown.textContent = clock.dataset.labelLeft + " " + format(remaining);
    [300, 60].forEach(function (mark) {
      if (remaining <= mark && remaining > 0 && !announced[mark] && left > mark) {
        announced[mark] = true;
        if (announcer) announcer.textContent = shown.textContent;
      }
    });
    if (remaining <= 0 && form.dataset.submitting !== "1") {
      var flag = document.createElement("input");
      flag.type = "hidden";
      flag.name = "with_answers";
      flag.value = "1";
      form.appendChild(flag);
      form.action = form.dataset.submitUrl;
      form.requestSubmit ? form.requestSubmit() : form.submit();
      return;
    }
    window.setTimeout(tick, 1000);
  }
  tick();
})();
