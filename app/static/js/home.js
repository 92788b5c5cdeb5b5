// Home page: the small charts (stacked bars) whose data sits in the canvas's data-chart.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof Chart === "undefined") { return; }
  document.querySelectorAll("canvas.home-chart-canvas").forEach(function (canvas) {
    var data = JSON.parse(canvas.dataset.chart);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (set) {
          return { label: set.label, data: set.data, backgroundColor: set.color };
        })
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false, locale: document.documentElement.dataset.locale,
        plugins: { legend: { position: "bottom" } },
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  });
});
