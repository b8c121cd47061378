// A button or form with data-confirm asks before it submits (no inline handlers: the
// Content-Security-Policy allows only scripts served from this site).
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
