// Dispensing: put the cursor in the kit number box so a barcode scanner can type into it.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("kit_number");
  if (box && document.getElementById("proposed-kit")) { box.focus(); }
});

// Depot stock: kits on hand by expiry month, drawn with the vendored Chart.js.
document.addEventListener("DOMContentLoaded", function () {
  var canvas = document.getElementById("expiry-chart");
  if (!canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(canvas.dataset.chart);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: canvas.dataset.labelAvailable, data: data.available, backgroundColor: "#146c43" },
        { label: canvas.dataset.labelQuarantined, data: data.quarantined, backgroundColor: "#b35900" },
        { label: canvas.dataset.labelOther, data: data.other, backgroundColor: "#6c757d" }
      ]
    },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false, locale: document.documentElement.dataset.locale,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } }
    }
  });
});
