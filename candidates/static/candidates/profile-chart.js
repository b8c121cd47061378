// The 16-competence chart of a positioning profile; the same values are in the table below it.
(function () {
  var source = document.getElementById("profile-chart-data");
  var canvas = document.getElementById("profile-chart");
  if (!source || !canvas || typeof Chart === "undefined") return;
  var d = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: d.labels,
      datasets: [
        { label: d.label, data: d.levels, backgroundColor: "#1d3a8a" },
        { label: d.max_label, data: d.labels.map(function () { return d.max; }),
          backgroundColor: "rgba(29, 58, 138, 0.15)", grouped: false, order: 2 }
      ]
    },
    options: {
      maintainAspectRatio: false,
      indexAxis: "y",
      animation: false,
      scales: { x: { min: 0, max: d.max, ticks: { stepSize: 1 } } },
      plugins: { tooltip: { callbacks: { title: function (items) {
        return d.labels[items[0].dataIndex] + " " + d.titles[items[0].dataIndex];
      } } } }
    }
  });
  canvas.dataset.ready = "true";
})();
