// Small charts for the Stores view, drawn by Chart.js (served from node_modules by this service, never from the
// internet). Each chart has a text alternative beside it; the table below the charts carries every figure too.

let loading = null;

/** Loads Chart.js once (a classic script that defines window.Chart). */
export function loadChartJs() {
  if (window.Chart) return Promise.resolve(window.Chart);
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/ops/vendor/chart.umd.min.js';
    script.onload = () => resolve(window.Chart);
    script.onerror = () => reject(new Error('The chart library could not be loaded'));
    document.head.append(script);
  });
  return loading;
}

const COLORS = { bad: '#b42318', warn: '#b54708', good: '#067647', neutral: '#475467', light: '#98a2b3' };
const BASE = {
  responsive: true,
  maintainAspectRatio: false,
  animation: false,
  plugins: { legend: { display: false } },
};

/** Resolves on the first frame in which the canvas is in the document, so Chart.js sizes it to its box. */
function whenPlaced(canvas) {
  return new Promise((resolve) => {
    const check = () => (canvas.isConnected ? resolve() : requestAnimationFrame(check));
    check();
  });
}

/** Draws into `canvas` once it is in the document; marks it `data-drawn` for tests and people alike. */
function draw(canvas, config) {
  void Promise.all([loadChartJs(), whenPlaced(canvas)]).then(([Chart]) => {
    const chart = new Chart(canvas, config);
    canvas.dataset.drawn = String(chart.data.datasets.reduce((n, d) => n + d.data.filter((v) => v !== null).length, 0));
  });
}

const label = (row) => `${row.slug} · ${row.method}`;
const percent = (rate) => (rate === null ? null : Math.round(rate * 1000) / 10);

/** Success rate per store and method, worst first, coloured by how bad. */
export function successChart(canvas, rows) {
  const values = rows.map((r) => percent(r.successRate));
  draw(canvas, {
    type: 'bar',
    data: {
      labels: rows.map(label),
      datasets: [
        {
          label: 'Success rate %',
          data: values,
          backgroundColor: values.map((v) =>
            v === null ? COLORS.light : v < 80 ? COLORS.bad : v < 95 ? COLORS.warn : COLORS.good,
          ),
        },
      ],
    },
    options: {
      ...BASE,
      indexAxis: 'y',
      scales: { x: { min: 0, max: 100, title: { display: true, text: '% placed of settled' } } },
    },
  });
}

/** Time from place to placed: p50 and p95 side by side. */
export function timeChart(canvas, rows) {
  draw(canvas, {
    type: 'bar',
    data: {
      labels: rows.map(label),
      datasets: [
        { label: 'p50 s', data: rows.map((r) => r.placeSecondsP50), backgroundColor: COLORS.neutral },
        { label: 'p95 s', data: rows.map((r) => r.placeSecondsP95), backgroundColor: COLORS.light },
      ],
    },
    options: {
      ...BASE,
      indexAxis: 'y',
      plugins: { legend: { display: true, position: 'bottom' } },
      scales: { x: { title: { display: true, text: 'seconds, place → placed' } } },
    },
  });
}

/** Share of orders that ended with a person. */
export function manualChart(canvas, rows) {
  draw(canvas, {
    type: 'bar',
    data: {
      labels: rows.map(label),
      datasets: [
        { label: 'Manual share %', data: rows.map((r) => percent(r.manualShare)), backgroundColor: COLORS.warn },
      ],
    },
    options: {
      ...BASE,
      indexAxis: 'y',
      scales: { x: { min: 0, max: 100, title: { display: true, text: '% to a task or price review' } } },
    },
  });
}

/** One store's orders over time: placed, failed and handed to people, stacked. */
export function seriesChart(canvas, series) {
  const time = (iso) =>
    new Date(iso).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  draw(canvas, {
    type: 'bar',
    data: {
      labels: series.map((b) => time(b.start)),
      datasets: [
        { label: 'placed', data: series.map((b) => b.placed), backgroundColor: COLORS.good },
        { label: 'failed', data: series.map((b) => b.failed), backgroundColor: COLORS.bad },
        { label: 'still open', data: series.map((b) => b.orders - b.placed - b.failed), backgroundColor: COLORS.light },
      ],
    },
    options: {
      ...BASE,
      plugins: { legend: { display: true, position: 'bottom' } },
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}
