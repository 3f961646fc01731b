// The store's pages: print buttons, a confirmation before deleting, one send per form.
// Everything works without this file; it only helps.
(function () {
  "use strict";

  // Print buttons are hidden until there is a script to press them (the browser's own print
  // command prints the same page).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  // A second tap while the first send is on its way does nothing (the server's idempotency
  // key is the guarantee; this spares the wait).
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent === "1") { event.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  });
})();
