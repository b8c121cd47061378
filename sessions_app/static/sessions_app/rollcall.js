// Roll call on the invigilator's day page, without a page reload per candidate.
//
// Without JavaScript every form on the page posts and the page comes back (the fallback). With
// it: a change of « Présent » / « Absent » / « Identité vérifiée » saves at once, « Tous présents »
// marks every candidate not yet called, the code form and the camera scanner mark a candidate
// present from the QR code (or the code printed under it) on their convocation. Each request is
// a fetch() POST of the form itself, with its CSRF token, asking for JSON; the server answers
// the row's new state and the counts. Scripts come from this site only (no inline script).
(function () {
  "use strict";
  var root = document.querySelector("[data-rollcall]");
  if (!root || !window.fetch || !window.FormData) return;
  var live = document.getElementById("rollcall-live");

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function say(message, ok) {
    if (!live) return;
    live.textContent = message || "";
    live.classList.remove("alert-success", "alert-danger", "d-none");
    live.classList.add(ok ? "alert-success" : "alert-danger");
  }

  function send(form, data) {
    data = data || new FormData(form);
    return fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(form), "Accept": "application/json"},
    }).then(function (response) {
      return response.json().catch(function () {
        return {ok: false, message: root.dataset.errorText};
      });
    }).catch(function () {
      return {ok: false, message: root.dataset.offlineText};
    });
  }

  function showRow(state) {
    var row = document.getElementById("candidate-" + state.registration);
    if (!row) return;
    var present = row.querySelector("input[name=present][value=present]");
    var absent = row.querySelector("input[name=present][value=absent]");
    var identity = row.querySelector("input[name=identity_checked]");
    if (present) present.checked = state.status === "present";
    if (absent) absent.checked = state.status === "absent";
    if (identity) identity.checked = !!state.identity_checked;
    var label = row.querySelector("[data-testid=attendance-state]");
    if (label) {
      label.textContent = state.label;
      label.hidden = false;
    }
    row.dataset.status = state.status;
  }

  function showCounts(counts) {
    if (!counts) return;
    Object.keys(counts).forEach(function (key) {
      var el = root.querySelector("[data-count=" + key + "]");
      if (el) el.textContent = counts[key];
    });
  }

  function handle(answer) {
    (answer.rows || []).forEach(showRow);
    showCounts(answer.counts);
    say(answer.message, answer.ok);
    return answer;
  }

  // A candidate's row: saved as soon as a choice changes (the « Enregistrer » button stays for
  // keyboards and for pages without JavaScript). One request at a time per row, each with the
  // row as it is when it leaves: two quick taps (« Présent », then « Identité vérifiée ») can
  // neither reach the server in the wrong order nor have the first answer undo the second tap.
  root.querySelectorAll("form[data-mark]").forEach(function (form) {
    var inFlight = false;
    var again = false;
    function save() {
      if (!form.querySelector("input[name=present]:checked")) return;
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      send(form).then(function (answer) {
        inFlight = false;
        if (again) {
          again = false;
          showCounts(answer.counts);
          save();
          return;
        }
        handle(answer);
      });
    }
    form.addEventListener("change", save);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save();
    });
  });

  var allPresent = root.querySelector("form[data-mark-all]");
  if (allPresent) {
    allPresent.addEventListener("submit", function (event) {
      event.preventDefault();
      send(allPresent).then(handle);
    });
  }

  // A code typed, read by the camera or from a photo: the same endpoint.
  var codeForm = root.querySelector("form[data-mark-code]");
  function markCode(text) {
    var data = new FormData(codeForm);
    data.set("code", text);
    return send(codeForm, data).then(handle);
  }
  if (codeForm) {
    codeForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var input = codeForm.querySelector("input[name=code]");
      markCode(input.value).then(function (answer) {
        if (answer.ok) input.value = "";
        input.focus();
      });
    });
  }

  // --- the scanner ----------------------------------------------------------------------------
  var scanner = root.querySelector("[data-scanner]");
  if (!scanner || !codeForm) return;
  var video = scanner.querySelector("video");
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", {willReadFrequently: true});
  var startButton = scanner.querySelector("[data-scan-start]");
  var stopButton = scanner.querySelector("[data-scan-stop]");
  var photo = scanner.querySelector("input[type=file]");
  var status = scanner.querySelector("[data-scan-status]");
  var stream = null;
  var detector = null;
  var last = {text: "", at: 0};
  var busy = false;

  function setStatus(text) { if (status) status.textContent = text; }

  // The browser's own BarcodeDetector where it reads QR codes (Android, macOS), else jsQR
  // (static/vendor/jsqr), loaded from this site the first time it is needed.
  function decoder() {
    if (detector) return Promise.resolve(detector);
    var native = window.BarcodeDetector && window.BarcodeDetector.getSupportedFormats
      ? window.BarcodeDetector.getSupportedFormats().catch(function () { return []; })
      : Promise.resolve([]);
    return native.then(function (formats) {
      if (formats.indexOf("qr_code") !== -1) {
        var barcode = new window.BarcodeDetector({formats: ["qr_code"]});
        detector = function (source) {
          return barcode.detect(source).then(function (codes) {
            return codes.length ? codes[0].rawValue : null;
          });
        };
        scanner.dataset.decoder = "BarcodeDetector";
        return detector;
      }
      return loadJsQR().then(function () {
        detector = function (source, width, height) {
          canvas.width = width;
          canvas.height = height;
          context.drawImage(source, 0, 0, width, height);
          var image = context.getImageData(0, 0, width, height);
          var code = window.jsQR(image.data, width, height, {inversionAttempts: "attemptBoth"});
          return Promise.resolve(code ? code.data : null);
        };
        scanner.dataset.decoder = "jsQR";
        return detector;
      });
    });
  }

  function loadJsQR() {
    if (window.jsQR) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = scanner.dataset.jsqr;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function found(text) {
    var now = Date.now();
    // The same convocation stays in front of the camera for a while: one request for it.
    if (busy || (text === last.text && now - last.at < 4000)) return Promise.resolve();
    last = {text: text, at: now};
    busy = true;
    return markCode(text).then(function () { busy = false; }, function () { busy = false; });
  }

  function tick() {
    if (!stream) return;
    if (video.readyState >= 2 && video.videoWidth) {
      decoder().then(function (decode) {
        return decode(video, video.videoWidth, video.videoHeight);
      }).then(function (text) {
        if (text) return found(text);
      }).catch(function () {}).then(function () {
        if (stream) setTimeout(tick, 200);
      });
    } else {
      setTimeout(tick, 200);
    }
  }

  function stop() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
    setStatus("");
  }

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    startButton.hidden = false;
    startButton.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({audio: false, video: {facingMode: {ideal: "environment"}}})
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          video.hidden = false;
          startButton.hidden = true;
          stopButton.hidden = false;
          setStatus(scanner.dataset.scanningText);
          return video.play();
        }).then(tick).catch(function () {
          stop();
          say(scanner.dataset.noCameraText, false);
        });
    });
    stopButton.addEventListener("click", stop);
  }

  // A photo of the convocation (a phone's camera app, or any picture file).
  if (photo) {
    photo.closest("[data-photo]").hidden = false;
    photo.addEventListener("change", function () {
      var file = photo.files && photo.files[0];
      if (!file) return;
      // A data: URL (the Content-Security-Policy allows data: images, not blob: ones).
      var reader = new FileReader();
      reader.onload = function () {
        var image = new Image();
        image.onload = function () {
          decoder().then(function (decode) {
            // A phone's photo is large: 1280 pixels across are plenty for a QR code.
            var scale = Math.min(1, 1280 / Math.max(image.naturalWidth, image.naturalHeight));
            return decode(image, Math.round(image.naturalWidth * scale),
              Math.round(image.naturalHeight * scale));
          }).then(function (text) {
            photo.value = "";
            if (text) {
              last = {text: "", at: 0};
              return found(text);
            }
            say(scanner.dataset.unreadableText, false);
          });
        };
        image.src = reader.result;
      };
      reader.readAsDataURL(file);
    });
  }
})();
