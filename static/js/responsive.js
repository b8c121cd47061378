// A wide table scrolls inside its .table-responsive box on a phone instead of widening the
// page. A box that actually scrolls must be reachable with the keyboard (WCAG 2.1.1, axe's
// scrollable-region-focusable): it becomes a named, focusable region; when it fits again it
// leaves the tab order.
(function () {
  function label(box) {
    var caption = box.querySelector("caption");
    if (caption) return caption.textContent.trim();
    for (var el = box.previousElementSibling; el; el = el.previousElementSibling) {
      if (/^H[1-6]$/.test(el.tagName)) return el.textContent.trim();
    }
    var section = box.closest("section, details");
    var heading = section && section.querySelector("h1, h2, h3, h4, summary");
    if (heading) return heading.textContent.trim();
    return document.documentElement.lang === "en" ? "Table" : "Tableau";
  }
  function update() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (box.dataset.scrolls) return;
        box.dataset.scrolls = "true";
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", label(box));
      } else if (box.dataset.scrolls) {
        delete box.dataset.scrolls;
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", update);
  window.addEventListener("resize", update);
  document.addEventListener("toggle", update, true); // a table inside <details> opened
})();
