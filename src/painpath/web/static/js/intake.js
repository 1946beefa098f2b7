// The intake form's enhancements; the form works without them.
// (The body map drawing is static/js/body_map.js, shared with the patient's self-report.)
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
    var hidden = form.querySelectorAll(".js-only");
    for (var i = 0; i < hidden.length; i++) {
      hidden[i].hidden = false;
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
