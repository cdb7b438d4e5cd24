// Quiz pages: autosave, the countdown and a guard against double submits.
// Everything here is an enhancement: without JavaScript the forms post as they are.
// Its words are in the djangojs catalogue, which the page loads first (/<language>/jsi18n/,
// Django's JavaScriptCatalog); without it they stay in English.
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };

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
  var changed = document.getElementById("attempt-changed");
  var revision = form.querySelector("input[name=revision]");
  var timer = null;
  var inFlight = false;
  var pending = false;
  var submitAfterSave = false;
  // Answers changed since the last save was sent: only then is a save on leaving needed. (A
  // needless one would race the next page's load and make that page look stale.)
  var dirty = false;
  // Another tab or window saved this attempt after this page was built: the server refuses this
  // page's saves (they would overwrite newer answers), so stop and ask for a reload.
  var stale = false;

  function notSaved() {
    return gettext("Not saved: check your connection. Your answers are still on this page.");
  }

  function showChanged(message) {
    stale = true;
    if (!changed) return;
    var text = document.createElement("p");
    text.textContent = message;
    var reload = document.createElement("a");
    reload.href = window.location.href;
    reload.textContent = gettext("Reload the page");
    changed.replaceChildren(text, reload);
    if (status) status.textContent = "";
  }

  function save() {
    if (stale) return;
    if (inFlight) { pending = true; return; }
    inFlight = true;
    dirty = false;
    var data = new FormData(form);
    data.delete("action");
    fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      keepalive: true,  // finishes even if the page is closed meanwhile
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
        if (result.body.stale) {
          showChanged(result.body.message);
          return;
        }
        if (result.ok) {
          // The next save (or the form's own post) says which revision it builds on.
          if (revision && result.body.revision !== undefined) revision.value = result.body.revision;
          if (status) {
            status.textContent = interpolate(
              gettext("Saved at %(time)s"), { time: result.body.saved_at }, true
            );
          }
        } else {
          // Refused unread (400): nothing was saved; the answers stay on the page for the next try.
          dirty = true;
          if (status) status.textContent = result.body.message || notSaved();
        }
      })
      .catch(function () {
        dirty = true;
        if (status) status.textContent = notSaved();
      })
      .finally(function () {
        inFlight = false;
        if (submitAfterSave) {
          // The form's post was held until this save came back, so it carries the new revision.
          // A stale page posts anyway: the server refuses it and shows the latest answers.
          submitAfterSave = false;
          form.submit();
          return;
        }
        if (pending) { pending = false; save(); }
      });
  }

  // A button (or the countdown) posts the form: it carries every answer, so no autosave is due;
  // one already on its way is waited for, or the post would carry the revision it replaced.
  form.addEventListener("submit", function (event) {
    window.clearTimeout(timer);
    pending = false;
    if (inFlight && !event.defaultPrevented) {
      event.preventDefault();
      submitAfterSave = true;
    }
  });

  function scheduleSave() {
    dirty = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 600);
  }

  form.addEventListener("change", scheduleSave);
  form.addEventListener("input", function (event) {
    if (event.target && (event.target.type === "text" || event.target.type === "textarea")) {
      scheduleSave();
    }
  });
  // Leaving the page: send what is there, even if the page is being closed.
  window.addEventListener("pagehide", function () {
    if (!dirty || form.dataset.submitting === "1" || stale || !navigator.sendBeacon) return;
    var data = new FormData(form);
    data.delete("action");
    // A save on its way will have moved the revision on by the time this one arrives.
    if (inFlight && revision) data.set("revision", String(parseInt(revision.value, 10) + 1));
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
    if (d > 0) {
      var time = h + ":" + pad(m) + ":" + pad(s);
      return interpolate(
        ngettext("%(days)s day %(time)s", "%(days)s days %(time)s", d), { days: d, time: time }, true
      );
    }
    if (h > 0) return h + ":" + pad(m) + ":" + pad(s);
    return m + ":" + pad(s);
  }

  function tick() {
    var remaining = Math.max(0, left - Math.floor((Date.now() - started) / 1000));
    shown.textContent = interpolate(gettext("Time left: %(time)s"), { time: format(remaining) }, true);
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

// Written answers: the word count under the box follows the typing. Words are counted as the
// server counts them (quizzes.scoring.word_count): runs of letters or digits, with inner hyphens
// and apostrophes.
(function () {
  "use strict";
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };
  var word = /[\p{L}\p{N}]+(?:['\u2019-][\p{L}\p{N}]+)*/gu;
  document.querySelectorAll("textarea[data-words-out]").forEach(function (box) {
    var out = document.getElementById(box.dataset.wordsOut);
    if (!out) return;
    box.addEventListener("input", function () {
      var n = (box.value.match(word) || []).length;
      out.textContent = interpolate(ngettext("%(n)s word", "%(n)s words", n), { n: n }, true);
    });
  });
})();
