// The referent's dashboard charts (Chart.js, vendored). Each chart has a table beside it with
// the same figures, for screen readers and for printing.
(function () {
  "use strict";
  const source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const euros = (value) =>
    value === null ? "—" : value.toLocaleString("fr-FR", { style: "currency", currency: "EUR" });
  const common = { responsive: true, maintainAspectRatio: false, animation: false };

  new Chart(document.getElementById("chart-monthly"), {
    type: "bar",
    data: {
      labels: data.months,
      datasets: [
        { label: data.labels.monthly_cost, data: data.monthly_cost, backgroundColor: "#3d2b8f" },
        { label: data.labels.monthly_planned_cost, data: data.monthly_planned_cost, backgroundColor: "#cfc8ee" },
        { label: data.labels.monthly_net_revenue, data: data.monthly_net_revenue, backgroundColor: "#198754" },
      ],
    },
    options: { ...common, scales: { y: { ticks: { callback: euros } } } },
  });

  new Chart(document.getElementById("chart-cumulative"), {
    type: "line",
    data: {
      labels: data.months,
      datasets: [
        { label: data.labels.cumulative_plan, data: data.cumulative_plan, borderColor: "#8c7fd0", borderDash: [6, 4] },
        { label: data.labels.cumulative_actual, data: data.cumulative_actual, borderColor: "#3d2b8f" },
        { label: data.labels.cumulative_net, data: data.cumulative_net, borderColor: "#198754" },
        {
          label: data.labels.break_even,
          data: data.months.map(() => data.break_even),
          borderColor: "#dc3545",
          borderDash: [2, 2],
          pointRadius: 0,
        },
      ],
    },
    options: { ...common, scales: { y: { ticks: { callback: euros } } } },
  });

  new Chart(document.getElementById("chart-fill"), {
    type: "bar",
    data: {
      labels: data.sessions,
      datasets: [{ label: data.labels.fill_rate, data: data.fill_rate, backgroundColor: "#0d6efd" }],
    },
    options: { ...common, scales: { y: { min: 0, max: 100, ticks: { callback: (v) => v + " %" } } } },
  });
  document.body.dataset.chartsReady = "true";
})();
