// Settings page: select a whole snippet on focus, and a "Copy" button where the browser can.
// A static file because the panel's CSP forbids inline scripts.
(function () {
  "use strict";
  document.querySelectorAll("input.snippet").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
  if (!navigator.clipboard) return; // only on https or localhost; select-on-focus remains
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    button.hidden = false;
    button.addEventListener("click", function () {
      field.select();
      navigator.clipboard.writeText(field.value).then(
        function () { button.textContent = "Copied"; },
        function () { button.textContent = "Press Ctrl+C"; }
      );
      setTimeout(function () { button.textContent = "Copy"; }, 2000);
    });
  });
})();
