/* Lesson pages: keep the reader's place. Everything here is an enhancement; without it the
 * page works as plain HTML (the completion form posts and comes back to #progress).
 *
 * 1. Sections folded behind a content note (<details class="content-note__gate">) stay as the
 *    reader left them when the page reloads (sessionStorage, per page, for this tab only).
 *    Printing opens every folded section (a printed aid has no way to unfold), and folds back
 *    afterwards what the reader had not opened.
 * 2. "Mark this lesson as complete" (form[data-complete-lesson]) posts in the background: the
 *    view answers with a redirect to the lesson, whose progress panel (#progress) and pager
 *    (#lesson-pager) replace the ones on screen; the status line (#progress-status) announces
 *    the confirmation. Any failure falls back to the plain post.
 */
(function () {
    "use strict";

    var storageKey = "zhusan:open-sections:" + window.location.pathname;
    var gates = Array.prototype.slice.call(document.querySelectorAll("details.content-note__gate"));

    function readOpen() {
        try {
            var stored = JSON.parse(window.sessionStorage.getItem(storageKey) || "[]");
            return Array.isArray(stored) ? stored : [];
        } catch (error) {
            return [];
        }
    }

    function saveOpen() {
        var open = [];
        gates.forEach(function (gate, index) {
            if (gate.open) {
                open.push(index);
            }
        });
        try {
            window.sessionStorage.setItem(storageKey, JSON.stringify(open));
        } catch (error) {
            /* storage full or refused: the sections simply fold on reload */
        }
    }

    var closedForPrint = [];
    window.addEventListener("beforeprint", function () {
        closedForPrint = gates.filter(function (gate) { return !gate.open; });
        closedForPrint.forEach(function (gate) { gate.open = true; });
    });
    window.addEventListener("afterprint", function () {
        closedForPrint.forEach(function (gate) { gate.open = false; });
        closedForPrint = [];
    });

    var wasOpen = readOpen();
    gates.forEach(function (gate, index) {
        if (wasOpen.indexOf(index) !== -1) {
            gate.open = true;
        }
        gate.addEventListener("toggle", saveOpen);
    });

    function replaceFrom(doc, id) {
        var fresh = doc.getElementById(id);
        var current = document.getElementById(id);
        if (!fresh || !current) {
            return false;
        }
        current.innerHTML = fresh.innerHTML;
        return true;
    }

    document.addEventListener("submit", function (event) {
        var form = event.target;
        if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-complete-lesson")) {
            return;
        }
        if (!window.fetch || !window.DOMParser || !document.getElementById("progress")) {
            return;
        }
        event.preventDefault();
        var button = form.querySelector("button[type=submit]");
        if (button) {
            button.disabled = true;
        }
        saveOpen();
        window.fetch(form.action, {
            method: "POST",
            body: new FormData(form),
            credentials: "same-origin",
            headers: { "X-Requested-With": "XMLHttpRequest" }
        }).then(function (response) {
            if (!response.ok) {
                throw new Error("HTTP " + response.status);
            }
            return response.text();
        }).then(function (html) {
            var doc = new DOMParser().parseFromString(html, "text/html");
            var confirmation = doc.querySelector("#progress [data-progress-confirmation]");
            if (!confirmation || !replaceFrom(doc, "progress")) {
                throw new Error("no confirmation in the answer");
            }
            replaceFrom(doc, "lesson-pager");
            var status = document.getElementById("progress-status");
            if (status) {
                var spoken = confirmation.cloneNode(true);
                Array.prototype.forEach.call(spoken.querySelectorAll("[aria-hidden=true]"), function (node) {
                    node.remove();
                });
                status.textContent = spoken.textContent.replace(/\s+/g, " ").trim();
            }
            var region = document.getElementById("progress");
            region.focus({ preventScroll: true });
        }).catch(function () {
            form.submit(); /* the plain post: completing twice is harmless */
        });
    });
}());
