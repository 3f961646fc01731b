// The pages' own JavaScript. Every page works without it; it only helps.
// Loaded from a file (the Content-Security-Policy forbids inline script).
"use strict";

// A form submits once: a double tap on a slow network must not send a second request.
// (Operations are idempotent anyway: each form carries its own Idempotency-Key.)
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset.submitting === "1") { event.preventDefault(); return; }
  form.dataset.submitting = "1";
  window.setTimeout(function () { form.dataset.submitting = ""; }, 8000);
}, true);
