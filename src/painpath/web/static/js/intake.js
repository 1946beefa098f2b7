// The intake form's enhancements; the form works without them.
// - The body map drawing: clicking a region ticks its box (and the other way round), and a
//   region's intensity choice shows only while the region is ticked.
// - ICD-10-CM suggestions: picking one fills the diagnosis row's code and description.
// Scores are not worked out here: htmx posts the form and the server answers them.
(function () {
  "use strict";

  function init() {
    var form = document.querySelector("[data-intake-form]");
    if (!(form instanceof HTMLFormElement)) {
      return;
    }
    document.documentElement.classList.add("js-enhanced");
    var hidden = form.querySelectorAll(".js-only, [data-body-map]");
    for (var i = 0; i < hidden.length; i++) {
      hidden[i].hidden = false;
    }
    var map = form.querySelector("[data-body-map]");

    function box(region) {
      return form.querySelector('input[type="checkbox"][data-region="' + region + '"]');
    }

    function sync(region) {
      var tick = box(region);
      if (!tick) {
        return;
      }
      var marked = tick.checked;
      var shapes = map ? map.querySelectorAll('[data-region="' + region + '"]') : [];
      for (var i = 0; i < shapes.length; i++) {
        shapes[i].classList.toggle("is-marked", marked);
      }
      var intensity = form.querySelector('[data-intensity-for="' + region + '"]');
      if (intensity) {
        intensity.hidden = !marked;
        var select = intensity.querySelector("select");
        if (!marked && select) {
          select.value = "";
        }
      }
    }

    var ticks = form.querySelectorAll('input[type="checkbox"][data-region]');
    for (var j = 0; j < ticks.length; j++) {
      sync(ticks[j].getAttribute("data-region"));
    }

    form.addEventListener("change", function (event) {
      var target = event.target;
      if (target instanceof HTMLInputElement && target.type === "checkbox" && target.dataset.region) {
        sync(target.dataset.region);
      }
    });

    if (map) {
      map.addEventListener("click", function (event) {
        var shape = event.target instanceof Element ? event.target.closest("[data-region]") : null;
        if (!shape) {
          return;
        }
        var region = shape.getAttribute("data-region");
        var tick = box(region);
        if (!tick) {
          return;
        }
        tick.checked = !tick.checked;
        tick.dispatchEvent(new Event("change", { bubbles: true }));
        if (tick.checked) {
          var select = form.querySelector('[data-intensity-for="' + region + '"] select');
          if (select) {
            select.focus();
          }
        }
      });
    }

    form.addEventListener("click", function (event) {
      var pick = event.target instanceof Element ? event.target.closest(".icd10-pick") : null;
      if (!pick) {
        return;
      }
      var row = pick.getAttribute("data-row");
      var code = form.querySelector('[name="dx_' + row + '_code"]');
      var description = form.querySelector('[name="dx_' + row + '_description"]');
      if (code instanceof HTMLInputElement) {
        code.value = pick.getAttribute("data-code") || "";
        code.dispatchEvent(new Event("change", { bubbles: true }));
      }
      if (description instanceof HTMLInputElement) {
        description.value = pick.getAttribute("data-description") || "";
      }
      var list = pick.closest(".icd10-suggestions");
      if (list) {
        list.textContent = "";
      }
      if (code instanceof HTMLInputElement) {
        code.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
