// Live progress of a session's convocations: polls the JSON view until everything is sent.
(function () {
  var box = document.getElementById("convocation-progress");
  if (!box || !window.fetch) return;
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
      box.querySelectorAll("[data-count]").forEach(function (el) { el.textContent = data[el.dataset.count]; });
      if (!data.done) setTimeout(poll, 2000);
    }).catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
