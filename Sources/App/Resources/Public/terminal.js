// The store terminal's helpers. The page works without them (plain forms); they add the
// camera scan, the PIN pad, one-tap safety on a flaky network and the clearing after a success.
"use strict";

(function () {
  var $ = function (selector, root) { return (root || document).querySelector(selector); };
  var $$ = function (selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); };

  // --- PIN: the pad types into the field; every PIN field on the page holds the same PIN, so
  // the operation form and the void form need it typed once.
  var pins = $$("[data-pin]");
  function setPin(value) { pins.forEach(function (field) { field.value = value; }); }
  pins.forEach(function (field) {
    field.addEventListener("input", function () { setPin(field.value); });
    // Enter in the PIN field must not fire the form's first button (a stamp) by surprise.
    field.addEventListener("keydown", function (event) { if (event.key === "Enter") { event.preventDefault(); } });
  });
  $$("[data-pin-pad]").forEach(function (pad) {
    pad.hidden = false;
    var field = $("[data-pin]", pad.closest("form")) || pins[0];
    pad.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button || !field) { return; }
      if (button.hasAttribute("data-digit")) {
        if (field.value.length < 12) { setPin(field.value + button.getAttribute("data-digit")); }
      } else if (button.hasAttribute("data-pin-back")) {
        setPin(field.value.slice(0, -1));
      } else if (button.hasAttribute("data-pin-clear")) {
        setPin("");
      }
    });
  });

  // --- A scanner types like a keyboard: typing while no field has the focus goes to the card
  // field, so the next customer's card can be scanned without a tap first.
  var cardField = $("#card");
  document.addEventListener("keydown", function (event) {
    var active = document.activeElement;
    var idle = !active || active === document.body || active.tagName === "BUTTON" || active.tagName === "A";
    if (cardField && idle && event.key && event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
      cardField.focus();
    }
  }, true);

  // --- Enter in the amount field earns points (not the form's first button).
  var amount = $("[data-amount]");
  var earn = $("[data-earn]");
  if (amount && earn) {
    amount.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); earn.click(); }
    });
  }

  // --- Operations and voids: one tap is one request. The button is disabled while it runs;
  // if the network fails the SAME form (same idempotency_key) is sent again, so the server
  // replays the first answer instead of doing it twice.
  var offline = $("[data-offline]");
  function say(text) {
    if (!offline) { return; }
    offline.textContent = text || "";
    offline.hidden = !text;
  }
  function showAnswer(response) {
    return response.text().then(function (html) {
      if (response.redirected) { window.history.replaceState(null, "", response.url); }
      document.open();
      document.write(html);
      document.close();
    });
  }
  function send(form, submitter, attempt) {
    var body = new URLSearchParams();
    new FormData(form).forEach(function (value, name) { body.append(name, value); });
    if (submitter && submitter.name) { body.append(submitter.name, submitter.value); }
    var action = (submitter && submitter.getAttribute("formaction")) || form.getAttribute("action");
    return fetch(action, {
      // same-origin: the page's Referrer-Policy (no-referrer) would otherwise send `Origin: null`,
      // which the form-token check refuses.
      method: "POST", body: body, credentials: "same-origin", redirect: "follow", referrerPolicy: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    }).then(showAnswer, function () {
      if (attempt >= 4) { throw new Error("offline"); }
      say(offline && offline.getAttribute("data-retrying"));
      return new Promise(function (resolve) { window.setTimeout(resolve, 600 * attempt); })
        .then(function () { return send(form, submitter, attempt + 1); });
    });
  }
  $$("[data-operation-form], [data-void-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.URLSearchParams) { return; }  // plain form post
      event.preventDefault();
      if (form.dataset.busy === "1") { return; }
      form.dataset.busy = "1";
      var submitter = event.submitter || null;
      var buttons = $$("button[type=submit]", form);
      buttons.forEach(function (button) { button.disabled = true; });
      send(form, submitter, 1).catch(function () {
        say(offline && offline.getAttribute("data-failed"));
        form.dataset.busy = "";
        buttons.forEach(function (button) { button.disabled = false; });
      });
    });
  });

  // --- After a success: the line stays a few seconds, then the terminal is ready for the
  // next customer. Any touch or key keeps the card on screen.
  var done = $("[data-clear-after]");
  if (done) {
    var seconds = parseInt(done.getAttribute("data-clear-after"), 10) || 12;
    var timer = window.setTimeout(function () { window.location.assign("/store/terminal"); }, seconds * 1000);
    var keep = function () { window.clearTimeout(timer); };
    document.addEventListener("pointerdown", keep, { once: true });
    document.addEventListener("keydown", keep, { once: true });
  }

  // --- The camera, where the browser can read QR codes itself (BarcodeDetector).
  var cameraButton = $("[data-camera]");
  var dialog = $("[data-camera-dialog]");
  if (cameraButton && dialog && "BarcodeDetector" in window && navigator.mediaDevices) {
    cameraButton.hidden = false;
    var video = $("[data-camera-video]", dialog);
    var status = $("[data-camera-status]", dialog);
    var stream = null;
    var scanning = false;
    var stop = function () {
      scanning = false;
      if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); stream = null; }
      if (dialog.open) { dialog.close(); }
    };
    $("[data-camera-close]", dialog).addEventListener("click", stop);
    dialog.addEventListener("cancel", stop);
    cameraButton.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      dialog.showModal();
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (media) {
        stream = media;
        video.srcObject = media;
        return video.play();
      }).then(function () {
        scanning = true;
        var look = function () {
          if (!scanning) { return; }
          detector.detect(video).then(function (codes) {
            var found = codes.find(function (code) { return code.rawValue; });
            if (found) {
              stop();
              var field = $("#card");
              field.value = found.rawValue;
              field.form.submit();
            } else {
              window.setTimeout(look, 200);
            }
          }, function () { window.setTimeout(look, 400); });
        };
        look();
      }).catch(function () {
        status.textContent = status.getAttribute("data-unavailable");
      });
    });
  }
})();
