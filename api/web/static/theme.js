// Runs before the page paints: the saved theme, else the system's. Only the theme's name is stored.
(function () {
  var theme = null;
  try { theme = localStorage.getItem("judge-theme"); } catch (e) { /* storage off: follow the system */ }
  if (theme !== "light" && theme !== "dark") {
    theme = window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  document.documentElement.dataset.theme = theme;
})();
