// The site-visit form on a phone: keeps the entries in localStorage until the server has saved them,
// adds request rows, fills the location from the phone when the user asks (or already allowed it).
// No inline scripts: the Content-Security-Policy forbids them.
(() => {
  "use strict";

  const storage = (() => {
    try {
      const probe = "visit-draft:probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (error) {
      return null; // private mode or storage disabled: the form still works, without drafts
    }
  })();

  // The page shown after a successful save names the draft to forget.
  document.querySelectorAll("[data-saved-draft]").forEach((marker) => {
    if (storage) storage.removeItem(marker.dataset.savedDraft);
  });

  const form = document.getElementById("visit-form");
  if (!form) return;
  const key = form.dataset.draftKey;
  const SKIP = new Set(["csrfmiddlewaretoken", "draft_key"]);

  function addRow(prefix) {
    const total = form.querySelector(`#id_${prefix}-TOTAL_FORMS`);
    const max = form.querySelector(`#id_${prefix}-MAX_NUM_FORMS`);
    const template = document.getElementById(`${prefix}-empty`);
    const rows = document.getElementById(`${prefix}-rows`);
    if (!total || !template || !rows) return;
    if (max && Number(total.value) >= Number(max.value)) return;
    rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, total.value));
    total.value = String(Number(total.value) + 1);
    toggleLeaderFields();
  }

  function collect() {
    const fields = {};
    for (const element of form.elements) {
      if (!element.name || SKIP.has(element.name) || element.type === "file") continue;
      if (element.type === "submit" || element.type === "button") continue;
      if (element.type === "checkbox" || element.type === "radio") {
        fields[element.name] = fields[element.name] || [];
        if (element.checked) fields[element.name].push(element.value);
      } else if (element.tagName === "SELECT" && element.multiple) {
        fields[element.name] = Array.from(element.selectedOptions, (option) => option.value);
      } else {
        fields[element.name] = element.value;
      }
    }
    return fields;
  }

  function save() {
    if (!storage || !key) return;
    try {
      storage.setItem(key, JSON.stringify({ savedAt: Date.now(), fields: collect() }));
    } catch (error) {
      // Storage full: nothing to do but keep the form usable.
    }
  }

  function restore(fields) {
    // First recreate the rows the draft had, then fill every field.
    ["req", "solved"].forEach((prefix) => {
      const wanted = Number(fields[`${prefix}-TOTAL_FORMS`] || 0);
      const total = form.querySelector(`#id_${prefix}-TOTAL_FORMS`);
      while (total && Number(total.value) < wanted) {
        const before = total.value;
        addRow(prefix);
        if (total.value === before) break;
      }
    });
    for (const element of form.elements) {
      if (!element.name || SKIP.has(element.name) || element.type === "file") continue;
      if (element.name.endsWith("-TOTAL_FORMS") || !(element.name in fields)) continue;
      const value = fields[element.name];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = Array.isArray(value) && value.includes(element.value);
      } else if (element.tagName === "SELECT" && element.multiple) {
        Array.from(element.options).forEach((option) => {
          option.selected = Array.isArray(value) && value.includes(option.value);
        });
      } else if (typeof value === "string") {
        element.value = value;
      }
    }
    showLocation();
  }

  function isLeaderVisit() {
    const kind = form.querySelector("[name=kind]");
    return kind && kind.value === "leader";
  }

  function toggleLeaderFields() {
    // Hidden fields are also disabled, so that a value left in them is not sent for a routine visit.
    const leader = isLeaderVisit();
    form.querySelectorAll(".leader-only").forEach((block) => {
      block.classList.toggle("d-none", !leader);
      block.querySelectorAll("input, select").forEach((field) => {
        field.disabled = !leader;
      });
    });
  }

  // --- location -------------------------------------------------------------------------------
  const status = document.getElementById("geo-status");
  const latitude = form.querySelector("[name=latitude]");
  const longitude = form.querySelector("[name=longitude]");
  const accuracy = form.querySelector("[name=location_accuracy]");

  function showLocation() {
    if (!status || !latitude || !latitude.value) return;
    const metres = accuracy && accuracy.value ? accuracy.value : "?";
    status.textContent = `${latitude.value}, ${longitude.value} · ${form.dataset.msgLocated.replace("%(m)s", metres)}`;
  }

  function locate() {
    if (!("geolocation" in navigator)) {
      if (status) status.textContent = form.dataset.msgUnsupported;
      return;
    }
    if (status) status.textContent = form.dataset.msgLocating;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        latitude.value = position.coords.latitude.toFixed(6);
        longitude.value = position.coords.longitude.toFixed(6);
        accuracy.value = String(Math.round(position.coords.accuracy));
        showLocation();
        save();
      },
      () => {
        if (status) status.textContent = form.dataset.msgDenied;
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 },
    );
  }

  const geoButton = document.getElementById("geo-button");
  if (geoButton) geoButton.addEventListener("click", locate);
  // Already allowed on this device: take the location at once, without a prompt.
  if (navigator.permissions && latitude && !latitude.value) {
    navigator.permissions
      .query({ name: "geolocation" })
      .then((permission) => {
        if (permission.state === "granted") locate();
      })
      .catch(() => {});
  }

  // --- wiring ---------------------------------------------------------------------------------
  document.querySelectorAll("[data-add-row]").forEach((button) => {
    button.addEventListener("click", () => {
      addRow(button.dataset.addRow);
      save();
    });
  });

  const notice = document.getElementById("draft-notice");
  // A form the server sent back with errors already holds the entries; otherwise restore the draft.
  if (storage && key && form.dataset.bound !== "1") {
    const raw = storage.getItem(key);
    if (raw) {
      try {
        restore(JSON.parse(raw).fields || {});
        if (notice) notice.classList.remove("d-none");
      } catch (error) {
        storage.removeItem(key);
      }
    }
  }
  const discard = document.getElementById("draft-discard");
  if (discard) {
    discard.addEventListener("click", () => {
      if (storage) storage.removeItem(key);
      window.location.reload();
    });
  }

  form.addEventListener("input", save);
  form.addEventListener("change", () => {
    toggleLeaderFields();
    save();
  });
  toggleLeaderFields();
  showLocation();
})();
