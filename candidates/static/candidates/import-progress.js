// Polls the import's progress (JSON) and reloads the page when the import has finished.
(function () {
  var bar = document.getElementById("import-progress");
  if (!bar) return;
  var inner = bar.querySelector(".progress-bar");
  var status = document.getElementById("import-status");
  function poll() {
    fetch(bar.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        bar.setAttribute("aria-valuenow", p.percent);
        inner.style.width = p.percent + "%";
        inner.textContent = p.percent + " %";
        status.textContent = p.status_label;
        if (p.finished) { window.location.reload(); } else { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
