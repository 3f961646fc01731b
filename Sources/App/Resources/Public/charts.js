// Draws the back office's charts (decision 0032) from the tables the page already shows:
// each <canvas data-chart="ID"> plots the <table id="ID"> under it. The row headers are the
// x labels (already written in the page's language), the column headers the series, and each
// cell's data-value the number. No figure reaches the chart except through the table, so the
// table is the chart's accessible and script-free version. Needs the vendored Chart.js
// (window.Chart), loaded with `defer` after this file; drawing waits for the page's load.
(function () {
  "use strict";

  // Colours that stay apart for common colour blindness (Okabe–Ito), brand blue first.
  var COLOURS = ["#1f3a5f", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"];

  function readTable(table) {
    var series = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    }).slice(1);
    var labels = [];
    var values = series.map(function () { return []; });
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
      var head = row.querySelector("th");
      labels.push(head ? head.textContent.trim() : "");
      Array.prototype.forEach.call(row.querySelectorAll("td[data-value]"), function (cell, index) {
        if (index < values.length) values[index].push(Number(cell.getAttribute("data-value")) || 0);
      });
    });
    return { labels: labels, series: series, values: values };
  }

  function draw(canvas) {
    var table = document.getElementById(canvas.getAttribute("data-chart"));
    if (!table) return;
    var data = readTable(table);
    var lang = document.documentElement.lang || "en";
    var kind = canvas.getAttribute("data-kind") === "bar" ? "bar" : "line";
    var chart = new window.Chart(canvas, {
      type: kind,
      data: {
        labels: data.labels,
        datasets: data.series.map(function (name, index) {
          var colour = COLOURS[index % COLOURS.length];
          return {
            label: name, data: data.values[index], borderColor: colour, backgroundColor: colour,
            borderWidth: 2, pointRadius: data.labels.length > 45 ? 0 : 2, tension: 0.25
          };
        })
      },
      options: {
        locale: lang,
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: {
          x: { ticks: { autoSkip: true, maxRotation: 0 } },
          y: { beginAtZero: true, ticks: { precision: 0 } }
        }
      }
    });
    canvas.setAttribute("data-drawn", "true");
    return chart;
  }

  function start() {
    if (typeof window.Chart !== "function") return; // the tables remain: nothing is lost
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), draw);
  }

  // A deferred script runs while readyState is already "interactive", before the deferred
  // Chart.js after it: wait for "load", when every script of the page has run.
  if (document.readyState === "complete") {
    start();
  } else {
    window.addEventListener("load", start);
  }
})();
