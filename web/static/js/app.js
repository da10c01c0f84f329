// Onramp's small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // htmx requests carry the CSRF token from the page's meta tag.
  document.addEventListener("htmx:configRequest", function (ev) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { ev.detail.headers["X-CSRF-Token"] = meta.content; }
  });

  // A wide table scrolls sideways inside its .table-wrap on a phone. Keyboard
  // users can only scroll a region they can focus, so an overflowing wrapper
  // becomes a named, focusable region (templates may already have made it one).
  function labelFor(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
    var el = wrap.previousElementSibling;
    while (el && !/^H[1-6]$/.test(el.tagName)) { el = el.previousElementSibling; }
    return el ? el.textContent.trim() : "Table";
  }
  function focusableTables() {
    var wraps = document.querySelectorAll(".table-wrap");
    for (var i = 0; i < wraps.length; i++) {
      var w = wraps[i];
      if (w.hasAttribute("data-static-region")) { continue; }
      if (w.scrollWidth > w.clientWidth + 1) {
        if (!w.hasAttribute("tabindex")) {
          w.setAttribute("tabindex", "0");
          w.setAttribute("role", "region");
          if (!w.hasAttribute("aria-label") && !w.hasAttribute("aria-labelledby")) { w.setAttribute("aria-label", labelFor(w)); }
          w.setAttribute("data-made-focusable", "");
        }
      } else if (w.hasAttribute("data-made-focusable")) {
        w.removeAttribute("tabindex");
        w.removeAttribute("role");
        w.removeAttribute("aria-label");
        w.removeAttribute("data-made-focusable");
      }
    }
  }
  document.addEventListener("DOMContentLoaded", focusableTables);

  // Filters fold away on a phone (a closed <details>, which works without
  // this file); on a wider screen they start open.
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.matchMedia || !window.matchMedia("(min-width: 48rem)").matches) { return; }
    var folds = document.querySelectorAll("details.fold-filters");
    for (var i = 0; i < folds.length; i++) { folds[i].open = true; }
  });
  document.addEventListener("htmx:afterSettle", focusableTables);
  window.addEventListener("resize", focusableTables);
})();
