// Temperature charts of logger data: the curve, the allowed band shaded, excursions marked.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }

  // Axis and tooltip times in the user's language (date order) and display time zone.
  var root = document.documentElement;
  var locale = root.dataset.locale || root.lang || undefined;
  var when = new Intl.DateTimeFormat(locale, {timeZone: root.dataset.timezone || undefined,
    day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit"});
  function stamp(ms) { return when.format(new Date(ms)); }

  // Shade each excursion period behind the curve (drawn before the datasets).
  var excursionBands = {
    id: "excursionBands",
    beforeDatasetsDraw: function (chart, args, options) {
      var periods = options.periods || [];
      var area = chart.chartArea, x = chart.scales.x, ctx = chart.ctx;
      ctx.save();
      ctx.fillStyle = "rgba(176, 42, 55, 0.18)";
      periods.forEach(function (p) {
        var left = Math.max(x.getPixelForValue(p[0]), area.left);
        var right = Math.min(x.getPixelForValue(p[1]), area.right);
        ctx.fillRect(left, area.top, Math.max(right - left, 2), area.bottom - area.top);
      });
      ctx.restore();
    }
  };

  function draw(canvas, data) {
    var first = data.points.length ? data.points[0][0] : 0;
    var last = data.points.length ? data.points[data.points.length - 1][0] : 1;
    var low = [{x: first, y: data.low}, {x: last, y: data.low}];
    var high = [{x: first, y: data.high}, {x: last, y: data.high}];
    var curve = data.points.map(function (p) { return {x: p[0], y: p[1]}; });
    var out = curve.filter(function (p) { return p.y < data.low || p.y > data.high; });
    new window.Chart(canvas, {
      type: "line",
      data: {
        datasets: [
          {label: canvas.dataset.labelLow, data: low, borderColor: "#146c43", borderDash: [6, 4], pointRadius: 0, borderWidth: 1.5, fill: false},
          {label: canvas.dataset.labelHigh, data: high, borderColor: "#146c43", borderDash: [6, 4], pointRadius: 0, borderWidth: 1.5,
           fill: {target: 0}, backgroundColor: "rgba(20, 108, 67, 0.12)"},
          {label: canvas.dataset.labelTemperature, data: curve, borderColor: "#0a3d78", pointRadius: 0, borderWidth: 1.5, fill: false},
          {label: "!", data: out, showLine: false, pointRadius: 2, pointBackgroundColor: "#b02a37", borderColor: "#b02a37"}
        ]
      },
      options: {
        animation: false, parsing: false, normalized: true, maintainAspectRatio: false, locale: locale,
        scales: {
          x: {type: "linear", ticks: {callback: stamp, maxTicksLimit: 8}},
          y: {title: {display: true, text: "°C"}}
        },
        plugins: {
          excursionBands: {periods: data.excursions},
          legend: {labels: {filter: function (item) { return item.text !== "!"; }}},
          tooltip: {callbacks: {title: function (items) { return items.length ? stamp(items[0].parsed.x) : ""; }}}
        }
      },
      plugins: [excursionBands]
    });
  }

  document.querySelectorAll("canvas.temperature-chart[data-chart-url]").forEach(function (canvas) {
    fetch(canvas.dataset.chartUrl, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { draw(canvas, data); } });
  });
})();
