// Every page: the theme toggle, maths, and the countdown after a 429. No token ever touches storage.
(function () {
  "use strict";
  var root = document.documentElement;

  function setTheme(theme, save) {
    root.dataset.theme = theme;
    if (save) {
      try { localStorage.setItem("judge-theme", theme); } catch (e) { /* not saved, still switched */ }
    }
    var toggle = document.getElementById("theme-toggle");
    if (toggle) {
      toggle.textContent = theme === "dark" ? "Light theme" : "Dark theme";
      toggle.setAttribute("aria-pressed", theme === "dark" ? "true" : "false");
    }
    document.dispatchEvent(new CustomEvent("judge:theme", { detail: theme }));
  }

  var toggle = document.getElementById("theme-toggle");
  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      setTheme(root.dataset.theme === "dark" ? "light" : "dark", true);
    });
    setTheme(root.dataset.theme === "dark" ? "dark" : "light", false);
  }

  function renderMaths(scope) {
    if (!window.katex) { return; }
    scope.querySelectorAll(".math").forEach(function (node) {
      if (node.dataset.rendered) { return; }
      window.katex.render(node.textContent, node, {
        displayMode: node.classList.contains("block"), throwOnError: false, output: "htmlAndMathml"
      });
      node.dataset.rendered = "1";
    });
  }
  window.addEventListener("DOMContentLoaded", function () { renderMaths(document); });
  if (document.readyState !== "loading") { renderMaths(document); }

  var countdown = document.getElementById("retry-countdown");
  if (countdown) {
    var left = parseInt(countdown.dataset.seconds, 10) || 0;
    var button = document.getElementById("submit-button");
    var tick = function () {
      if (left <= 0) {
        countdown.textContent = "You can submit again now.";
        if (button) { button.disabled = false; }
        return;
      }
      countdown.textContent = "You can submit again in " + left + " s.";
      if (button) { button.disabled = true; }
      left -= 1;
      window.setTimeout(tick, 1000);
    };
    tick();
  }
})();
