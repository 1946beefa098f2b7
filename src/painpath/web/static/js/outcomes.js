// The outcomes page's plots: Vega-Lite specifications (made by Altair on the server) in the
// #outcomes-charts JSON block, drawn as SVG by vega-embed. The tables carry the same numbers;
// without this script the page loses nothing but the pictures.
// The Content-Security-Policy allows no eval, so Vega interprets its expressions (ast: true)
// instead of compiling them, and vega-embed adds no inline style, tooltip styles or menu.
(function () {
  "use strict";

  var OPTIONS = {
    mode: "vega-lite",
    renderer: "svg",
    actions: false,
    tooltip: false,
    defaultStyle: false,
    ast: true,
  };

  function draw() {
    var block = document.getElementById("outcomes-charts");
    if (!block || !window.vegaEmbed || !window.vegaInterpreter) {
      return;
    }
    var specs = JSON.parse(block.textContent);
    var options = Object.assign({}, OPTIONS, {
      expr: window.vegaInterpreter.expressionInterpreter,
    });
    document.querySelectorAll("[data-chart]").forEach(function (holder) {
      var spec = specs[holder.getAttribute("data-chart")];
      var figure = holder.closest("figure");
      if (!spec || !figure) {
        return;
      }
      figure.hidden = false;
      window.vegaEmbed(holder, spec, options).catch(function (error) {
        figure.hidden = true;
        console.error("outcomes: a plot could not be drawn", error);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
