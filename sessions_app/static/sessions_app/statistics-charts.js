// Charts of the results statistics, drawn from the page's JSON (stats-data, stats-labels).
(function () {
  if (!window.Chart) return;
  var d = JSON.parse(document.getElementById("stats-data").textContent);
  var t = JSON.parse(document.getElementById("stats-labels").textContent);
  function bars(id, labels, sets) { new Chart(document.getElementById(id), {type: "bar", data: {labels: labels, datasets: sets}}); }
  function pick(list, k) { return list.map(function (x) { return x[k]; }); }
  bars("chart-years", pick(d.by_study_year, "key"), [{label: t.mean, data: pick(d.by_study_year, "mean")}, {label: t.median, data: pick(d.by_study_year, "median")}]);
  bars("chart-sessions", pick(d.by_session, "key"), [{label: t.mean, data: pick(d.by_session, "mean")}, {label: t.median, data: pick(d.by_session, "median")}]);
  bars("chart-distribution", pick(d.distribution, "label"), [{label: t.candidates, data: pick(d.distribution, "count")}]);
  bars("chart-competences", Object.keys(d.competence_average), [{label: t.level, data: Object.values(d.competence_average)}]);
  new Chart(document.getElementById("chart-pairs"), {type: "scatter", data: {datasets: [{label: t.candidates, data: d.pairs.map(function (p) { return {x: p[0], y: p[1]}; })}]},
    options: {scales: {x: {title: {display: true, text: t.positioning}}, y: {title: {display: true, text: t.certified}}}}});
  document.body.dataset.chartsReady = "true";  // as billing/dashboard.js: tests wait for it
})();
