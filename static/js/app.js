// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // The menu button on small screens.
  var toggle = document.querySelector(".nav-toggle");
  var nav = document.getElementById("site-nav");
  if (toggle && nav) {
    nav.classList.add("collapsible");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      nav.classList.toggle("open", !open);
    });
  }

  // Menus in the navigation (<details>): one open at a time; a click elsewhere or Escape closes them.
  var menus = document.querySelectorAll(".nav-group details");
  function closeMenus(except) {
    menus.forEach(function (menu) { if (menu !== except) { menu.removeAttribute("open"); } });
  }
  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () { if (menu.open) { closeMenus(menu); } });
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".nav-group")) { closeMenus(null); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var open = document.querySelector(".nav-group details[open]");
      if (open) { open.removeAttribute("open"); open.querySelector("summary").focus(); }
    }
  });

  // Confirmation before destructive actions: <button data-confirm="Really?">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // One submit per form: a double click sends once.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitted === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "1";
    window.setTimeout(function () { form.dataset.submitted = ""; }, 4000);
  });

  // Move focus to the error summary so screen readers announce it.
  var alert = document.querySelector("[data-autofocus]");
  if (alert) { alert.focus(); }

  // Tables wider than the screen scroll sideways: make the scrolling box reachable and
  // operable by keyboard, and name it for screen readers.
  function markScrollable() {
    document.querySelectorAll(".table-wrap").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (!box.hasAttribute("aria-label")) {
          var caption = box.querySelector("caption");
          var heading = caption || box.previousElementSibling;
          var name = heading && heading.textContent ? heading.textContent.trim() : "";
          box.setAttribute("aria-label", name || document.title);
        }
      }
    });
  }
  markScrollable();
  window.addEventListener("resize", markScrollable);

  // The bag's return: "handed out" is what was packed minus what came back, shown as it is typed.
  document.querySelectorAll("form.bag-return").forEach(function (form) {
    var summary = form.querySelector(".return-summary");
    function parse(text) {
      var clean = String(text || "").trim().replace(",", ".");
      if (clean === "") { return 0; }
      return /^\d+(\.\d+)?$/.test(clean) ? Number(clean) : NaN;
    }
    function update() {
      var count = 0;
      form.querySelectorAll(".return-line").forEach(function (row) {
        var packed = Number(row.getAttribute("data-packed"));
        var back = parse(row.querySelector(".return-back").value);
        var output = row.querySelector(".return-out");
        var out = packed - back;
        var ok = !isNaN(back) && back >= 0 && back <= packed;
        output.textContent = ok ? String(Math.round(out * 1000) / 1000) : "?";
        output.classList.toggle("is-out", ok && out > 0);
        output.classList.toggle("is-wrong", !ok);
        if (ok && out > 0) { count += 1; }
      });
      if (summary) {
        var text = count === 0 ? summary.getAttribute("data-none")
          : count === 1 ? summary.getAttribute("data-one") : summary.getAttribute("data-many").replace("{n}", count);
        summary.textContent = text;
      }
    }
    form.addEventListener("input", update);
    update();
  });

  // The series form: people needed and places follow the chosen activity, unless typed over.
  var seriesForm = document.querySelector("form.series-form[data-activity-defaults]");
  if (seriesForm) {
    var defaults = {};
    seriesForm.getAttribute("data-activity-defaults").split(",").forEach(function (part) {
      var bits = part.split(":");
      if (bits.length === 3) { defaults[bits[0]] = [bits[1], bits[2]]; }
    });
    var activity = seriesForm.querySelector("select[name=activity]");
    var needed = seriesForm.querySelector("input[name=capacity_min]");
    var places = seriesForm.querySelector("input[name=capacity_max]");
    var last = activity ? defaults[activity.value] : null;
    var fill = function () {
      var next = defaults[activity.value];
      if (!next) { return; }
      if (!needed.value || (last && needed.value === last[0])) { needed.value = next[0]; }
      if (!places.value || (last && places.value === last[1])) { places.value = next[1]; }
      last = next;
    };
    if (activity && needed && places) {
      activity.addEventListener("change", fill);
      fill();
    }
  }

  // A list that narrows as one types: <input data-filter-list="id"> over items with data-name.
  document.querySelectorAll("input[data-filter-list]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("data-filter-list"));
    if (!list) { return; }
    var none = list.parentElement.querySelector(".assign-none");
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      var shown = 0;
      list.querySelectorAll("[data-name]").forEach(function (item) {
        var match = !q || item.getAttribute("data-name").indexOf(q) !== -1;
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      if (none) { none.hidden = shown !== 0; }
    });
  });

  // Print buttons: <button data-print>.
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
})();
