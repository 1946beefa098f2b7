// The body pain map's drawing, linked to its list of regions; the list works without this file.
// - Tapping or clicking a region of the drawing ticks its box, and the other way round.
// - Each region of the drawing is focusable: Enter or Space marks or unmarks it, and
//   aria-pressed tells assistive technology whether it is marked.
// - A region's intensity choice shows only while the region is ticked.
(function () {
  "use strict";

  function connect(area) {
    var map = area.querySelector("[data-body-map]");
    var hints = area.closest("fieldset");
    if (map) {
      map.hidden = false;
    }
    if (hints) {
      var extras = hints.querySelectorAll(".js-only");
      for (var h = 0; h < extras.length; h++) {
        extras[h].hidden = false;
      }
    }

    function box(region) {
      return area.querySelector('input[type="checkbox"][data-region="' + region + '"]');
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
        shapes[i].setAttribute("aria-pressed", marked ? "true" : "false");
      }
      var intensity = area.querySelector('[data-intensity-for="' + region + '"]');
      if (intensity) {
        intensity.hidden = !marked;
        var select = intensity.querySelector("select");
        if (!marked && select) {
          select.value = "";
        }
      }
    }

    function toggle(shape) {
      var region = shape.getAttribute("data-region");
      var tick = box(region);
      if (!tick) {
        return;
      }
      tick.checked = !tick.checked;
      tick.dispatchEvent(new Event("change", { bubbles: true }));
      if (tick.checked) {
        var select = area.querySelector('[data-intensity-for="' + region + '"] select');
        if (select) {
          select.focus();
        }
      }
    }

    var ticks = area.querySelectorAll('input[type="checkbox"][data-region]');
    for (var j = 0; j < ticks.length; j++) {
      sync(ticks[j].getAttribute("data-region"));
    }

    area.addEventListener("change", function (event) {
      var target = event.target;
      if (target instanceof HTMLInputElement && target.type === "checkbox" && target.dataset.region) {
        sync(target.dataset.region);
      }
    });

    if (map) {
      map.addEventListener("click", function (event) {
        var shape = event.target instanceof Element ? event.target.closest("[data-region]") : null;
        if (shape) {
          toggle(shape);
        }
      });
      // From the keyboard as by pointer, marking a region moves on to its intensity: a marked
      // region needs one, and the list after it reaches every other region by Tab.
      map.addEventListener("keydown", function (event) {
        if (event.key !== "Enter" && event.key !== " " && event.key !== "Spacebar") {
          return;
        }
        var shape = event.target instanceof Element ? event.target.closest("[data-region]") : null;
        if (!shape) {
          return;
        }
        event.preventDefault(); // Space would scroll the page, Enter submit the form
        toggle(shape);
      });
    }
  }

  function init() {
    var areas = document.querySelectorAll("[data-body-map-area]");
    if (areas.length) {
      document.documentElement.classList.add("js-enhanced");
    }
    for (var i = 0; i < areas.length; i++) {
      connect(areas[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
