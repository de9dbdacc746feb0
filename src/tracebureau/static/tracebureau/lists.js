// A background job's progress on its page (a list's matching, a DNA match run, an import):
// poll the job's JSON while it runs, and reload the page once it has finished so its results
// appear. No inline script (CSP).
(function () {
  "use strict";
  var job = document.getElementById("job");
  if (!job || !job.dataset.progressUrl) { return; }
  var running = job.dataset.status === "queued" || job.dataset.status === "running";
  if (!running) { return; }
  function poll() {
    fetch(job.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        var bar = document.getElementById("job-progress");
        if (bar) { bar.value = state.progress; bar.textContent = state.progress + "%"; }
        var stage = document.getElementById("job-stage");
        if (stage) { stage.textContent = state.stage; }
        var status = document.getElementById("job-status");
        if (status && state.status_label) { status.textContent = state.status_label; }
        if (state.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
}());
