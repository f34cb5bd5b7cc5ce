// The zone's map (/map/, the dashboard's small map, a project's place): Leaflet over a base layer the
// app serves itself (plan image, tile archive or park outlines) — never a request to another origin.
// The page's data comes from #map-config (json_script), the projects from /map.geojson with the list's
// filters. Markers are divIcons: no image URL for Leaflet to guess.
// esbuild bundles this file with Leaflet, leaflet.markercluster and pmtiles from npm (`make install`),
// and their stylesheets into map.css (with the few images Leaflet's stylesheet names) for the pages to link.
// Leaflet still sets window.L: the two plugins extend that global when their modules run, so Leaflet's
// import comes first (esbuild keeps the imports' order).
import "leaflet/dist/leaflet.css";
import "leaflet.markercluster/dist/MarkerCluster.css";
import "leaflet.markercluster/dist/MarkerCluster.Default.css";
import L from "leaflet";
import "leaflet.markercluster";
import * as pmtiles from "pmtiles";

(() => {
  const ICONS = { red: "■", yellow: "▲", green: "●" };
  const RANK = { red: 0, yellow: 1, green: 2 };
  const ZONE_CENTRE = [32.19, 119.6]; // 镇江新区, when nothing on the map says where to look
  const lang = document.documentElement.lang || "zh-hans";

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function number(value) {
    if (value === null || value === undefined) return "—";
    return Number(value).toLocaleString(lang, { maximumFractionDigits: 0 });
  }

  function badge(light, label) {
    const span = element("span", `light-badge light-${light}`, `${ICONS[light] || ""} ${label}`);
    return span;
  }

  function popup(properties, labels) {
    const box = element("div", "map-popup");
    const title = element("a", "map-popup-title fw-semibold", properties.name);
    title.href = properties.url;
    box.append(title);
    box.append(element("div", "small text-muted", `${properties.code} · ${properties.park} · ${properties.stage}`));
    const light = element("div", "mt-1");
    light.append(badge(properties.light, properties.light_label));
    box.append(light);
    if (properties.reasons.length) {
      const list = element("ul", "map-popup-reasons small mb-1");
      properties.reasons.forEach((reason) => {
        const item = element("li", `light-reason-${reason.light}`, `${ICONS[reason.light]} ${reason.text}`);
        list.append(item);
      });
      box.append(list);
    } else {
      box.append(element("div", "small text-muted", labels.on_track));
    }
    const figures = element("dl", "map-popup-figures small mb-1");
    [
      [labels.total, properties.total_investment],
      [labels.planned, properties.planned_investment],
      [labels.completed, properties.completed_investment],
    ].forEach(([label, value]) => {
      figures.append(element("dt", "", label), element("dd", "", number(value)));
    });
    box.append(figures);
    const open = element("a", "btn btn-sm btn-primary text-white", labels.open);
    open.href = properties.url;
    box.append(open);
    return box;
  }

  function markerIcon(light) {
    const html = element("span", "map-marker-shape", ICONS[light] || "●");
    html.setAttribute("aria-hidden", "true");
    return L.divIcon({ className: `map-marker map-marker-${light}`, html, iconSize: [24, 24], iconAnchor: [12, 12] });
  }

  function clusterIcon(cluster) {
    let worst = "green";
    cluster.getAllChildMarkers().forEach((marker) => {
      if (RANK[marker.options.light] < RANK[worst]) worst = marker.options.light;
    });
    const html = element("div");
    html.append(element("span", "", String(cluster.getChildCount())));
    return L.divIcon({ html, className: `marker-cluster marker-cluster-${worst}`, iconSize: L.point(40, 40) });
  }

  function baseLayer(map, base) {
    if (base.kind === "plan_image") {
      L.imageOverlay(base.url, base.bounds, { className: "map-plan-image" }).addTo(map);
      return L.latLngBounds(base.bounds);
    }
    if (base.kind === "pmtiles") {
      pmtiles
        .leafletRasterLayer(new pmtiles.PMTiles(base.url), { maxNativeZoom: base.max_zoom, maxZoom: 20 })
        .addTo(map);
    } else if (base.kind === "tiles") {
      L.tileLayer(base.url, { maxNativeZoom: base.max_zoom, maxZoom: 20 }).addTo(map);
    }
    return null;
  }

  function failed(container, text) {
    const message = element("p", "alert alert-warning small map-failed", text);
    message.setAttribute("role", "status");
    container.after(message);
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then((r) => {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    });
  }

  function picker(map, config, labels) {
    const longitude = document.getElementById(config.picker.longitude);
    const latitude = document.getElementById(config.picker.latitude);
    let marker = null;
    const read = () => {
      const lat = parseFloat(latitude.value);
      const lng = parseFloat(longitude.value);
      return Number.isFinite(lat) && Number.isFinite(lng) ? L.latLng(lat, lng) : null;
    };
    const write = (latlng) => {
      latitude.value = latlng.lat.toFixed(6);
      longitude.value = latlng.lng.toFixed(6);
    };
    const place = (latlng) => {
      if (!marker) {
        marker = L.marker(latlng, { icon: markerIcon("green"), draggable: true, title: labels.open }).addTo(map);
        marker.on("dragend", () => write(marker.getLatLng()));
      } else {
        marker.setLatLng(latlng);
      }
    };
    map.on("click", (event) => {
      write(event.latlng);
      place(event.latlng);
    });
    [longitude, latitude].forEach((input) =>
      input.addEventListener("change", () => {
        const latlng = read();
        if (latlng) place(latlng);
      }),
    );
    const start = read();
    if (start) place(start);
    return start;
  }

  function draw(container, config) {
    const labels = config.labels;
    const map = L.map(container, { attributionControl: false, maxZoom: 20 });
    map.setView(ZONE_CENTRE, 12);
    const framed = baseLayer(map, config.base);
    const bounds = L.latLngBounds([]);
    if (framed) bounds.extend(framed);
    window.addEventListener("beforeprint", () => map.invalidateSize());
    window.addEventListener("afterprint", () => map.invalidateSize());

    const parks = fetchJson(config.parks).then((data) => {
      if (!data.features.length) return;
      const layer = L.geoJSON(data, {
        style: { className: "map-park", color: "#0d6efd", weight: 2, fillOpacity: 0.06 },
        onEachFeature: (feature, layerOfPark) =>
          layerOfPark.bindTooltip(feature.properties.name, {
            permanent: true,
            direction: "center",
            className: "map-park-name",
          }),
      }).addTo(map);
      if (!config.picker) bounds.extend(layer.getBounds());
    });

    if (config.picker) {
      const start = picker(map, config, labels);
      parks.catch(() => null).then(() => {
        // Without animation: the view is final when the map says it is ready (a tap at once lands).
        if (start) map.setView(start, 16, { animate: false });
        else if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10], animate: false });
        container.dataset.ready = "1";
      });
      return;
    }

    const markers =
      container.dataset.cluster !== "off"
        ? L.markerClusterGroup({ maxClusterRadius: 30, disableClusteringAtZoom: 16, iconCreateFunction: clusterIcon })
        : L.layerGroup();
    const projects = fetchJson(config.geojson).then((data) => {
      data.features.forEach((feature) => {
        const [lng, lat] = feature.geometry.coordinates;
        const properties = feature.properties;
        const marker = L.marker([lat, lng], {
          icon: markerIcon(properties.light),
          title: `${properties.name} (${properties.light_label})`,
          alt: properties.name,
          light: properties.light,
        });
        marker.bindPopup(() => popup(properties, labels), { maxWidth: 300 });
        markers.addLayer(marker);
        bounds.extend([lat, lng]);
      });
      markers.addTo(map);
      if (!data.features.length) failed(container, labels.none);
      container.dataset.markers = String(data.features.length);
    });
    Promise.allSettled([parks, projects]).then((results) => {
      if (results.some((result) => result.status === "rejected")) failed(container, labels.failed);
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 16, animate: false });
      container.dataset.ready = "1";
    });
  }

  function start() {
    const source = document.getElementById("map-config");
    const container = document.getElementById("zone-map");
    if (!source || !container) return;
    draw(container, JSON.parse(source.textContent));
  }

  // Deferred on /map/ and a project's place (it runs before DOMContentLoaded); on the dashboard it is
  // loaded once the map comes near the viewport (dashboard.js), when the page has long been parsed.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
