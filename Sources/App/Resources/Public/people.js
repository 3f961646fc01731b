// The owner's people pages: a confirmation before a change that cannot be undone (reissue a
// card, delete a PIN, deactivate an account). The forms work without this file; their
// wording says what will happen.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
})();
