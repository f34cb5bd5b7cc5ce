// The node plan as a Gantt chart (ECharts custom series): each node's planned window as a light bar,
// its actual bar over it (red when late), today's line. Data come from the page (json_script); the
// list below the chart carries the same facts for phones and for readers without JavaScript.
// esbuild bundles this file with just the parts of ECharts it uses (`make install`).
import { CustomChart } from "echarts/charts";
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
} from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([CustomChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, CanvasRenderer]);

document.addEventListener("DOMContentLoaded", () => {
  const element = document.getElementById("plan-chart");
  const dataElement = document.getElementById("plan-data");
  const labelsElement = document.getElementById("plan-labels");
  if (!element || !dataElement || !labelsElement) {
    return;
  }
  const plan = JSON.parse(dataElement.textContent);
  const labels = JSON.parse(labelsElement.textContent);
  const rows = plan.rows;
  if (!rows.length) {
    return;
  }
  const day = (iso) => (iso ? new Date(`${iso}T00:00:00`).getTime() : null);
  const ONE_DAY = 24 * 3600 * 1000;
  const bars = (startKey, endKey) =>
    rows.map((row, index) => {
      const end = day(row[endKey]);
      const start = Math.min(day(row[startKey]) ?? end, end ?? 0);
      return end === null ? [index, null, null, row.state] : [index, start, end + ONE_DAY, row.state];
    });
  const colour = { done: "#198754", late: "#dc3545", open: "#0d6efd", not_needed: "#6c757d", unplanned: "#6c757d" };

  function renderer(height, fill) {
    return (params, api) => {
      if (api.value(1) === null || Number.isNaN(api.value(1))) {
        return null;
      }
      const start = api.coord([api.value(1), api.value(0)]);
      const end = api.coord([api.value(2), api.value(0)]);
      const band = api.size([0, 1])[1];
      const state = rows[api.value(0)].state;
      return {
        type: "rect",
        shape: { x: start[0], y: start[1] - (band * height) / 2, width: Math.max(end[0] - start[0], 3), height: band * height },
        style: { fill: fill(state) },
      };
    };
  }

  element.style.height = `${rows.length * 30 + 70}px`;
  const chart = echarts.init(element, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    // Drawn on the canvas: the HTML tooltip sets style attributes, which the CSP blocks.
    tooltip: {
      renderMode: "richText",
      formatter: (params) => {
        const row = rows[params.value[0]];
        const late = row.state === "late" ? ` · ${labels.late} ${row.delay_days}` : "";
        return `${row.name}\n${labels.planned}: ${row.planned_end || "—"}\n${labels.actual}: ${row.state === "done" ? row.actual_end : "—"}${late}`;
      },
    },
    legend: { top: 0, data: [labels.planned, labels.actual] },
    grid: { left: 110, right: 20, top: 30, bottom: 30 },
    xAxis: { type: "time" },
    yAxis: {
      type: "category",
      inverse: true,
      data: rows.map((row) => (row.key ? `★ ${row.name}` : row.name)),
      axisLabel: { color: (value, index) => (rows[index].state === "late" ? colour.late : "#212529") },
    },
    series: [
      {
        name: labels.planned,
        type: "custom",
        renderItem: renderer(0.7, () => "#cfe2ff"),
        encode: { x: [1, 2], y: 0 },
        data: bars("planned_start", "planned_end"),
        itemStyle: { color: "#cfe2ff" },
        markLine: {
          symbol: "none",
          label: { formatter: labels.today },
          lineStyle: { color: "#fd7e14", type: "dashed" },
          data: [{ xAxis: day(plan.today) }],
        },
      },
      {
        name: labels.actual,
        type: "custom",
        renderItem: renderer(0.35, (state) => colour[state] || colour.open),
        encode: { x: [1, 2], y: 0 },
        data: bars("actual_start", "actual_end"),
        itemStyle: { color: colour.done },
      },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
  element.dataset.drawn = "true";
});
