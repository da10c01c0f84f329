// Onramp's small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
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
  window.addEventListener("resize", focusableTables);

  // A button with data-preview-url shows a preview in place: it posts its
  // form there and puts the answer (an HTML fragment) into the element
  // data-preview-target names, whose aria-live announces it. Without
  // JavaScript, or when the request fails, the button submits the form and
  // the page comes back with the preview. A preview can take a while for a
  // rule that concerns a whole hospital system: while one is being worked
  // out, the region says so and pressing again asks for nothing more.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest("button[data-preview-url]") : null;
    if (!btn || !btn.form || !window.fetch || !window.FormData || !window.URLSearchParams) { return; }
    var region = document.getElementById(btn.getAttribute("data-preview-target"));
    if (!region) { return; }
    ev.preventDefault();
    if (btn.getAttribute("aria-busy") === "true") { return; }
    var form = btn.form;
    var body = new URLSearchParams(new FormData(form));
    if (btn.name) { body.set(btn.name, btn.value); }
    var headers = { "Content-Type": "application/x-www-form-urlencoded" };
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { headers["X-CSRF-Token"] = meta.content; }
    btn.setAttribute("aria-busy", "true");
    var working = document.createElement("p");
    working.className = "preview-working";
    working.setAttribute("data-testid", "preview-working");
    working.textContent = "Working out what this change does\u2026";
    region.innerHTML = "";
    region.appendChild(working);
    fetch(btn.getAttribute("data-preview-url"), { method: "POST", body: body, headers: headers, credentials: "same-origin" })
      .then(function (res) {
        if (!res.ok) { throw new Error("preview answered " + res.status); }
        return res.text();
      })
      .then(function (html) {
        btn.removeAttribute("aria-busy");
        region.innerHTML = html;
        focusableTables();
      })
      .catch(function () {
        btn.removeAttribute("aria-busy");
        if (form.requestSubmit) { form.requestSubmit(btn); } else { form.submit(); }
      });
  });

  // A region with data-poll (a job under way: a rule change, a staff file)
  // is fetched from that URL again every few seconds and its content
  // replaced in place, so its aria-live announces the news; the answer
  // without data-poll is the last. Without JavaScript the page's "Check
  // again" link does the same.
  function poll(region) {
    var url = region.getAttribute("data-poll");
    if (!url || !window.fetch) { return; }
    window.setTimeout(function () {
      fetch(url, { headers: { "X-Onramp-Poll": "1" }, credentials: "same-origin" })
        .then(function (res) {
          if (!res.ok) { throw new Error("poll answered " + res.status); }
          return res.text();
        })
        .then(function (html) {
          var t = document.createElement("template");
          t.innerHTML = html.trim();
          var next = t.content.firstElementChild;
          if (!next) { return; }
          // Replaced only when it says something new, so a screen reader
          // is not read the same progress every two seconds.
          if (region.innerHTML !== next.innerHTML) { region.innerHTML = next.innerHTML; }
          region.setAttribute("data-state", next.getAttribute("data-state") || "");
          if (next.hasAttribute("data-poll")) {
            poll(region);
          } else {
            region.removeAttribute("data-poll");
          }
        })
        .catch(function () { poll(region); });
    }, 2000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var regions = document.querySelectorAll("[data-poll]");
    for (var i = 0; i < regions.length; i++) { poll(regions[i]); }
  });
})();
