// Cell-therapy dashboard: vein-to-vein days by month, per site a quartile bar and a median line.
document.addEventListener("DOMContentLoaded", function () {
  var canvas = document.getElementById("v2v-chart");
  if (!canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(canvas.dataset.chart);
  var datasets = [];
  data.sites.forEach(function (site) {
    datasets.push({ type: "bar", label: canvas.dataset.site + " " + site.site + " · " + canvas.dataset.spread,
                    data: site.spread, backgroundColor: site.color + "55", borderColor: site.color, borderWidth: 1 });
    datasets.push({ type: "line", label: canvas.dataset.site + " " + site.site + " · " + canvas.dataset.median,
                    data: site.median, borderColor: site.color, backgroundColor: site.color, spanGaps: true });
  });
  new Chart(canvas, {
    data: { labels: data.labels, datasets: datasets },
    options: { responsive: true, maintainAspectRatio: false, animation: false,
               plugins: { legend: { position: "bottom" } }, scales: { y: { beginAtZero: true } } }
  });
});
