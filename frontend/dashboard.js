// The dashboard's charts, drawn with ECharts from the figures in the page (#dashboard-figures, the same
// computation as the cards: no second request). esbuild bundles this file with just the parts of
// ECharts it uses (`make install`), served from our own static files.
// The page itself works without JavaScript: every figure is also in the cards and tables.
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

// `callback()` once, when `element` comes within `margin` of the viewport, or when the page is about to
// be printed (whichever is first); at once without IntersectionObserver.
function onceNear(element, margin, callback) {
  let done = false;
  const run = () => {
    if (!done) {
      done = true;
      callback();
    }
  };
  window.addEventListener("beforeprint", run, { once: true });
  if (!("IntersectionObserver" in window)) {
    run();
    return;
  }
  const observer = new IntersectionObserver(
    (entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        observer.disconnect();
        run();
      }
    },
    { rootMargin: `${margin} 0px` },
  );
  observer.observe(element);
}

// The small map is at the foot of the page: its bundle (Leaflet, some 200 kB) and stylesheet are loaded
// only when it comes within 300 px of the viewport, so the first paint does not wait for them. The
// URLs are the page's ({% static %}: hashed in production). The stylesheet first, then the script.
// Printed before scrolling down, the print leaves the map out (static/css/dashboard.css); the next
// one has it.
function loadTheMapWhenNear() {
  const container = document.getElementById("zone-map");
  if (!container || !container.dataset.script) {
    return;
  }
  onceNear(container, "300px", () => {
    const stylesheet = document.createElement("link");
    stylesheet.rel = "stylesheet";
    stylesheet.href = container.dataset.stylesheet;
    const script = () => {
      const element = document.createElement("script");
      element.src = container.dataset.script;
      document.body.append(element);
    };
    stylesheet.addEventListener("load", script, { once: true });
    stylesheet.addEventListener("error", script, { once: true });
    document.head.append(stylesheet);
  });
}

document.addEventListener("DOMContentLoaded", loadTheMapWhenNear);

document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("dashboard-figures");
  const labelsElement = document.getElementById("dashboard-labels");
  if (!source || !labelsElement) {
    return;
  }
  const labels = JSON.parse(labelsElement.textContent);
  const links = JSON.parse(document.getElementById("dashboard-links").textContent);
  const charts = [];
  const finished = [];
  // Bars grow in for a second; without motion (the user's choice) a click lands on them at once, and
  // a chart drawn for the print is drawn complete.
  let animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  // `open(params)` → the URL of the list behind the clicked bar or point (the cards' lists).
  function draw(id, option, open) {
    const element = document.getElementById(id);
    if (!element) {
      return;
    }
    const chart = echarts.init(element, null, { renderer: "canvas" });
    // Each chart by its element's id, for the console and the browser tests (the bundle has no global).
    window.dashboardCharts = { ...window.dashboardCharts, [id]: chart };
    finished.push(new Promise((resolve) => chart.on("finished", resolve)));
    // The tooltip drawn on the canvas: its HTML form sets style attributes, which the CSP blocks.
    chart.setOption({ animation, ...option, tooltip: { ...option.tooltip, renderMode: "richText" } });
    chart.on("click", (params) => {
      const url = open(params);
      if (url) {
        window.location.href = url;
      }
    });
    charts.push(chart);
  }

  function failed() {
    document.querySelectorAll(".dashboard-chart").forEach((element) => {
      const message = document.createElement("p");
      message.className = "alert alert-warning small chart-failed";
      message.setAttribute("role", "status");
      message.textContent = labels.failed;
      element.replaceChildren(message);
      element.classList.add("h-auto");
    });
  }

  function investment(figures) {
    const months = figures.monthly.map((m) => String(m.month));
    draw("chart-investment", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 60, right: 16, top: 40, bottom: 30 },
      xAxis: { type: "category", data: months, name: labels.month },
      yAxis: { type: "value" },
      series: [
        { name: labels.completed, type: "bar", data: figures.monthly.map((m) => m.completed) },
        {
          name: labels.completed_cumulative,
          type: "line",
          data: figures.monthly.map((m) => m.completed_cumulative),
        },
        {
          name: labels.planned_cumulative,
          type: "line",
          lineStyle: { type: "dashed" },
          data: figures.monthly.map((m) => m.planned_cumulative),
        },
      ],
    }, () => links.investment);
  }

  function startRate(figures) {
    draw("chart-start-rate", {
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 16, top: 20, bottom: 60 },
      xAxis: {
        type: "category",
        data: figures.by_park.map((row) => row.park),
        axisLabel: { interval: 0, rotate: 30 },
      },
      yAxis: { type: "value", max: 100 },
      series: [
        { name: labels.start_rate, type: "bar", data: figures.by_park.map((row) => row.start_rate) },
      ],
    }, (params) => links.start_rate[String(figures.by_park[params.dataIndex].park_id)]);
  }

  function issues(figures) {
    const codes = Object.keys(labels.levels);
    draw("chart-issues", {
      tooltip: { trigger: "axis" },
      // Horizontal bars: the level names are long, on a phone too.
      grid: { left: 8, right: 24, top: 10, bottom: 24, containLabel: true },
      yAxis: { type: "category", inverse: true, data: codes.map((code) => labels.levels[code]) },
      xAxis: { type: "value", minInterval: 1 },
      series: [
        {
          name: labels.open_issues,
          type: "bar",
          data: codes.map((code) => figures.issues_open_by_level[code]),
        },
      ],
    }, (params) => links.issues[codes[params.dataIndex]]);
  }

  let figures;
  try {
    figures = JSON.parse(source.textContent);
  } catch (error) {
    console.error(error);
    failed();
    return;
  }
  // Each chart is drawn when it comes within 200 px of the viewport (on a phone the key figures fill
  // the first screens), one a task after the last one's frame, so that a weak phone answers a tap
  // between them; to be printed, every chart not drawn yet is drawn at once.
  const pending = new Map([
    ["chart-investment", investment],
    ["chart-start-rate", startRate],
    ["chart-issues", issues],
  ]);
  function drawChart(id) {
    const step = pending.get(id);
    if (!step) {
      return;
    }
    pending.delete(id);
    try {
      step(figures);
    } catch (error) {
      console.error(error);
      pending.clear();
      failed();
      return;
    }
    if (!pending.size) {
      // "Drawn" once every chart has finished its animation: until then a bar is not yet where it
      // ends, and a click on its final place opens nothing.
      Promise.all(finished).then(() => {
        document.body.dataset.chartsDrawn = "true";
      });
    }
  }
  const nextFrame = () => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  let drawing = Promise.resolve();
  window.addEventListener("beforeprint", () => {
    animation = false;
    [...pending.keys()].forEach(drawChart);
  });
  pending.forEach((_step, id) => {
    const element = document.getElementById(id);
    if (element) {
      onceNear(element, "200px", () => {
        drawing = drawing.then(nextFrame).then(() => drawChart(id));
      });
    }
  });

  const resize = () => charts.forEach((chart) => chart.resize());
  window.addEventListener("resize", resize);
  // The print's chart boxes are smaller (static/css/dashboard.css): redrawn to fit, and back after.
  window.matchMedia("print").addEventListener("change", resize);
});
