// painpath's small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  function cookie(name) {
    var prefix = name + "=";
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      if (parts[i].indexOf(prefix) === 0) {
        return decodeURIComponent(parts[i].slice(prefix.length));
      }
    }
    return "";
  }

  // htmx requests that change something carry the session's CSRF token, as forms do.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = cookie("painpath_csrf");
    if (token) {
      event.detail.headers["X-CSRF-Token"] = token;
    }
  });

  // A form marked data-confirm asks before it is sent (cancelling a procedure, signing out...).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    }
  });

  // Focus the error summary after a failed submission so screen readers announce it.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary");
    if (summary instanceof HTMLElement) {
      summary.focus();
    }
  });
})();
