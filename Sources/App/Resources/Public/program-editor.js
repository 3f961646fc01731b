// The program editor's live preview: redraws the card (name, colour, stamps or points, next
// reward) as the owner types, with the same rules the server uses to draw it on load
// (`CardPreview`): the text colour from the background's contrast (WCAG relative luminance,
// as the wallet passes choose it). The page works without this file; it only helps.
"use strict";

(function () {
  var form = document.getElementById("program-form");
  var card = document.getElementById("card-preview");
  if (!form || !card) { return; }
  var SAMPLE_STAMPS = 3, MAX_CELLS = 20;  // CardPreview.sampleStamps, maximumCells

  function field(name) { return form.elements.namedItem(name); }
  function value(name) { var el = field(name); return el ? el.value.trim() : ""; }
  function byId(id) { return document.getElementById(id); }

  // "#abc" or "#aabbcc" as [r, g, b]; null for anything else.
  function parseColor(text) {
    var hex = text.charAt(0) === "#" ? text.slice(1) : text;
    if (!/^([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(hex)) { return null; }
    if (hex.length === 3) { hex = hex.replace(/(.)/g, "$1$1"); }
    return [0, 2, 4].map(function (i) { return parseInt(hex.slice(i, i + 2), 16); });
  }

  function luminance(rgb) {
    var c = rgb.map(function (v) { v = v / 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }

  // White or near-black, whichever contrasts more (PassColor.readableText).
  function tone(rgb) {
    var l = luminance(rgb);
    var withWhite = 1.05 / (l + 0.05);
    var withBlack = (l + 0.05) / (luminance([28, 28, 30]) + 0.05);
    return withWhite >= withBlack ? "light" : "dark";
  }

  function toHex(rgb) {
    return "#" + rgb.map(function (v) { return ("0" + v.toString(16)).slice(-2); }).join("");
  }

  function activeRewards() {
    var rewards = [];
    form.querySelectorAll("tr.reward-row").forEach(function (row) {
      var name = row.querySelector(".reward-name").value.trim();
      var cost = parseInt(row.querySelector(".reward-cost").value, 10);
      var active = row.querySelector(".reward-active").checked;
      if (name && cost > 0 && active) { rewards.push({ name: name, cost: cost }); }
    });
    return rewards.sort(function (a, b) { return a.cost - b.cost; });
  }

  function redraw() {
    var type = value("loyalty_type");
    var stamps = type !== "points", points = type !== "stamps";
    var title = value("card_name") || card.dataset.merchant;
    byId("card-preview-title").textContent = title;
    byId("card-preview-monogram").textContent = title.charAt(0).toUpperCase();

    var rgb = parseColor(value("card_color")) || parseColor(card.dataset.defaultColor);
    byId("card-preview-bg").setAttribute("fill", toHex(rgb));
    card.classList.remove("tone-light", "tone-dark");
    card.classList.add("tone-" + tone(rgb));

    var target = Math.max(1, parseInt(value("stamps_target"), 10) || 1);
    var held = Math.min(SAMPLE_STAMPS, target);
    byId("card-preview-stamps").hidden = !stamps;
    byId("card-preview-points").hidden = stamps;
    byId("card-preview-points-head").hidden = !(stamps && points);
    byId("card-preview-stamps-text").textContent = held + " / " + target;
    var grid = byId("card-preview-grid");
    while (grid.firstChild) { grid.removeChild(grid.firstChild); }
    if (target <= MAX_CELLS) {
      for (var i = 0; i < target; i++) {
        var cell = document.createElement("span");
        cell.className = i < held ? "stamp filled" : "stamp";
        grid.appendChild(cell);
      }
    }

    var reward = "";
    var cheapest = activeRewards()[0];
    if (stamps && value("stamps_reward_description")) {
      reward = value("stamps_reward_description");
    } else if (points && cheapest) {
      reward = cheapest.name + " · " + cheapest.cost;
    }
    byId("card-preview-reward").textContent = reward;

    // Fields that only one kind of program reads are hidden for the other kind.
    form.querySelectorAll("[data-for]").forEach(function (el) {
      var unused = el.dataset.for === "stamps" ? !stamps : !points;
      // A field with an error stays in sight, whatever the kind.
      el.hidden = unused && !el.querySelector("[aria-invalid='true']");
    });
  }

  form.addEventListener("input", redraw);
  form.addEventListener("change", redraw);
  redraw();
})();
