// Search as you type, on top of a search form that works without JavaScript.
// <form method="get" data-live-search="results-id"> : each keystroke (after a short pause)
// asks the same page with ?…&fragment=1 and puts the answer (the results block only) in the
// element with that id. Without JavaScript the form submits and the whole page comes back.
// No inline handler: the Content-Security-Policy allows only scripts served from this site.
(function () {
  "use strict";
  var DELAY = 250;
  document.querySelectorAll("form[data-live-search]").forEach(function (form) {
    var target = document.getElementById(form.dataset.liveSearch);
    if (!target) return;
    var timer = null;
    var latest = 0;
    function run() {
      var params = new URLSearchParams(new FormData(form));
      params.set("fragment", "1");
      var ticket = ++latest;
      target.setAttribute("aria-busy", "true");
      fetch(form.action + "?" + params.toString(), {
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      })
        .then(function (response) {
          return response.ok ? response.text() : Promise.reject(response.status);
        })
        .then(function (html) {
          if (ticket === latest) target.innerHTML = html;
        })
        .catch(function () {
          /* the button still submits the form the ordinary way */
        })
        .finally(function () {
          if (ticket === latest) target.removeAttribute("aria-busy");
        });
    }
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, DELAY);
    });
  });
})();
