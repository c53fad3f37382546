// Polls a batch print's status and fills the progress bar until it is done or failed.
(function () {
  var box = document.getElementById("batch-job");
  if (!box || box.dataset.finished === "1") return;
  function tick() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        document.getElementById("batch-progress").value = s.percent;
        document.getElementById("batch-state").textContent = s.status_display;
        document.getElementById("batch-count").textContent = s.done + " / " + s.total;
        if (s.error) { var e = document.getElementById("batch-error"); e.textContent = s.error; e.hidden = false; }
        if (s.download_url) { var d = document.getElementById("batch-download"); d.querySelector("a").href = s.download_url; d.hidden = false; }
        if (s.status === "done" || s.status === "failed") return;
        setTimeout(tick, 1000);
      })
      .catch(function () { setTimeout(tick, 3000); });
  }
  setTimeout(tick, 500);
})();
