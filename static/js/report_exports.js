// Dashboard exports (templates/reports/includes/export_panel.html): while an export is being
// prepared, ask its status every two seconds, move its progress bar, and show its download link
// when it is ready. An enhancement only: without JavaScript the "Refresh" link reloads the page.
// The status JSON carries its label in the reader's language, so nothing here needs translating.
(function () {
  "use strict";

  var INTERVAL = 2000;

  function follow(item) {
    var url = item.getAttribute("data-export-status-url");
    var bar = item.querySelector(".export-panel__bar");
    var status = item.querySelector(".export-panel__status");
    var link = item.querySelector(".export-panel__download");
    var refresh = item.querySelector(".export-panel__refresh");
    var failures = 0;

    function show(data) {
      if (bar) {
        bar.value = data.percent;
        bar.textContent = data.percent + " %";
      }
      if (status && data.label) status.textContent = data.label;
      if (data.download_url && link) {
        link.href = data.download_url;
        link.hidden = false;
      }
    }

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("status " + response.status);
          return response.json();
        })
        .then(function (data) {
          failures = 0;
          if (refresh) refresh.hidden = true;
          show(data);
          if (data.status === "done" || data.status === "failed") {
            item.removeAttribute("data-export-status-url");
            return;
          }
          window.setTimeout(poll, INTERVAL);
        })
        .catch(function () {
          // A network hiccup: try a few more times, then leave it to the Refresh link.
          failures += 1;
          if (refresh) refresh.hidden = false;
          if (failures < 5) window.setTimeout(poll, INTERVAL * failures);
        });
    }

    window.setTimeout(poll, INTERVAL);
  }

  document.querySelectorAll("[data-export-status-url]").forEach(follow);
})();
