// Live progress of a session's convocations: polls the JSON view until the batch is done (each
// convocation sent, failed, or waiting for an address), then says so.
(function () {
  var box = document.getElementById("convocation-progress");
  if (!box || !window.fetch) return;
  var state = box.querySelector("[data-state]");
  function show(data) {
    box.querySelectorAll("[data-count]").forEach(function (el) {
      if (el.dataset.count in data) el.textContent = data[el.dataset.count];
    });
    if (!state) return;
    var now = data.done ? "done" : (data.generated ? "running" : state.dataset.state);
    state.dataset.state = now;
    state.textContent = state.dataset[now + "Text"];
  }
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
      show(data);
      if (!data.done) setTimeout(poll, 2000);
    }).catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
